/**
 * The runtime API: the one seam the CLI and the debug adapter drive. It owns a
 * machine, runs it in slices (so a host event loop is never blocked for long),
 * answers queries about its state and emits events. It knows nothing of DAP.
 *
 * A runtime is a *target*: one machine (one VM) with `hartCount` harts. The
 * queries take a hart index (0 for the bare-metal machine's only hart).
 *
 * Run control: run() (continue), pause(), stepInstruction(), stepIn(),
 * stepOver(), stepOut() at line or instruction granularity. Breakpoints and
 * watchpoints live in the emulator (guest memory is never patched) and carry
 * conditions, hit conditions and log messages. Traps can be made to stop.
 * Faults can be injected now or scheduled at an instruction count.
 *
 * Events:
 *   'output'  (text, source)          guest console output (the UART)
 *   'stopped' (RuntimeStop)           the machine stopped (all harts)
 *   'exited'  (code)                  the guest ended through the finisher or HTIF
 *   'log'     (text, breakpointId)    a log point fired
 *   'fault'   (FaultRecord)           a fault was injected
 *   'trace'   (text)                  trace lines (see TraceOptions)
 */
import { EventEmitter } from 'node:events';
import { Access, MSTATUS, Priv, describeCause } from '../cpu/constants';
import type { Hart } from '../cpu/hart';
import { WATCH_LOAD, WATCH_STORE } from '../cpu/mmu';
import { decode, Decoded } from '../isa/decode';
import { disassembleText } from '../isa/disasm';
import { ABI_NAMES, registerNumber } from '../isa/registers';
import { csrNumber } from '../isa/csr-names';
import { ElfFile, LineTable, SourceLocation, SymbolTable, parseElf } from '../loader';
import {
  Evaluator, ExprContext, ExprError, ExprValue, LValue, Node, parseExpression, parseHitCondition,
} from './runtime-expr';
import { BreakpointTable, conditionHolds } from './runtime-breakpoints';
import { unwindStack } from './runtime-unwind';
import type {
  BreakpointSpec, FaultRecord, FaultSpec, InstallResult, RuntimeFrame, RuntimeStop, ScheduledFault, TraceOptions,
  TrapInfo, TrapStopOptions, WatchHit, WatchpointSpec,
} from './runtime-types';
import { MachineStop, VirtMachine, VirtMachineOptions } from './virt-machine';
import { hex32 as hex } from '../util/hex';

export type * from './runtime-types';
export { ExprError } from './runtime-expr';

export interface MemoryRead {
  /** The bytes read, up to the first unreadable byte. */
  data: Uint8Array;
  /** Bytes past `data` that could not be read (unmapped, or MMIO that reading would disturb). */
  unreadable: number;
}

/** How many instructions run between yields to the host event loop. */
const SLICE = 1_000_000;
/** Longest time a run keeps the event loop busy before it yields (ms). */
const YIELD_MS = 15;
/** Instructions per slice while tracing every instruction. */
const TRACE_SLICE = 10_000;
const STOP_MARK = 'pvlab-debug';

interface InstalledWatch {
  spec: WatchpointSpec;
  condition?: Node;
  hit?: (n: number) => boolean;
  hits: number;
  remove: () => void;
}

/** A temporary stop used by stepping: stop at one of `addresses` when `accept()` holds there. */
interface TempStop {
  addresses: readonly number[];
  accept(): boolean;
}

export class BareMetalRuntime extends EventEmitter {
  readonly machine: VirtMachine;
  readonly symbols: SymbolTable;
  readonly lines: LineTable | undefined;
  /** Why the DWARF line table could not be read, if it could not. */
  readonly lineTableError: string | undefined;
  /** Number of harts of this target. */
  readonly hartCount = 1;
  private pauseRequested = false;
  private running = false;
  private outputBuffer: number[] = [];
  private readonly breakpointTable = new BreakpointTable();
  private watches: InstalledWatch[] = [];
  private pendingWatchHits: WatchHit[] = [];
  private pendingTrap: TrapInfo | undefined;
  private trapStops: TrapStopOptions = {};
  private faults: ScheduledFault[] = [];
  private trace: TraceOptions = {};
  /** The temporary stop of the step in progress. */
  private temp: TempStop | undefined;
  /** Addresses where a line-table row that is a statement starts. */
  private stmtStarts: Set<number> | undefined;

  constructor(readonly elf: ElfFile, options: Omit<VirtMachineOptions, 'onUartOutput'> = {}) {
    super();
    this.machine = new VirtMachine({ ...options, onUartOutput: (b) => this.outputBuffer.push(b) });
    this.machine.load(elf);
    this.symbols = new SymbolTable(elf.symbols, elf.sections);
    try {
      this.lines = LineTable.fromElf(elf);
    } catch (e) {
      // Broken debug info must not keep a program from running; it only loses source lines.
      this.lines = undefined;
      this.lineTableError = (e as Error).message;
    }
    this.hookMachine();
  }

  static fromElfBytes(bytes: Uint8Array, options?: Omit<VirtMachineOptions, 'onUartOutput'>): BareMetalRuntime {
    return new BareMetalRuntime(parseElf(bytes), options);
  }

  get hart(): Hart {
    return this.machine.hart;
  }

  /** The hart with this index (throws for an index this target does not have). */
  hartAt(index = 0): Hart {
    if (index !== 0) throw new Error(`no hart ${index}: this machine has one hart`);
    return this.machine.hart;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The machine's watch and trap callbacks also feed the debugger. */
  private hookMachine(): void {
    const m = this.machine;
    const onWatch = m.onWatch.bind(m);
    m.onWatch = (hart, pa, size, access, value) => {
      onWatch(hart, pa, size, access, value);
      this.watchHit(hart, pa, size, access, value);
    };
    const onTrap = m.onMachineTrap.bind(m);
    m.onMachineTrap = (hart, mcause, tval) => {
      const handled = onTrap(hart, mcause, tval);
      if (!handled) this.trapTaken(hart, mcause, tval);
      return handled;
    };
  }

  /** Delivers buffered UART output as an 'output' event. */
  flushOutput(): void {
    if (this.outputBuffer.length === 0) return;
    const text = Buffer.from(this.outputBuffer).toString('latin1');
    this.outputBuffer = [];
    this.emit('output', text, 'uart0');
  }

  /** Runs synchronously until a stop or `maxInsns` (CLI use; no debugger state involved). */
  runSync(maxInsns = Infinity): MachineStop {
    let left = maxInsns;
    for (;;) {
      const stop = this.machine.run(Math.min(left, SLICE));
      left -= SLICE;
      this.flushOutput();
      if (stop.kind !== 'limit' || left <= 0) return this.finish(stop);
    }
  }

  // ---- run control -------------------------------------------------------------

  /** Continues until a stop, a pause or `maxInsns`; emits and returns the stop. */
  async run(maxInsns = Infinity): Promise<RuntimeStop> {
    return this.finish(await this.guard(() => this.runLoop(undefined, maxInsns)));
  }

  /** Asks a running run or step to stop at its next yield ('paused'). */
  pause(): void {
    this.pauseRequested = true;
  }

  /** One instruction (a trap taken counts as one). */
  stepInstruction(): RuntimeStop {
    if (this.running) throw new Error('the machine is running');
    return this.finish(this.stepOne() ?? { kind: 'step' });
  }

  /** Step into: to the next line (entering calls, skipping their prologue), or one instruction. */
  async stepIn(granularity: 'line' | 'instruction' = 'line'): Promise<RuntimeStop> {
    if (granularity === 'instruction' || !this.lineAt(this.hart.pc)) return this.stepInstruction();
    return this.finish(await this.guard(() => this.stepLine(false)));
  }

  /** Step over: to the next line, or one instruction, running calls (and traps) to their return. */
  async stepOver(granularity: 'line' | 'instruction' = 'line'): Promise<RuntimeStop> {
    return this.finish(await this.guard(async () => {
      if (granularity === 'line' && this.lineAt(this.hart.pc)) return this.stepLine(true);
      return this.stepInstructionOver();
    }));
  }

  /** Step out: run until the current function returns to its caller. Throws when no caller is known. */
  async stepOut(): Promise<RuntimeStop> {
    if (this.running) throw new Error('the machine is running');
    const frames = this.stackFrames(0, 2);
    if (frames.length < 2 || frames[0].cfa === undefined) {
      throw new Error(`cannot step out of ${frames[0]?.functionName ?? 'this code'}: its caller is not known`);
    }
    const ret = frames[1].pc;
    const cfa = frames[0].cfa;
    return this.finish(await this.guard(() => this.runLoop({ addresses: [ret], accept: () => this.sp() >= cfa })));
  }

  private async guard(body: () => Promise<RuntimeStop>): Promise<RuntimeStop> {
    if (this.running) throw new Error('the machine is running');
    this.running = true;
    this.pauseRequested = false;
    try {
      return await body();
    } finally {
      this.running = false;
      this.syncBreakpoints();
    }
  }

  private finish<T extends RuntimeStop | MachineStop>(stop: T): T {
    this.flushOutput();
    if (stop.kind === 'exit') this.emit('exited', stop.code);
    else this.emit('stopped', stop);
    return stop;
  }

  private sp(): number {
    return this.hart.x[2] >>> 0;
  }

  /**
   * The run loop: machine.run in slices, turning breakpoint/watch/trap stops into
   * RuntimeStops (or going on when conditions do not hold), applying scheduled
   * faults on time, and yielding to the event loop so pause() is heard.
   */
  private async runLoop(temp: TempStop | undefined, maxInsns = Infinity): Promise<RuntimeStop> {
    this.temp = temp;
    try {
      return await this.runSlices(temp, maxInsns);
    } finally {
      this.temp = undefined;
      this.syncBreakpoints();
    }
  }

  private async runSlices(temp: TempStop | undefined, maxInsns: number): Promise<RuntimeStop> {
    this.syncBreakpoints();
    const due = this.applyDueFaults();
    if (due) return due;
    const hart = this.hart;
    let left = maxInsns;
    // Leaving a breakpoint address: execute that instruction first, or it would stop again at once.
    if (hart.breakpoints.has(hart.pc)) {
      const s = this.stepOne();
      left--;
      if (s) return s;
      if (temp && this.atTemp(temp)) return { kind: 'step' };
    }
    let lastYield = performance.now();
    while (left > 0) {
      const budget = Math.min(this.trace.instructions ? TRACE_SLICE : SLICE, left, this.faultBudget());
      const before = hart.retired;
      const stop = this.trace.instructions ? this.runTraced(budget) : this.machine.run(budget);
      left -= Math.max(1, hart.retired - before);
      this.flushOutput();
      const r = this.resolve(stop, temp) ?? this.applyDueFaults();
      if (r) return r;
      if (performance.now() - lastYield >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        if (this.pauseRequested) return { kind: 'paused' };
      }
    }
    return { kind: 'limit' };
  }

  private atTemp(temp: TempStop): boolean {
    return temp.addresses.includes(this.hart.pc >>> 0) && temp.accept();
  }

  /** Turns what the machine reported into a stop, or undefined to keep going. */
  private resolve(stop: MachineStop, temp: TempStop | undefined): RuntimeStop | undefined {
    switch (stop.kind) {
      case 'limit':
        return undefined;
      case 'breakpoint': {
        const pc = stop.pc >>> 0;
        const ids = this.breakpointsFire(pc);
        if (ids.length > 0) return { kind: 'breakpoint', pc, ids };
        if (temp && this.atTemp(temp)) return { kind: 'step' };
        // Not stopping here: execute the instruction and go on.
        const s = this.stepOne();
        if (s) return s;
        if (temp && this.atTemp(temp)) return { kind: 'step' };
        return undefined;
      }
      case 'requested':
        if (stop.why === STOP_MARK) return this.debugStop();
        return stop;
      default:
        return stop;
    }
  }

  /** Watch hits and traps noted during the last instruction: a stop if one fires. */
  private debugStop(): RuntimeStop | undefined {
    const pc = this.hart.pc >>> 0;
    const trap = this.pendingTrap;
    this.pendingTrap = undefined;
    const hits = this.pendingWatchHits;
    this.pendingWatchHits = [];
    const fired = hits.filter((h) => this.watchFires(h));
    if (fired.length > 0) return { kind: 'watchpoint', pc, hits: fired };
    if (trap) return { kind: 'trap', pc, trap };
    return undefined;
  }

  /** One instruction regardless of breakpoints; a stop when something (a watch, a trap, an exit) says so. */
  private stepOne(): RuntimeStop | undefined {
    const due = this.applyDueFaults();
    if (due) return due;
    const pc = this.hart.pc;
    const line = this.trace.instructions ? this.traceLine(pc) : undefined;
    const s = this.machine.step();
    if (line !== undefined) this.emit('trace', line + this.traceResult());
    this.flushOutput();
    if (!s) return undefined;
    if (s.kind === 'requested' && s.why === STOP_MARK) return this.debugStop();
    return s as RuntimeStop;
  }

  /** Like machine.run, one instruction at a time with a trace line each. */
  private runTraced(budget: number): MachineStop {
    const hart = this.hart;
    const lines: string[] = [];
    try {
      for (let i = 0; i < budget; i++) {
        if (hart.breakpoints.has(hart.pc)) return { kind: 'breakpoint', pc: hart.pc };
        const line = this.traceLine(hart.pc);
        const s = this.machine.step();
        lines.push(line + this.traceResult());
        if (s) return s;
      }
      return { kind: 'limit' };
    } finally {
      if (lines.length) this.emit('trace', lines.join('\n'));
    }
  }

  private traceBefore = { retired: 0, x: new Int32Array(32) };

  private traceLine(pc: number): string {
    const m = this.readMemory(pc, 4, true);
    this.traceBefore.retired = this.hart.retired;
    this.traceBefore.x.set(this.hart.x.subarray(0, 32));
    if (m.unreadable) return `${hex(pc)}: <unreadable>`;
    const word = wordOf(m.data);
    return `${hex(pc)}: ${word.toString(16).padStart(8, '0')}  ${disassembleText(word, pc, (t) => this.symbolize(t))}`;
  }

  private traceResult(): string {
    if (this.hart.retired === this.traceBefore.retired) return '    (trap)';
    for (let i = 1; i < 32; i++) {
      if (this.hart.x[i] !== this.traceBefore.x[i]) return `    ${ABI_NAMES[i]}=${hex(this.hart.x[i])}`;
    }
    return '';
  }

  // ---- line stepping ---------------------------------------------------------------

  private lineAt(pc: number): SourceLocation | undefined {
    return this.lines?.lookup(pc >>> 0);
  }

  private isStmtStart(pc: number): boolean {
    if (!this.stmtStarts) {
      this.stmtStarts = new Set();
      for (const r of this.lines?.rows ?? []) if (r.isStmt && !r.endSequence) this.stmtStarts.add(r.address >>> 0);
    }
    return this.stmtStarts.has(pc >>> 0);
  }

  private decodeAt(pc: number): Decoded | undefined {
    const m = this.readMemory(pc, 4, true);
    return m.unreadable ? undefined : decode(wordOf(m.data));
  }

  private static isCall(d: Decoded | undefined): boolean {
    return !!d?.def && (d.def.name === 'jal' || d.def.name === 'jalr') && (d.rd === 1 || d.rd === 5);
  }

  /** Where the instruction `d` at `pc` may go next when it does not trap; undefined for xRET. */
  private nextPcs(pc: number, d: Decoded | undefined): number[] | undefined {
    if (!d?.def) return [(pc + 4) >>> 0];
    const name = d.def.name;
    if (name === 'mret' || name === 'sret') return undefined;
    if (name === 'jal') return [(pc + d.imm) >>> 0];
    if (name === 'jalr') return [((this.hart.x[d.rs1] + d.imm) & ~1) >>> 0];
    if (d.def.format === 'B') return [(pc + 4) >>> 0, (pc + d.imm) >>> 0];
    return [(pc + 4) >>> 0];
  }

  /** Runs a call at pc (or a trap handler) back to `ret` with the stack at least where it was. */
  private runTo(addresses: number[], accept: () => boolean): Promise<RuntimeStop> {
    return this.runLoop({ addresses, accept });
  }

  /** One instruction, but a call (or a trap entered) runs to its return. */
  private async stepInstructionOver(): Promise<RuntimeStop> {
    const pc = this.hart.pc >>> 0;
    const d = this.decodeAt(pc);
    if (BareMetalRuntime.isCall(d)) {
      const sp = this.sp();
      return this.runTo([(pc + 4) >>> 0], () => this.sp() >= sp);
    }
    return (await this.stepOverTraps(pc, d)) ?? { kind: 'step' };
  }

  /** Executes one instruction; if it entered a trap handler, runs that to its return. Undefined: no stop. */
  private async stepOverTraps(pc: number, d: Decoded | undefined): Promise<RuntimeStop | undefined> {
    const expected = this.nextPcs(pc, d);
    const priv = this.hart.priv;
    const s = this.stepOne();
    if (s) return s;
    if (!expected || expected.includes(this.hart.pc >>> 0)) return undefined;
    // A trap (or an interrupt taken before the instruction): back to where it returns.
    const epc = this.hart.priv === Priv.M ? this.hart.csr.mepc >>> 0 : this.hart.csr.sepc >>> 0;
    const r = await this.runTo([epc, (epc + 4) >>> 0], () => this.hart.priv === priv);
    return r.kind === 'step' ? undefined : r;
  }

  /** The first address after the prologue of the function entered at `entry` (for step-in and function breakpoints). */
  prologueEnd(entry: number): number {
    entry >>>= 0;
    const first = this.lineAt(entry);
    if (!first) return entry;
    const sym = this.symbols.lookup(entry);
    const end = sym && sym.symbol.size > 0 ? (sym.symbol.value + sym.symbol.size) >>> 0 : entry + 256;
    for (let a = entry + 4; a < end; a += 4) {
      const d = this.decodeAt(a - 4);
      if (!isPrologueInsn(d)) return entry; // not a compiler prologue (hand-written code): stop at the entry
      const loc = this.lineAt(a);
      if (!loc) return entry;
      if (this.isStmtStart(a) && (loc.line !== first.line || loc.file !== first.file)) return a;
    }
    return entry;
  }

  private async stepLine(over: boolean): Promise<RuntimeStop> {
    const start = this.lineAt(this.hart.pc) as SourceLocation;
    let lastYield = performance.now();
    for (;;) {
      const pc = this.hart.pc >>> 0;
      const d = this.decodeAt(pc);
      if (BareMetalRuntime.isCall(d)) {
        const sp = this.sp();
        const ret = (pc + 4) >>> 0;
        if (over) {
          const r = await this.runTo([ret], () => this.sp() >= sp);
          if (r.kind !== 'step') return r;
        } else {
          const s = this.stepOne() ?? this.breakpointHere();
          if (s) return s;
          const entry = this.hart.pc >>> 0;
          if (this.lineAt(entry)) {
            const body = this.prologueEnd(entry);
            return body === entry ? { kind: 'step' } : this.runTo([body], () => true);
          }
          // No line information in the callee: run it and go on stepping in the caller.
          const r = await this.runTo([ret], () => this.sp() >= sp);
          if (r.kind !== 'step') return r;
        }
      } else {
        const s = (over ? await this.stepOverTraps(pc, d) : this.stepOne()) ?? this.breakpointHere();
        if (s) return s;
      }
      const now = this.hart.pc >>> 0;
      const loc = this.lineAt(now);
      if (!loc) return { kind: 'step' }; // left the code that has line information
      if (this.isStmtStart(now) && (loc.line !== start.line || loc.file !== start.file)) return { kind: 'step' };
      if (performance.now() - lastYield >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        if (this.pauseRequested) return { kind: 'paused' };
      }
    }
  }

  /** A breakpoint stop when stepping arrived at a breakpoint whose conditions hold. */
  private breakpointHere(): RuntimeStop | undefined {
    const pc = this.hart.pc >>> 0;
    if (!this.hart.breakpoints.has(pc)) return undefined;
    const ids = this.breakpointsFire(pc);
    return ids.length > 0 ? { kind: 'breakpoint', pc, ids } : undefined;
  }

  // ---- breakpoints ---------------------------------------------------------------

  /**
   * Replaces the breakpoints of one group (each DAP request kind owns one: source,
   * function, instruction). Returns, per spec, whether it was installed.
   */
  setBreakpoints(group: string, specs: readonly BreakpointSpec[]): InstallResult[] {
    const results = this.breakpointTable.set(group, specs, (spec) =>
      this.readMemory(spec.address, 4, true).unreadable ? `no code at ${hex(spec.address)}: the address is not in RAM` : undefined);
    this.syncBreakpoints();
    return results;
  }

  /** Plain breakpoints at these addresses (no conditions), in their own group. */
  setInstructionBreakpoints(addresses: Iterable<number>): void {
    this.setBreakpoints('plain', [...addresses].map((address, i) => ({ id: -1 - i, address })));
  }

  /** The hart's breakpoint set = every group's addresses (+ the temporary stop of a step in progress). */
  private syncBreakpoints(): void {
    const bps = this.hart.breakpoints;
    bps.clear();
    for (const a of this.breakpointTable.addresses()) bps.add(a);
    if (this.temp) for (const a of this.temp.addresses) bps.add(a >>> 0);
  }

  /** Evaluates the breakpoints at `pc` (conditions, hit counts, log points); returns the ids that stop. */
  private breakpointsFire(pc: number): number[] {
    return this.breakpointTable.fire(pc, this.exprContext(0), (text, id) => this.emit('log', text, id));
  }

  /** A condition that cannot be evaluated stops (and says why), as gdb does. */
  private conditionHolds(cond: Node, id: number): boolean {
    return conditionHolds(cond, this.exprContext(0), id, (text, i) => this.emit('log', text, i));
  }

  // ---- watchpoints -----------------------------------------------------------------

  /** Replaces all data watchpoints. Only RAM can be watched. */
  setWatchpoints(specs: readonly WatchpointSpec[]): InstallResult[] {
    const old = this.watches;
    for (const w of old) w.remove();
    this.watches = [];
    return specs.map((spec) => {
      try {
        const size = spec.size;
        if (!(size >= 1 && size <= 4096)) return { ok: false, message: `cannot watch ${size} bytes` };
        const bus = this.machine.bus;
        if (bus.ramOffset(spec.address >>> 0, size) < 0) {
          return { ok: false, message: `${hex(spec.address)}: only RAM can be watched` };
        }
        const w: InstalledWatch = { spec, hits: 0, remove: () => undefined };
        if (spec.condition?.trim()) w.condition = parseExpression(spec.condition);
        if (spec.hitCondition?.trim()) w.hit = parseHitCondition(spec.hitCondition);
        const flags = (spec.access !== 'write' ? WATCH_LOAD : 0) | (spec.access !== 'read' ? WATCH_STORE : 0);
        w.remove = this.hart.mmu.addWatch(spec.address >>> 0, size, flags);
        const prev = old.find((o) => o.spec.id === spec.id && o.spec.address === spec.address && o.spec.condition === spec.condition && o.spec.hitCondition === spec.hitCondition);
        if (prev) w.hits = prev.hits;
        this.watches.push(w);
        return { ok: true } as InstallResult;
      } catch (e) {
        return { ok: false, message: e instanceof ExprError ? `bad condition: ${e.message}` : (e as Error).message };
      }
    });
  }

  private watchHit(hart: Hart, pa: number, size: number, access: Access, value: number): void {
    const kind = access === Access.Store ? 'write' : 'read';
    for (const w of this.watches) {
      const s = w.spec;
      if (s.access !== 'readWrite' && s.access !== kind) continue;
      if (!(pa < s.address + s.size && s.address < pa + size)) continue;
      if (this.pendingWatchHits.some((h) => h.id === s.id)) continue;
      this.pendingWatchHits.push({ id: s.id, address: pa >>> 0, size, access: kind, value: value >>> 0 });
      hart.requestStop(STOP_MARK);
    }
  }

  private watchFires(h: WatchHit): boolean {
    const w = this.watches.find((x) => x.spec.id === h.id);
    if (!w) return false;
    if (w.condition && !this.conditionHolds(w.condition, h.id)) return false;
    w.hits++;
    return !w.hit || w.hit(w.hits);
  }

  // ---- traps -----------------------------------------------------------------------

  /** Which traps stop the run. */
  setTrapStops(options: TrapStopOptions): void {
    this.trapStops = { ...options };
  }

  private trapTaken(hart: Hart, mcause: number, tval: number): void {
    const interrupt = (mcause & 0x80000000) !== 0;
    const code = mcause & 0x7fffffff;
    const category: TrapInfo['category'] = interrupt ? 'interrupt' : code === 8 || code === 9 || code === 11 ? 'ecall' : code === 3 ? 'ebreak' : 'exception';
    const info: TrapInfo = {
      cause: mcause >>> 0, tval: tval >>> 0, epc: hart.pc >>> 0, category,
      description: `${describeCause(mcause)} at ${hex(hart.pc)}${interrupt ? '' : ` (mtval ${hex(tval)})`}`,
    };
    if (this.trace.traps) this.emit('trace', `trap: ${info.description}`);
    const t = this.trapStops;
    const stop = category === 'ecall' ? t.ecall : category === 'ebreak' ? t.ebreak : category === 'exception' ? t.exceptions : false;
    if (stop) {
      this.pendingTrap = info;
      hart.requestStop(STOP_MARK);
    }
  }

  // ---- faults and tracing --------------------------------------------------------------

  setTrace(options: TraceOptions): void {
    this.trace = { ...options };
  }

  /** Schedules faults at instruction counts (replacing earlier schedules). */
  scheduleFaults(faults: readonly ScheduledFault[]): void {
    this.faults = [...faults].sort((a, b) => a.at - b.at);
  }

  /** Adds one fault to the schedule (at = the instruction count when it applies; now or past = at the next boundary). */
  scheduleFault(fault: ScheduledFault): void {
    this.faults.push(fault);
    this.faults.sort((a, b) => a.at - b.at);
  }

  /** Applies a fault now; returns what happened. */
  injectFault(fault: FaultSpec): FaultRecord {
    const hart = this.hart;
    const pc = hart.pc >>> 0;
    let description: string;
    switch (fault.kind) {
      case 'flip-memory': {
        const m = this.readMemory(fault.address, 1);
        if (m.unreadable) throw new Error(`cannot flip a bit at ${hex(fault.address)}: not RAM`);
        const bit = fault.bit & 7;
        this.writeMemory(fault.address, Uint8Array.of(m.data[0] ^ (1 << bit)));
        description = `flipped bit ${bit} of the byte at ${hex(fault.address)}`;
        break;
      }
      case 'write-memory': {
        const size = fault.size ?? 4;
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = (fault.value >>> (8 * i)) & 0xff;
        if (this.writeMemory(fault.address, bytes) !== size) throw new Error(`cannot write ${size} bytes at ${hex(fault.address)}: not RAM`);
        description = `wrote ${hex(fault.value)} (${size} bytes) at ${hex(fault.address)}`;
        break;
      }
      case 'flip-register':
      case 'set-register': {
        const name = fault.register;
        const i = name === 'pc' ? -1 : registerNumber(name);
        if (i === undefined) throw new Error(`no register ${name}`);
        const old = i < 0 ? hart.pc : hart.x[i];
        const v = fault.kind === 'set-register' ? fault.value : old ^ (1 << (fault.bit & 31));
        this.setRegister(i < 0 ? 'pc' : i, v);
        description = fault.kind === 'set-register' ? `set ${name} to ${hex(v)}` : `flipped bit ${fault.bit & 31} of ${name} (${hex(old)} -> ${hex(v)})`;
        break;
      }
      case 'trap': {
        hart.trap(fault.cause & 0x7fffffff, fault.tval ?? 0, false);
        description = `raised ${describeCause(fault.cause & 0x7fffffff)} at ${hex(pc)}`;
        break;
      }
      default:
        throw new Error(`unknown fault kind ${(fault as { kind: string }).kind}`);
    }
    const record: FaultRecord = { fault, retired: hart.retired, pc, description };
    if (this.trace.faults) this.emit('trace', `fault: ${description}`);
    this.emit('fault', record);
    return record;
  }

  private faultBudget(): number {
    const next = this.faults[0];
    return next ? Math.max(1, next.at - this.hart.retired) : Infinity;
  }

  /** Applies the faults that are due; a stop when one of them raised a trap the debugger stops on. */
  private applyDueFaults(): RuntimeStop | undefined {
    let applied = false;
    while (this.faults.length > 0 && this.faults[0].at <= this.hart.retired) {
      const { fault } = this.faults.shift() as ScheduledFault;
      applied = true;
      try {
        this.injectFault(fault);
      } catch (e) {
        this.emit('trace', `fault not injected: ${(e as Error).message}`);
      }
    }
    return applied && this.pendingTrap ? this.debugStop() : undefined;
  }

  // ---- state queries ---------------------------------------------------------

  registers(hartIndex = 0): { name: string; value: number }[] {
    const hart = this.hartAt(hartIndex);
    const x = hart.x;
    const regs = ABI_NAMES.map((name, i) => ({ name, value: x[i] >>> 0 }));
    regs.push({ name: 'pc', value: hart.pc >>> 0 });
    return regs;
  }

  setRegister(nameOrIndex: string | number, value: number, hartIndex = 0): void {
    const hart = this.hartAt(hartIndex);
    if (nameOrIndex === 'pc') {
      hart.pc = value >>> 0 & ~3;
      return;
    }
    const i = typeof nameOrIndex === 'number' ? nameOrIndex : registerNumber(nameOrIndex) ?? -1;
    if (i < 0 || i > 31) throw new Error(`no register ${nameOrIndex}`);
    if (i !== 0) hart.x[i] = value | 0;
  }

  /** Current privilege mode of a hart: 'M', 'S' or 'U'. */
  privilege(hartIndex = 0): 'M' | 'S' | 'U' {
    const p = this.hartAt(hartIndex).priv;
    return p === Priv.M ? 'M' : p === Priv.S ? 'S' : 'U';
  }

  readCsr(nameOrNumber: string | number, hartIndex = 0): number | undefined {
    const num = typeof nameOrNumber === 'number' ? nameOrNumber : csrNumber(nameOrNumber);
    return num === undefined ? undefined : this.hartAt(hartIndex).csr.read(num);
  }

  writeCsr(nameOrNumber: string | number, value: number, hartIndex = 0): void {
    const hart = this.hartAt(hartIndex);
    const num = typeof nameOrNumber === 'number' ? nameOrNumber : csrNumber(nameOrNumber);
    if (num === undefined || !hart.csr.exists(num)) throw new Error(`no CSR ${nameOrNumber}`);
    hart.csr.write(num, value);
    // Privilege-affecting CSRs (mstatus, satp) change translation; the MMU must see it.
    hart.mmu.refresh();
  }

  /**
   * Reads memory without side effects: physical addresses by default, or virtual
   * ones translated as the hart would now (no A/D updates). MMIO is not read.
   */
  readMemory(address: number, length: number, virtual = false): MemoryRead {
    const data: number[] = [];
    const bus = this.machine.bus;
    for (let i = 0; i < length; i++) {
      const a = (address + i) >>> 0;
      if (address + i > 0xffffffff) return { data: Uint8Array.from(data), unreadable: length - i };
      const pa = virtual ? this.hart.mmu.peekTranslate(a, Access.Load) : a;
      const off = pa === undefined ? -1 : bus.ramOffset(pa, 1);
      if (off < 0) return { data: Uint8Array.from(data), unreadable: length - i };
      data.push(bus.ram[off]);
    }
    return { data: Uint8Array.from(data), unreadable: 0 };
  }

  /** Whether the byte at physical `address` is readable RAM. */
  isReadable(address: number): boolean {
    return address >= 0 && address <= 0xffffffff && this.machine.bus.ramOffset(address >>> 0, 1) >= 0;
  }

  /** Writes RAM (physical, or virtual as above); returns the number of bytes written. */
  writeMemory(address: number, bytes: Uint8Array, virtual = false): number {
    const bus = this.machine.bus;
    for (let i = 0; i < bytes.length; i++) {
      if (address + i > 0xffffffff) return i;
      const a = (address + i) >>> 0;
      const pa = virtual ? this.hart.mmu.peekTranslate(a, Access.Store) : a;
      if (pa === undefined || bus.ramOffset(pa, 1) < 0) return i;
      bus.loadBytes(pa, bytes.subarray(i, i + 1));
    }
    return bytes.length;
  }

  /** Disassembles `count` instructions from physical/virtual `address`; unreadable words are undefined. */
  disassemble(address: number, count: number, virtual = true): { address: number; word?: number; text: string }[] {
    const out: { address: number; word?: number; text: string }[] = [];
    for (let i = 0; i < count; i++) {
      const a = (address + 4 * i) >>> 0;
      const m = this.readMemory(a, 4, virtual);
      if (m.unreadable) {
        out.push({ address: a, text: '<unreadable>' });
        continue;
      }
      const word = wordOf(m.data);
      out.push({ address: a, word, text: disassembleText(word, a, (t) => this.symbolize(t)) });
    }
    return out;
  }

  /** `name` or `name+0x10` for an address, as objdump prints it. */
  symbolize(address: number): string | undefined {
    const s = this.symbols.lookup(address);
    if (!s) return undefined;
    return s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name;
  }

  /** Start of the code symbol containing `pc` (a function or an assembly label). */
  functionStart(pc: number): number | undefined {
    const s = this.symbols.lookup(pc >>> 0);
    if (!s || s.symbol.type === 'object') return undefined;
    return s.symbol.value >>> 0;
  }

  /** The call stack of a hart, innermost frame first. */
  stackFrames(hartIndex = 0, maxFrames = 64): RuntimeFrame[] {
    const hart = this.hartAt(hartIndex);
    const frames = unwindStack(hart.x, hart.pc >>> 0, {
      readWord: (a) => {
        const m = this.readMemory(a, 4, true);
        return m.unreadable ? undefined : wordOf(m.data);
      },
      functionStart: (pc) => this.functionStart(pc),
    }, maxFrames);
    return frames.map((f, depth) => {
      const sym = this.symbols.lookup(f.pc);
      const loc = this.lineAt(depth === 0 ? f.pc : f.pc - 4);
      return {
        ...f,
        functionName: this.symbolize(f.pc),
        functionStart: sym && sym.symbol.type !== 'object' ? sym.symbol.value >>> 0 : undefined,
        source: loc ? { file: loc.file, line: loc.line, column: loc.column } : undefined,
      };
    });
  }

  /** Virtual cycles, retired instructions and mtime of the machine. */
  counters(): { retired: number; cycles: number; mtime: number } {
    return { retired: this.hart.retired, cycles: this.machine.cycles, mtime: this.machine.mtime() };
  }

  // ---- expressions --------------------------------------------------------------

  /** The expression context of a hart (reads and writes go to the machine). */
  exprContext(hartIndex = 0): ExprContext {
    const hart = this.hartAt(hartIndex);
    return {
      register: (i) => hart.x[i],
      setRegister: (i, v) => this.setRegister(i, v, hartIndex),
      pc: () => hart.pc >>> 0,
      setPc: (v) => this.setRegister('pc', v, hartIndex),
      csr: (n) => hart.csr.read(n),
      setCsr: (n, v) => this.writeCsr(n, v, hartIndex),
      symbol: (name) => {
        const s = this.symbols.byName(name);
        return s ? s.value >>> 0 : undefined;
      },
      read: (address, size) => {
        const m = this.readMemory(address, size);
        if (m.unreadable) return undefined;
        let v = 0;
        for (let i = 0; i < size; i++) v |= m.data[i] << (8 * i);
        return v >>> 0;
      },
      write: (address, size, value) => {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = (value >>> (8 * i)) & 0xff;
        return this.writeMemory(address, bytes) === size;
      },
    };
  }

  /** Evaluates an expression on a hart (see runtime-expr.ts); throws ExprError. */
  evaluate(text: string, options: { allowAssignment?: boolean; hart?: number } = {}): ExprValue {
    return new Evaluator(this.exprContext(options.hart ?? 0), options).evaluate(parseExpression(text));
  }

  /** Stores a value into an lvalue produced by evaluate(). */
  assign(lvalue: LValue, value: number, hartIndex = 0): void {
    new Evaluator(this.exprContext(hartIndex), { allowAssignment: true }).store(lvalue, value);
  }

  /** Whether the privilege and mstatus say the hart translates data addresses now. */
  translating(hartIndex = 0): boolean {
    const hart = this.hartAt(hartIndex);
    const satpOn = (hart.csr.satp & 0x80000000) !== 0;
    const mprv = hart.priv === Priv.M && (hart.csr.mstatus & MSTATUS.MPRV) !== 0;
    return satpOn && (hart.priv !== Priv.M || mprv);
  }
}

/** Instructions a compiler prologue is made of: stack adjustment, register saves, frame pointer set-up. */
function isPrologueInsn(d: Decoded | undefined): boolean {
  if (!d?.def) return false;
  const n = d.def.name;
  if (n === 'addi' && d.rd === 2 && d.rs1 === 2) return true;
  if (n === 'sw' && (d.rs1 === 2 || d.rs1 === 8)) return true;
  if (n === 'addi' && d.rd === 8 && d.rs1 === 2) return true;
  return false;
}

function wordOf(b: Uint8Array): number {
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

