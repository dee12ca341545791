/**
 * Fault-injection campaigns (docs/campaigns.md) on the record-store test
 * system (test/campaign/guests): the acceptance campaign (2,000 seeded faults:
 * no client failure, no acknowledged write lost, every detected failure
 * recovered), determinism per fault, exact shard merging, the checker's
 * negative control (a driver that overwrites acknowledged records), the CLI.
 */
import * as assert from 'assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { INJECTION_KINDS } from '../../emulator/hypervisor/injector';
import { loadSystemFile } from '../../emulator/system/config';
import { runEpisode } from '../../emulator/system/campaign/episode';
import { resolveSpec, runCampaign } from '../../emulator/system/campaign/engine';
import { planFault } from '../../emulator/system/campaign/plan';
import { formatReport, mergeReports } from '../../emulator/system/campaign/report';
import type { CampaignReport, FaultOutcome } from '../../emulator/system/campaign/types';
import { needCompiler, rmTemp, tempDir, writeRecordSystem } from './support';
import { repoRoot } from '../hypervisor-core/support';

const ACCEPTANCE_FAULTS = Number(process.env.PVLAB_CAMPAIGN_FAULTS ?? 2000);

/** The outcome without host timings (they vary run to run). */
function virtualPart(o: FaultOutcome): object {
  const { hostRunMs: _a, hostRestartMs: _b, ...rest } = o;
  return rest;
}

function counters(r: CampaignReport): object {
  return { done: r.done, totals: r.totals, perKind: Object.fromEntries(Object.entries(r.perKind).map(([k, v]) => [k, { ...v, samples: { restartMs: v.samples.restartMs, serviceMs: v.samples.serviceMs } }])) };
}

describe('campaign: fault injection on the record-store system', function () {
  this.timeout(600000);
  let dir: string;
  let systemFile: string;
  before(function () {
    needCompiler(this);
    dir = tempDir();
    systemFile = writeRecordSystem(dir);
  });
  after(() => dir && rmTemp(dir));

  it(`acceptance: ${ACCEPTANCE_FAULTS} seeded faults of every kind, 0 client failures, 0 acknowledged writes lost, every detected failure recovered`, async () => {
    const t0 = performance.now();
    const r = await runCampaign({ systemFile, faults: ACCEPTANCE_FAULTS, seed: 2026, jobs: 2 });
    const secs = (performance.now() - t0) / 1000;
    console.log(`      ${formatReport(r).split('\n').join('\n      ')}\n      (${secs.toFixed(1)} s on 2 worker threads)`);
    assert.strictEqual(r.done, ACCEPTANCE_FAULTS);
    assert.deepStrictEqual(r.incidents, [], JSON.stringify(r.incidents.slice(0, 5)));
    assert.strictEqual(r.totals.clientFailures, 0);
    assert.strictEqual(r.totals.dataLost, 0);
    assert.strictEqual(r.totals.recovered, r.totals.detected);
    assert.strictEqual(r.verdict, 'PASS');
    for (const k of INJECTION_KINDS) assert.ok(r.perKind[k].injected > 0, `${k} injected`);
    // Faults that stop the driver are all detected (each run is checked, not assumed).
    for (const k of ['crash', 'bad-pointer', 'hang', 'bad-dma', 'panic'] as const) {
      assert.strictEqual(r.perKind[k].detected, r.perKind[k].injected, `${k}: every injection detected`);
    }
    assert.ok(r.totals.detected > ACCEPTANCE_FAULTS / 2);
  });

  it('plans each fault from (seed, index) only, and a fault run is deterministic', () => {
    const config = loadSystemFile(systemFile);
    const { spec, targets } = resolveSpec({ systemFile, faults: 10, seed: 9 }, config);
    for (const i of [0, 3, 7]) {
      const p = planFault(spec, targets, i);
      assert.deepStrictEqual(p, planFault(spec, targets, i));
      assert.deepStrictEqual(virtualPart(runEpisode(config, p, spec.timing)), virtualPart(runEpisode(config, p, spec.timing)));
    }
    assert.notDeepStrictEqual(planFault(spec, targets, 1), planFault({ ...spec, seed: 10 }, targets, 1));
  });

  it('merges shards into exactly the unsharded report', async () => {
    const whole = await runCampaign({ systemFile, faults: 45, seed: 5, jobs: 1 });
    const shards = await Promise.all([0, 1, 2].map((i) => runCampaign({ systemFile, faults: 45, seed: 5, jobs: 2, shard: { index: i, count: 3 } })));
    const merged = mergeReports([shards[2], shards[0], shards[1]]);
    assert.deepStrictEqual(counters(merged), counters(whole));
    assert.strictEqual(merged.verdict, whole.verdict);
    assert.deepStrictEqual(merged.shards, [0, 1, 2].map((index) => ({ index, count: 3 })));
    assert.throws(() => mergeReports([shards[0], shards[0]]), /appears twice/);
    const other = await runCampaign({ systemFile, faults: 45, seed: 6, jobs: 1, shard: { index: 1, count: 3 } });
    assert.throws(() => mergeReports([shards[0], other]), /different campaigns/);
  });

  it('finds lost writes: a driver that overwrites acknowledged records fails the campaign', async () => {
    const liarDir = tempDir();
    try {
      const liar = writeRecordSystem(liarDir, { driverDefines: ['LIAR'] });
      const r = await runCampaign({ systemFile: liar, faults: 12, seed: 1, jobs: 1, kinds: ['mem-flip'] });
      assert.ok(r.totals.dataLost > 0, formatReport(r));
      assert.strictEqual(r.verdict, 'FAIL');
    } finally {
      rmTemp(liarDir);
    }
  });

  describe('pvlab campaign (CLI)', () => {
    const cli = () => path.join(repoRoot(), 'out', 'emulator', 'system', 'cli.js');
    const run = (args: string[]) => spawnSync(process.execPath, [cli(), ...args], { encoding: 'utf8', timeout: 120000 });

    it('runs shards with --json and --report, and merges them', () => {
      const a = path.join(dir, 'a.json'), b = path.join(dir, 'b.json'), m = path.join(dir, 'm.json');
      const ra = run(['campaign', systemFile, '--faults', '20', '--seed', '4', '--shard', '0/2', '--jobs', '2', '--report', a, '--json']);
      assert.strictEqual(ra.status, 0, ra.stderr);
      const ja = JSON.parse(ra.stdout) as CampaignReport;
      assert.strictEqual(ja.format, 'pvlab-campaign-report/1');
      assert.strictEqual(ja.done, 10);
      assert.match(ra.stderr, /campaign: 10\/10 faults/);
      const rb = run(['campaign', systemFile, '--faults', '20', '--seed', '4', '--shard', '1/2', '--jobs', '1', '--report', b]);
      assert.strictEqual(rb.status, 0, rb.stderr);
      assert.match(rb.stdout, /VERDICT PASS/);
      const rm = run(['campaign', 'merge', a, b, '--report', m]);
      assert.strictEqual(rm.status, 0, rm.stderr);
      const merged = JSON.parse(fs.readFileSync(m, 'utf8')) as CampaignReport;
      assert.strictEqual(merged.done, 20);
      assert.strictEqual(merged.verdict, 'PASS');
    });

    it('answers bad input with one clear error line', () => {
      const bad = run(['campaign', systemFile, '--faults', '5', '--kinds', 'crash,nope']);
      assert.strictEqual(bad.status, 1);
      assert.match(bad.stderr, /^pvlab: error: unknown fault kind nope/);
      const usage = run(['campaign', systemFile]);
      assert.strictEqual(usage.status, 2);
      assert.match(usage.stderr, /--faults N is required/);
      const shard = run(['campaign', systemFile, '--faults', '5', '--shard', '3/3']);
      assert.strictEqual(shard.status, 2);
      const missing = run(['campaign', path.join(dir, 'none.json'), '--faults', '5']);
      assert.strictEqual(missing.status, 1);
      assert.match(missing.stderr, /^pvlab: error: /);
      const merge = run(['campaign', 'merge', systemFile]);
      assert.strictEqual(merge.status, 1);
      assert.match(merge.stderr, /not a campaign report/);
    });
  });
});
