/**
 * Campaign throughput (a benchmark, not a test): faults per hour of
 * `pvlab campaign` on this machine, with the verdict of the same run, on the
 * record-store test system (test/campaign) or on a system file given with
 * --system. Needs riscv64-unknown-elf-gcc for the test guests.
 *
 *   npx tsc -p . && node out/bench/campaign-bench.js [--faults N] [--jobs J] [--seed S] [--system SYSTEM.json]
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

async function main(): Promise<void> {
  const faults = Number(arg('--faults', '4000'));
  const jobs = Number(arg('--jobs', String(os.availableParallelism?.() ?? os.cpus().length)));
  const seed = Number(arg('--seed', '424242'));
  let system = arg('--system', '');
  let tmp: string | undefined;
  if (!system) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-campaign-bench-'));
    system = writeRecordSystem(tmp);
  }
  try {
    const r = await runCampaign({ systemFile: system, faults, seed, jobs });
    console.log(formatReport(r));
    const perFaultMs = (r.hostSeconds * 1000 * jobs) / r.done;
    console.log(JSON.stringify({
      bench: 'campaign', system: r.system, faults: r.done, jobs, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, hostSeconds: +r.hostSeconds.toFixed(2),
      faultsPerHour: r.faultsPerHour, hostMsPerFaultPerCore: +perFaultMs.toFixed(2), verdict: r.verdict, aimFaultsPerHour: 1_000_000,
    }));
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
