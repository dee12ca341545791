/**
 * Seeded, time-bounded fuzzing helpers. Each fuzz test runs for a time budget
 * (about 3 s per target in CI; PVLAB_FUZZ_LONG=1 or PVLAB_FUZZ_SECONDS=N for
 * longer runs) from a seed (PVLAB_FUZZ_SEED, default 1): a failure prints the
 * seed and the iteration, which reproduce it.
 */
import * as assert from 'assert';
import * as v8 from 'v8';
import * as vm from 'vm';
import { Prng } from '../../emulator/hypervisor/prng';

export const FUZZ_SEED = Number(process.env.PVLAB_FUZZ_SEED ?? 1) >>> 0;
export const FUZZ_SECONDS = Number(process.env.PVLAB_FUZZ_SECONDS ?? (process.env.PVLAB_FUZZ_LONG ? 120 : 3));

export { Prng };

/** Random bytes mutations of `base`: flips, overwrites with interesting values, truncation, insertion. */
export function mutate(p: Prng, base: Uint8Array, edits = 1 + p.below(8)): Uint8Array {
  let b = Uint8Array.from(base);
  for (let e = 0; e < edits; e++) {
    const op = p.below(7);
    const at = b.length ? p.below(b.length) : 0;
    if (op === 0 && b.length) b[at] ^= 1 << p.below(8);
    else if (op === 1 && b.length) b[at] = p.below(256);
    else if (op === 2 && b.length >= 4) {
      const v = [0, 0xffffffff, 0x7fffffff, 0x80000000, 1, 0x1000, b.length, p.u32()][p.below(8)];
      const o = Math.min(at, b.length - 4);
      b[o] = v & 255; b[o + 1] = (v >>> 8) & 255; b[o + 2] = (v >>> 16) & 255; b[o + 3] = v >>> 24;
    } else if (op === 3) b = b.slice(0, at);
    else if (op === 4) {
      const ins = new Uint8Array(p.below(32)).map(() => p.below(256));
      b = Uint8Array.from([...b.slice(0, at), ...ins, ...b.slice(at)]);
    } else if (op === 5 && b.length > 8) {
      const len = p.below(Math.min(64, b.length - at));
      b.copyWithin(p.below(b.length), at, at + len);
    } else if (b.length) b[at] = [0, 0xff, 0x7f, 0x80][p.below(4)];
  }
  return b;
}

/** A random string from an alphabet biased towards `tokens`. */
export function soup(p: Prng, tokens: readonly string[], n = p.below(40)): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = p.below(10);
    s += r < 6 ? tokens[p.below(tokens.length)] : r < 8 ? String.fromCharCode(32 + p.below(95)) : r < 9 ? ['\n', ' ', '\t', '"', '\\', '\0'][p.below(6)] : String.fromCharCode(p.below(0x3000));
  }
  return s;
}

export interface FuzzStats { iterations: number; accepted: number; rejected: number; heapGrowthMiB: number }

/** A full GC, so heap growth is live data and not garbage awaiting collection (--expose-gc, or turned on here). */
function collector(): () => void {
  const given = (globalThis as { gc?: () => void }).gc;
  if (given) return given;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * Runs `one(p, i)` repeatedly for the time budget. `one` returns true when the
 * input was accepted, false when it was rejected with a clear error; anything
 * it throws is a failure (reported with the seed and iteration). Checks that
 * the heap does not keep growing (measured after full GCs).
 */
export function fuzz(name: string, one: (p: Prng, i: number) => boolean, seconds = FUZZ_SECONDS, maxIterations = Infinity): FuzzStats {
  const p = new Prng(FUZZ_SEED);
  const gc = collector();
  const heap = () => { gc?.(); return process.memoryUsage().heapUsed; };
  const end = Date.now() + seconds * 1000;
  const stats: FuzzStats = { iterations: 0, accepted: 0, rejected: 0, heapGrowthMiB: 0 };
  let warm = 0;
  for (let i = 0; Date.now() < end && i < maxIterations; i++) {
    if (i === 200) warm = heap();
    let ok: boolean;
    try {
      ok = one(p, i);
    } catch (e) {
      assert.fail(`${name}: seed ${FUZZ_SEED} iteration ${i}: ${(e as Error).stack ?? String(e)}`);
    }
    stats.iterations++;
    if (ok) stats.accepted++;
    else stats.rejected++;
  }
  if (warm) stats.heapGrowthMiB = (heap() - warm) / 2 ** 20;
  assert.ok(stats.heapGrowthMiB < 64, `${name}: heap grew by ${stats.heapGrowthMiB.toFixed(1)} MiB over the run`);
  return stats;
}

/** Times one call; fails when it takes longer than `ms` (a hang on some input). */
export function bounded<T>(what: string, ms: number, f: () => T): T {
  const t0 = Date.now();
  const r = f();
  const dt = Date.now() - t0;
  assert.ok(dt < ms, `${what} took ${dt} ms (limit ${ms})`);
  return r;
}
