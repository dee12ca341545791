/**
 * The fault plan: fault `index` of a campaign is a pure function of (seed,
 * index, kinds, targets, timing), so shards and worker threads can run any
 * subset of indices and their reports merge into exactly the unsharded one.
 */
import type { InjectionKind } from '../../hypervisor/injector';
import type { CampaignSpec, PlannedFault } from './types';

/** splitmix32-style mixer: a well-distributed 32-bit hash. */
function mix(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A small deterministic stream for one fault. */
function stream(seed: number, index: number): () => number {
  let s = mix(mix(seed >>> 0) ^ Math.imul(index + 1, 0x27d4eb2d));
  return () => {
    s = mix(s);
    return s / 0x100000000;
  };
}

export function planFault(spec: Pick<CampaignSpec, 'seed' | 'kinds' | 'timing'>, targets: readonly string[], index: number): PlannedFault {
  const r = stream(spec.seed, index);
  const kind: InjectionKind = spec.kinds[Math.floor(r() * spec.kinds.length)];
  const vm = targets[Math.floor(r() * targets.length)];
  const atMs = Math.round((spec.timing.warmupMs + r() * spec.timing.windowMs) * 1000) / 1000;
  const runSeed = 1 + Math.floor(r() * 0x7ffffffe);
  return { index, vm, kind, atMs, runSeed };
}

/** The indices of shard `index` of `count` (0-based): every count-th fault. */
export function shardIndices(faults: number, shard: { index: number; count: number }): number[] {
  const out: number[] = [];
  for (let i = shard.index; i < faults; i += shard.count) out.push(i);
  return out;
}
