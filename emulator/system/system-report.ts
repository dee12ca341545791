/**
 * The report of a system run (docs/hypervisor.md, "Report"): each VM's final
 * state and restarts, each fault with when it was injected, detected and
 * recovered, the injections (the run's inputs, enough to replay it), the
 * guests' verdict lines, and the trace hash. Written atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CYCLES_PER_MS } from '../hypervisor/time';
import type { SystemRuntime } from './system-runtime';

export const REPORT_FORMAT = 'pvlab-system-report/1';

export interface SystemReport {
  readonly format: typeof REPORT_FORMAT;
  readonly system: string;
  readonly systemFile: string | null;
  readonly seed: number;
  readonly untilMs: number | null;
  /** Virtual time at the end of the run. */
  readonly endedAtMs: number;
  /** Why the run ended (HvStop kind). */
  readonly stop: string | null;
  readonly exitCode: number;
  readonly vms: readonly { name: string; domid: number; role: string; state: string; restarts: number }[];
  readonly faults: readonly {
    vm: string;
    kind: string;
    detail: string;
    injectedAtMs: number | null;
    injection: string | null;
    detectedAtMs: number;
    recoveredAtMs: number | null;
    outcome: string;
  }[];
  /** The run's inputs: `pvlab run SYSTEM.json --replay REPORT.json` schedules them again (exact time in `atCycles`). */
  readonly injections: readonly {
    id: number; vm: string; kind: string; atMs: number; atCycles: number; appliedAtMs: number | null; source: string; params: unknown; detail: string | null;
  }[];
  readonly verdicts: readonly { vm: string; line: string; atMs: number; passed: boolean | null }[];
  readonly hypervisorBugs: readonly { vm: string; call: string; message: string; atMs: number }[];
  readonly stats: { readonly hypercalls: number; readonly vmSwitches: number; readonly instructions: number; readonly idleMs: number };
  readonly traceHash: string;
}

const ms = (cycles: number): number => Math.round((cycles / CYCLES_PER_MS) * 1000) / 1000;

export function buildReport(rt: SystemRuntime, extra: { untilMs?: number } = {}): SystemReport {
  const hv = rt.hypervisor;
  return {
    format: REPORT_FORMAT,
    system: rt.config.name,
    systemFile: rt.config.sourcePath ?? null,
    seed: rt.seed,
    untilMs: extra.untilMs ?? null,
    endedAtMs: ms(hv.nowCycles()),
    stop: rt.stop?.kind ?? null,
    exitCode: rt.exitCode(),
    vms: hv.vms.map((vm) => ({ name: vm.name, domid: vm.domid, role: vm.spec.role, state: vm.state, restarts: vm.restarts })),
    faults: hv.faults.map((f) => ({
      vm: f.vm,
      kind: f.kind,
      detail: f.detail,
      injectedAtMs: f.injection ? ms(f.injection.at) : null,
      injection: f.injection ? f.injection.kind : null,
      detectedAtMs: ms(f.detectedAt),
      recoveredAtMs: f.recoveredAt === undefined ? null : ms(f.recoveredAt),
      outcome: f.outcome,
    })),
    injections: hv.injections.map((i) => ({
      id: i.id, vm: i.vm, kind: i.kind, atMs: ms(i.at), atCycles: i.at, appliedAtMs: i.appliedAt === undefined ? null : ms(i.appliedAt),
      source: i.source, params: i.params ?? null, detail: i.detail ?? null,
    })),
    verdicts: rt.verdicts.map((v) => ({ vm: v.vm, line: v.line, atMs: Math.round(v.timeMs * 1000) / 1000, passed: v.passed ?? null })),
    hypervisorBugs: hv.bugs.map((b) => ({ vm: b.vm, call: b.call, message: b.message, atMs: ms(b.time) })),
    stats: {
      hypercalls: hv.stats.hypercalls,
      vmSwitches: hv.stats.vmSwitches,
      instructions: hv.vcpus.reduce((n, v) => n + v.hart.retired, 0),
      idleMs: ms(hv.stats.idleCycles),
    },
    traceHash: hv.trace.hash(),
  };
}

/** Writes the report as JSON through a temporary file and a rename, so a reader never sees half a file. */
export function writeReportAtomic(file: string, report: SystemReport): void {
  const abs = path.resolve(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
    fs.renameSync(tmp, abs);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw e;
  }
}
