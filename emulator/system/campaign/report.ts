/** Campaign reports: aggregating fault outcomes, percentiles, merging shards, the verdict. */
import type { InjectionKind } from '../../hypervisor/injector';
import { CAMPAIGN_REPORT_FORMAT, type CampaignReport, type EpisodeTiming, type FaultOutcome, type KindStats, type Percentiles } from './types';

const MAX_INCIDENTS = 200;

export function emptyKind(): KindStats {
  return {
    injected: 0, manifested: 0, detected: 0, recovered: 0, clientFailures: 0, dataLost: 0, failedRequests: 0, repaired: 0, unrecovered: 0,
    samples: { restartMs: [], serviceMs: [], hostRestartMs: [] },
  };
}

export function isIncident(o: FaultOutcome): boolean {
  return o.clientFailures.length > 0 || o.dataLost > 0 || (o.detected && !o.recovered);
}

export function addOutcome(report: CampaignReport, o: FaultOutcome): void {
  const k = (report.perKind[o.kind] ??= emptyKind());
  k.injected++;
  if (o.manifested) k.manifested++;
  if (o.detected) k.detected++;
  if (o.recovered) k.recovered++;
  if (o.detected && !o.recovered) k.unrecovered++;
  if (o.clientFailures.length > 0) k.clientFailures++;
  k.dataLost += o.dataLost;
  k.failedRequests += o.failedRequests;
  k.repaired += o.repaired;
  if (o.restartMs !== undefined) k.samples.restartMs.push(o.restartMs);
  if (o.serviceMs !== undefined) k.samples.serviceMs.push(o.serviceMs);
  if (o.hostRestartMs !== undefined) k.samples.hostRestartMs.push(o.hostRestartMs);
  report.done++;
  if (isIncident(o) && report.incidents.length < MAX_INCIDENTS) report.incidents.push(o);
}

export function newReport(p: {
  system: string; systemFile: string; seed: number; faults: number; kinds: readonly InjectionKind[]; targets: readonly string[];
  timing: EpisodeTiming; shard: { index: number; count: number }; jobs: number;
}): CampaignReport {
  const perKind: Record<string, KindStats> = {};
  for (const k of p.kinds) perKind[k] = emptyKind();
  return {
    format: CAMPAIGN_REPORT_FORMAT, system: p.system, systemFile: p.systemFile, seed: p.seed, faults: p.faults,
    kinds: [...p.kinds], targets: [...p.targets], timing: p.timing, shards: [p.shard], done: 0, perKind,
    totals: { ...emptyKind(), samples: undefined } as unknown as CampaignReport['totals'],
    percentiles: {}, incidents: [], verdict: 'PASS', hostSeconds: 0, jobs: p.jobs, faultsPerHour: 0,
  };
}

export function percentiles(xs: readonly number[]): Percentiles {
  if (xs.length === 0) return { n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1] };
}

/** Recomputes totals, percentiles, the verdict and the rate; call before writing. */
export function finish(report: CampaignReport): CampaignReport {
  const t = emptyKind() as Partial<KindStats>;
  delete t.samples;
  const totals = t as Omit<KindStats, 'samples'>;
  for (const [kind, k] of Object.entries(report.perKind)) {
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += k[key];
    report.percentiles[kind] = {
      restartMs: percentiles(k.samples.restartMs),
      serviceMs: percentiles(k.samples.serviceMs),
      hostRestartMs: percentiles(k.samples.hostRestartMs),
    };
  }
  report.totals = totals;
  report.incidents.sort((a, b) => a.index - b.index);
  report.verdict = totals.clientFailures === 0 && totals.dataLost === 0 && totals.recovered === totals.detected && report.done > 0 ? 'PASS' : 'FAIL';
  report.faultsPerHour = report.hostSeconds > 0 ? Math.round((report.done / report.hostSeconds) * 3600) : 0;
  return report;
}

/** Merges shard reports of one campaign (same system, seed, faults, kinds, timing; disjoint shards). */
export function mergeReports(reports: readonly CampaignReport[]): CampaignReport {
  if (reports.length === 0) throw new Error('nothing to merge');
  for (const r of reports) {
    if (!r || r.format !== CAMPAIGN_REPORT_FORMAT) throw new Error(`not a campaign report (format ${String(r?.format)})`);
  }
  const first = reports[0];
  const key = (r: CampaignReport) => JSON.stringify([r.system, r.seed, r.faults, r.kinds, r.targets, r.timing]);
  const seen = new Set<string>();
  const out = newReport({ ...first, shard: first.shards[0], jobs: first.jobs });
  out.shards = [];
  let hostSeconds = 0;
  for (const r of reports) {
    if (r.format !== CAMPAIGN_REPORT_FORMAT) throw new Error(`not a campaign report (format ${String(r.format)})`);
    if (key(r) !== key(first)) throw new Error('reports of different campaigns (system, seed, faults, kinds, targets or timing differ)');
    for (const s of r.shards) {
      const id = `${s.index}/${s.count}`;
      if (seen.has(id)) throw new Error(`shard ${id} appears twice`);
      seen.add(id);
      out.shards.push(s);
    }
    for (const [kind, k] of Object.entries(r.perKind)) {
      const o = (out.perKind[kind] ??= emptyKind());
      for (const f of ['injected', 'manifested', 'detected', 'recovered', 'clientFailures', 'dataLost', 'failedRequests', 'repaired', 'unrecovered'] as const) o[f] += k[f];
      o.samples.restartMs.push(...k.samples.restartMs);
      o.samples.serviceMs.push(...k.samples.serviceMs);
      o.samples.hostRestartMs.push(...k.samples.hostRestartMs);
    }
    out.done += r.done;
    for (const i of r.incidents) if (out.incidents.length < MAX_INCIDENTS) out.incidents.push(i);
    hostSeconds += r.hostSeconds;
  }
  // Sorting makes the merged samples independent of the order shards ran in.
  for (const k of Object.values(out.perKind)) for (const a of Object.values(k.samples)) a.sort((x, y) => x - y);
  out.shards.sort((a, b) => a.count - b.count || a.index - b.index);
  out.hostSeconds = hostSeconds;
  return finish(out);
}

/** A short human-readable table. */
export function formatReport(r: CampaignReport): string {
  const lines = [`campaign ${r.system}: ${r.done}/${r.faults} faults, seed ${r.seed}, ${r.hostSeconds.toFixed(1)} s host, ${r.faultsPerHour} faults/hour`];
  lines.push('kind            injected manifested detected recovered clientFail dataLost  restart p50/p99 ms  service p50/p99 ms');
  const f = (p: Percentiles | undefined) => (p && p.n ? `${p.p50!.toFixed(2)}/${p.p99!.toFixed(2)}` : '-');
  for (const [kind, k] of Object.entries(r.perKind)) {
    const p = r.percentiles[kind];
    lines.push(`${kind.padEnd(15)} ${String(k.injected).padStart(8)} ${String(k.manifested).padStart(10)} ${String(k.detected).padStart(8)} ${String(k.recovered).padStart(9)} ${String(k.clientFailures).padStart(10)} ${String(k.dataLost).padStart(8)}  ${f(p?.restartMs).padStart(18)}  ${f(p?.serviceMs).padStart(18)}`);
  }
  const t = r.totals;
  lines.push(`total           ${String(t.injected).padStart(8)} ${String(t.manifested).padStart(10)} ${String(t.detected).padStart(8)} ${String(t.recovered).padStart(9)} ${String(t.clientFailures).padStart(10)} ${String(t.dataLost).padStart(8)}`);
  lines.push(`VERDICT ${r.verdict}: ${t.clientFailures} client failures, ${t.dataLost} acknowledged writes lost, ${t.recovered}/${t.detected} detected failures recovered`);
  return lines.join('\n');
}
