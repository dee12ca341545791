/** The hypervisor's small modules on their own: event queue, restart policy, scheduler, guest memory, grant window, trace, PRNG, dispatcher. */
import * as assert from 'assert';
import { Bus, BusError } from '../../emulator/bus/bus';
import { SBI_ERR_FAILED, SBI_ERR_NOT_SUPPORTED, SBI_EXT_BASE } from '../../emulator/hypervisor/abi.generated';
import { EventQueue } from '../../emulator/hypervisor/event-queue';
import { GrantTable } from '../../emulator/hypervisor/grant-table';
import { GrantWindow } from '../../emulator/hypervisor/grant-window';
import { GuestMemory } from '../../emulator/hypervisor/guest-memory';
import type { HypercallEnv } from '../../emulator/hypervisor/hypercalls/context';
import { HypercallDispatcher } from '../../emulator/hypervisor/hypercalls/dispatcher';
import { Prng } from '../../emulator/hypervisor/prng';
import { decideRestart, restartDelayMs } from '../../emulator/hypervisor/restart-policy';
import { Scheduler } from '../../emulator/hypervisor/scheduler';
import { SharedInfoPage } from '../../emulator/hypervisor/shared-info';
import { Trace } from '../../emulator/hypervisor/trace';
import type { VCpu } from '../../emulator/hypervisor/vcpu';

describe('hypervisor units', () => {
  it('event queue: time order, then scheduling order; cancel by owner', () => {
    let now = 0;
    const q = new EventQueue(() => now);
    const seen: string[] = [];
    q.at(20, () => seen.push('b'));
    q.at(10, () => seen.push('a'));
    q.at(20, () => seen.push('c'));
    q.at(15, () => seen.push('x'), 'dev', 3);
    q.cancelOwner(3);
    assert.strictEqual(q.nextTime(), 10);
    now = 20;
    q.runDue();
    assert.deepStrictEqual(seen, ['a', 'b', 'c']);
    assert.strictEqual(q.nextTime(), undefined);
  });

  it('restart policy: at once, exponential back-off with a cap, then down', () => {
    const p = { maxRestarts: 5, initialBackoffMs: 10, maxBackoffMs: 50, multiplier: 2 };
    assert.deepStrictEqual([1, 2, 3, 4, 5].map((k) => restartDelayMs(p, k)), [0, 10, 20, 40, 50]);
    assert.deepStrictEqual(decideRestart(p, 0), { restart: true, attempt: 1, delayMs: 0 });
    assert.strictEqual(decideRestart(p, 5).restart, false);
    assert.strictEqual(decideRestart({ ...p, maxRestarts: 0 }, 0).restart, false);
  });

  it('scheduler: round robin with quanta over eligible vCPUs', () => {
    const vcpus = [0, 1, 2].map((key) => ({ key }) as unknown as VCpu);
    const eligible = new Set([0, 1, 2]);
    const s = new Scheduler(vcpus, 100, (v) => eligible.has(v.key));
    assert.strictEqual(s.pick()?.key, 0);
    s.charge(60);
    assert.strictEqual(s.pick()?.key, 0); // quantum not used up
    s.charge(40);
    assert.strictEqual(s.pick()?.key, 1);
    eligible.delete(2);
    s.yield();
    assert.strictEqual(s.pick()?.key, 0); // 2 is skipped
    eligible.clear();
    s.yield();
    assert.strictEqual(s.pick(), undefined);
    assert.throws(() => new Scheduler(vcpus, 0, () => true), RangeError);
  });

  it('guest memory: whole buffers inside RAM only', () => {
    const bus = new Bus(8192, 0x80000000);
    const m = new GuestMemory(bus);
    assert.ok(m.contains(0x80000000, 8192));
    assert.ok(!m.contains(0x80000000, 8193));
    assert.ok(!m.contains(0x7fffffff, 2));
    assert.ok(!m.contains(0x80001fff, 0xffffffff));
    assert.ok(!m.contains(0x80000000, 4, 1)); // upper half of a 64-bit address
    assert.ok(!m.contains(-1, 1));
    assert.ok(m.write(0x80000010, Uint8Array.of(1, 2)));
    assert.deepStrictEqual([...m.read(0x8000000f, 4)!], [0, 1, 2, 0]);
    assert.strictEqual(m.read(0x80002000, 1), undefined);
    assert.ok(m.hasPage(0x80001));
    assert.ok(!m.hasPage(0x80002));
  });

  it('grant window: mapped slots reach the granter page, empty or read-only ones fault', () => {
    const buses = new Map([[1, new Bus(8192, 0x80000000)], [2, new Bus(8192, 0x80000000)]]);
    const grants = new GrantTable();
    grants.addVm(1);
    grants.addVm(2);
    const w = new GrantWindow(2, grants, (d) => buses.get(d));
    assert.throws(() => w.read(0, 4), BusError);
    const gref = grants.grantAccess(1, 2, 0x80001, false).value!;
    grants.map(2, 1, gref, 3, true);
    w.write(3 * 4096 + 8, 4, 0xcafef00d);
    assert.strictEqual(buses.get(1)!.read(0x80001008, 4), 0xcafef00d);
    assert.strictEqual(w.read(3 * 4096 + 8, 2), 0xf00d);
    const ro = grants.grantAccess(1, 2, 0x80000, true).value!;
    grants.map(2, 1, ro, 4, false);
    assert.throws(() => w.write(4 * 4096, 4, 1), BusError);
    assert.strictEqual(w.read(4 * 4096, 4), 0);
    // An access spanning slot 4 (mapped) and slot 5 (empty) faults as a whole.
    assert.throws(() => w.read(5 * 4096 - 2, 4), BusError);
    grants.unmap(2, 3);
    assert.throws(() => w.read(3 * 4096, 4), BusError);
  });

  it('shared-info page: header, bitmaps in place, guest clears counted', () => {
    const si = new SharedInfoPage(3, 4);
    assert.strictEqual(si.read(0, 4), 0x49535650);
    assert.strictEqual(si.read(8, 4), 3);
    si.bitmaps.pending[0] = 0x30;
    assert.strictEqual(si.read(0x40, 4), 0x30);
    si.write(0x40, 4, 0x10);
    assert.strictEqual(si.bitmaps.pending[0], 0x10);
    assert.strictEqual(si.pendingClears, 1);
    si.reset();
    assert.strictEqual(si.bitmaps.pending[0], 0);
    assert.strictEqual(si.read(8, 4), 3);
  });

  it('trace: bounded ring, marks, filters, and a hash of everything', () => {
    const t = new Trace(4);
    for (let i = 0; i < 6; i++) t.record({ time: i, kind: i % 2 ? 'event' : 'hypercall', domid: 1, vm: 'a', name: `n${i}` });
    assert.strictEqual(t.total, 6);
    assert.deepStrictEqual(t.query().map((e) => e.seq), [2, 3, 4, 5]);
    assert.deepStrictEqual(t.query({ kind: 'event' }).map((e) => e.name), ['n3', 'n5']);
    const mark = t.mark();
    t.record({ time: 9, kind: 'fault', domid: 2, vm: 'b', name: 'panic' });
    assert.deepStrictEqual(t.since(mark).map((e) => e.name), ['panic']);
    const u = new Trace(100);
    for (let i = 0; i < 6; i++) u.record({ time: i, kind: i % 2 ? 'event' : 'hypercall', domid: 1, vm: 'a', name: `n${i}` });
    u.record({ time: 9, kind: 'fault', domid: 2, vm: 'b', name: 'panic' });
    assert.strictEqual(u.hash(), t.hash()); // the hash does not depend on the buffer size
    u.hashSlice(0, 10, 0x80000000, 10);
    assert.notStrictEqual(u.hash(), t.hash());
  });

  it('PRNG: reproducible from its seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 5 }, () => a.u32());
    assert.deepStrictEqual(Array.from({ length: 5 }, () => b.u32()), xs);
    assert.notDeepStrictEqual(Array.from({ length: 5 }, () => new Prng(43).u32()), xs);
    for (let i = 0; i < 1000; i++) assert.ok(a.below(7) < 7);
  });

  it('dispatcher: unknown calls are NOT_SUPPORTED, a throwing handler is a contained bug', () => {
    const d = new HypercallDispatcher([{ eid: 0x99, call: () => { throw new Error('boom'); } }, { eid: SBI_EXT_BASE, call: () => ({ error: 0, value: 7 }) }]);
    const env = {} as HypercallEnv;
    assert.strictEqual(d.dispatch(env, 0x1234, 0, [1, 2, 3, 4, 5, 6]).error, SBI_ERR_NOT_SUPPORTED);
    const bug = d.dispatch(env, 0x99, 0, []);
    assert.strictEqual(bug.error, SBI_ERR_FAILED);
    assert.match(bug.bug!.message, /boom/);
    assert.strictEqual(d.bugs, 1);
    const ok = d.dispatch(env, SBI_EXT_BASE, 0, []);
    assert.deepStrictEqual([ok.name, ok.error, ok.value, ok.resume], ['SBI_BASE_GET_SPEC_VERSION', 0, 7, true]);
    assert.strictEqual(d.describe(0x0a505649, 0x12).name, 'PVIO_FID_GRANT_MAP');
    assert.strictEqual(d.describe(0x0a505649, 0x99).name, 'EID 0xa505649 FID 153');
  });
});
