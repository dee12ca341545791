/**
 * When a failed VM comes back (docs/system-file.md, "restart"), modelled on
 * MINIX 3's reincarnation server: the first restart at once, then an
 * exponential back-off with a cap, and after `maxRestarts` the VM stays down
 * and the failure is reported.
 */
import type { RestartPolicySpec } from './vm';

export type RestartDecision =
  | { readonly restart: true; readonly attempt: number; readonly delayMs: number }
  | { readonly restart: false; readonly attempt: number; readonly reason: string };

/** Wait before restart number `k` (1-based). */
export function restartDelayMs(policy: RestartPolicySpec, k: number): number {
  if (k <= 1) return 0;
  const d = policy.initialBackoffMs * Math.pow(policy.multiplier, k - 2);
  return Math.min(policy.maxBackoffMs, Number.isFinite(d) ? d : policy.maxBackoffMs);
}

/** What to do after a VM that has already restarted `restartsSoFar` times fails again. */
export function decideRestart(policy: RestartPolicySpec, restartsSoFar: number): RestartDecision {
  const attempt = restartsSoFar + 1;
  if (attempt > policy.maxRestarts) {
    return { restart: false, attempt, reason: `restart limit reached (${policy.maxRestarts} restart${policy.maxRestarts === 1 ? '' : 's'})` };
  }
  return { restart: true, attempt, delayMs: restartDelayMs(policy, attempt) };
}
