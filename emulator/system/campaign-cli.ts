/**
 * `pvlab campaign SYSTEM.json …` and `pvlab campaign merge A.json B.json …`
 * (docs/campaigns.md). Runs asynchronously (worker threads): the command
 * returns at once and sets process.exitCode when the campaign ends.
 *
 * Exit status: 0 verdict PASS; 3 verdict FAIL; 1 bad input; 2 usage error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, UsageError, parseOptions, type OptionSpec } from './cli-args';
import { loadSystemFile, ConfigError } from './config';
import { resolveSpec, runCampaign } from './campaign/engine';
import { formatReport, mergeReports } from './campaign/report';
import type { CampaignReport, FaultOutcome } from './campaign/types';
import { INJECTION_KINDS } from '../hypervisor/injector';

export const CAMPAIGN_HELP = `Usage: pvlab campaign SYSTEM.json --faults N [options]
       pvlab campaign merge A.json B.json … --report OUT.json [--json]

Runs a fault-injection campaign on a system file: N fault runs, each a fresh
boot of the system with one fault injected into a driver VM at a random
virtual time, then checked: the client VMs alive, every acknowledged write
intact, requests completed or failed cleanly, the driver recovered.
Fault i depends only on (seed, i), so shards merge exactly.

Options:
  --faults N         number of faults in the whole campaign (all shards)
  --seed S           campaign seed (default 1)
  --kinds K1,K2      fault kinds (default all: ${INJECTION_KINDS.join(', ')})
  --targets VM1,VM2  VMs to inject into (default: every driver VM)
  --jobs J           worker threads (default: the number of CPUs)
  --shard I/N        run only shard I of N (0 <= I < N): faults i with i mod N = I
  --report FILE      write the JSON report (pvlab-campaign-report/1)
  --json             print the report as JSON on stdout instead of a table
  --warmup-ms T, --window-ms T, --observe-ms T, --max-ms T
                     fault-run timing in virtual ms (defaults 3, 5, 4, 40)
  -h, --help         show this help

Exit status: 0 verdict PASS; 3 verdict FAIL; 1 bad input; 2 usage error.`;

const OPTIONS: OptionSpec = {
  '--faults': 'count', '--seed': 'string', '--kinds': 'string', '--targets': 'string', '--jobs': 'count', '--shard': 'string',
  '--report': 'string', '--json': 'flag', '--warmup-ms': 'string', '--window-ms': 'string', '--observe-ms': 'string', '--max-ms': 'string',
  '--help': 'flag', '-h': 'flag',
};

function writeAtomic(file: string, report: CampaignReport): void {
  const abs = path.resolve(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(report) + '\n');
  fs.renameSync(tmp, abs);
}

function msOption(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name}: '${String(v)}' is not a time in ms`);
  return n;
}

/** A progress bar on a terminal, a plain line every 5 % otherwise. */
function progress(total: number, quiet: boolean): (o: FaultOutcome, done: number) => void {
  const tty = process.stderr.isTTY === true && !quiet;
  const t0 = Date.now();
  let lastPct = -1, incidents = 0;
  return (o, done) => {
    if (o.clientFailures.length || o.dataLost || (o.detected && !o.recovered)) incidents++;
    const pct = Math.floor((done * 100) / total);
    const rate = done / Math.max(1e-3, (Date.now() - t0) / 1000);
    if (tty) {
      if (pct === lastPct && done !== total && done % 50 !== 0) return;
      const width = 30, fill = Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${rate.toFixed(0)} faults/s, ${incidents} incidents${done === total ? '\n' : ''}`);
    } else if (pct >= lastPct + 5 || done === total) {
      process.stderr.write(`campaign: ${done}/${total} faults (${pct} %), ${rate.toFixed(0)} faults/s, ${incidents} incidents\n`);
    } else return;
    lastPct = pct;
  };
}

function finishOutput(report: CampaignReport, reportFile: string | undefined, json: boolean): number {
  if (reportFile) writeAtomic(reportFile, report);
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
  return report.verdict === 'PASS' ? 0 : 3;
}

function cmdMerge(args: string[]): number {
  const { options, positional } = parseOptions(args, { '--report': 'string', '--json': 'flag' });
  if (positional.length === 0) throw new UsageError('campaign merge: expected shard reports');
  const reports = positional.map((f) => {
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8')) as CampaignReport;
    } catch (e) {
      throw new CliError(`${f}: cannot read a campaign report (${(e as Error).message})`);
    }
  });
  let merged: CampaignReport;
  try {
    merged = mergeReports(reports);
  } catch (e) {
    throw new CliError(`campaign merge: ${(e as Error).message}`);
  }
  return finishOutput(merged, options['--report'] as string | undefined, options['--json'] === true);
}

export function cmdCampaign(args: string[]): number {
  if (args[0] === 'merge') return cmdMerge(args.slice(1));
  const { options, positional } = parseOptions(args, OPTIONS);
  if (options['--help'] || options['-h']) {
    process.stdout.write(CAMPAIGN_HELP + '\n');
    return 0;
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'campaign: missing SYSTEM.json' : 'campaign: expected one SYSTEM.json');
  if (options['--faults'] === undefined) throw new UsageError('campaign: --faults N is required');
  const seedText = (options['--seed'] as string | undefined) ?? '1';
  if (!/^\d+$/.test(seedText) || Number(seedText) > 0xffffffff) throw new UsageError(`--seed: '${seedText}' is not a 32-bit unsigned number`);
  let shard: { index: number; count: number } | undefined;
  if (options['--shard'] !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(options['--shard'] as string);
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard: '${String(options['--shard'])}' is not I/N with 0 <= I < N`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const list = (v: unknown) => (v === undefined ? undefined : String(v).split(',').map((s) => s.trim()).filter(Boolean));
  const file = positional[0];
  const timing = Object.fromEntries(Object.entries({
    warmupMs: msOption(options['--warmup-ms'], '--warmup-ms'), windowMs: msOption(options['--window-ms'], '--window-ms'),
    observeMs: msOption(options['--observe-ms'], '--observe-ms'), maxMs: msOption(options['--max-ms'], '--max-ms'),
  }).filter(([, v]) => v !== undefined));
  const req = {
    systemFile: file, faults: options['--faults'] as number, seed: Number(seedText), kinds: list(options['--kinds']),
    targets: list(options['--targets']), shard, timing,
    jobs: (options['--jobs'] as number | undefined) ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
  };
  // Everything a user can get wrong is checked before anything starts.
  try {
    resolveSpec(req, loadSystemFile(file));
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw new CliError((e as Error).message);
  }
  const json = options['--json'] === true;
  const total = shard ? Math.ceil((req.faults - shard.index) / shard.count) : req.faults;
  const onOutcome = progress(total, false);
  runCampaign({ ...req, onOutcome }).then(
    (report) => { process.exitCode = finishOutput(report, options['--report'] as string | undefined, json); },
    (e: Error) => {
      process.stderr.write(`pvlab: error: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
  return 0;
}
