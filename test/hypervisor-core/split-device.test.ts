/**
 * Grants, event channels and registry watches between two real guests: the
 * frontend grants its ring, the backend maps it and writes through its grant
 * window, the granter sees the data; a grant cannot end while mapped; events
 * cross VMs, masking holds back the interrupt and unmasking delivers it; the
 * handshake runs on registry watches.
 */
import * as assert from 'assert';
import { PVIO_GRANT_WINDOW_BASE, SBI_ERR_DENIED } from '../../emulator/hypervisor/abi.generated';
import { needCompiler } from './support';
import { BACK_STATE, FRONT_STATE, splitSystem } from './split-system';

describe('hypervisor: split device between two guests', function () {
  this.timeout(120000);
  before(function () {
    needCompiler(this);
  });

  it('connects over the registry, shares the ring through grants and passes the guest checks', () => {
    const { rt, out } = splitSystem();
    rt.runSync({ untilMs: 10 });
    const client = out.get('client') ?? '';
    assert.match(client, /front: connected 1\nVERDICT PASS front-connect\n/, `${client}\n---\n${out.get('drv')}`);
    assert.doesNotMatch(client, /check failed/);
    assert.strictEqual(rt.registryDump(FRONT_STATE)?.value, '4');
    assert.strictEqual(rt.registryDump(BACK_STATE)?.value, '4');

    // The ring grant is mapped in slot 0 of the backend's window, backed by the frontend's page.
    const grants = rt.grants('client').issued;
    assert.strictEqual(grants.length, 1);
    assert.strictEqual(grants[0].mapCount, 1);
    const mapped = rt.grants('drv').mapped;
    assert.deepStrictEqual(mapped.map((m) => [m.slot, m.granter, m.gref, m.writable]), [[0, 1, grants[0].gref, true]]);
    const viaWindow = rt.readMemory('drv', PVIO_GRANT_WINDOW_BASE, 64);
    const direct = rt.readMemory('client', grants[0].gfn * 4096, 64);
    assert.deepStrictEqual(viaWindow.data, direct.data);

    // Event channels: an interdomain pair.
    const fe = rt.eventChannels('client').filter((p) => p.state === 'interdomain');
    const be = rt.eventChannels('drv').filter((p) => p.state === 'interdomain');
    assert.strictEqual(fe.length, 1);
    assert.strictEqual(be.length, 1);
    assert.strictEqual(fe[0].remotePort, be[0].port);

    // The trace shows the calls the checks made.
    const calls = rt.traceQuery({ kind: 'hypercall' });
    const ends = calls.filter((c) => c.name === 'PVIO_FID_GRANT_END' && c.vm === 'client');
    assert.ok(ends.some((c) => c.error === SBI_ERR_DENIED), 'grant_end refused while mapped');
    assert.ok(calls.some((c) => c.name === 'PVIO_FID_EVTCHN_MASK' && c.error === 0));
    assert.ok(rt.traceQuery({ kind: 'event', vm: 'client' }).length > 0);
    assert.ok(calls.some((c) => c.name === 'PVIO_FID_GRANT_MAP' && c.vm === 'drv' && c.value === PVIO_GRANT_WINDOW_BASE));
  });

  it('delivers registry watch events: initial event, then one per change', () => {
    const { rt } = splitSystem();
    rt.runSync({ untilMs: 10 });
    assert.deepStrictEqual(rt.watches('client').watches.map((w) => [w.path, w.token]), [[BACK_STATE, 1]]);
    assert.deepStrictEqual(rt.watches('drv').watches.map((w) => [w.path, w.token]), [[FRONT_STATE, 2]]);
    // Every watch event was read (READ_WATCH) and each raised port 0 of its VM.
    assert.deepStrictEqual(rt.watches('client').queued, []);
    const events = (vm: string) => rt.traceQuery({ kind: 'hypercall', vm }).filter((c) => c.name === 'PVIO_FID_REG_READ_WATCH' && c.value! > 0).length;
    // The backend: the initial event, then the frontend's states 3 and 4.
    assert.strictEqual(events('drv'), 3);
    // The frontend starts after the backend wrote 2: the initial event (state 2), then state 4.
    assert.strictEqual(events('client'), 2);
    // Each event raised port 0 (watch) and an SSIP on vCPU 0 of its VM.
    assert.ok(rt.traceQuery({ kind: 'event', vm: 'drv' }).length >= 3);
  });
});
