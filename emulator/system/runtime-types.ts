/**
 * Types of the runtime API shared by its clients (the CLI, the debug adapter).
 * Nothing here knows DAP.
 */
import type { MachineStop } from './virt-machine';

/** How a data watchpoint is triggered. */
export type WatchAccess = 'read' | 'write' | 'readWrite';

/** A code breakpoint as the runtime keeps it: an address plus optional condition, hit condition and log message. */
export interface BreakpointSpec {
  /** The client's id for this breakpoint; reported when it stops. */
  readonly id: number;
  readonly address: number;
  /** An expression (see runtime-expr.ts); the breakpoint fires only when it is non-zero. */
  readonly condition?: string;
  /** See parseHitCondition; counted over the hits whose condition held. */
  readonly hitCondition?: string;
  /** A log point: print this (with `{expr}` expanded) instead of stopping. */
  readonly logMessage?: string;
}

export interface WatchpointSpec {
  readonly id: number;
  /** Physical address (RAM only). */
  readonly address: number;
  readonly size: number;
  readonly access: WatchAccess;
  readonly condition?: string;
  readonly hitCondition?: string;
}

/** The result of installing one breakpoint or watchpoint. */
export type InstallResult = { ok: true } | { ok: false; message: string };

export interface WatchHit {
  readonly id: number;
  readonly address: number;
  readonly size: number;
  readonly access: 'read' | 'write';
  readonly value: number;
}

/** A trap the runtime was asked to stop on. */
export interface TrapInfo {
  /** mcause/scause value (bit 31 set for interrupts). */
  readonly cause: number;
  readonly tval: number;
  /** pc of the instruction that trapped (the new mepc). */
  readonly epc: number;
  /** ecall (a hypercall/system call), ebreak, or another exception. */
  readonly category: 'ecall' | 'ebreak' | 'exception' | 'interrupt';
  readonly description: string;
}

/** Which traps stop the run (all-stop, before the handler's first instruction). */
export interface TrapStopOptions {
  /** Synchronous exceptions other than ecall and ebreak. */
  exceptions?: boolean;
  ecall?: boolean;
  ebreak?: boolean;
}

/** Why the runtime stopped (or ended). */
export type RuntimeStop =
  | Exclude<MachineStop, { kind: 'breakpoint' }>
  | { kind: 'breakpoint'; pc: number; ids: number[] }
  | { kind: 'watchpoint'; pc: number; hits: WatchHit[] }
  | { kind: 'trap'; pc: number; trap: TrapInfo }
  | { kind: 'paused' }
  | { kind: 'step' };

/** A fault to inject into the machine (bare metal; VM faults come with the hypervisor). */
export type FaultSpec =
  | { kind: 'flip-memory'; address: number; bit: number }
  | { kind: 'write-memory'; address: number; value: number; size?: 1 | 2 | 4 }
  | { kind: 'flip-register'; register: string; bit: number }
  | { kind: 'set-register'; register: string; value: number }
  /** Raise a synchronous exception (mcause) at the current instruction. */
  | { kind: 'trap'; cause: number; tval?: number };

export interface ScheduledFault {
  /** Inject when this many instructions have retired. */
  readonly at: number;
  readonly fault: FaultSpec;
}

export interface FaultRecord {
  readonly fault: FaultSpec;
  /** Instructions retired when it was applied. */
  readonly retired: number;
  readonly pc: number;
  readonly description: string;
}

/** One frame of an unwound stack, with what the symbol and line tables say about it. */
export interface RuntimeFrame {
  readonly pc: number;
  readonly sp: number;
  readonly fp: number;
  readonly cfa?: number;
  /** `name` or `name+0x10`. */
  readonly functionName?: string;
  readonly functionStart?: number;
  /** Source position: of the pc (innermost frame) or of the call (outer frames). */
  readonly source?: { file: string; line: number; column: number };
}

export interface TraceOptions {
  /** One line per executed instruction (runs the machine one instruction at a time: slow). */
  instructions?: boolean;
  /** One line per trap taken. */
  traps?: boolean;
  /** One line per injected fault. */
  faults?: boolean;
}
