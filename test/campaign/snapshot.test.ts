/**
 * Whole-system snapshots (emulator/system/system-snapshot.ts) and the
 * campaign's checkpointed fault runs (EpisodeRunner): a machine restored from
 * a snapshot behaves exactly as a freshly built one — same outcome, same
 * retired instructions per vCPU, same virtual time, same trace hash, same
 * RAM and disk — also after the restored machine has run other faults.
 */
import * as assert from 'assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryBlockBackend, VirtioBlk } from '../../emulator/devices/virtio';
import { INJECTION_KINDS } from '../../emulator/hypervisor/injector';
import { capturePaged, restoreDiff } from '../../emulator/hypervisor/snapshot';
import { loadSystemFile, type SystemConfig } from '../../emulator/system/config';
import { resolveSpec, runCampaign } from '../../emulator/system/campaign/engine';
import { EpisodeRunner, checkpointTimes, referenceRun, runEpisode } from '../../emulator/system/campaign/episode';
import { planFault } from '../../emulator/system/campaign/plan';
import type { FaultOutcome, PlannedFault } from '../../emulator/system/campaign/types';
import { SystemRuntime } from '../../emulator/system/system-runtime';
import { STATELESS_CLASSES } from '../../emulator/system/system-snapshot';
import { needCompiler, rmTemp, tempDir, writeRecordSystem } from './support';
import { repoRoot } from '../hypervisor-core/support';

function virtualPart(o: FaultOutcome): object {
  const { hostRunMs: _a, hostRestartMs: _b, ...rest } = o;
  return rest;
}

/** Everything about a machine that must not depend on how it got there. */
function machineState(rt: SystemRuntime): object {
  const hv = rt.hypervisor;
  const hash = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex').slice(0, 16);
  const disks: string[] = [];
  for (const vm of hv.vms) for (const d of vm.devices) if (d.mmio instanceof VirtioBlk && d.mmio.backend instanceof MemoryBlockBackend) disks.push(hash(d.mmio.backend.data));
  return {
    now: hv.nowCycles(),
    traceHash: rt.traceHash(),
    traceTotal: hv.trace.total,
    stats: { ...hv.stats },
    vcpus: hv.vcpus.map((v) => ({ retired: v.hart.retired, pc: v.hart.pc, x: [...v.hart.x.slice(0, 32)], hsm: v.hsm, timer: v.timerTicks, cycle: v.hart.csr.read(0xc00), instret: v.hart.csr.read(0xc02) })),
    vms: hv.vms.map((vm) => ({ name: vm.name, state: vm.state, restarts: vm.restarts, ram: hash(vm.bus.ram) })),
    faults: hv.faults.map((f) => ({ ...f })),
    injections: hv.injections.map((i) => ({ ...i })),
    pending: hv.queue.pending().map((e) => [e.time, e.label, e.owner]),
    disks,
    verdicts: rt.verdicts.length,
  };
}

describe('whole-system snapshots and checkpointed fault runs', function () {
  this.timeout(300000);
  let dir: string;
  let config: SystemConfig;
  let systemFile: string;
  before(function () {
    needCompiler(this);
    dir = tempDir();
    systemFile = writeRecordSystem(dir);
    config = loadSystemFile(systemFile);
  });
  after(() => dir && rmTemp(dir));

  it('restores a runtime exactly: a run after the restore repeats the run after the capture', () => {
    const rt = new SystemRuntime(config, { seed: 5, systemFaults: false, traceCapacity: 256 });
    rt.runSync({ untilMs: 3 });
    const snap = rt.captureSnapshot();
    assert.deepStrictEqual([...snap.machine.state.byReference].filter((n) => !STATELESS_CLASSES.includes(n)), []);
    const atCapture = machineState(rt);
    const runOn = () => {
      rt.inject('drv', 'crash', 4.2);
      for (let t = 4; t <= 16; t++) rt.runSync({ untilMs: t });
      return machineState(rt);
    };
    const first = runOn();
    assert.strictEqual(rt.faults().length, 1, 'the crash was detected and the driver restarted');
    rt.restoreSnapshot(snap);
    assert.deepStrictEqual(machineState(rt), atCapture);
    assert.deepStrictEqual(runOn(), first);
  });

  it('restores the demo system too (virtio-net with its peer, an 8 MiB disk, three VMs)', function () {
    const file = path.join(repoRoot(), 'examples', 'driver-isolation', 'system.json');
    if (!fs.existsSync(file)) this.skip();
    const demo = loadSystemFile(file);
    const rt = new SystemRuntime(demo, { seed: 3, systemFaults: false, traceCapacity: 256 });
    rt.runSync({ untilMs: 20 });
    const snap = rt.captureSnapshot();
    const runOn = () => {
      rt.inject('netdrv', 'crash', 25);
      rt.runSync({ untilMs: 60 });
      return machineState(rt);
    };
    const first = runOn();
    rt.restoreSnapshot(snap);
    assert.deepStrictEqual(runOn(), first);
  });

  it('a restored machine gives exactly the outcome, instructions, time and trace of a fresh one, whatever ran on it before', () => {
    const { spec, targets } = resolveSpec({ systemFile, faults: 400, seed: 31337 }, config);
    const reference = referenceRun(config, spec.timing);
    const runner = new EpisodeRunner(config, spec.timing, reference);
    assert.strictEqual(runner.unsupported, undefined);
    // Two plans of every kind, and runs of other faults in between (the restored machine is never clean).
    const plans: PlannedFault[] = [];
    const seen = new Map<string, number>();
    for (let i = 0; plans.length < 2 * INJECTION_KINDS.length && i < 400; i++) {
      const p = planFault(spec, targets, i);
      if ((seen.get(p.kind) ?? 0) >= 2) continue;
      seen.set(p.kind, (seen.get(p.kind) ?? 0) + 1);
      plans.push(p);
    }
    assert.strictEqual(plans.length, 2 * INJECTION_KINDS.length);
    let restarts = 0;
    plans.forEach((p, k) => {
      runner.run(planFault(spec, targets, 399 - k));
      let fresh: object = {}, restored: object = {};
      const a = runEpisode(config, p, spec.timing, reference, (rt) => (fresh = machineState(rt)));
      const b = runner.run(p, (rt) => (restored = machineState(rt)));
      assert.deepStrictEqual(virtualPart(b), virtualPart(a), `fault ${p.index} (${p.kind} at ${p.atMs} ms)`);
      assert.deepStrictEqual(restored, fresh, `fault ${p.index} (${p.kind} at ${p.atMs} ms): machine state`);
      restarts += a.faultKinds.length;
    });
    assert.ok(restarts >= INJECTION_KINDS.length, 'restarts were exercised');
  });

  it('gives the same report with 1 and 2 worker threads (each worker restores its own machine)', async () => {
    const strip = (r: Awaited<ReturnType<typeof runCampaign>>) => ({
      totals: r.totals,
      perKind: Object.fromEntries(Object.entries(r.perKind).map(([k, v]) => [k, { ...v, samples: { restartMs: v.samples.restartMs, serviceMs: v.samples.serviceMs } }])),
      incidents: r.incidents.map(virtualPart),
      verdict: r.verdict,
    });
    const one = await runCampaign({ systemFile, faults: 60, seed: 8, jobs: 1 });
    const two = await runCampaign({ systemFile, faults: 60, seed: 8, jobs: 2 });
    assert.deepStrictEqual(strip(two), strip(one));
    assert.strictEqual(one.verdict, 'PASS');
  });

  it('checkpoints cover the injection window', () => {
    const times = checkpointTimes({ warmupMs: 3, windowMs: 5, observeMs: 4, maxMs: 40 });
    assert.strictEqual(times[0], 3);
    assert.strictEqual(times[times.length - 1], 8);
    assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]));
    assert.ok(checkpointTimes({ warmupMs: 10, windowMs: 120, observeMs: 4, maxMs: 400 }).length <= 33);
  });

  it('restores memory by difference: only the pages that changed are written, neighbours in one write', () => {
    const mem = new Uint8Array(200 * 1024);
    for (let i = 0; i < mem.length; i++) mem[i] = (i * 7) & 0xff;
    const image = capturePaged(mem);
    const same = capturePaged(mem, image);
    assert.ok(same.chunks.every((c, i) => c === image.chunks[i]), 'equal chunks are shared');
    mem[5] ^= 1;
    mem[70000] ^= 0x80; // page 17
    mem[73800] ^= 0x80; // page 18: merged with 17
    mem[mem.length - 1] ^= 2;
    const writes: [number, number][] = [];
    const n = restoreDiff(mem, image, (off, bytes) => {
      writes.push([off, bytes.length]);
      mem.set(bytes, off);
    });
    assert.deepStrictEqual(writes, [[0, 4096], [17 * 4096, 8192], [mem.length - 4096, 4096]]);
    assert.strictEqual(n, 4 * 4096);
    assert.ok(Buffer.from(mem).equals(Buffer.concat(image.chunks)), 'memory equals the image again');
    assert.strictEqual(restoreDiff(mem, image, () => assert.fail('nothing differs')), 0);
  });
});
