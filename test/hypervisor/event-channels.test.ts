import * as assert from 'assert';
import {
  PVIO_EVTCHN_FIRST_DYNAMIC,
  PVIO_EVTCHN_MAX_PORTS,
  PVIO_EVTCHN_PORT_WATCH,
  PVIO_SI_EVTCHN_MASK,
  PVIO_SI_EVTCHN_PENDING,
  SBI_ERR_ALREADY_AVAILABLE,
  SBI_ERR_DENIED,
  SBI_ERR_FAILED,
  SBI_ERR_INVALID_PARAM,
  SBI_SUCCESS,
} from '../../emulator/hypervisor/abi.generated';
import { EventChannels } from '../../emulator/hypervisor/event-channels';

const A = 1;
const B = 2;
const C = 3;

function setup() {
  const notified: number[] = [];
  const ev = new EventChannels({ notify: (d) => notified.push(d) });
  for (const d of [A, B, C]) assert.strictEqual(ev.addVm(d).error, SBI_SUCCESS);
  return { ev, notified };
}

function val<T>(r: { error: number; value?: T }): T {
  assert.strictEqual(r.error, SBI_SUCCESS);
  return r.value as T;
}

/** A connected pair: A's unbound port, bound by B. */
function connect(ev: EventChannels) {
  const pa = val(ev.allocUnbound(A, B));
  const pb = val(ev.bindInterdomain(B, A, pa));
  return { pa, pb };
}

describe('hypervisor: EventChannels', () => {
  it('registers VMs once, only with VM domids, and reserves the low ports', () => {
    const { ev } = setup();
    assert.strictEqual(ev.addVm(A).error, SBI_ERR_ALREADY_AVAILABLE);
    assert.strictEqual(ev.addVm(0).error, SBI_ERR_INVALID_PARAM);
    assert.deepStrictEqual(
      ev.ports(A).map((p) => [p.port, p.state]),
      Array.from({ length: PVIO_EVTCHN_FIRST_DYNAMIC }, (_v, i) => [i, 'reserved']),
    );
  });

  it('connects two VMs: alloc_unbound then bind_interdomain', () => {
    const { ev } = setup();
    const pa = val(ev.allocUnbound(A, B));
    assert.strictEqual(pa, PVIO_EVTCHN_FIRST_DYNAMIC);
    assert.deepStrictEqual(ev.ports(A).find((p) => p.port === pa), { port: pa, state: 'unbound', remoteDomid: B, pending: false, masked: false });
    const pb = val(ev.bindInterdomain(B, A, pa));
    assert.deepStrictEqual(ev.ports(A).find((p) => p.port === pa), { port: pa, state: 'interdomain', remoteDomid: B, remotePort: pb, pending: false, masked: false });
    assert.deepStrictEqual(ev.ports(B).find((p) => p.port === pb), { port: pb, state: 'interdomain', remoteDomid: A, remotePort: pa, pending: false, masked: false });
  });

  it('binds only a port that is unbound and allocated for the caller', () => {
    const { ev } = setup();
    const forB = val(ev.allocUnbound(A, B));
    assert.strictEqual(ev.bindInterdomain(C, A, forB).error, SBI_ERR_DENIED, 'allocated for B, not C');
    assert.strictEqual(ev.bindInterdomain(B, A, forB + 1).error, SBI_ERR_DENIED, 'free port');
    assert.strictEqual(ev.bindInterdomain(B, A, PVIO_EVTCHN_PORT_WATCH).error, SBI_ERR_DENIED, 'reserved port');
    assert.strictEqual(ev.bindInterdomain(B, A, PVIO_EVTCHN_MAX_PORTS).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(ev.bindInterdomain(B, 9, forB).error, SBI_ERR_INVALID_PARAM, 'unknown VM');
    val(ev.bindInterdomain(B, A, forB));
    assert.strictEqual(ev.bindInterdomain(B, A, forB).error, SBI_ERR_DENIED, 'already bound');
    assert.strictEqual(ev.allocUnbound(A, 0).error, SBI_ERR_INVALID_PARAM, 'the host has no ports');
  });

  it('send sets the peer pending bit and notifies once until the guest clears it', () => {
    const { ev, notified } = setup();
    const { pa, pb } = connect(ev);
    assert.strictEqual(val(ev.send(A, pa)), 1);
    assert.deepStrictEqual(notified, [B]);
    assert.strictEqual(ev.ports(B).find((p) => p.port === pb)?.pending, true);
    assert.strictEqual(ev.ports(A).find((p) => p.port === pa)?.pending, false, 'the sender is not marked');
    val(ev.send(A, pa));
    assert.deepStrictEqual(notified, [B], 'already pending: no second interrupt');
    // The guest clears the bit in the shared bitmap; the next send interrupts again.
    ev.bitmaps(B)!.pending[pb >>> 5] &= ~(1 << (pb & 31));
    val(ev.send(A, pa));
    assert.deepStrictEqual(notified, [B, B]);
    val(ev.send(B, pb));
    assert.deepStrictEqual(notified, [B, B, A], 'both directions');
  });

  it('send on an unbound port is dropped; on free or reserved ports it is an error', () => {
    const { ev, notified } = setup();
    const p = val(ev.allocUnbound(A, B));
    assert.strictEqual(val(ev.send(A, p)), 0);
    assert.strictEqual(ev.send(A, p + 1).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(ev.send(A, PVIO_EVTCHN_PORT_WATCH).error, SBI_ERR_DENIED);
    assert.strictEqual(ev.send(A, -1).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(ev.send(A, 1.5).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(ev.send(9, p).error, SBI_ERR_INVALID_PARAM);
    assert.deepStrictEqual(notified, []);
  });

  it('masking holds back the interrupt; unmasking a pending port delivers it', () => {
    const { ev, notified } = setup();
    const { pa, pb } = connect(ev);
    val(ev.mask(B, pb));
    val(ev.send(A, pa));
    assert.deepStrictEqual(notified, []);
    assert.deepStrictEqual(ev.ports(B).find((p) => p.port === pb), { port: pb, state: 'interdomain', remoteDomid: A, remotePort: pa, pending: true, masked: true });
    assert.strictEqual(ev.hasDeliverable(B), false);
    val(ev.unmask(B, pb));
    assert.deepStrictEqual(notified, [B]);
    assert.strictEqual(ev.hasDeliverable(B), true);
    val(ev.unmask(A, pa));
    assert.deepStrictEqual(notified, [B], 'unmasking a port that is not pending is silent');
    assert.strictEqual(ev.mask(A, pa + 1).error, SBI_ERR_INVALID_PARAM, 'free port');
    assert.strictEqual(ev.unmask(A, PVIO_EVTCHN_MAX_PORTS).error, SBI_ERR_INVALID_PARAM);
  });

  it('close returns the peer port to unbound, so it can be bound again', () => {
    const { ev } = setup();
    const { pa, pb } = connect(ev);
    val(ev.send(A, pa));
    val(ev.close(B, pb));
    assert.strictEqual(ev.ports(B).some((p) => p.port === pb), false);
    assert.strictEqual(ev.bitmaps(B)!.pending[0], 0, 'a closed port is no longer pending');
    assert.deepStrictEqual(ev.ports(A).find((p) => p.port === pa), { port: pa, state: 'unbound', remoteDomid: B, pending: false, masked: false });
    assert.strictEqual(val(ev.send(A, pa)), 0, 'dropped now');
    const again = val(ev.bindInterdomain(B, A, pa));
    assert.strictEqual(again, pb, 'lowest free port is reused');
    assert.strictEqual(ev.close(B, pb + 1).error, SBI_ERR_INVALID_PARAM, 'free');
    assert.strictEqual(ev.close(B, PVIO_EVTCHN_PORT_WATCH).error, SBI_ERR_DENIED, 'reserved');
  });

  it('a reused port starts unmasked and not pending', () => {
    const { ev } = setup();
    const { pa, pb } = connect(ev);
    val(ev.mask(B, pb));
    val(ev.send(A, pa));
    val(ev.close(B, pb));
    const p = val(ev.allocUnbound(B, C));
    assert.strictEqual(p, pb);
    assert.deepStrictEqual(ev.ports(B).find((x) => x.port === p), { port: p, state: 'unbound', remoteDomid: C, pending: false, masked: false });
  });

  it('refuses allocation beyond the per-VM port limit', () => {
    const { ev } = setup();
    for (let i = PVIO_EVTCHN_FIRST_DYNAMIC; i < PVIO_EVTCHN_MAX_PORTS; i++) val(ev.allocUnbound(A, B));
    assert.strictEqual(ev.allocUnbound(A, B).error, SBI_ERR_FAILED);
    const forA = val(ev.allocUnbound(B, A));
    assert.strictEqual(ev.bindInterdomain(A, B, forA).error, SBI_ERR_FAILED);
    assert.strictEqual(ev.ports(B).find((p) => p.port === forA)?.state, 'unbound', 'a refused bind changes nothing');
  });

  it('raise signals reserved ports only (the registry watch port)', () => {
    const { ev, notified } = setup();
    val(ev.raise(A, PVIO_EVTCHN_PORT_WATCH));
    val(ev.raise(A, PVIO_EVTCHN_PORT_WATCH));
    assert.deepStrictEqual(notified, [A]);
    assert.strictEqual(ev.ports(A)[PVIO_EVTCHN_PORT_WATCH].pending, true);
    assert.strictEqual(ev.raise(A, PVIO_EVTCHN_FIRST_DYNAMIC).error, SBI_ERR_INVALID_PARAM);
    val(ev.mask(B, PVIO_EVTCHN_PORT_WATCH));
    val(ev.raise(B, PVIO_EVTCHN_PORT_WATCH));
    assert.deepStrictEqual(notified, [A], 'reserved ports can be masked');
  });

  it('closeVm frees every port of the failed VM and unbinds its peers', () => {
    const { ev } = setup();
    const ab = connect(ev);
    const ca = val(ev.allocUnbound(C, A));
    const ac = val(ev.bindInterdomain(A, C, ca));
    const waitingForA = val(ev.allocUnbound(B, A)); // B waits for A: stays so, for A's restart
    val(ev.send(B, ab.pb));
    val(ev.mask(A, ac));
    const peers = val(ev.closeVm(A));
    assert.deepStrictEqual(peers, [{ domid: B, port: ab.pb }, { domid: C, port: ca }]);
    assert.deepStrictEqual(ev.ports(A).filter((p) => p.state !== 'reserved'), []);
    assert.deepStrictEqual([...ev.bitmaps(A)!.pending, ...ev.bitmaps(A)!.mask], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.strictEqual(ev.ports(B).find((p) => p.port === ab.pb)?.state, 'unbound');
    assert.strictEqual(ev.ports(B).find((p) => p.port === waitingForA)?.state, 'unbound');
    // The restarted VM binds its peers' ports again.
    val(ev.bindInterdomain(A, B, ab.pb));
    val(ev.bindInterdomain(A, B, waitingForA));
    assert.strictEqual(ev.closeVm(9).error, SBI_ERR_INVALID_PARAM);
  });

  it('closeVm handles a VM connected to itself', () => {
    const { ev } = setup();
    const p = val(ev.allocUnbound(A, A));
    val(ev.bindInterdomain(A, A, p));
    const r = ev.closeVm(A);
    assert.deepStrictEqual(r, { error: SBI_SUCCESS, value: [] });
  });

  it('destroyVm forgets the VM', () => {
    const { ev } = setup();
    const { pb } = connect(ev);
    val(ev.destroyVm(A));
    assert.strictEqual(ev.hasVm(A), false);
    assert.strictEqual(val(ev.send(B, pb)), 0);
    assert.deepStrictEqual(ev.ports(A), []);
  });

  it('works on bitmaps that live in the shared-info page', () => {
    // The hypervisor's page buffer; the service writes the guest-visible words directly.
    const notified: number[] = [];
    const page = new ArrayBuffer(4096);
    const ev = new EventChannels({ notify: (d) => notified.push(d) });
    val(ev.addVm(A));
    assert.strictEqual(ev.addVm(B, { pending: new Uint32Array(2), mask: new Uint32Array(4) }).error, SBI_ERR_INVALID_PARAM, 'too small');
    val(ev.addVm(B, { pending: new Uint32Array(page, PVIO_SI_EVTCHN_PENDING, 4), mask: new Uint32Array(page, PVIO_SI_EVTCHN_MASK, 4) }));
    const pa = val(ev.allocUnbound(A, B));
    const pb = val(ev.bindInterdomain(B, A, pa));
    const view = new DataView(page);
    val(ev.send(A, pa));
    assert.strictEqual(view.getUint32(PVIO_SI_EVTCHN_PENDING, true), 1 << pb);
    val(ev.mask(B, pb));
    assert.strictEqual(view.getUint32(PVIO_SI_EVTCHN_MASK, true), 1 << pb);
    view.setUint32(PVIO_SI_EVTCHN_PENDING, 0, true); // the guest's amoswap
    val(ev.unmask(B, pb));
    assert.deepStrictEqual(notified, [B], 'unmask sees the guest cleared the bit');
  });
});
