/**
 * `npm run bench:overhead`: the cost of driver isolation (docs/guests.md,
 * "Overhead"). Runs the same storage workload on the monolithic baseline
 * (drivers in the client's kernel, examples/driver-isolation/monolithic.json)
 * and on the driver-VM configuration (examples/driver-isolation/system.json)
 * for request sizes from 512 B to 64 KiB, and the request/response network
 * workload on both; prints the throughput of each and the overhead in
 * percent, in virtual time (what the guests measure) and in host wall time,
 * and writes the table to a JSON file.
 *
 *   node out/bench/overhead-bench.js [--json FILE] [--quick] [--sizes 512,4096] [--depth N] [--mib N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultTier } from '../emulator/cpu/hart';
import { prepareExample, repoRoot, runToVerdict, type RunResult } from '../scripts/demo';

export interface StorageRow {
  readonly workload: 'storage';
  readonly size: number;
  readonly depth: number;
  readonly records: number;
  readonly bytes: number;
  readonly mono: Measurement;
  readonly split: Measurement;
  /** (split time / monolithic time − 1) × 100, in virtual and in host time. */
  readonly overheadVirtualPct: number;
  readonly overheadWallPct: number;
}

export interface NetRow {
  readonly workload: 'network';
  readonly size: number;
  readonly requests: number;
  readonly mono: Measurement;
  readonly split: Measurement;
  readonly overheadVirtualPct: number;
  readonly overheadWallPct: number;
}

export interface Measurement {
  /** Virtual time of the workload (write + read phases), ms. */
  readonly virtualMs: number;
  /** Host time of the whole run (boot included), ms. */
  readonly wallMs: number;
  /** MiB/s of data moved (storage) or requests/s (network), in virtual time and in host time. */
  readonly virtualRate: number;
  readonly wallRate: number;
  /** Instructions executed by all vCPUs. */
  readonly instructions: number;
  readonly hypercalls: number;
  readonly vmSwitches: number;
}

const MiB = 1024 * 1024;

function measure(system: 'split' | 'monolithic', params: string, amount: (r: RunResult) => { virtualMs: number; units: number }): Measurement {
  const run = prepareExample({ system, params, diskFile: false });
  try {
    const r = runToVerdict(run, 60000);
    if (!r.passed) {
      const out = [...run.output].map(([vm, t]) => t.split('\n').slice(-8).map((l) => `[${vm}] ${l}`).join('\n')).join('\n');
      throw new Error(`${system} run with '${params}' did not pass (${r.stop} at ${r.endMs.toFixed(1)} ms)\n${out}`);
    }
    const { virtualMs, units } = amount(r);
    const st = run.rt.report().stats;
    return {
      virtualMs,
      wallMs: r.wallMs,
      virtualRate: units / (virtualMs / 1000),
      wallRate: units / (r.wallMs / 1000),
      instructions: st.instructions,
      hypercalls: st.hypercalls,
      vmSwitches: st.vmSwitches,
    };
  } finally {
    run.cleanup();
  }
}

const pct = (split: number, mono: number): number => Math.round((split / mono - 1) * 10000) / 100;

export function storageRow(size: number, depth: number, bytesPerPass: number): StorageRow {
  const records = Math.max(8, Math.round(bytesPerPass / size));
  const params = `app.net=0 blk.size=${size} blk.records=${records} blk.passes=1 blk.depth=${depth}`;
  const amount = (r: RunResult): { virtualMs: number; units: number } => {
    const b = r.bench.storage;
    const us = Number(b.write_us) + Number(b.read_us);
    return { virtualMs: us / 1000, units: (Number(b.bytes_written) + Number(b.bytes_read)) / MiB };
  };
  const mono = measure('monolithic', params, amount);
  const split = measure('split', params, amount);
  return {
    workload: 'storage', size, depth, records, bytes: 2 * records * size, mono, split,
    overheadVirtualPct: pct(split.virtualMs, mono.virtualMs), overheadWallPct: pct(split.wallMs, mono.wallMs),
  };
}

export function netRow(size: number, requests: number): NetRow {
  const params = `app.storage=0 net.requests=${requests} net.size=${size}`;
  const amount = (r: RunResult): { virtualMs: number; units: number } => ({ virtualMs: Number(r.bench.network.total_us) / 1000, units: requests });
  const mono = measure('monolithic', params, amount);
  const split = measure('split', params, amount);
  return {
    workload: 'network', size, requests, mono, split,
    overheadVirtualPct: pct(split.virtualMs, mono.virtualMs), overheadWallPct: pct(split.wallMs, mono.wallMs),
  };
}

function fmtSize(n: number): string {
  return n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}

function main(argv: string[]): number {
  let json = path.join(repoRoot(), 'out', 'bench', 'overhead-bench.json');
  let sizes = [512, 1024, 4096, 16384, 65536];
  let depths = [8, 1];
  let mib = 2;
  let netRequests = 100;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = path.resolve(argv[++i]);
    else if (a === '--quick') {
      sizes = [512, 4096, 65536];
      depths = [8];
      mib = 0.5;
      netRequests = 30;
    } else if (a === '--sizes') sizes = argv[++i].split(',').map(Number);
    else if (a === '--depth') depths = argv[++i].split(',').map(Number);
    else if (a === '--mib') mib = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: overhead-bench [--json FILE] [--quick] [--sizes 512,4096,...] [--depth 8,1] [--mib N]\n');
      return 0;
    } else {
      process.stderr.write(`overhead-bench: unknown argument '${a}'\n`);
      return 2;
    }
  }
  const log = (s: string): void => void process.stdout.write(s + '\n');
  log(`pvlab overhead benchmark: monolithic (drivers in the client) vs driver VMs; CPU tier ${defaultTier()}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  log(`storage: write then read back ${mib} MiB per run; virtual time = the workload's own measure; host time = the whole run`);
  log('');
  log('workload  size     depth | mono MiB/s  split MiB/s  overhead | mono host s  split host s  overhead');
  const rows: (StorageRow | NetRow)[] = [];
  for (const depth of depths) {
    for (const size of sizes) {
      const r = storageRow(size, depth, mib * MiB);
      rows.push(r);
      log(`storage   ${fmtSize(size).padEnd(8)} ${String(depth).padStart(5)} | ${r.mono.virtualRate.toFixed(2).padStart(10)}  ${r.split.virtualRate.toFixed(2).padStart(11)}  ${r.overheadVirtualPct.toFixed(2).padStart(7)}% | ${(r.mono.wallMs / 1000).toFixed(2).padStart(11)}  ${(r.split.wallMs / 1000).toFixed(2).padStart(12)}  ${r.overheadWallPct.toFixed(1).padStart(7)}%`);
    }
  }
  for (const size of [64, 1024]) {
    const r = netRow(size, netRequests);
    rows.push(r);
    log(`network   ${fmtSize(size).padEnd(8)}     1 | ${r.mono.virtualRate.toFixed(0).padStart(7)} r/s  ${r.split.virtualRate.toFixed(0).padStart(8)} r/s  ${r.overheadVirtualPct.toFixed(2).padStart(7)}% | ${(r.mono.wallMs / 1000).toFixed(2).padStart(11)}  ${(r.split.wallMs / 1000).toFixed(2).padStart(12)}  ${r.overheadWallPct.toFixed(1).padStart(7)}%`);
  }
  const big = rows.filter((r): r is StorageRow => r.workload === 'storage' && r.size >= 4096 && r.depth > 1);
  const worst = big.reduce((m, r) => Math.max(m, r.overheadVirtualPct), -Infinity);
  log('');
  log(`storage requests >= 4 KiB with requests in flight: worst virtual-time overhead ${worst.toFixed(2)}% (target <= 3%)`);
  fs.mkdirSync(path.dirname(json), { recursive: true });
  fs.writeFileSync(json, JSON.stringify({
    format: 'pvlab-overhead-bench/1', tier: defaultTier(), host: { cpu: os.cpus()[0]?.model ?? null, node: process.version },
    mibPerRun: mib, rows, worstOverheadVirtualPctAtLeast4KiB: worst,
  }, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), json)}`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`overhead-bench: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
