/**
 * Faults of a VM: what is detected, how it is recorded, and the detection
 * rules that are not a single event (trap loops, the watchdog).
 * docs/hypervisor.md, "Fault detection".
 */

export type FaultKind =
  /** A guest exception whose S-mode handler cannot be fetched (no handler). */
  | 'unhandled-trap'
  /** TRAP_LOOP_LIMIT exceptions in a row with no instruction retired in between. */
  | 'trap-loop'
  /** SRST with reason SYSTEM_FAILURE (or an injected panic). */
  | 'panic'
  /** No progress for watchdogMs while events were pending. */
  | 'watchdog'
  /** A device of the VM tried DMA outside its RAM and mapped grants. */
  | 'iommu'
  /** The hypervisor met a state it cannot serve for this VM (e.g. a trap into guest M-mode). */
  | 'internal';

/** Exceptions in a row, with no instruction retired between them, that count as a trap loop. */
export const TRAP_LOOP_LIMIT = 32;
/** The watchdog checks a VM with pending events this many times per watchdog period. */
export const WATCHDOG_CHECKS_PER_PERIOD = 4;

/** A VM with a watchdog must reach InitWait on its split devices within this many watchdog periods of its start. */
export const BOOT_DEADLINE_PERIODS = 10;

export interface InjectionLink {
  readonly id: number;
  readonly kind: string;
  /** Virtual time of the injection, cycles. */
  readonly at: number;
}

export interface FaultRecord {
  readonly id: number;
  readonly domid: number;
  readonly vm: string;
  readonly kind: FaultKind;
  readonly detail: string;
  readonly vcpu?: number;
  /** Virtual time of detection, cycles. */
  readonly detectedAt: number;
  /** The injection that caused it, if one was pending for the VM. */
  readonly injection?: InjectionLink;
  /** When the VM was running again, cycles. */
  recoveredAt?: number;
  /** restarting (waiting for back-off), restarted, down (out of restarts). */
  outcome: 'restarting' | 'restarted' | 'down';
}
