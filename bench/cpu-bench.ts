/**
 * `npm run bench`: guest MIPS of pvlab on CPU-bound programs (bench/programs), under
 * each execution tier (the interpreter and the JIT), and of QEMU
 * (`qemu-system-riscv32 -M virt -bios none`) on the same ELF in the same run,
 * alternating, with medians of at least 5 runs and min/max. Every pvlab run is a
 * fresh process (cold V8, as a CLI user sees it; QEMU starts cold too) and is timed
 * from the first instruction to the exit, so start-up is not counted on either
 * side (QEMU's start-up and exit, measured on a program that exits at once, is
 * subtracted). Results go to stdout and to bench/results/cpu.json (cpu-x10.json
 * for --scale 10, cpu-jit.json for --tier jit, cpu-selected.json for named
 * workloads, and so on). A benchmark,
 * not a test: the machine is noisy, so compare ratios measured in one run.
 *
 * `--scale N` builds the workloads with N times their work (bench/programs/bench.h),
 * so that warm-up (V8's tiers and the JIT's compiles; QEMU's translation) becomes
 * a small part of each run: the default, 1, measures what a user running a
 * program of that length sees; 10 comes close to the engines' steady speeds.
 *
 * A NAME may also be a path to a C or assembly file of one's own (built like the
 * workloads, with bench.h on the include path) or to an RV32 ELF for QEMU's
 * `virt` machine (scale 1 only), e.g. a held-out workload.
 *
 *   node out/bench/cpu-bench.js [--runs N] [--scale N] [--no-qemu] [--tier interpreter|jit|both] [NAME|FILE...]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BareMetalRuntime } from '../emulator/system/runtime';
import type { MemoryUsage, Tier } from '../emulator/cpu/hart';
import { buildProgram, buildSource, listPrograms, repoRoot } from '../scripts/build-programs';
import { findTool } from '../test/support/tools';
import { qemuArgs } from '../test/support/qemu';

interface Stats {
  medianMips: number;
  minMips: number;
  maxMips: number;
  runs: number;
}

interface Row {
  workload: string;
  instructions: number;
  interpreter?: Stats;
  jit?: Stats;
  qemu?: Stats;
  /** pvlab (JIT, else interpreter) median / QEMU median. */
  ratio?: number;
  interpreterRatio?: number;
  jitRatio?: number;
  /** Memory of the machine at the end of a JIT run (RAM and tier overhead), bytes. */
  memory?: MemoryUsage;
  /** QEMU's start-up and exit subtracted from its runs (the median of this workload's rounds). */
  qemuOverheadSeconds?: number;
}

interface ChildResult {
  seconds: number;
  instructions: number;
  output: string;
  memory: MemoryUsage;
  jit?: unknown;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const stats = (xs: number[]): Stats => ({ medianMips: median(xs), minMips: Math.min(...xs), maxMips: Math.max(...xs), runs: xs.length });

/** Child mode: run one ELF under one tier and print the result as JSON. */
function child(elfPath: string, tier: Tier): void {
  const rt = BareMetalRuntime.fromElfBytes(fs.readFileSync(elfPath), { tier });
  let output = '';
  rt.on('output', (t: string) => (output += t));
  const t0 = process.hrtime.bigint();
  const stop = rt.runSync(20_000_000_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (stop.kind !== 'exit' || stop.code !== 0) throw new Error(`pvlab run did not pass: ${JSON.stringify(stop)}\n${output}`);
  const result: ChildResult = { seconds, instructions: rt.hart.retired, output, memory: rt.machine.memoryUsage(), jit: rt.hart.jitStats };
  process.stdout.write(JSON.stringify(result));
}

function runPvlab(elfPath: string, tier: Tier): ChildResult {
  const r = spawnSync(process.execPath, [__filename, '--child', elfPath, tier], { encoding: 'latin1', timeout: 900_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`pvlab (${tier}) failed on ${path.basename(elfPath)}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function runQemu(qemu: string, elfPath: string): { seconds: number; output: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(qemu, qemuArgs(elfPath), {
    encoding: 'latin1',
    timeout: 900_000,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`qemu run failed (status ${r.status}): ${r.stderr}`);
  return { seconds, output: r.stdout };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1], args[2] as Tier);
    return;
  }
  let runs = 5;
  let scale = 1;
  let useQemu = true;
  let tiers: Tier[] = ['interpreter', 'jit'];
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Math.max(1, Number(args[++i]));
    else if (args[i] === '--scale') {
      scale = Number(args[++i]);
      if (!Number.isInteger(scale) || scale < 1) throw new Error(`--scale: a positive integer, not '${args[i]}'`);
    }
    else if (args[i] === '--no-qemu') useQemu = false;
    else if (args[i] === '--tier') {
      const t = args[++i];
      tiers = t === 'both' ? ['interpreter', 'jit'] : [t as Tier];
      if (!tiers.every((x) => x === 'interpreter' || x === 'jit')) throw new Error(`--tier: interpreter, jit or both, not '${t}'`);
    } else names.push(args[i]);
  }
  const workloads = selectWorkloads(names, scale);
  if (!findTool('riscv64-unknown-elf-gcc')) throw new Error('the benchmark programs need riscv64-unknown-elf-gcc (bash scripts/install-deps.sh)');
  const qemu = useQemu ? findTool('qemu-system-riscv32') : undefined;
  if (useQemu && !qemu) console.log('qemu-system-riscv32 not installed: pvlab only');
  console.log(
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}; ` +
      `scale ${scale}; medians of ${runs} (min–max), MIPS`,
  );

  // QEMU's start-up and exit, timed on a program that exits at once, right after
  // each QEMU run: measured once at the start it varied by a third between runs of
  // the bench (30–44 ms), which moved QEMU's figures on the short workloads by as much.
  const exitProgram = qemu ? qemuExitProgram() : undefined;
  const overheads: number[] = [];
  const rows: Row[] = [];
  try {
  for (const w of workloads) {
    const elfPath = await w.build();
    const mips: Record<string, number[]> = { interpreter: [], jit: [], qemu: [] };
    let instructions = 0;
    let memory: MemoryUsage | undefined;
    let reference: string | undefined;
    const same = (who: string, out: string) => {
      reference ??= out;
      if (out !== reference) throw new Error(`${w.name}: ${who} printed different output`);
    };
    const qemuTimes: number[] = [];
    const qemuOverheads: number[] = [];
    // Alternate the engines inside each round, so load changes hit them alike.
    for (let r = 0; r < runs; r++) {
      for (const tier of tiers) {
        const p = runPvlab(elfPath, tier);
        if (instructions && p.instructions !== instructions) throw new Error(`${w.name}: ${tier} retired ${p.instructions}, not ${instructions}`);
        instructions = p.instructions;
        same(`pvlab ${tier}`, p.output);
        mips[tier].push(p.instructions / p.seconds / 1e6);
        if (tier === 'jit' || !memory) memory = p.memory;
      }
      if (qemu && exitProgram) {
        const q = runQemu(qemu, elfPath);
        same('QEMU', q.output);
        qemuTimes.push(q.seconds);
        qemuOverheads.push(runQemu(qemu, exitProgram.elf).seconds);
      }
    }
    // QEMU's runs net of its start-up and exit (this workload's median of them), if long enough to time.
    const overhead = qemuOverheads.length ? median(qemuOverheads) : 0;
    overheads.push(...qemuOverheads);
    const qemuNet = qemuTimes.map((t) => t - overhead);
    // (Against a start-up of 50-100 ms, a run of less than 20 ms more is noise.)
    if (qemuNet.length && median(qemuNet) < QEMU_SHORTEST) console.log(`${w.name}: too short to time QEMU on it (${(median(qemuNet) * 1000).toFixed(1)} ms net of start-up): no QEMU figure`);
    else for (const net of qemuNet) mips.qemu.push(instructions / Math.max(net, 1e-6) / 1e6);
    const row: Row = { workload: w.name, instructions, memory };
    if (qemuOverheads.length) row.qemuOverheadSeconds = overhead;
    if (mips.interpreter.length) row.interpreter = stats(mips.interpreter);
    if (mips.jit.length) row.jit = stats(mips.jit);
    if (mips.qemu.length) {
      row.qemu = stats(mips.qemu);
      if (row.interpreter) row.interpreterRatio = row.interpreter.medianMips / row.qemu.medianMips;
      if (row.jit) row.jitRatio = row.jit.medianMips / row.qemu.medianMips;
      row.ratio = row.jitRatio ?? row.interpreterRatio;
    }
    rows.push(row);
    printRow(row);
  }
  } finally {
    exitProgram?.dispose();
  }
  printSummary(rows);
  const qemuOverhead = overheads.length ? median(overheads) : 0;
  if (qemuOverhead) console.log(`QEMU start-up and exit (subtracted, per workload): median ${(qemuOverhead * 1000).toFixed(1)} ms, ${(Math.min(...overheads) * 1000).toFixed(1)}–${(Math.max(...overheads) * 1000).toFixed(1)}`);
  const outDir = path.join(repoRoot(), 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  // One file per scale, choice of tiers and whole suite or not, so that a run of one
  // tier or of a few workloads keeps the suite's results.
  const file = path.join(outDir, `cpu${scale === 1 ? '' : `-x${scale}`}${tiers.length === 1 ? `-${tiers[0]}` : ''}${names.length ? '-selected' : ''}.json`);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(
    tmp,
    JSON.stringify({ date: new Date().toISOString(), scale, qemuOverheadSeconds: qemuOverhead, node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), runs, rows }, null, 2),
  );
  fs.renameSync(tmp, file);
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
}

/** Seconds a QEMU run must last beyond its start-up for a figure. */
const QEMU_SHORTEST = 0.02;

interface Workload {
  name: string;
  /** Builds it (if out of date); the ELF's path. */
  build: () => Promise<string>;
}

/** The workloads: bench/programs (all, or those named) and files named by path. */
function selectWorkloads(names: string[], scale: number): Workload[] {
  const files = names.filter((n) => /\.(c|S|elf)$/.test(n));
  const named = names.filter((n) => !files.includes(n));
  const known = listPrograms().filter((p) => p.kind === 'bench');
  for (const n of named) if (!known.some((p) => p.name === n)) throw new Error(`no benchmark '${n}' in bench/programs (a file of your own: give its path, NAME.c, NAME.S or NAME.elf)`);
  const out: Workload[] = known
    .filter((p) => names.length === 0 || named.includes(p.name))
    .map((p) => ({ name: p.name, build: () => buildProgram(p.name, { scale }) }));
  for (const f of files) {
    if (!fs.existsSync(f)) throw new Error(`'${f}': no such file`);
    if (f.endsWith('.elf')) {
      if (scale !== 1) throw new Error(`'${f}': an ELF has no scale (--scale works on sources)`);
      out.push({ name: path.basename(f, '.elf'), build: async () => path.resolve(f) });
    } else out.push({ name: path.basename(f).replace(/\.(c|S)$/, ''), build: () => buildSource(f, { scale }) });
  }
  if (out.length === 0) throw new Error('no benchmark programs found in bench/programs');
  return out;
}

/** A program that ends at once through the test finisher, for timing QEMU's start-up and exit. */
function qemuExitProgram(): { elf: string; dispose: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-bench-'));
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    // lui t0,0x100; lui t1,0x5; addi t1,t1,0x555; sw t1,0(t0): the finisher's pass code.
    const words = [0x001002b7, 0x00005337, 0x55530313, 0x0062a023];
    const elf = path.join(dir, 'exit.elf');
    const src = path.join(dir, 'exit.S');
    fs.writeFileSync(src, `.option norvc\n.globl _start\n_start:\n${words.map((w) => `.word 0x${w.toString(16)}`).join('\n')}\n1: j 1b\n`);
    const ld = path.join(dir, 'exit.ld');
    fs.writeFileSync(ld, 'ENTRY(_start)\nSECTIONS { . = 0x80000000; .text : { *(.text) } }\n');
    execFileSync('riscv64-unknown-elf-gcc', ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-T', ld, src, '-o', elf]);
    return { elf, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

const fmt = (s: Stats | undefined) => (s ? `${s.medianMips.toFixed(0).padStart(5)} (${s.minMips.toFixed(0)}–${s.maxMips.toFixed(0)})`.padEnd(18) : '—'.padEnd(18));
const mib = (b: number) => `${(b / 1048576).toFixed(2)} MiB`;

function printRow(r: Row): void {
  let line = `${r.workload.padEnd(11)} ${(r.instructions / 1e6).toFixed(0).padStart(4)} M  interp ${fmt(r.interpreter)} jit ${fmt(r.jit)}`;
  if (r.qemu) {
    line += ` qemu ${fmt(r.qemu)}`;
    if (r.interpreterRatio !== undefined) line += ` interp/qemu ${r.interpreterRatio.toFixed(2)}`;
    if (r.jitRatio !== undefined) line += ` jit/qemu ${r.jitRatio.toFixed(2)}`;
  }
  console.log(line);
  if (r.memory) {
    const m = r.memory;
    console.log(`${''.padEnd(11)} memory: RAM ${mib(m.ram)} + overhead ${mib(m.total - m.ram)} (decoded ${mib(m.decode)}, compiled ${mib(m.jit)}, other ${mib(m.other)})`);
  }
}

function printSummary(rows: Row[]): void {
  const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  const pick = (f: (r: Row) => number | undefined) => rows.map(f).filter((x): x is number => x !== undefined && x > 0);
  const parts: string[] = [];
  const add = (label: string, xs: number[], digits: number, unit = '') => {
    if (xs.length) parts.push(`${label} ${geo(xs).toFixed(digits)}${unit}`);
  };
  add('interp', pick((r) => r.interpreter?.medianMips), 0, ' MIPS');
  add('jit', pick((r) => r.jit?.medianMips), 0, ' MIPS');
  add('qemu', pick((r) => r.qemu?.medianMips), 0, ' MIPS');
  add('interp/qemu', pick((r) => r.interpreterRatio), 2);
  add('jit/qemu', pick((r) => r.jitRatio), 2);
  console.log(`geomean: ${parts.join(', ')}`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
