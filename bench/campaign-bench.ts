/**
 * Campaign throughput (a benchmark, not a test): faults per hour of
 * `pvlab campaign` on this machine, with the verdict of the same run, on the
 * record-store test system (test/campaign) or on a system file given with
 * --system. Needs riscv64-unknown-elf-gcc for the test guests.
 *
 *   npx tsc -p . && node out/bench/campaign-bench.js [--faults N] [--jobs J] [--seed S] [--runs R] [--system SYSTEM.json]
 *
 * Each run prints its table and one JSON line: faults/hour (wall clock), host
 * ms per fault per core, CPU ms per fault (all threads of the process; less
 * sensitive to other work on the machine), the load average around the run.
 * With --runs R > 1 a last JSON line gives the medians.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCampaign } from '../emulator/system/campaign/engine';
import { formatReport } from '../emulator/system/campaign/report';
import { writeRecordSystem } from '../test/campaign/support';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const faults = Number(arg('--faults', '4000'));
  const jobs = Number(arg('--jobs', String(os.availableParallelism?.() ?? os.cpus().length)));
  const seed = Number(arg('--seed', '424242'));
  const runs = Math.max(1, Number(arg('--runs', '1')));
  let system = arg('--system', '');
  let tmp: string | undefined;
  if (!system) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-campaign-bench-'));
    system = writeRecordSystem(tmp);
  }
  const rates: number[] = [], cpus: number[] = [];
  try {
    for (let k = 0; k < runs; k++) {
      const load0 = os.loadavg()[0];
      const cpu0 = process.cpuUsage();
      const r = await runCampaign({ systemFile: system, faults, seed, jobs });
      const cpu = process.cpuUsage(cpu0);
      console.log(formatReport(r));
      const perFaultMs = (r.hostSeconds * 1000 * jobs) / r.done;
      const cpuMsPerFault = (cpu.user + cpu.system) / 1000 / r.done;
      rates.push(r.faultsPerHour);
      cpus.push(cpuMsPerFault);
      console.log(JSON.stringify({
        bench: 'campaign', system: r.system, faults: r.done, jobs, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, hostSeconds: +r.hostSeconds.toFixed(2),
        faultsPerHour: r.faultsPerHour, hostMsPerFaultPerCore: +perFaultMs.toFixed(2), cpuMsPerFault: +cpuMsPerFault.toFixed(2),
        loadAverage: [+load0.toFixed(2), +os.loadavg()[0].toFixed(2)], verdict: r.verdict, aimFaultsPerHour: 1_000_000,
      }));
    }
    if (runs > 1) console.log(JSON.stringify({ bench: 'campaign-median', runs, faultsPerHour: median(rates), cpuMsPerFault: +median(cpus).toFixed(2) }));
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
