/**
 * Isolation: a hostile driver VM beside the record-store system
 * (test/campaign/guests/hostile-drv.c) tries to read and write memory it was
 * not given, map grants meant for others, use and close others' event
 * channels, write registry keys it does not own, flood hypercalls, and make
 * its device DMA outside its memory. Everything is refused and traced; the
 * client's results are the same as in a run without the hostile VM.
 */
import * as assert from 'assert';
import * as os from 'node:os';
import { parseSystemConfig } from '../../emulator/system/config';
import { WorkloadMonitor } from '../../emulator/system/campaign/episode';
import { SystemRuntime } from '../../emulator/system/system-runtime';
import type { TraceEntry } from '../../emulator/hypervisor/trace';
import { buildCampaignGuest, needCompiler, recordSystem } from '../campaign/support';

interface Run { rt: SystemRuntime; out: Map<string, string>; refusedCalls: Map<string, number>; mon: WorkloadMonitor }

function run(hostile: boolean, untilMs: number): Run {
  const file = recordSystem(hostile ? {
    extraVms: [{ name: 'hostile', image: buildCampaignGuest('hostile-drv.c'), ramMiB: 4, role: 'driver', restart: { maxRestarts: 0 } }],
    extraDevices: [{ name: 'disk1', kind: 'virtio-blk', owner: 'hostile', disk: { sizeKiB: 16 } }],
  } : {});
  const rt = new SystemRuntime(parseSystemConfig(JSON.stringify(file), os.tmpdir(), '<isolation>'), { seed: 1 });
  const out = new Map<string, string>();
  const mon = new WorkloadMonitor(new Set(['client']));
  rt.on('output', (t: string, vm: string) => {
    out.set(vm, (out.get(vm) ?? '') + t);
    mon.feed(t, vm, 0);
  });
  const refusedCalls = new Map<string, number>();
  rt.on('hypercall', (e: TraceEntry) => {
    if (e.error) refusedCalls.set(e.vm, (refusedCalls.get(e.vm) ?? 0) + 1);
  });
  rt.runSync({ untilMs });
  rt.flushOutput();
  return { rt, out, refusedCalls, mon };
}

/** The client's record traffic (what it wrote, what was acknowledged and read back), without timing. */
const records = (text: string) => text.split('\n').filter((l) => /^(WRITE|ACK|READ|RETRY|REPAIR) /.test(l));

describe('isolation: a hostile driver VM', function () {
  this.timeout(120000);
  let alone: Run;
  let attacked: Run;
  before(function () {
    needCompiler(this);
    alone = run(false, 40);
    // The flood costs virtual time (150 cycles a call, round-robin shares the machine): let the attacked run go longer.
    attacked = run(true, 160);
  });

  it('is refused every attack, and says so', () => {
    const h = attacked.out.get('hostile') ?? '';
    const lines = h.split('\n').filter((l) => l.startsWith('HOSTILE ') && l.includes(' refused '));
    assert.deepStrictEqual(lines.map((l) => l.split(' ')[1]), ['memory', 'grant-map', 'evtchn', 'registry', 'flood'], h);
    for (const l of lines) {
      const [n, of] = l.split(' refused ')[1].split('/').map(Number);
      assert.ok(of > 0 && n === of, `every try refused: ${l}`);
    }
  });

  it('logs the refusals: refused hypercalls in the trace, an IOMMU fault for the DMA, the VM stopped', () => {
    assert.ok((attacked.refusedCalls.get('hostile') ?? 0) >= 20000, `refused hypercalls traced: ${attacked.refusedCalls.get('hostile')}`);
    const faults = attacked.rt.faults();
    assert.ok(faults.some((f) => f.vm === 'hostile' && f.kind === 'iommu'), JSON.stringify(faults));
    assert.ok(faults.every((f) => f.vm === 'hostile'), 'no other VM faulted');
    assert.strictEqual(attacked.rt.vm('hostile').state, 'down');
    assert.ok(attacked.rt.traceQuery({ kind: ['fault'] }).some((e) => e.vm === 'hostile'), 'the fault is in the trace');
  });

  it('leaves the client and the real driver untouched: same records as without the hostile VM', () => {
    for (const r of [alone, attacked]) {
      assert.strictEqual(r.rt.vm('client').state, 'running');
      assert.strictEqual(r.rt.vm('drv').state, 'running');
      assert.strictEqual(r.rt.vm('drv').restarts, 0);
      assert.strictEqual(r.mon.readMismatches, 0);
      assert.strictEqual(r.mon.failedRequests, 0);
    }
    const a = records(alone.out.get('client') ?? '');
    const b = records(attacked.out.get('client') ?? '');
    const n = Math.min(a.length, b.length);
    assert.ok(n >= 20, `enough traffic to compare (${a.length}, ${b.length})`);
    assert.deepStrictEqual(b.slice(0, n), a.slice(0, n));
    assert.strictEqual(attacked.refusedCalls.get('client') ?? 0, alone.refusedCalls.get('client') ?? 0);
  });
});
