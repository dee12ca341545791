/**
 * `pvlab run SYSTEM.json`: runs a whole system (docs/hypervisor.md, "CLI").
 * Each VM's console goes to stdout, line by line, prefixed with its name;
 * faults and restarts are reported on stderr as they happen.
 *
 * Exit status: 0 when the run ended and every verdict passed and no VM is
 * down; 3 when a VM stayed down or a verdict line says FAIL; 1 for input
 * that cannot be loaded; 2 for a usage error (the CLI's common codes).
 */
import * as fs from 'node:fs';
import { SYSTEM_FILE_FAULTS, isInjectionKind, type InjectionKind, type InjectionParams } from '../hypervisor/injector';
import { CliError, UsageError, parseOptions, type OptionSpec } from './cli-args';
import { ConfigError, loadSystemFile } from './config';
import { SystemBuildError } from './system-build';
import { writeReportAtomic } from './system-report';
import { SystemRuntime, type SystemStop } from './system-runtime';

export const SYSTEM_RUN_HELP = `Usage: pvlab run SYSTEM.json [options]

Runs the hypervisor and the VMs a system file describes (docs/system-file.md).
Each VM's console goes to stdout, every line prefixed with [vm-name]; faults
and restarts are reported on stderr. Without --until-ms the run ends when
every VM has shut down or nothing can run any more.

Options:
  --inject VM:KIND@MS  inject a fault into VM at virtual time MS (repeatable).
                       KIND: crash, bad-pointer, hang, reg-flip, mem-flip,
                       wild-write, bad-dma, ring-corrupt, panic (and the
                       system-file names trap, dma)
  --until-ms T         stop at virtual time T ms
  --max-insns N        stop after N instructions (all vCPUs together)
  --report FILE.json   write the run report (VMs, faults, verdicts) to FILE
  --seed N             seed of the fault-injection PRNG (default 1)
  --replay REPORT.json schedule the injections a report recorded (with the
                       parameters they used) instead of the system file's
                       faults: the run repeats the reported one
  -h, --help           show this help

Exit status: 0 ok; 3 a VM stayed down or a guest printed a VERDICT FAIL line;
1 bad input; 2 usage error.`;

export const SYSTEM_RUN_OPTIONS: OptionSpec = {
  '--inject': 'list',
  '--until-ms': 'string',
  '--max-insns': 'count',
  '--report': 'string',
  '--seed': 'string',
  '--replay': 'string',
  '--help': 'flag',
  '-h': 'flag',
};

export interface InjectOption {
  readonly vm: string;
  readonly kind: InjectionKind;
  readonly atMs: number;
}

export function parseInjectOption(text: string): InjectOption {
  const m = /^([A-Za-z_][A-Za-z0-9_-]*):([a-z-]+)@([0-9]+(?:\.[0-9]+)?)$/.exec(text);
  if (!m) throw new UsageError(`--inject '${text}': expected VM:KIND@MS, e.g. blkdrv:crash@250`);
  const kind = SYSTEM_FILE_FAULTS[m[2]] ?? m[2];
  if (!isInjectionKind(kind)) throw new UsageError(`--inject '${text}': unknown fault kind '${m[2]}'`);
  return { vm: m[1], kind, atMs: Number(m[3]) };
}

function nonNegative(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value)) throw new UsageError(`${name}: '${value}' is not a non-negative number`);
  return Number(value);
}

/** Writes each VM's output line by line with its name in front. */
class PrefixedOutput {
  private readonly partial = new Map<string, string>();

  write(text: string, vm: string): void {
    const lines = ((this.partial.get(vm) ?? '') + text).split('\n');
    this.partial.set(vm, lines.pop()!);
    if (lines.length) fs.writeSync(1, Buffer.from(lines.map((l) => `[${vm}] ${l.replace(/\r$/, '')}\n`).join(''), 'latin1'));
  }

  flush(): void {
    for (const [vm, rest] of this.partial) if (rest) fs.writeSync(1, Buffer.from(`[${vm}] ${rest}\n`, 'latin1'));
    this.partial.clear();
  }
}

function describeStop(stop: SystemStop): string {
  switch (stop.kind) {
    case 'until': return 'time limit reached';
    case 'limit': return 'instruction limit reached';
    case 'all-stopped': return 'every VM has stopped';
    case 'idle': return 'every vCPU waits and nothing will wake one';
    case 'breakpoint': return `breakpoint in ${stop.vm} vCPU ${stop.vcpu}`;
    case 'requested': return stop.why;
    case 'paused': return 'paused';
  }
}

interface ReplayRecord {
  readonly vm: string;
  readonly kind: InjectionKind;
  readonly at: number;
  readonly params?: InjectionParams;
}

/** The injections a report recorded, and its seed. */
function readReplay(file: string): { seed: number; records: ReplayRecord[] } {
  let report: { seed?: unknown; injections?: unknown };
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`--replay ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!report || !Array.isArray(report.injections) || typeof report.seed !== 'number') {
    throw new CliError(`--replay ${file}: not a pvlab system report (no seed or injections)`);
  }
  const records = report.injections.map((r: Record<string, unknown>, i: number) => {
    if (typeof r.vm !== 'string' || typeof r.kind !== 'string' || !isInjectionKind(r.kind) || typeof r.atCycles !== 'number') {
      throw new CliError(`--replay ${file}: injections[${i}] is malformed`);
    }
    return { vm: r.vm, kind: r.kind, at: r.atCycles, params: (r.params ?? undefined) as InjectionParams | undefined };
  });
  return { seed: report.seed >>> 0, records };
}

export function cmdRunSystem(args: string[]): number {
  const { options, positional } = parseOptions(args, SYSTEM_RUN_OPTIONS);
  if (options['--help'] || options['-h']) {
    process.stdout.write(SYSTEM_RUN_HELP + '\n');
    return 0;
  }
  if (positional.length !== 1) throw new UsageError('run: expected one SYSTEM.json');
  const file = positional[0];
  const injects = ((options['--inject'] as string[] | undefined) ?? []).map(parseInjectOption);
  const untilMs = nonNegative('--until-ms', options['--until-ms'] as string | undefined);
  const seedText = options['--seed'] as string | undefined;
  if (seedText !== undefined && !/^[0-9]+$/.test(seedText)) throw new UsageError(`--seed: '${seedText}' is not a whole number`);
  const replayFile = options['--replay'] as string | undefined;
  const replay = replayFile === undefined ? undefined : readReplay(replayFile);
  const seed = seedText !== undefined ? Number(seedText) >>> 0 : replay?.seed ?? 1;
  const reportFile = options['--report'] as string | undefined;

  let runtime: SystemRuntime;
  try {
    const config = loadSystemFile(file);
    for (const inj of injects) {
      if (!config.vms.some((v) => v.name === inj.vm)) throw new CliError(`--inject ${inj.vm}:${inj.kind}@${inj.atMs}: the system has no VM '${inj.vm}'`);
    }
    for (const r of replay?.records ?? []) {
      if (!config.vms.some((v) => v.name === r.vm)) throw new CliError(`--replay ${replayFile}: the system has no VM '${r.vm}'`);
    }
    runtime = new SystemRuntime(config, { seed, systemFaults: replay === undefined });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SystemBuildError) throw new CliError(e.message);
    throw e;
  }
  if (replay) runtime.replay(replay.records);
  for (const inj of injects) runtime.inject(inj.vm, inj.kind, inj.atMs, undefined, 'cli');

  const out = new PrefixedOutput();
  runtime.on('output', (text: string, vm: string) => out.write(text, vm));
  runtime.on('fault', (f) => process.stderr.write(`pvlab: ${(f.detectedAt / 100000).toFixed(3)} ms: VM ${f.vm} failed (${f.kind}): ${f.detail}\n`));
  runtime.on('restart', (r) => process.stderr.write(`pvlab: ${r.timeMs.toFixed(3)} ms: VM ${r.vm} restarted (restart ${r.restarts})\n`));
  runtime.on('vm-state', (s) => {
    if (s.state === 'down') process.stderr.write(`pvlab: ${s.timeMs.toFixed(3)} ms: VM ${s.vm} is down: out of restarts\n`);
  });
  runtime.on('bug', (b) => process.stderr.write(`pvlab: hypervisor bug (contained) in ${b.call} for VM ${b.vm}: ${b.message}\n`));

  const stop = runtime.runSync({ untilMs, maxInstructions: options['--max-insns'] as number | undefined });
  out.flush();
  const vms = runtime.vms().map((v) => `${v.name}=${v.state}${v.restarts ? `(${v.restarts} restart${v.restarts === 1 ? '' : 's'})` : ''}`).join(' ');
  process.stderr.write(`pvlab: system '${runtime.config.name}' ended at ${runtime.nowMs.toFixed(3)} ms (${describeStop(stop)}): ${vms}\n`);
  if (reportFile !== undefined) {
    try {
      writeReportAtomic(reportFile, runtime.report({ untilMs }));
    } catch (e) {
      throw new CliError(`--report ${reportFile}: ${(e as Error).message}`);
    }
  }
  return runtime.exitCode() === 0 ? 0 : 3;
}
