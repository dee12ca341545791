/**
 * One fault run (docs/campaigns.md): a machine in the state a fresh one built
 * from the system file has at the injection's checkpoint (built fresh by
 * `runEpisode`, restored from a whole-system snapshot by `EpisodeRunner`),
 * one injection, then the checks — client alive, acknowledged writes intact,
 * requests completed or failed cleanly, the driver VM recovered.
 *
 * The host learns what was acknowledged from the client's console
 * (`WorkloadMonitor`): `WRITE <lba> <sum>` before a write is issued,
 * `ACK <lba> <sum>` when the driver acknowledged it, `READ <lba> <sum>` for
 * a record read back, `RETRY …` for a request that failed cleanly. After the
 * run, every acknowledged record is also checked on the disk itself (the
 * virtio-blk backend's bytes), so a driver that acknowledges and then loses
 * data is caught even if the client never reads the record again.
 */
import { performance } from 'node:perf_hooks';
import { MemoryBlockBackend, SECTOR_SIZE, VirtioBlk } from '../../devices/virtio';
import type { FaultRecord } from '../../hypervisor/faults';
import { CYCLES_PER_MS } from '../../hypervisor/time';
import type { SystemConfig } from '../config';
import { SystemRuntime, type SystemSnapshot } from '../system-runtime';
import { SnapshotUnsupported } from '../system-snapshot';
import type { EpisodeTiming, FaultOutcome, PlannedFault } from './types';

/** FNV-1a over one sector: the record checksum of the ACK protocol. */
export function sectorSum(bytes: Uint8Array, offset: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < SECTOR_SIZE; i++) h = Math.imul(h ^ bytes[offset + i], 0x01000193);
  return h >>> 0;
}

const num = (s: string): number => Number(s.toLowerCase().startsWith('0x') ? s : `0x${s}`);

/** Reads the client consoles: what was acknowledged, read back, retried; progress. */
export class WorkloadMonitor {
  /** lba → checksum of the last acknowledged write. */
  readonly acked = new Map<number, number>();
  /** lba → checksum of a write issued but not (yet) acknowledged. */
  readonly pending = new Map<number, number>();
  ackLines = 0;
  readMismatches = 0;
  failedRequests = 0;
  /** Lost/corrupted records a self-verifying workload reported (e.g. the demo's storage app). */
  reportedLost = 0;
  verdictFailures: string[] = [];
  /** VERDICT lines the clients printed. */
  verdicts = 0;
  /** Records the client's scrub found damaged and rewrote from its shadow copy. */
  repaired = 0;
  private scrubbing = false;
  /** Virtual ms stamps of lines showing a completed request (ACK/READ, or any line for other workloads). */
  readonly progress: number[] = [];
  private readonly partial = new Map<string, string>();

  constructor(private readonly clients: ReadonlySet<string>) {}

  /** An independent copy (the host-side record of a checkpoint). */
  clone(): WorkloadMonitor {
    const m = new WorkloadMonitor(this.clients);
    for (const [k, v] of this.acked) m.acked.set(k, v);
    for (const [k, v] of this.pending) m.pending.set(k, v);
    for (const [k, v] of this.partial) m.partial.set(k, v);
    m.progress.push(...this.progress);
    m.ackLines = this.ackLines;
    m.readMismatches = this.readMismatches;
    m.failedRequests = this.failedRequests;
    m.reportedLost = this.reportedLost;
    m.verdictFailures = [...this.verdictFailures];
    m.verdicts = this.verdicts;
    m.repaired = this.repaired;
    m.scrubbing = this.scrubbing;
    return m;
  }

  feed(text: string, vm: string, stampMs: number): void {
    if (!this.clients.has(vm)) return;
    const lines = ((this.partial.get(vm) ?? '') + text).split('\n');
    this.partial.set(vm, lines.pop() ?? '');
    for (const line of lines) this.line(line.trim(), stampMs);
  }

  private line(line: string, t: number): void {
    const w = line.split(/\s+/);
    if (w[0] === 'ACK' && w.length >= 3) {
      const lba = num(w[1]), sum = num(w[2]) >>> 0;
      this.acked.set(lba, sum);
      this.pending.delete(lba);
      this.ackLines++;
      if (!this.scrubbing) this.progress.push(t);
    } else if (w[0] === 'WRITE' && w.length >= 3) {
      this.pending.set(num(w[1]), num(w[2]) >>> 0);
    } else if (w[0] === 'READ' && w.length >= 3) {
      const lba = num(w[1]), sum = num(w[2]) >>> 0;
      const want = this.acked.get(lba);
      if (want !== undefined && want !== sum) this.readMismatches++;
      if (!this.scrubbing) this.progress.push(t);
    } else if (w[0] === 'REPAIR') {
      this.repaired++;
    } else if (w[0] === 'SCRUB') {
      this.scrubbing = w[1] === 'BEGIN';
    } else if (w[0] === 'RETRY') {
      this.failedRequests++;
    } else if (line.startsWith('VERDICT')) {
      this.verdicts++;
      if (/^VERDICT\s+FAIL/i.test(line)) this.verdictFailures.push(line);
      const lost = /\blost=(\d+)/.exec(line), corrupted = /\bcorrupted=(\d+)/.exec(line);
      this.reportedLost = Math.max(this.reportedLost, Number(lost?.[1] ?? 0) + Number(corrupted?.[1] ?? 0));
      this.progress.push(t);
    } else {
      const m = /(\d+) lost, (\d+) corrupted/.exec(line);
      if (m) this.reportedLost = Math.max(this.reportedLost, Number(m[1]) + Number(m[2]));
      if (/giving up|failed/i.test(line)) this.failedRequests++;
      if (line && this.ackLines === 0) this.progress.push(t);
    }
  }

  /** Acknowledged records whose sector on `disk` matches neither the acknowledged nor a pending write. */
  checkDisk(disk: Uint8Array): number {
    let lost = 0;
    for (const [lba, sum] of this.acked) {
      const off = lba * SECTOR_SIZE;
      if (off + SECTOR_SIZE > disk.length) { lost++; continue; }
      const got = sectorSum(disk, off);
      if (got !== sum && got !== this.pending.get(lba)) lost++;
    }
    return lost;
  }
}

/** The single in-memory virtio-blk disk of the system, if there is exactly one. */
function theDisk(rt: SystemRuntime): Uint8Array | undefined {
  const disks: Uint8Array[] = [];
  for (const v of rt.vms()) {
    for (const d of rt.vm(v.name).devices) {
      if (d.mmio instanceof VirtioBlk && d.mmio.backend instanceof MemoryBlockBackend) disks.push(d.mmio.backend.data);
    }
  }
  return disks.length === 1 ? disks[0] : undefined;
}

const ms = (cycles: number) => cycles / CYCLES_PER_MS;

/**
 * What a fault-free run of the system looks like: whether its clients speak
 * the ACK protocol, and otherwise how many VERDICT lines they print and when
 * the last one comes. A fault run of a workload that ends with verdicts is
 * over when it has printed as many (all PASS), or has failed to.
 */
export interface ReferenceRun {
  readonly ackProtocol: boolean;
  readonly verdicts: number;
  readonly lastVerdictMs: number;
}

export function referenceRun(config: SystemConfig, timing: EpisodeTiming, limitMs = 5000): ReferenceRun {
  const clients = new Set(config.vms.filter((v) => v.role === 'client').map((v) => v.name));
  const rt = new SystemRuntime(config, { seed: 1, systemFaults: false, traceCapacity: 256 });
  const mon = new WorkloadMonitor(clients);
  let stamp = 0, lastVerdictMs = 0, seen = 0;
  rt.on('output', (text: string, vm: string) => mon.feed(text, vm, stamp));
  for (let t = 1; t <= limitMs; t++) {
    const stop = rt.runSync({ untilMs: t });
    stamp = t;
    rt.flushOutput();
    if (mon.ackLines > 0 && t >= timing.warmupMs) break;
    if (mon.verdicts > seen) { seen = mon.verdicts; lastVerdictMs = t; }
    if (stop.kind !== 'until' || (seen > 0 && t > lastVerdictMs + 50)) break;
  }
  return { ackProtocol: mon.ackLines > 0, verdicts: mon.verdicts, lastVerdictMs };
}

/**
 * Where the run before the injection stops (virtual ms): at the warm-up, then
 * every step until the window's end. A fault run stops at each of them up to
 * its injection time, then injects; a snapshot taken at each of them lets a
 * fault run start from the last one before its injection. The step is a pure
 * function of the timing, so a fault's outcome does not depend on how it ran.
 */
export function checkpointTimes(timing: EpisodeTiming): number[] {
  const step = Math.max(0.25, timing.windowMs / 32);
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const t = Math.round((timing.warmupMs + k * step) * 1000) / 1000;
    if (t > timing.warmupMs + timing.windowMs + 1e-9) break;
    out.push(t);
  }
  return out;
}

/** What one fault run follows on the host side: the consoles and when faults and restarts happened. */
interface EpisodeContext {
  readonly vm: string;
  readonly mon: WorkloadMonitor;
  /** Virtual ms the console output being read is stamped with. */
  stamp: number;
  readonly hostDetected: Map<number, number>;
  hostRestartMs: number | undefined;
}

function newContext(vm: string, mon: WorkloadMonitor, stamp: number): EpisodeContext {
  return { vm, mon, stamp, hostDetected: new Map(), hostRestartMs: undefined };
}

/** Feeds the runtime's events to the current context. */
function attach(rt: SystemRuntime, ctx: () => EpisodeContext): void {
  rt.on('output', (text: string, vm: string) => ctx().mon.feed(text, vm, ctx().stamp));
  rt.on('fault', (f: FaultRecord) => {
    const c = ctx();
    if (f.vm === c.vm) c.hostDetected.set(f.id, performance.now());
  });
  rt.on('restart', () => {
    const c = ctx();
    const first = Math.min(...c.hostDetected.values());
    if (Number.isFinite(first) && c.hostRestartMs === undefined) c.hostRestartMs = performance.now() - first;
  });
}

/** Runs to `untilMs`; false when the machine stopped for another reason. */
function stepTo(rt: SystemRuntime, ctx: EpisodeContext, untilMs: number): boolean {
  const stop = rt.runSync({ untilMs });
  ctx.stamp = untilMs;
  rt.flushOutput();
  return stop.kind === 'until';
}

const clientsOf = (config: SystemConfig) => new Set(config.vms.filter((v) => v.role === 'client').map((v) => v.name));

/** Looks at the machine after a fault run (tests: retired instructions, time, trace hash). */
export type EpisodeProbe = (rt: SystemRuntime) => void;

/** Runs one planned fault on a fresh machine built from `config`. */
export function runEpisode(config: SystemConfig, plan: PlannedFault, timing: EpisodeTiming, reference?: ReferenceRun, probe?: EpisodeProbe): FaultOutcome {
  const host0 = performance.now();
  const rt = new SystemRuntime(config, { seed: plan.runSeed, systemFaults: false, traceCapacity: 256 });
  const ctx = newContext(plan.vm, new WorkloadMonitor(clientsOf(config)), 0);
  attach(rt, () => ctx);
  // The run before the injection stops where a restored checkpoint's run stopped.
  for (const t of checkpointTimes(timing)) {
    if (t > plan.atMs) break;
    stepTo(rt, ctx, t);
  }
  return injectAndObserve(rt, ctx, clientsOf(config), plan, timing, reference, host0, probe);
}

interface Checkpoint {
  readonly atMs: number;
  readonly system: SystemSnapshot;
  readonly mon: WorkloadMonitor;
  readonly stamp: number;
}

/**
 * Runs fault after fault on one machine (per worker): built and run once
 * through the checkpoints, snapshotted at each; a fault run restores the last
 * checkpoint before its injection (with the run's PRNG seed), so it starts
 * where a fresh machine would be, with warm decode and JIT caches. A machine
 * that cannot be snapshotted gets fresh machines (`runEpisode`).
 */
export class EpisodeRunner {
  private readonly clients: Set<string>;
  private readonly rt: SystemRuntime | undefined;
  private readonly checkpoints: Checkpoint[] = [];
  private ctx: EpisodeContext;
  /** Why snapshots are not used, if they are not. */
  readonly unsupported: string | undefined;

  constructor(private readonly config: SystemConfig, private readonly timing: EpisodeTiming, private readonly reference?: ReferenceRun) {
    this.clients = clientsOf(config);
    this.ctx = newContext('', new WorkloadMonitor(this.clients), 0);
    let rt: SystemRuntime | undefined = new SystemRuntime(config, { seed: 1, systemFaults: false, traceCapacity: 256 });
    attach(rt, () => this.ctx);
    try {
      let last: SystemSnapshot | undefined;
      for (const t of checkpointTimes(timing)) {
        stepTo(rt, this.ctx, t);
        last = rt.captureSnapshot(last);
        this.checkpoints.push({ atMs: t, system: last, mon: this.ctx.mon.clone(), stamp: this.ctx.stamp });
      }
    } catch (e) {
      if (!(e instanceof SnapshotUnsupported)) throw e;
      this.unsupported = e.message;
      this.checkpoints.length = 0;
      rt = undefined;
    }
    this.rt = rt;
  }

  run(plan: PlannedFault, probe?: EpisodeProbe): FaultOutcome {
    let cp: Checkpoint | undefined;
    for (const c of this.checkpoints) if (c.atMs <= plan.atMs) cp = c;
    if (!this.rt || !cp) return runEpisode(this.config, plan, this.timing, this.reference, probe);
    const host0 = performance.now();
    this.rt.restoreSnapshot(cp.system, { seed: plan.runSeed });
    this.ctx = newContext(plan.vm, cp.mon.clone(), cp.stamp);
    return injectAndObserve(this.rt, this.ctx, this.clients, plan, this.timing, this.reference, host0, probe);
  }
}

/** The fault run from its checkpoint on: inject, observe, check. */
function injectAndObserve(
  rt: SystemRuntime, ctx: EpisodeContext, clients: ReadonlySet<string>, plan: PlannedFault, timing: EpisodeTiming,
  reference: ReferenceRun | undefined, host0: number, probe: EpisodeProbe | undefined,
): FaultOutcome {
  const verdictMode = reference !== undefined && !reference.ackProtocol && reference.verdicts > 0;
  const mon = ctx.mon;
  const injection = rt.inject(plan.vm, plan.kind, plan.atMs);

  const step = (untilMs: number): boolean => stepTo(rt, ctx, untilMs);
  let running = step(plan.atMs);
  const progressBefore = mon.progress.length;
  const targetFaults = (): FaultRecord[] => rt.faults().filter((f) => f.vm === plan.vm && f.detectedAt >= injection.at);
  /** Virtual ms after which progress counts as "service restored". */
  const serviceFrom = (): number | undefined => {
    const fs = targetFaults();
    if (fs.length === 0) return plan.atMs;
    let last = 0;
    for (const f of fs) {
      if (f.recoveredAt === undefined) return undefined;
      last = Math.max(last, ms(f.recoveredAt));
    }
    return last;
  };
  const firstProgressAfter = (from: number): number | undefined => {
    // A line stamped t was printed in (t - 1, t]: only whole steps after `from` count.
    for (let i = progressBefore; i < mon.progress.length; i++) if (mon.progress[i] - 1 >= from - 1e-9) return mon.progress[i];
    return undefined;
  };
  const hasWorkload = progressBefore > 0 || verdictMode;
  const endMs = verdictMode ? Math.max(plan.atMs, reference.lastVerdictMs) + timing.maxMs : plan.atMs + timing.maxMs;
  for (let t = plan.atMs + 1; running && t <= endMs + 1e-9; t += 1) {
    running = step(t);
    if (t - plan.atMs < timing.observeMs) continue;
    const from = serviceFrom();
    if (from === undefined) continue;
    if (verdictMode ? mon.verdicts >= reference.verdicts : !hasWorkload || firstProgressAfter(from) !== undefined) break;
  }

  const tf = targetFaults();
  const detected = tf.length > 0;
  const vmState = rt.vm(plan.vm).state;
  const from = serviceFrom();
  const service = from === undefined ? undefined : firstProgressAfter(from);
  const serviceOk = verdictMode ? mon.verdicts >= reference.verdicts : !hasWorkload || service !== undefined;
  const recovered = detected && from !== undefined && vmState === 'running' && serviceOk;

  const clientFailures: string[] = [];
  for (const c of clients) {
    const st = rt.vm(c).state;
    if (st !== 'running') clientFailures.push(`client ${c} is ${st}`);
  }
  for (const f of rt.faults()) if (clients.has(f.vm)) clientFailures.push(`client ${f.vm} fault ${f.kind}: ${f.detail}`);
  clientFailures.push(...mon.verdictFailures);
  if (!serviceOk && (!detected || vmState === 'running')) {
    clientFailures.push(verdictMode ? `workload did not finish (${mon.verdicts}/${reference.verdicts} verdicts)` : 'no request completed after the fault (stalled)');
  }

  const disk = theDisk(rt);
  const dataLost = mon.readMismatches + mon.reportedLost + (disk && mon.ackLines > 0 ? mon.checkDisk(disk) : 0);
  const otherFaults = rt.faults().filter((f) => !tf.includes(f));
  const manifested = detected || mon.failedRequests > 0 || dataLost > 0 || clientFailures.length > 0 || otherFaults.length > 0;
  const restartMs = detected && from !== undefined ? from - ms(tf[0].detectedAt) : undefined;
  probe?.(rt);
  return {
    index: plan.index,
    vm: plan.vm,
    kind: plan.kind,
    atMs: plan.atMs,
    detail: injection.detail,
    manifested,
    detected,
    recovered,
    clientFailures,
    dataLost,
    failedRequests: mon.failedRequests,
    repaired: mon.repaired,
    ...(restartMs !== undefined ? { restartMs: round3(restartMs) } : {}),
    ...(detected && service !== undefined ? { serviceMs: round3(service - plan.atMs) } : {}),
    ...(ctx.hostRestartMs !== undefined ? { hostRestartMs: round3(ctx.hostRestartMs) } : {}),
    hostRunMs: round3(performance.now() - host0),
    faultKinds: rt.faults().map((f) => `${f.vm}:${f.kind}`),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
