/**
 * The campaign engine (docs/campaigns.md): plans faults, runs them (inline or
 * over worker threads), aggregates the report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { INJECTION_KINDS, isInjectionKind, type InjectionKind } from '../../hypervisor/injector';
import { loadSystemFile, type SystemConfig } from '../config';
import { EpisodeRunner, referenceRun } from './episode';
import { planFault, shardIndices } from './plan';
import { addOutcome, finish, newReport } from './report';
import { DEFAULT_TIMING, type CampaignReport, type CampaignSpec, type EpisodeTiming, type FaultOutcome } from './types';

export interface CampaignRequest {
  readonly systemFile: string;
  readonly faults: number;
  readonly seed?: number;
  readonly kinds?: readonly string[];
  readonly targets?: readonly string[];
  readonly shard?: { readonly index: number; readonly count: number };
  readonly timing?: Partial<EpisodeTiming>;
  readonly jobs?: number;
  /** Called after every fault run. */
  readonly onOutcome?: (o: FaultOutcome, done: number, total: number) => void;
}

/** Checks a request against the system file; returns the full spec and the target VMs. */
export function resolveSpec(req: CampaignRequest, config: SystemConfig): { spec: CampaignSpec; targets: string[] } {
  if (!Number.isSafeInteger(req.faults) || req.faults < 1) throw new Error(`--faults must be a positive integer (got ${req.faults})`);
  const kinds = (req.kinds && req.kinds.length ? req.kinds : INJECTION_KINDS) as string[];
  const bad = kinds.filter((k) => !isInjectionKind(k));
  if (bad.length) throw new Error(`unknown fault kind${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (kinds: ${INJECTION_KINDS.join(', ')})`);
  const names = new Set(config.vms.map((v) => v.name));
  const targets = req.targets && req.targets.length ? [...req.targets] : config.vms.filter((v) => v.role === 'driver').map((v) => v.name);
  for (const t of targets) if (!names.has(t)) throw new Error(`no VM '${t}' in ${req.systemFile}`);
  if (targets.length === 0) throw new Error(`${req.systemFile} has no driver VM to inject faults into`);
  const shard = req.shard ?? { index: 0, count: 1 };
  if (!Number.isSafeInteger(shard.count) || shard.count < 1 || !Number.isSafeInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new Error(`bad shard ${shard.index}/${shard.count} (I/N with 0 <= I < N)`);
  }
  const timing = { ...DEFAULT_TIMING, ...req.timing };
  const spec: CampaignSpec = {
    systemFile: path.resolve(req.systemFile), faults: req.faults, seed: (req.seed ?? 1) >>> 0,
    kinds: kinds as InjectionKind[], targets, shard, timing,
  };
  return { spec, targets };
}

/**
 * The worker script: next to this module in the tsc output; from a bundled CLI
 * (dist/cli.js) the tsc output in out/ beside it. Undefined: run in-line.
 */
function workerScript(): string | undefined {
  const candidates = [
    path.join(__dirname, 'worker.js'),
    path.join(__dirname, 'campaign', 'worker.js'),
    path.join(__dirname, '..', 'out', 'emulator', 'system', 'campaign', 'worker.js'),
  ];
  return candidates.find((c) => fs.existsSync(c));
}

export async function runCampaign(req: CampaignRequest): Promise<CampaignReport> {
  const config = loadSystemFile(req.systemFile);
  const { spec, targets } = resolveSpec(req, config);
  const indices = shardIndices(spec.faults, spec.shard);
  const script = workerScript();
  const jobs = script ? Math.max(1, Math.min(req.jobs ?? 1, indices.length || 1)) : 1;
  const report = newReport({ system: config.name, systemFile: spec.systemFile, seed: spec.seed, faults: spec.faults, kinds: spec.kinds, targets, timing: spec.timing, shard: spec.shard, jobs });
  const t0 = performance.now();
  const reference = referenceRun(config, spec.timing);
  const take = (o: FaultOutcome) => {
    addOutcome(report, o);
    req.onOutcome?.(o, report.done, indices.length);
  };
  if (jobs === 1) {
    const runner = new EpisodeRunner(config, spec.timing, reference);
    for (const i of indices) {
      take(runner.run(planFault(spec, targets, i)));
      if (req.onOutcome && report.done % 16 === 0) await new Promise((r) => setImmediate(r));
    }
  } else {
    const parts: number[][] = Array.from({ length: jobs }, () => []);
    indices.forEach((i, k) => parts[k % jobs].push(i));
    await Promise.all(parts.map((part) => new Promise<void>((resolve, reject) => {
      const w = new Worker(script!, { workerData: { spec, targets, indices: part, reference } });
      let finished = false;
      w.on('message', (m: { outcomes?: FaultOutcome[]; done?: boolean; error?: string }) => {
        if (m.outcomes) for (const o of m.outcomes) take(o);
        else if (m.done) { finished = true; resolve(); }
        else if (m.error) { finished = true; reject(new Error(`campaign worker failed: ${m.error}`)); }
      });
      w.on('error', reject);
      w.on('exit', (code) => { if (!finished) reject(new Error(`campaign worker exited with code ${code}`)); });
    })));
  }
  report.hostSeconds = (performance.now() - t0) / 1000;
  // Samples in index order make a report independent of worker interleaving.
  for (const k of Object.values(report.perKind)) for (const a of Object.values(k.samples)) a.sort((x, y) => x - y);
  return finish(report);
}
