/**
 * `npm run bench`: guest MIPS of pvlab on CPU-bound programs (bench/programs), and of
 * QEMU (`qemu-system-riscv32 -M virt -bios none`) on the same ELF in the same run,
 * alternating, with medians of at least 5 runs. Results go to stdout and to
 * bench/results/cpu.json. A benchmark, not a test: the machine is noisy, so compare
 * the ratio measured in one run.
 *
 *   node out/bench/cpu-bench.js [--runs N] [--no-qemu] [NAME...]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BareMetalRuntime } from '../emulator/system/runtime';
import { buildProgram, listPrograms, repoRoot } from '../scripts/build-programs';
import { findTool } from '../test/support/tools';

interface Sample {
  seconds: number;
}

interface Row {
  workload: string;
  instructions: number;
  pvlab: { medianMips: number; minMips: number; maxMips: number; runs: number };
  qemu?: { medianMips: number; minMips: number; maxMips: number; runs: number };
  ratio?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function runPvlab(elf: Uint8Array): { seconds: number; instructions: number; output: string } {
  const rt = BareMetalRuntime.fromElfBytes(elf);
  let output = '';
  rt.on('output', (t: string) => (output += t));
  const t0 = process.hrtime.bigint();
  const stop = rt.runSync(20_000_000_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (stop.kind !== 'exit' || stop.code !== 0) throw new Error(`pvlab run did not pass: ${JSON.stringify(stop)}\n${output}`);
  return { seconds, instructions: rt.hart.retired, output };
}

function runQemu(qemu: string, elfPath: string): Sample & { output: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(qemu, ['-M', 'virt', '-bios', 'none', '-nographic', '-m', '128M', '-cpu', 'rv32,c=false,f=false,d=false,h=false,sstc=false,zba=false,zbb=false,zbc=false,zbs=false', '-kernel', elfPath], {
    encoding: 'latin1',
    timeout: 600_000,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`qemu run failed (status ${r.status}): ${r.stderr}`);
  return { seconds, output: r.stdout };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let runs = 5;
  let useQemu = true;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Math.max(1, Number(args[++i]));
    else if (args[i] === '--no-qemu') useQemu = false;
    else names.push(args[i]);
  }
  const workloads = listPrograms().filter((p) => p.kind === 'bench' && (names.length === 0 || names.includes(p.name)));
  if (workloads.length === 0) throw new Error('no benchmark programs found in bench/programs');
  if (!findTool('riscv64-unknown-elf-gcc')) throw new Error('the benchmark programs need riscv64-unknown-elf-gcc (bash scripts/install-deps.sh)');
  const qemu = useQemu ? findTool('qemu-system-riscv32') : undefined;
  if (useQemu && !qemu) console.log('qemu-system-riscv32 not installed: pvlab only');

  // QEMU's start-up and exit cost, measured on a program that exits at once, is subtracted.
  let qemuOverhead = 0;
  const rows: Row[] = [];
  for (const w of workloads) {
    const elfPath = await buildProgram(w.name);
    const elf = fs.readFileSync(elfPath);
    if (qemu && qemuOverhead === 0) qemuOverhead = measureQemuOverhead(qemu);
    const pv: number[] = [];
    const qm: number[] = [];
    let instructions = 0;
    for (let r = 0; r < runs; r++) {
      const p = runPvlab(elf);
      instructions = p.instructions;
      pv.push(p.instructions / p.seconds / 1e6);
      if (qemu) {
        const q = runQemu(qemu, elfPath);
        if (q.output !== p.output) throw new Error(`${w.name}: QEMU and pvlab printed different output`);
        qm.push(instructions / Math.max(q.seconds - qemuOverhead, 1e-6) / 1e6);
      }
    }
    const row: Row = {
      workload: w.name,
      instructions,
      pvlab: { medianMips: median(pv), minMips: Math.min(...pv), maxMips: Math.max(...pv), runs },
    };
    if (qm.length) {
      row.qemu = { medianMips: median(qm), minMips: Math.min(...qm), maxMips: Math.max(...qm), runs };
      row.ratio = row.pvlab.medianMips / row.qemu.medianMips;
    }
    rows.push(row);
    printRow(row);
  }
  const outDir = path.join(repoRoot(), 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'cpu.json');
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ date: new Date().toISOString(), qemuOverheadSeconds: qemuOverhead, node: process.version, rows }, null, 2));
  fs.renameSync(tmp, file);
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
}

function measureQemuOverhead(qemu: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-bench-'));
  try {
    // lui t0,0x100; lui t1,0x5; addi t1,t1,0x555; sw t1,0(t0): the finisher's pass code.
    const words = [0x001002b7, 0x00005337, 0x55530313, 0x0062a023];
    const elf = path.join(dir, 'exit.elf');
    const src = path.join(dir, 'exit.S');
    fs.writeFileSync(src, `.option norvc\n.globl _start\n_start:\n${words.map((w) => `.word 0x${w.toString(16)}`).join('\n')}\n1: j 1b\n`);
    const ld = path.join(dir, 'exit.ld');
    fs.writeFileSync(ld, 'ENTRY(_start)\nSECTIONS { . = 0x80000000; .text : { *(.text) } }\n');
    execFileSync('riscv64-unknown-elf-gcc', ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-T', ld, src, '-o', elf]);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(runQemu(qemu, elf).seconds);
    return median(times);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printRow(r: Row): void {
  const f = (x: number) => x.toFixed(0).padStart(6);
  let line = `${r.workload.padEnd(14)} ${(r.instructions / 1e6).toFixed(0).padStart(6)} M insns   pvlab ${f(r.pvlab.medianMips)} MIPS (${f(r.pvlab.minMips)}–${f(r.pvlab.maxMips)})`;
  if (r.qemu) line += `   qemu ${f(r.qemu.medianMips)} MIPS (${f(r.qemu.minMips)}–${f(r.qemu.maxMips)})   pvlab/qemu ${r.ratio!.toFixed(2)}`;
  console.log(line);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
