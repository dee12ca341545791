/**
 * The demo as `npm run demo` runs it, the guests under both CPU tiers, the
 * overhead claim on one size, and the committed images against a fresh
 * build (the only test here that needs the cross compiler).
 */
import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { storageRow } from '../../bench/overhead-bench';
import { defaultTier, setDefaultTier, type Tier } from '../../emulator/cpu/hart';
import { CROSS_GCC } from '../../scripts/build-guests';
import { repoRoot, runDemo } from '../../scripts/demo';
import { requireTool } from '../support/tools';
import { runSplit } from './support';

describe('guests: demo, CPU tiers, overhead, reproducible images', function () {
  this.timeout(180000);

  it('npm run demo: a crash of the blk driver VM mid-workload, its restart, 0 records lost, the client never stopped', () => {
    const r = runDemo();
    assert.ok(r.ok, r.text);
    assert.match(r.text, /fault: {6}crash injected into blkdrv at [\d.]+ ms/);
    assert.match(r.text, /detection: {2}[\d.]+ ms — panic: /);
    assert.match(r.text, /restart: {4}blkdrv running again at [\d.]+ ms, from its initial snapshot \(restarted\)/);
    assert.match(r.text, /client: {5}waited [\d.]+ ms without its disk/);
    assert.match(r.text, /VERDICT PASS storage records=256 written=256 verified=256 lost=0 corrupted=0/);
    assert.match(r.text, /client VM: {2}running, 0 fault\(s\), 0 restart\(s\); blkdrv: running, 1 restart\(s\)/);
    assert.match(r.text, /^RESULT: PASS/m);
  });

  it('runs the guests instruction for instruction the same under the interpreter and the JIT tier', () => {
    const saved = defaultTier();
    const runs: { hash: string; end: number; insns: number }[] = [];
    try {
      for (const tier of ['interpreter', 'jit'] as Tier[]) {
        setDefaultTier(tier);
        const o = runSplit({ setup: (run) => run.rt.inject('blkdrv', 'crash', 15) });
        assert.ok(o.passed, `${tier}: ${o.client}`);
        runs.push({ hash: o.run.rt.traceHash(), end: o.endMs, insns: o.run.rt.report().stats.instructions });
      }
    } finally {
      setDefaultTier(saved);
    }
    assert.deepStrictEqual(runs[1], runs[0]);
  });

  it('costs at most 3 % of storage throughput (virtual time) for 4 KiB requests', () => {
    const r = storageRow(4096, 8, 256 * 1024);
    assert.ok(r.overheadVirtualPct <= 3, `overhead ${r.overheadVirtualPct} %`);
    assert.ok(r.split.virtualRate > 0 && r.mono.virtualRate > 0);
  });

  it('commits images that a fresh build reproduces byte for byte (build-guests --check)', function () {
    requireTool(this, CROSS_GCC);
    const script = path.join(repoRoot(), 'out', 'scripts', 'build-guests.js');
    const out = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8', cwd: repoRoot() });
    assert.match(out, /ok {6}examples\/driver-isolation\/images\/client\.elf/);
    assert.doesNotMatch(out, /DIFFERS|MISSING/);
  });
});
