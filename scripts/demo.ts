/**
 * `npm run demo`: the driver-isolation demo (docs/guests.md). Runs
 * examples/driver-isolation/system.json headless through the SystemRuntime
 * API, from the committed guest images (no toolchain needed), with a disk
 * image created in a temporary folder; injects a crash into the block driver
 * VM in the middle of the storage workload; prints the fault, its detection,
 * the restart, how long the client waited, and the client's verdict.
 *
 * Exit status 0 only if at least one crash was injected, the block driver VM
 * was restarted, no record was lost or corrupted, the client VM never
 * stopped and its workload finished.
 *
 *   node out/scripts/demo.js [--kind crash] [--vm blkdrv] [--at-ms T] [--seed N] [--report FILE.json] [--verbose]
 *
 * The helpers exported here (running the example systems with patched
 * workload parameters, parsing verdict lines) are shared with
 * bench/overhead-bench.ts and test/guests/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isInjectionKind, SYSTEM_FILE_FAULTS, type InjectionKind, type InjectionParams } from '../emulator/hypervisor/injector';
import { CYCLES_PER_MS } from '../emulator/hypervisor/time';
import { parseElf } from '../emulator/loader';
import { parseSystemConfig } from '../emulator/system/config';
import { writeReportAtomic } from '../emulator/system/system-report';
import { SystemRuntime } from '../emulator/system/system-runtime';

export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'examples', 'driver-isolation'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = up;
  }
}

export const EXAMPLE_DIR = (): string => path.join(repoRoot(), 'examples', 'driver-isolation');

/**
 * A copy of a pvk image whose parameter block (`pvk_params`, docs/guests.md)
 * holds `params` ("key=value key=value"), e.g. the workload's size.
 */
export function withParams(elf: Uint8Array, params: string): Uint8Array {
  const f = parseElf(elf);
  const sym = f.symbols.find((s) => s.name === 'pvk_params');
  if (!sym) throw new Error('the image has no pvk_params block');
  const seg = f.segments.find((s) => sym.value >= s.vaddr && sym.value + sym.size <= s.vaddr + s.filesz);
  if (!seg) throw new Error('pvk_params is not in a loaded segment');
  const text = Buffer.from(`pvk-params:${params}`, 'latin1');
  if (text.length >= sym.size) throw new Error(`parameters longer than ${sym.size - 12} bytes: ${params}`);
  const out = Uint8Array.from(elf);
  const off = seg.offset + (sym.value - seg.vaddr);
  out.fill(0, off, off + sym.size);
  out.set(text, off);
  return out;
}

/** The address of a global symbol of an image (for tests that poke a driver through the debugger API). */
export function symbolAddress(elfFile: string, name: string): number {
  const s = parseElf(fs.readFileSync(elfFile)).symbols.find((x) => x.name === name);
  if (!s) throw new Error(`${elfFile}: no symbol ${name}`);
  return s.value >>> 0;
}

export interface ExampleOptions {
  /** 'split' (system.json: client + driver VMs) or 'monolithic' (monolithic.json). */
  readonly system?: 'split' | 'monolithic';
  /** Workload parameters patched into the client image (docs/guests.md, "Parameters"). */
  readonly params?: string;
  /** Fields merged into VMs of the system file, by VM name (restart policy, watchdogMs...). */
  readonly vmOverrides?: Readonly<Record<string, object>>;
  readonly quantum?: number;
  readonly seed?: number;
  /** Create the disk as an image file in the work folder (the demo does; default true). */
  readonly diskFile?: boolean;
}

export interface ExampleRun {
  readonly rt: SystemRuntime;
  /** Temporary folder with the disk image and patched images; removed by cleanup(). */
  readonly workDir: string;
  /** Console output per VM, as it arrives. */
  readonly output: Map<string, string>;
  readonly systemFile: string;
  cleanup(): void;
}

/** Builds a runtime for one of the example systems; nothing under examples/ is written. */
export function prepareExample(o: ExampleOptions = {}): ExampleRun {
  const dir = EXAMPLE_DIR();
  const systemFile = path.join(dir, o.system === 'monolithic' ? 'monolithic.json' : 'system.json');
  const json = JSON.parse(fs.readFileSync(systemFile, 'utf8')) as {
    vms: { name: string; image: string; role: string }[];
    devices: { name: string; kind: string; disk?: { image?: string; sizeKiB?: number } }[];
    scheduler?: { quantum?: number };
  };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-demo-'));
  try {
    for (const vm of json.vms) {
      Object.assign(vm, o.vmOverrides?.[vm.name] ?? {});
      const image = path.resolve(dir, vm.image);
      if (o.params !== undefined && vm.role === 'client') {
        const patched = path.join(workDir, `${vm.name}-${path.basename(image)}`);
        fs.writeFileSync(patched, withParams(fs.readFileSync(image), o.params));
        vm.image = patched;
      } else {
        vm.image = image;
      }
    }
    for (const d of json.devices) {
      if (d.kind !== 'virtio-blk' || !d.disk || o.diskFile === false) continue;
      const img = path.join(workDir, `${d.name}.img`);
      fs.writeFileSync(img, Buffer.alloc((d.disk.sizeKiB ?? 1024) * 1024));
      d.disk.image = img;
    }
    if (o.quantum !== undefined) json.scheduler = { ...(json.scheduler ?? {}), quantum: o.quantum };
    const config = parseSystemConfig(JSON.stringify(json), dir, systemFile);
    const rt = new SystemRuntime(config, { seed: o.seed ?? 1 });
    const output = new Map<string, string>();
    rt.on('output', (text: string, vm: string) => output.set(vm, (output.get(vm) ?? '') + text));
    return { rt, workDir, output, systemFile, cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }) };
  } catch (e) {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
}

/** key=value pairs of a VERDICT or BENCH line (numbers where they parse). */
export function lineFields(line: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const m of line.matchAll(/([A-Za-z_.]+)=(\S+)/g)) out[m[1]] = /^-?[0-9]+(\.[0-9]+)?$/.test(m[2]) ? Number(m[2]) : m[2];
  return out;
}

export const FINAL_VERDICT = /^VERDICT (PASS|FAIL) client workload finished/;

export interface RunResult {
  /** The client printed its final verdict. */
  readonly finished: boolean;
  readonly passed: boolean;
  readonly stop: string;
  readonly endMs: number;
  readonly wallMs: number;
  readonly verdicts: Record<string, { passed: boolean | undefined; line: string; fields: Record<string, number | string> }>;
  readonly bench: Record<string, Record<string, number | string>>;
}

/** Runs until the client's final verdict (then stops at once) or `untilMs` of virtual time. */
export function runToVerdict(run: ExampleRun, untilMs = 20000): RunResult {
  const { rt } = run;
  let finished = false;
  const onVerdict = (v: { line: string }): void => {
    if (FINAL_VERDICT.test(v.line)) {
      finished = true;
      rt.hypervisor.requestStop('the client finished its workload');
    }
  };
  rt.on('verdict', onVerdict);
  const t0 = performance.now();
  const stop = rt.runSync({ untilMs });
  const wallMs = performance.now() - t0;
  rt.off('verdict', onVerdict);
  const verdicts: RunResult['verdicts'] = {};
  for (const v of rt.verdicts) {
    const name = v.line.split(/\s+/)[2] ?? '?';
    verdicts[name] = { passed: v.passed, line: v.line, fields: lineFields(v.line) };
  }
  const bench: RunResult['bench'] = {};
  for (const [, text] of run.output) {
    for (const l of text.split('\n')) if (l.startsWith('BENCH ')) bench[l.split(/\s+/)[1]] = lineFields(l);
  }
  const passed = finished && Object.values(verdicts).every((v) => v.passed === true);
  return { finished, passed, stop: stop.kind, endMs: rt.nowMs, wallMs, verdicts, bench };
}

// ---- the demo ------------------------------------------------------------------------------------

export interface DemoOptions {
  readonly vm?: string;
  readonly kind?: InjectionKind;
  /** Virtual time of the injection; default: in the middle of the storage workload. */
  readonly atMs?: number;
  readonly params?: InjectionParams;
  readonly seed?: number;
  readonly report?: string;
  readonly verbose?: boolean;
  readonly log?: (line: string) => void;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly text: string;
  readonly run: RunResult;
  readonly injectedAtMs: number | undefined;
}

const ms3 = (x: number): string => `${x.toFixed(3)} ms`;

export function runDemo(o: DemoOptions = {}): DemoResult {
  const vmName = o.vm ?? 'blkdrv';
  const kind = o.kind ?? 'crash';
  const run = prepareExample({ seed: o.seed });
  const { rt } = run;
  const lines: string[] = [];
  const say = (l = ''): void => {
    lines.push(l);
    o.log?.(l);
  };
  try {
    if (o.verbose) rt.on('output', (text: string, vm: string) => text.split('\n').filter(Boolean).forEach((l) => o.log?.(`  [${vm}] ${l}`)));
    say(`pvlab demo: driver isolation — ${path.relative(process.cwd(), run.systemFile) || run.systemFile}`);
    for (const v of rt.vms()) {
      const devs = v.devices.map((d) => d.name).join(', ');
      say(`  VM ${v.name.padEnd(7)} domid ${v.domid}  ${v.role.padEnd(6)}  ${v.ramBytes >> 20} MiB${devs ? `  owns ${devs}` : ''}`);
    }
    say(`  disk image: ${path.join(run.workDir, 'disk0.img')} (created for this run, removed afterwards)`);

    // Inject in the middle of the storage workload: when pass 1 has been written and read back,
    // pass 2's writes are going out (or at a given time).
    let injectedAtMs: number | undefined = o.atMs;
    if (injectedAtMs !== undefined) rt.inject(vmName, kind, injectedAtMs, o.params);
    else {
      const onOut = (text: string, vm: string): void => {
        if (vm === 'client' && injectedAtMs === undefined && /storage: pass 1:/.test(text)) {
          injectedAtMs = rt.nowMs + 1;
          rt.inject(vmName, kind, injectedAtMs, o.params);
        }
      };
      rt.on('output', onOut);
    }
    const result = runToVerdict(run, 30000);

    const faults = rt.faults().filter((f) => f.vm === vmName);
    const injections = rt.injections().filter((i) => i.vm === vmName);
    const vmInfo = rt.vms();
    const target = vmInfo.find((v) => v.name === vmName)!;
    const client = vmInfo.find((v) => v.role === 'client')!;
    const clientFaults = rt.faults().filter((f) => f.vm === client.name);
    const clientOut = run.output.get('client') ?? '';
    say('');
    for (const i of injections) say(`  fault:      ${i.kind} injected into ${i.vm} at ${ms3(i.at / CYCLES_PER_MS)}: ${i.detail ?? '(not applied)'}`);
    if (!injections.length) say('  fault:      none injected (the workload ended first)');
    for (const f of faults) {
      const after = f.injection ? ` (${((f.detectedAt - f.injection.at) / CYCLES_PER_MS * 1000).toFixed(1)} µs after the injection)` : '';
      say(`  detection:  ${ms3(f.detectedAt / CYCLES_PER_MS)} — ${f.kind}: ${f.detail}${after}`);
      const said = /^.*PANIC: .*$/m.exec(run.output.get(vmName) ?? '');
      if (f.kind === 'panic' && said) say(`              ${vmName}'s own report: "${said[0]}"`);
      say(`  restart:    ${f.recoveredAt !== undefined ? `${vmName} running again at ${ms3(f.recoveredAt / CYCLES_PER_MS)}, from its initial snapshot (${f.outcome})` : f.outcome}`);
    }
    const kept = [...clientOut.matchAll(/blkfront: (.*); (\d+) request\(s\) kept for reissue/g)];
    for (const k of kept) say(`  client:     blkfront saw "${k[1]}", kept ${k[2]} in-flight request(s) as shadow copies`);
    const reissue = [...clientOut.matchAll(/blkfront: connected to domain \d+ \(\d+ sectors\), reissuing (\d+) request\(s\)/g)];
    for (const r of reissue) say(`  client:     reconnected to the restarted ${vmName} and reissued ${r[1]} request(s)`);
    const sv = result.verdicts.storage;
    if (sv) say(`  client:     waited ${(Number(sv.fields.waited_us ?? 0) / 1000).toFixed(3)} ms without its disk (${sv.fields.outages ?? 0} outage(s), longest ${(Number(sv.fields.longest_us ?? 0) / 1000).toFixed(3)} ms)`);
    say('');
    for (const name of ['storage', 'network', 'client']) {
      const v = result.verdicts[name];
      if (v) say(`  verdict:    ${v.line}`);
    }
    const sb = result.bench.storage;
    if (sv && sb) {
      say(`  records:    ${sb.passes} passes over ${sb.records} records of ${sb.size} bytes: ${sv.fields.written} writes acknowledged, ` +
        `${sv.fields.verified} read back and verified, ${sv.fields.lost} lost, ${sv.fields.corrupted} corrupted`);
    }
    say(`  client VM:  ${client.state}, ${clientFaults.length} fault(s), ${client.restarts} restart(s); ${vmName}: ${target.state}, ${target.restarts} restart(s)`);
    say(`  run:        ${ms3(result.endMs)} of virtual time in ${(result.wallMs / 1000).toFixed(2)} s of host time (${result.stop})`);

    const crashes = injections.filter((i) => i.appliedAt !== undefined && !/not applied/.test(i.detail ?? '')).length;
    const checks: [boolean, string][] = [
      [crashes >= 1, `${crashes} ${kind}(es) injected`],
      [target.restarts >= 1, `${vmName} restarted ${target.restarts} time(s)`],
      [sv !== undefined && sv.fields.lost === 0 && sv.fields.corrupted === 0 && sv.passed === true, `${sv?.fields.lost ?? '?'} records lost`],
      [clientFaults.length === 0 && client.restarts === 0 && client.state === 'running' && result.finished, result.finished ? 'client never stopped and finished its workload' : 'client did not finish its workload'],
    ];
    const ok = checks.every(([c]) => c) && result.passed;
    say('');
    say(`RESULT: ${ok ? 'PASS' : 'FAIL'} — ${checks.map(([c, t]) => `${c ? '' : 'NOT: '}${t}`).join('; ')}`);
    if (o.report) writeReportAtomic(o.report, rt.report());
    return { ok, text: lines.join('\n'), run: result, injectedAtMs };
  } finally {
    run.cleanup();
  }
}

function main(argv: string[]): number {
  const o: { vm?: string; kind?: InjectionKind; atMs?: number; seed?: number; report?: string; verbose?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--vm') o.vm = val();
    else if (a === '--kind') {
      const k = val();
      const kind = SYSTEM_FILE_FAULTS[k] ?? k;
      if (!isInjectionKind(kind)) throw new Error(`unknown fault kind '${k}'`);
      o.kind = kind;
    } else if (a === '--at-ms') o.atMs = Number(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--report') o.report = val();
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: demo [--vm blkdrv] [--kind crash] [--at-ms T] [--seed N] [--report FILE.json] [--verbose]\n');
      return 0;
    } else throw new Error(`unknown argument '${a}'`);
  }
  const r = runDemo({ ...o, log: (l) => process.stdout.write(l + '\n') });
  return r.ok ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`demo: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
