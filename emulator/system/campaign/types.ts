/** Fault-injection campaigns (docs/campaigns.md): shared types. */
import type { InjectionKind } from '../../hypervisor/injector';

export const CAMPAIGN_REPORT_FORMAT = 'pvlab-campaign-report/1';

/** How each fault run is timed (virtual ms). */
export interface EpisodeTiming {
  /** Earliest injection time: the system has booted and its workload runs. */
  readonly warmupMs: number;
  /** Injections fall uniformly in [warmupMs, warmupMs + windowMs). */
  readonly windowMs: number;
  /** Observe at least this long after the injection. */
  readonly observeMs: number;
  /** Give up waiting for recovery and progress this long after the injection. */
  readonly maxMs: number;
}

export const DEFAULT_TIMING: EpisodeTiming = { warmupMs: 3, windowMs: 5, observeMs: 4, maxMs: 40 };

export interface CampaignSpec {
  readonly systemFile: string;
  readonly faults: number;
  readonly seed: number;
  readonly kinds: readonly InjectionKind[];
  /** Driver VMs faults go into (default: every VM with role "driver"). */
  readonly targets?: readonly string[];
  readonly shard: { readonly index: number; readonly count: number };
  readonly timing: EpisodeTiming;
}

/** One planned fault: a pure function of (seed, index). */
export interface PlannedFault {
  readonly index: number;
  readonly vm: string;
  readonly kind: InjectionKind;
  readonly atMs: number;
  /** Seed of the run's hypervisor PRNG (draws the injection parameters). */
  readonly runSeed: number;
}

/** What one fault run found. */
export interface FaultOutcome {
  readonly index: number;
  readonly vm: string;
  readonly kind: InjectionKind;
  readonly atMs: number;
  readonly detail?: string;
  readonly manifested: boolean;
  readonly detected: boolean;
  readonly recovered: boolean;
  /** Reasons a client failed (empty: none). */
  readonly clientFailures: string[];
  /** Acknowledged writes found lost or corrupted. */
  readonly dataLost: number;
  /** Requests that failed cleanly and were reissued (or reported) by the client. */
  readonly failedRequests: number;
  /** Acknowledged records the failing driver damaged and the client's scrub rewrote from its shadow copy. */
  readonly repaired: number;
  /** Detection to the VM running again (virtual ms). */
  readonly restartMs?: number;
  /** Injection to the first request completed after recovery (virtual ms). */
  readonly serviceMs?: number;
  /** Host wall time from detection to the VM running again (ms). */
  readonly hostRestartMs?: number;
  /** Host wall time of the whole fault run (ms). */
  readonly hostRunMs: number;
  readonly faultKinds: string[];
}

/** Counters and samples for one fault kind. */
export interface KindStats {
  injected: number;
  manifested: number;
  detected: number;
  recovered: number;
  clientFailures: number;
  dataLost: number;
  failedRequests: number;
  repaired: number;
  /** Detected faults not recovered. */
  unrecovered: number;
  samples: { restartMs: number[]; serviceMs: number[]; hostRestartMs: number[] };
}

export interface Percentiles { readonly n: number; readonly p50?: number; readonly p90?: number; readonly p99?: number; readonly max?: number }

export interface CampaignReport {
  readonly format: typeof CAMPAIGN_REPORT_FORMAT;
  readonly system: string;
  readonly systemFile: string;
  readonly seed: number;
  readonly faults: number;
  readonly kinds: InjectionKind[];
  readonly targets: string[];
  readonly timing: EpisodeTiming;
  /** Shards this report covers (one, or several after a merge). */
  shards: { index: number; count: number }[];
  /** Fault runs done. */
  done: number;
  perKind: Record<string, KindStats>;
  totals: Omit<KindStats, 'samples'>;
  /** Per kind: recovery-time percentiles (computed from the samples). */
  percentiles: Record<string, { restartMs: Percentiles; serviceMs: Percentiles; hostRestartMs: Percentiles }>;
  /** Fault runs with a client failure, lost data, or an unrecovered detected fault (first 200). */
  incidents: FaultOutcome[];
  /** PASS: 0 client failures, 0 acknowledged writes lost, every detected failure recovered. */
  verdict: 'PASS' | 'FAIL';
  hostSeconds: number;
  jobs: number;
  faultsPerHour: number;
}
