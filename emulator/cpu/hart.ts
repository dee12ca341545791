/**
 * One RISC-V hart: registers, privilege, CSRs, traps and interrupts, and the
 * run loop around the execution engine. The host (a bare machine or the
 * hypervisor) sees it through `HartHost`.
 */
import { Bus } from '../bus/bus';
import type { IrqLine } from '../devices/irq';
import { Access, Cause, IRQ_PRIORITY, MSTATUS, Priv } from './constants';
import { CsrFile } from './csr';
import { Mmu } from './mmu';
import type { DecodePage } from './decode-cache';
import { Exit, RunFunction, buildInterpreter } from './interpreter';
import { JIT_DEFAULTS, Jit, JitOptions } from './jit';
import { warmUpInterpreter } from './warmup';
import { buildWasmInterpreter } from './wasm/run-interpreter';
import { HART_STATE_WORDS, StateWord } from './hart-state';
import { TRAP } from './signals';

/** The execution engines: the generated interpreter alone, or hot code compiled by the JIT tier. */
export type Tier = 'interpreter' | 'jit';

/**
 * Which interpreter runs fast mode (under the JIT tier: the code not compiled yet):
 * the WebAssembly one (wasm/interpreter.ts; the default) or the generated
 * JavaScript one, which always runs slow mode.
 */
export type InterpreterKind = 'wasm' | 'js';

export interface HartOptions {
  /** Which engine runs the hart (default: `defaultTier()`). */
  tier?: Tier;
  /** JIT tuning (thresholds, memory bound); the defaults suit most uses. */
  jit?: Partial<JitOptions>;
  /** The fast-mode interpreter (default: `setDefaultInterpreter`, else WebAssembly). */
  interpreter?: InterpreterKind;
}

let processDefaultTier: Tier = 'jit';
let processJitOptions: Partial<JitOptions> = {};
let processInterpreter: InterpreterKind = 'wasm';

/**
 * The tier of harts built without an explicit one. The system layer sets it once
 * from PVLAB_TIER or the CLI's --tier; nothing on the execution path reads it.
 */
export function setDefaultTier(tier: Tier): void {
  processDefaultTier = tier;
}

export function defaultTier(): Tier {
  return processDefaultTier;
}

/** JIT tuning for harts built without their own (tests use a low hot threshold to exercise the JIT). */
export function setDefaultJitOptions(options: Partial<JitOptions>): void {
  processJitOptions = { ...options };
}

/** The interpreter of harts built without an explicit one (PVLAB_INTERPRETER). */
export function setDefaultInterpreter(kind: InterpreterKind): void {
  processInterpreter = kind;
}

/** Parses a tier name (PVLAB_TIER, --tier); undefined for anything else. */
export function parseTier(text: string | undefined): Tier | undefined {
  const t = text?.trim().toLowerCase();
  return t === 'interpreter' || t === 'jit' ? t : undefined;
}

let breakpointStamps = 0;

/**
 * The breakpoint addresses of a hart: a Set that counts its changes, so the tiers
 * know when the breakpoint marks in the decoded pages must be redone. `stamp` is
 * unique across all sets and changes (a decode page remembers which set, in which
 * state, marked it).
 */
export class BreakpointSet extends Set<number> {
  stamp = ++breakpointStamps;
  private byPage: Map<number, number[]> | undefined;
  private changed(): void {
    this.stamp = ++breakpointStamps;
    this.byPage = undefined;
  }
  override add(value: number): this {
    this.changed();
    return super.add(value);
  }
  override delete(value: number): boolean {
    this.changed();
    return super.delete(value);
  }
  override clear(): void {
    this.changed();
    super.clear();
  }
  /** Word indices (sorted) of the breakpoints in virtual page `vpage` (address >>> 12). */
  wordsOn(vpage: number): readonly number[] {
    if (!this.byPage) {
      const m = new Map<number, number[]>();
      for (const a of this) {
        if (a & 3) continue; // never fetched: instructions are 4-byte aligned
        const list = m.get(a >>> 12) ?? [];
        list.push((a >>> 2) & 1023);
        m.set(a >>> 12, list);
      }
      for (const l of m.values()) l.sort((p, q) => p - q);
      this.byPage = m;
    }
    return this.byPage.get(vpage) ?? NO_WORDS;
  }
}

const NO_WORDS: readonly number[] = [];

/** Memory held for one machine (one VM): its RAM and the CPU tiers' overhead, in bytes. */
export interface MemoryUsage {
  ram: number;
  /** Pre-decoded pages (8 KiB each), the per-line code map, block counts and watch flags. */
  decode: number;
  /** Compiled regions: an estimate (source, bytecode and machine code). */
  jit: number;
  /** TLBs and other per-hart tables. */
  other: number;
  total: number;
}

export interface HartHost {
  /** The machine's mtime, in timebase ticks. */
  time(): number;
  /**
   * A trap that would enter M-mode. Return true when the host handled it (a
   * hypervisor serving an S-mode ecall, or stopping a faulted VM); the hart then
   * does not enter M-mode.
   */
  onMachineTrap?(hart: Hart, mcause: number, tval: number): boolean;
  /** A watched memory location was accessed (data breakpoints, HTIF tohost). */
  onWatch?(hart: Hart, pa: number, size: number, access: Access, value: number): void;
}

export const enum StopReason {
  /** The instruction budget ran out. */
  Limit = 'limit',
  Breakpoint = 'breakpoint',
  /** Waiting for an interrupt (wfi). */
  Wfi = 'wfi',
  /** The host or a device asked to stop (`requestStop`). */
  Requested = 'requested',
}

export class Hart {
  /** x0..x31, plus x[32]: the sink that writes to x0 are decoded into. */
  readonly x: Int32Array;
  /**
   * Byte offset in the bus's memory of the hart's state block (hart-state.ts: `x`,
   * the LR reservation, scratch for compiled WebAssembly code), or -1 when there was
   * no room there (then no WebAssembly code runs on this hart).
   */
  readonly stateOffset: number;
  pc = 0;
  priv: Priv = Priv.M;
  retired = 0;
  idleCycles = 0;
  waiting = false;
  readonly csr: CsrFile;
  readonly mmu: Mmu;
  readonly breakpoints: BreakpointSet = new BreakpointSet();
  /** True while one instruction runs in slow mode (state flushed; MMIO allowed). */
  slow = false;
  exit: Exit = Exit.Limit;
  stopReason: StopReason = StopReason.Limit;
  /** Why the host asked to stop, if it did. */
  private stopRequest: string | undefined;
  private sliceEndRequested = false;
  private pendingCause = 0;
  private pendingTval = 0;
  private readonly runFn: RunFunction;
  /** The interpreter that runs fast mode where compiled code does not (slow mode is always the JavaScript one). */
  readonly interpreter: InterpreterKind;
  private jit: Jit | undefined;
  private readonly jitOptions: JitOptions;
  /** The breakpoint set's stamp the decode pages' marks were last made for (see markBreakpoints). */
  private markedStamp = -1;

  constructor(
    readonly bus: Bus,
    readonly hartId: number,
    private readonly host: HartHost,
    options: HartOptions = {},
  ) {
    const at = bus.allocate(HART_STATE_WORDS * 4);
    this.stateOffset = at ?? -1;
    const state = at === undefined ? new Int32Array(HART_STATE_WORDS) : new Int32Array(bus.memory.buffer, at, HART_STATE_WORDS);
    this.x = state.subarray(StateWord.X, StateWord.X + 33);
    this.csr = new CsrFile(this);
    this.mmu = new Mmu(bus, this, state.subarray(StateWord.RESERVATION, StateWord.RESERVATION + 1));
    const tier = options.tier ?? processDefaultTier;
    // (Each tier gets the interpreter variant that suits it; see buildInterpreter.)
    const js = buildInterpreter(this, this.mmu, this.mmu.code, tier === 'interpreter');
    const wasm = (options.interpreter ?? processInterpreter) === 'wasm';
    const wasmRun = wasm ? buildWasmInterpreter(this, this.mmu, this.mmu.code, js) : undefined;
    this.interpreter = wasmRun ? 'wasm' : 'js';
    this.runFn = wasmRun ?? js;
    this.jitOptions = { ...JIT_DEFAULTS, ...processJitOptions, ...options.jit };
    this.tier = tier;
    // When the JavaScript interpreter warms code up for the JIT, its deoptimizations as
    // new instructions appear were half of a short program's time: train it first.
    // (Under the interpreter tier, V8's code optimized from the program's own feedback
    // alone is about a quarter faster than after training.)
    if (this.tier === 'jit' && this.interpreter === 'js') warmUpInterpreter(this, this.runFn, this.mmu, this.mmu.code);
  }

  /** The engine that runs this hart; may be switched between runs. */
  get tier(): Tier {
    return this.jit ? 'jit' : 'interpreter';
  }
  set tier(t: Tier) {
    if (t === 'jit') this.jit ??= new Jit(this, this.mmu, this.mmu.code, this.runFn, this.jitOptions);
    else this.jit = undefined;
  }

  /** Statistics of the JIT tier (undefined under the interpreter). */
  get jitStats():
    | { regions: number; compiles: number; wasmCompiles: number; flushes: number; sourceBytes: number; regionRuns: number; interpreterRuns: number; misses: number; interpreted: number; merges: number }
    | undefined {
    const j = this.jit;
    if (!j) return undefined;
    const s = j.store;
    return { regions: s.regionCount, compiles: s.compiles, wasmCompiles: s.wasmCompiles, flushes: s.flushes, sourceBytes: s.sourceBytes, ...j.stats };
  }

  /**
   * Memory used for this hart's machine: RAM plus the overhead of the CPU tiers
   * (shared by the harts of one bus, so do not add it up per hart).
   */
  memoryUsage(): MemoryUsage {
    const code = this.mmu.code;
    const ram = this.bus.ramSize;
    const decode = code.pageCount * (8192 + 200) + code.codeLines.length + code.counts.byteLength + this.mmu.watch.length;
    const jit = this.jit?.store.memoryEstimate() ?? 0;
    const other = this.mmu.tlbBytes + HART_STATE_WORDS * 4;
    return { ram, decode, jit, other, total: ram + decode + jit + other };
  }

  // ---- interfaces for the CSR file and the MMU ----------------------------------

  time(): number {
    return this.host.time();
  }
  translationChanged(): void {
    this.mmu.refresh();
  }
  interruptsChanged(): void {
    // Interrupts are re-evaluated after every slow-mode instruction; nothing to do here.
  }
  mstatus(): number {
    return this.csr.mstatus;
  }
  satp(): number {
    return this.csr.satp;
  }
  /**
   * Marks the breakpoints of this hart on decode page `page`, fetched at virtual page
   * `vpage` (called by the tiers when a page's marks were not made for the current
   * set and virtual page).
   */
  markBreakpoints(page: DecodePage, vpage: number): void {
    const bps = this.breakpoints;
    this.mmu.code.markBreakpoints(page, vpage, bps.stamp, bps.wordsOn(vpage));
  }

  /** After a change of the breakpoint set: redoes (or clears) the marks made for its previous state. */
  private refreshBreakpointMarks(): void {
    const bps = this.breakpoints;
    const code = this.mmu.code;
    if (this.markedStamp !== -1) {
      for (const p of code.allPages()) if (p.bpStamp === this.markedStamp) code.markBreakpoints(p, p.bpVpage, bps.stamp, bps.wordsOn(p.bpVpage));
    }
    this.markedStamp = bps.stamp;
  }

  watchHit(pa: number, size: number, access: Access, value: number): void {
    this.host.onWatch?.(this, pa, size, access, value);
  }

  /** An interrupt-pending wire into mip (MSIP, MTIP, MEIP, SEIP, STIP, SSIP). */
  irqLine(bit: number): IrqLine {
    return {
      set: (level: boolean) => {
        if (level) this.csr.mipLines |= 1 << bit;
        else this.csr.mipLines &= ~(1 << bit);
      },
    };
  }

  /** Ask the run loop to stop after the current instruction (devices, debugger, host). */
  /**
   * Ends the current run slice after this instruction without stopping: the host
   * re-plans (for example a timer deadline a device write just moved earlier).
   */
  endSlice(): void {
    this.sliceEndRequested = true;
  }

  requestStop(why: string): void {
    this.stopRequest = why;
  }
  get stopRequestReason(): string | undefined {
    return this.stopRequest;
  }

  // ---- exceptions ---------------------------------------------------------------

  exception(cause: number, tval: number): unknown {
    this.pendingCause = cause;
    this.pendingTval = tval >>> 0;
    return TRAP;
  }

  illegal(word: number): unknown {
    return this.exception(Cause.IllegalInsn, word);
  }

  /** Illegal instruction for the instruction at pc (sync ops run with pc flushed). */
  private illegalHere(): unknown {
    const pa = this.mmu.peekTranslate(this.pc, Access.Fetch);
    let word = 0;
    if (pa !== undefined && this.bus.ramOffset(pa, 4) >= 0) word = this.bus.read(pa, 4);
    return this.illegal(word);
  }

  ecall(): unknown {
    return this.exception(this.priv === Priv.U ? Cause.EcallU : this.priv === Priv.S ? Cause.EcallS : Cause.EcallM, 0);
  }

  ebreak(pc: number): unknown {
    return this.exception(Cause.Breakpoint, pc);
  }

  takePendingTrap(): void {
    this.trap(this.pendingCause, this.pendingTval, false);
  }

  /** Enters the trap handler for `code` (an exception, or an interrupt when `interrupt`). */
  trap(code: number, tval: number, interrupt: boolean): void {
    const c = this.csr;
    const deleg = interrupt ? c.mideleg : c.medeleg;
    const toS = this.priv !== Priv.M && ((deleg >>> code) & 1) === 1;
    const mcause = interrupt ? (0x80000000 | code) >>> 0 : code;
    this.mmu.reservation = -1;
    this.waiting = false;
    if (!toS && this.host.onMachineTrap?.(this, mcause, tval)) return;
    const ms = c.mstatus;
    if (toS) {
      c.sepc = this.pc;
      c.scause = mcause;
      c.stval = tval;
      c.mstatus = (ms & ~(MSTATUS.SPIE | MSTATUS.SIE | MSTATUS.SPP)) |
        (ms & MSTATUS.SIE ? MSTATUS.SPIE : 0) | (this.priv === Priv.S ? MSTATUS.SPP : 0);
      this.priv = Priv.S;
      this.pc = trapVector(c.stvec, code, interrupt);
    } else {
      c.mepc = this.pc;
      c.mcause = mcause;
      c.mtval = tval;
      c.mstatus = (ms & ~(MSTATUS.MPIE | MSTATUS.MIE | MSTATUS.MPP)) |
        (ms & MSTATUS.MIE ? MSTATUS.MPIE : 0) | (this.priv << MSTATUS.MPP_SHIFT);
      this.priv = Priv.M;
      this.pc = trapVector(c.mtvec, code, interrupt);
    }
    this.mmu.refresh();
  }

  /** Takes the highest-priority pending and enabled interrupt, if any. */
  checkInterrupts(): boolean {
    const c = this.csr;
    const pending = c.mip & c.mie;
    if (pending === 0) return false;
    this.waiting = false;
    const ms = c.mstatus;
    const toM = pending & ~c.mideleg;
    const mEnabled = this.priv !== Priv.M || (ms & MSTATUS.MIE) !== 0;
    const toS = pending & c.mideleg;
    const sEnabled = this.priv === Priv.U || (this.priv === Priv.S && (ms & MSTATUS.SIE) !== 0);
    const candidates = (mEnabled ? toM : 0) | (sEnabled ? toS : 0);
    if (candidates === 0) return false;
    // M-level interrupts outrank S-level ones, then the architectural order.
    const set = mEnabled && toM ? toM : candidates;
    for (const bit of IRQ_PRIORITY) {
      if (set & (1 << bit)) {
        this.trap(bit, 0, true);
        return true;
      }
    }
    return false;
  }

  // ---- privileged instructions -------------------------------------------------

  mret(): number {
    if (this.priv !== Priv.M) throw this.illegalHere();
    const c = this.csr;
    const ms = c.mstatus;
    const mpp = ((ms & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) as Priv;
    let v = (ms & ~(MSTATUS.MIE | MSTATUS.MPP)) | (ms & MSTATUS.MPIE ? MSTATUS.MIE : 0) | MSTATUS.MPIE;
    if (mpp !== Priv.M) v &= ~MSTATUS.MPRV;
    c.mstatus = v;
    this.priv = mpp;
    this.mmu.reservation = -1;
    this.mmu.refresh();
    return c.mepc >>> 0;
  }

  sret(): number {
    if (this.priv === Priv.U || (this.priv === Priv.S && this.csr.mstatus & MSTATUS.TSR)) throw this.illegalHere();
    const c = this.csr;
    const ms = c.mstatus;
    const spp = ms & MSTATUS.SPP ? Priv.S : Priv.U;
    c.mstatus = ((ms & ~(MSTATUS.SIE | MSTATUS.SPP | MSTATUS.MPRV)) | (ms & MSTATUS.SPIE ? MSTATUS.SIE : 0) | MSTATUS.SPIE);
    this.priv = spp;
    this.mmu.reservation = -1;
    this.mmu.refresh();
    return c.sepc >>> 0;
  }

  wfi(): void {
    if (this.priv === Priv.U || (this.priv === Priv.S && this.csr.mstatus & MSTATUS.TW)) throw this.illegalHere();
    if ((this.csr.mip & this.csr.mie) === 0) this.waiting = true;
  }

  sfenceVma(_va: number, _asid: number): void {
    if (this.priv === Priv.U || (this.priv === Priv.S && this.csr.mstatus & MSTATUS.TVM)) throw this.illegalHere();
    this.mmu.refresh();
  }

  fenceI(): void {
    // Nothing to do: the decode cache is coherent with every store, and a store into
    // compiled code drops that code before it happens (see Mmu.codeStore).
  }

  /** CSR instruction semantics: privilege and read-only checks, then read-modify-write. */
  csrAccess(num: number, kind: 'W' | 'S' | 'C', value: number, _readsRd: boolean, writesForSetClear: boolean): number {
    const writes = kind === 'W' || writesForSetClear;
    const priv = this.priv;
    if (((num >>> 8) & 3) > priv) throw this.illegalHere();
    if (writes && num >>> 10 === 3) throw this.illegalHere();
    if (num === 0x180 && priv === Priv.S && this.csr.mstatus & MSTATUS.TVM) throw this.illegalHere();
    if (!this.csr.counterAllowed(num, priv)) throw this.illegalHere();
    const old = this.csr.read(num);
    if (old === undefined) throw this.illegalHere();
    if (writes) {
      // CSRRS/CSRRC modify what software can write: for mip that excludes the device lines.
      const base = kind === 'W' ? 0 : this.csr.readModifyWriteBase(num, old);
      const v = kind === 'W' ? value : kind === 'S' ? base | value : base & ~value;
      this.csr.write(num, v);
    }
    return old | 0;
  }

  // ---- running ------------------------------------------------------------------

  /**
   * Runs up to `limit` instructions (a trap counts as one, so a trap loop still
   * ends). Returns the number retired; `stopReason` says why it returned.
   */
  run(limit: number): number {
    const start = this.retired;
    let budget = limit;
    this.stopReason = StopReason.Limit;
    this.stopRequest = undefined;
    this.sliceEndRequested = false;
    if (this.markedStamp !== this.breakpoints.stamp) this.refreshBreakpointMarks();
    while (budget > 0) {
      this.checkInterrupts();
      if (this.waiting) {
        this.stopReason = StopReason.Wfi;
        break;
      }
      budget -= this.jit ? this.jit.run(budget) : this.runFn(budget, false);
      const exit = this.exit;
      if (exit === Exit.Breakpoint) {
        this.stopReason = StopReason.Breakpoint;
        break;
      }
      if (exit === Exit.Trap) budget--;
      else if (exit === Exit.Retry) budget -= this.stepSlow();
      if (this.stopRequest !== undefined) {
        this.stopReason = StopReason.Requested;
        break;
      }
      if (this.sliceEndRequested) {
        this.sliceEndRequested = false;
        break;
      }
    }
    return this.retired - start;
  }

  /**
   * Executes exactly one instruction or takes one trap, ignoring breakpoints. Taking
   * a pending interrupt is a step of its own: it leaves the pc at the handler's first
   * instruction, which the next step executes (so a trace or a debugger sees it).
   */
  step(): void {
    this.stopReason = StopReason.Limit;
    this.stopRequest = undefined;
    if (!this.checkInterrupts()) {
      if (this.waiting) {
        this.stopReason = StopReason.Wfi;
        return;
      }
      this.stepSlow();
    }
    if (this.stopRequest !== undefined) this.stopReason = StopReason.Requested;
    else if (this.waiting) this.stopReason = StopReason.Wfi;
  }

  /** One instruction in slow mode; returns the budget it used (1). */
  private stepSlow(): number {
    this.slow = true;
    try {
      this.runFn(1, true);
    } finally {
      this.slow = false;
    }
    return 1;
  }

  /** Resets to the power-on state with the pc at `entry`. */
  reset(entry: number): void {
    this.x.fill(0);
    this.pc = entry >>> 0;
    this.priv = Priv.M;
    this.waiting = false;
    const c = this.csr;
    c.mstatus = 0;
    c.medeleg = c.mideleg = c.mie = c.mipSoft = 0;
    c.mtvec = c.stvec = c.mepc = c.sepc = c.mcause = c.scause = c.mtval = c.stval = 0;
    c.mscratch = c.sscratch = c.satp = c.mcounteren = c.scounteren = 0;
    c.pmpcfg.fill(0);
    c.pmpaddr.fill(0);
    this.mmu.reservation = -1;
    this.mmu.refresh();
  }
}

function trapVector(tvec: number, code: number, interrupt: boolean): number {
  const base = tvec & ~3;
  return ((tvec & 1) && interrupt ? base + 4 * code : base) >>> 0;
}
