/**
 * The three services together, driven the way the hypervisor will drive them
 * for one split block device: provisioning, the handshake of docs/abi.md, a
 * backend failure with its restart, and a frontend failure.
 */
import * as assert from 'assert';
import {
  PVIO_EVTCHN_PORT_WATCH,
  PVIO_KIND_BLK,
  PVIO_STATE_CLOSED,
  PVIO_STATE_CONNECTED,
  PVIO_STATE_INITIALISED,
  PVIO_STATE_INITIALISING,
  PVIO_STATE_INITWAIT,
  SBI_ERR_DENIED,
  SBI_ERR_INVALID_PARAM,
  SBI_SUCCESS,
} from '../../emulator/hypervisor/abi.generated';
import { EventChannels } from '../../emulator/hypervisor/event-channels';
import { GrantTable } from '../../emulator/hypervisor/grant-table';
import { Registry } from '../../emulator/hypervisor/registry';
import { parseState } from '../../emulator/hypervisor/registry-paths';
import { provisionSplitDevice, splitDeviceDirs } from '../../emulator/hypervisor/registry-provision';

const HOST = 0;
const FRONT = 1;
const BACK = 2;
const RING_GFN = 0x80010;
const DEV = { kind: PVIO_KIND_BLK, idx: 0, frontend: FRONT, backend: BACK };
const { deviceDir, backendDir } = splitDeviceDirs(DEV);

function val<T>(r: { error: number; value?: T }): T {
  assert.strictEqual(r.error, SBI_SUCCESS);
  return r.value as T;
}

function machine() {
  const interrupts: number[] = [];
  const ev = new EventChannels({ notify: (d) => interrupts.push(d) });
  const reg = new Registry({ onWatchEvent: (d) => ev.raise(d, PVIO_EVTCHN_PORT_WATCH) });
  const gt = new GrantTable();
  for (const d of [FRONT, BACK]) {
    val(ev.addVm(d));
    val(reg.addVm(d));
    val(gt.addVm(d));
  }
  val(provisionSplitDevice(reg, DEV));
  return { ev, reg, gt, interrupts };
}
type Machine = ReturnType<typeof machine>;

const state = (m: Machine, caller: number, dir: string) => parseState(val(m.reg.read(caller, `${dir}/state`)));

/** What a guest's SSIP handler does for the watch port: clear it, then read every event. */
function takeWatchEvents(m: Machine, domid: number): string[] {
  m.ev.bitmaps(domid)!.pending[0] &= ~(1 << PVIO_EVTCHN_PORT_WATCH);
  const paths: string[] = [];
  for (let r = val(m.reg.readWatch(domid, 512)); r.length; r = val(m.reg.readWatch(domid, 512))) {
    paths.push(Buffer.from(r.record!.subarray(4, r.length - 1)).toString('latin1'));
  }
  return paths;
}

/** Steps 1-4 of the handshake; returns the ring's gref, the ports and the backend's slot. */
function connect(m: Machine) {
  val(m.reg.write(BACK, `${backendDir}/state`, String(PVIO_STATE_INITWAIT)));
  assert.ok(takeWatchEvents(m, FRONT).includes(`${backendDir}/state`));
  assert.strictEqual(state(m, FRONT, backendDir), PVIO_STATE_INITWAIT);

  const gref = val(m.gt.grantAccess(FRONT, BACK, RING_GFN, 0));
  const fport = val(m.ev.allocUnbound(FRONT, BACK));
  val(m.reg.write(FRONT, 'device/blk/0/ring-ref', String(gref)));
  val(m.reg.write(FRONT, 'device/blk/0/event-channel', String(fport)));
  val(m.reg.write(FRONT, 'device/blk/0/state', String(PVIO_STATE_INITIALISED)));

  assert.ok(takeWatchEvents(m, BACK).includes(`${deviceDir}/state`));
  assert.strictEqual(state(m, BACK, deviceDir), PVIO_STATE_INITIALISED);
  const ringRef = Number(val(m.reg.read(BACK, `${deviceDir}/ring-ref`)));
  const remotePort = Number(val(m.reg.read(BACK, `${deviceDir}/event-channel`)));
  const slot = 0;
  assert.strictEqual(val(m.gt.map(BACK, FRONT, ringRef, slot, 1)), RING_GFN);
  const bport = val(m.ev.bindInterdomain(BACK, FRONT, remotePort));
  val(m.reg.write(BACK, `${backendDir}/sectors`, '2048'));
  val(m.reg.write(BACK, `${backendDir}/state`, String(PVIO_STATE_CONNECTED)));

  takeWatchEvents(m, FRONT);
  assert.strictEqual(state(m, FRONT, backendDir), PVIO_STATE_CONNECTED);
  val(m.reg.write(FRONT, 'device/blk/0/state', String(PVIO_STATE_CONNECTED)));
  return { gref, fport, bport, slot };
}

describe('hypervisor: split-device provisioning and handshake', () => {
  it('provisions both directories with Initialising and the identity keys', () => {
    const m = machine();
    assert.deepStrictEqual([deviceDir, backendDir], ['/vm/1/device/blk/0', '/vm/2/backend/blk/1/0']);
    assert.strictEqual(state(m, FRONT, deviceDir), PVIO_STATE_INITIALISING);
    assert.strictEqual(state(m, FRONT, backendDir), PVIO_STATE_INITIALISING);
    assert.strictEqual(val(m.reg.read(FRONT, `${deviceDir}/backend`)), backendDir);
    assert.strictEqual(val(m.reg.read(FRONT, `${deviceDir}/backend-id`)), String(BACK));
    assert.strictEqual(val(m.reg.read(BACK, `${backendDir}/frontend`)), deviceDir);
    assert.strictEqual(val(m.reg.read(BACK, `${backendDir}/frontend-id`)), String(FRONT));
    assert.strictEqual(m.reg.nodeCount(FRONT) + m.reg.nodeCount(BACK), 0, 'all charged to the host');
  });

  it('lets each side write only its own keys, and read the peer\'s', () => {
    const m = machine();
    assert.strictEqual(m.reg.write(FRONT, `${deviceDir}/backend-id`, '3').error, SBI_ERR_DENIED, 'identity keys are the host\'s');
    assert.strictEqual(m.reg.write(BACK, `${deviceDir}/state`, '4').error, SBI_ERR_DENIED, 'peer dir is read-only');
    assert.strictEqual(m.reg.write(FRONT, `${backendDir}/state`, '4').error, SBI_ERR_DENIED);
    assert.strictEqual(m.reg.list(BACK, '/vm/1/device').error, SBI_ERR_DENIED, 'only the device dir itself is shared');
    assert.deepStrictEqual(val(m.reg.list(BACK, deviceDir)), ['backend', 'backend-id', 'state']);
    val(m.reg.write(FRONT, `${deviceDir}/state`, '2'));
  });

  it('refuses bad provisioning requests', () => {
    const m = machine();
    for (const bad of [
      { ...DEV, kind: 'b/k' },
      { ...DEV, idx: -1 },
      { ...DEV, backend: FRONT },
      { ...DEV, backend: 9 },
    ]) assert.strictEqual(provisionSplitDevice(m.reg, bad).error, SBI_ERR_INVALID_PARAM, JSON.stringify(bad));
  });

  it('runs the handshake to Connected; events then flow both ways', () => {
    const m = machine();
    val(m.reg.watch(FRONT, `${backendDir}/state`, 1));
    val(m.reg.watch(BACK, `${deviceDir}/state`, 2));
    assert.deepStrictEqual(m.interrupts, [FRONT, BACK], 'initial watch events raise the watch port');
    takeWatchEvents(m, FRONT);
    takeWatchEvents(m, BACK);
    const c = connect(m);
    m.interrupts.length = 0;
    assert.strictEqual(val(m.ev.send(FRONT, c.fport)), 1);
    assert.strictEqual(val(m.ev.send(BACK, c.bport)), 1);
    assert.deepStrictEqual(m.interrupts, [BACK, FRONT]);
  });

  it('survives a backend failure: peers see Closed, resources are freed, the restarted backend reconnects', () => {
    const m = machine();
    val(m.reg.watch(FRONT, `${backendDir}/state`, 1));
    val(m.reg.watch(BACK, `${deviceDir}/state`, 2));
    takeWatchEvents(m, FRONT);
    takeWatchEvents(m, BACK);
    const c = connect(m);

    // The hypervisor's fault path for the backend VM.
    const revoked = val(m.gt.revokeVm(BACK));
    assert.deepStrictEqual(revoked.unmapped.map((u) => [u.mapper, u.slot]), [[BACK, c.slot]]);
    assert.deepStrictEqual(val(m.ev.closeVm(BACK)), [{ domid: FRONT, port: c.fport }]);
    const removed = val(m.reg.removeVm(BACK));
    assert.deepStrictEqual(removed, { closed: [`${backendDir}/state`], removed: [`${backendDir}/sectors`] });

    // The frontend's watch fires and it reads Closed.
    assert.deepStrictEqual(takeWatchEvents(m, FRONT), [`${backendDir}/state`]);
    assert.strictEqual(state(m, FRONT, backendDir), PVIO_STATE_CLOSED);
    // Its resume path: end the ring grant (nothing maps it any more), close the port, go back to Initialising.
    val(m.gt.endAccess(FRONT, c.gref));
    val(m.ev.close(FRONT, c.fport));
    val(m.reg.write(FRONT, 'device/blk/0/state', String(PVIO_STATE_INITIALISING)));

    // The restarted backend (same domid, initial state) registers its watch and reconnects.
    val(m.reg.watch(BACK, `${deviceDir}/state`, 2));
    assert.strictEqual(state(m, BACK, deviceDir), PVIO_STATE_INITIALISING);
    takeWatchEvents(m, BACK);
    const again = connect(m);
    assert.strictEqual(val(m.ev.send(FRONT, again.fport)), 1);
    assert.strictEqual(state(m, BACK, backendDir), PVIO_STATE_CONNECTED);
  });

  it('survives a frontend failure: the backend sees Closed and waits for the restarted frontend', () => {
    const m = machine();
    val(m.reg.watch(FRONT, `${backendDir}/state`, 1));
    val(m.reg.watch(BACK, `${deviceDir}/state`, 2));
    takeWatchEvents(m, FRONT);
    takeWatchEvents(m, BACK);
    const c = connect(m);

    const revoked = val(m.gt.revokeVm(FRONT));
    assert.deepStrictEqual(revoked.unmapped.map((u) => [u.mapper, u.slot]), [[BACK, c.slot]], 'the ring page leaves the backend\'s window');
    assert.strictEqual(m.gt.mappingAt(BACK, c.slot), undefined);
    assert.deepStrictEqual(val(m.ev.closeVm(FRONT)), [{ domid: BACK, port: c.bport }]);
    const removed = val(m.reg.removeVm(FRONT));
    assert.deepStrictEqual(removed.closed, [`${deviceDir}/state`]);
    assert.deepStrictEqual(removed.removed, [`${deviceDir}/ring-ref`, `${deviceDir}/event-channel`]);

    assert.ok(takeWatchEvents(m, BACK).includes(`${deviceDir}/state`));
    assert.strictEqual(state(m, BACK, deviceDir), PVIO_STATE_CLOSED);
    assert.strictEqual(m.gt.unmap(BACK, c.slot).error, SBI_ERR_INVALID_PARAM, 'already gone: an error, not a crash');
    val(m.ev.close(BACK, c.bport));
    val(m.reg.write(BACK, `${backendDir}/state`, String(PVIO_STATE_INITWAIT)));
    assert.strictEqual(m.reg.read(BACK, `${deviceDir}/ring-ref`).error, SBI_ERR_INVALID_PARAM, 'stale ring details are gone');
    assert.strictEqual(val(m.reg.read(HOST, `${deviceDir}/backend-id`)), String(BACK), 'provisioned keys stay');
  });
});
