/**
 * Differential tests of the bare-metal corpus (test/programs): each program
 * runs under QEMU 7.2 (the reference) and under pvlab; the UART text and the
 * exit status must be identical. QEMU's own run must also satisfy the
 * program's self-checks, which keeps the corpus honest while pvlab is young.
 * Programs marked 'spec-only' cover QEMU's known deviations from the spec:
 * pvlab must pass them and QEMU must fail exactly the documented checks.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { buildAll, buildProgram, CROSS_GCC, listPrograms, repoRoot } from '../../scripts/build-programs';
import { BENCH, CORPUS, DEFAULT_MAX_INSNS } from '../programs/manifest';
import { mapLimit } from '../support/concurrency';
import { firstDifference, mismatchedLabels, verdict } from '../support/corpus-output';
import { pvlabCliBuilt, PvlabResult, runPvlab } from '../support/pvlab';
import { QEMU, QemuResult, runQemu } from '../support/qemu';
import { requireTool, skipWithMessage } from '../support/tools';

const JOBS = 2;

describe('program corpus manifest', () => {
  it('lists every program source exactly once, and nothing else', () => {
    // bench/programs holds more workloads than the benchmark the corpus checks (bench/cpu-bench.ts runs them).
    const sources = listPrograms()
      .filter((p) => p.kind === 'test' || p.name === BENCH.name)
      .map((p) => p.name)
      .sort();
    const listed = [...CORPUS.map((p) => p.name), BENCH.name].sort();
    assert.deepStrictEqual(listed, sources);
  });

  it('gives every spec-only program the QEMU failures it expects', () => {
    for (const p of CORPUS) {
      assert.strictEqual(p.compare === 'spec-only', (p.qemuFails?.length ?? 0) > 0, p.name);
    }
  });
});

describe('differential: corpus under QEMU and pvlab', function () {
  this.timeout(120_000);
  const elf = new Map<string, string>();
  const qemu = new Map<string, QemuResult>();

  before(async function () {
    requireTool(this, CROSS_GCC);
    requireTool(this, QEMU);
    const names = CORPUS.map((p) => p.name);
    const paths = await buildAll({ names, jobs: JOBS });
    names.forEach((n, i) => elf.set(n, paths[i]));
    await mapLimit(CORPUS, JOBS, async (p) => {
      qemu.set(p.name, await runQemu(elf.get(p.name)!, { timeoutMs: 20_000 }));
    });
  });

  it('builds ELFs that start at 0x80000000 (QEMU -bios none jumps there)', () => {
    for (const p of CORPUS) {
      const bytes = fs.readFileSync(elf.get(p.name)!);
      assert.strictEqual(bytes.readUInt32LE(0x18), 0x80000000, `${p.name}: e_entry`);
      assert.strictEqual(bytes.readUInt16LE(0x12), 243, `${p.name}: e_machine must be RISC-V`);
      assert.strictEqual(bytes[4], 1, `${p.name}: must be ELFCLASS32`);
    }
  });

  it('builds reproducibly: no absolute source paths, identical bytes on a rebuild', async () => {
    const root = Buffer.from(repoRoot());
    for (const p of CORPUS) {
      assert.strictEqual(fs.readFileSync(elf.get(p.name)!).indexOf(root), -1, `${p.name} mentions ${repoRoot()}`);
    }
    const name = 'sv32_basic';
    const first = fs.readFileSync(elf.get(name)!);
    const again = fs.readFileSync(await buildProgram(name, { force: true }));
    assert.ok(first.equals(again), `${name}: a forced rebuild produced different bytes`);
  });

  for (const spec of CORPUS) {
    it(`${spec.name}: QEMU run satisfies the program's own checks`, () => {
      const r = qemu.get(spec.name)!;
      assert.ok(!r.timedOut, `QEMU timed out; output so far:\n${r.stdout}`);
      assert.ok(!/UNEXPECTED [MS]-TRAP/.test(r.stdout), `unexpected trap:\n${r.stdout}`);
      if (spec.compare === 'qemu') {
        assert.deepStrictEqual(mismatchedLabels(r.stdout), [], r.stdout);
        assert.strictEqual(r.exitCode, spec.exitCode, r.stdout);
        if (spec.exitCode === 0) assert.strictEqual(verdict(r.stdout), `PASS ${spec.name}`);
      } else {
        // QEMU's known deviations: exactly these checks fail, nothing else.
        assert.deepStrictEqual(mismatchedLabels(r.stdout), spec.qemuFails, r.stdout);
        assert.strictEqual(r.exitCode, 1);
      }
    });
  }

  // Both execution tiers; the JIT with a hot threshold low enough that these short
  // programs run mostly compiled (PVLAB_JIT_HOT, read by the CLI process).
  for (const tier of ['interpreter', 'jit'] as const) describe(`pvlab (${tier} tier)`, function () {
    const pv = new Map<string, PvlabResult>();

    before(async function () {
      if (!pvlabCliBuilt()) skipWithMessage(this, 'pvlab CLI not built yet');
      const saved = process.env.PVLAB_JIT_HOT;
      if (tier === 'jit') process.env.PVLAB_JIT_HOT = '50';
      try {
        await mapLimit(CORPUS, JOBS, async (p) => {
          const budget = String(p.maxInsns ?? DEFAULT_MAX_INSNS);
          pv.set(p.name, await runPvlab(elf.get(p.name)!, ['--max-insns', budget, '--tier', tier], { timeoutMs: 60_000 }));
        });
      } finally {
        if (saved === undefined) delete process.env.PVLAB_JIT_HOT;
        else process.env.PVLAB_JIT_HOT = saved;
      }
    });

    for (const spec of CORPUS) {
      if (spec.compare === 'qemu') {
        it(`${spec.name}: pvlab prints the same UART text and exits the same as QEMU`, () => {
          const q = qemu.get(spec.name)!;
          const r = pv.get(spec.name)!;
          assert.ok(!r.timedOut, `pvlab timed out; output so far:\n${r.stdout}`);
          assert.strictEqual(r.stdout, q.stdout, `${firstDifference(q.stdout, r.stdout)}; stderr ${r.stderr}`);
          assert.strictEqual(r.exitCode, q.exitCode, r.stderr);
        });
      } else {
        it(`${spec.name}: pvlab follows the specification where QEMU does not`, () => {
          const r = pv.get(spec.name)!;
          assert.ok(!r.timedOut, `pvlab timed out; output so far:\n${r.stdout}`);
          assert.deepStrictEqual(mismatchedLabels(r.stdout), [], r.stdout);
          assert.strictEqual(verdict(r.stdout), `PASS ${spec.name}`, r.stdout + r.stderr);
          assert.strictEqual(r.exitCode, spec.exitCode, r.stderr);
        });
      }
    }
  });
});

/** Asserts the benchmark's checksum line and verdict in a run's output. */
function assertBenchOutput(what: string, stdout: string, exitCode: number | null): void {
  const hex = BENCH.checksum.toString(16).padStart(8, '0');
  assert.ok(stdout.includes(`pvmark iterations ${BENCH.iterations} checksum ${hex}\n`), `${what}:\n${stdout}`);
  assert.strictEqual(verdict(stdout), `PASS ${BENCH.name}`, stdout);
  assert.strictEqual(exitCode, 0);
}

describe(`benchmark ${BENCH.name}`, function () {
  this.timeout(120_000);
  let benchElf = '';

  before(async function () {
    requireTool(this, CROSS_GCC);
    [benchElf] = await buildAll({ names: [BENCH.name] });
  });

  it('computes its expected checksum under QEMU', async function () {
    requireTool(this, QEMU);
    const r = await runQemu(benchElf, { timeoutMs: 60_000 });
    assert.ok(!r.timedOut, 'QEMU timed out');
    assertBenchOutput('QEMU', r.stdout, r.exitCode);
  });

  // ~300 M instructions (a few seconds on pvlab today); PVLAB_SKIP_BENCH=1 skips it.
  it('computes the same checksum under pvlab', async function () {
    if (process.env.PVLAB_SKIP_BENCH === '1') skipWithMessage(this, 'PVLAB_SKIP_BENCH=1');
    if (!pvlabCliBuilt()) skipWithMessage(this, 'pvlab CLI not built yet');
    this.timeout(300_000);
    const r = await runPvlab(benchElf, ['--max-insns', String(BENCH.approxInstructions * 2)], { timeoutMs: 290_000 });
    assert.ok(!r.timedOut, 'pvlab timed out');
    assertBenchOutput('pvlab', r.stdout, r.exitCode);
  });
});
