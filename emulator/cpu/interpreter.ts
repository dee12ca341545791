/**
 * The interpreter tier: one JavaScript function generated from the instruction
 * table's `sem` strings (a switch over pre-decoded entries from the decode cache).
 * Nothing in here knows an individual instruction.
 *
 * run(limit, slow) executes up to `limit` instructions and returns how many retired.
 * It leaves `h.exit` saying why it returned (see Exit). In fast mode, `sync`
 * instructions (RETRY signalled by leaving the loop), MMIO and watched memory
 * (RETRY thrown from the memory unit) are re-run by the caller one at a time in
 * slow mode, where the hart's state is exact.
 */
import { INSTRUCTIONS } from '../isa/table';
import * as arith from '../isa/arith';
import { BP_BIT, COUNT_SLOTS, ENTRY_BIT, ENTRY_FIELDS, ILLEGAL_OP, DecodeCache, DecodePage } from './decode-cache';
import { RETRY, TRAP } from './signals';
import { inlineMemory } from './inline-memory';
import type { Mmu } from './mmu';

/**
 * Why an execution engine returned. The interpreter returns Limit, Retry, Trap,
 * Breakpoint, and (when asked to cooperate with the JIT tier) Yield; compiled
 * regions return Limit, Retry, Trap, Leave and Miss.
 */
export const enum Exit {
  Limit = 0,
  /** The instruction at pc must run in slow mode. */
  Retry = 1,
  /** An exception was taken (the trap is already entered). */
  Trap = 2,
  Breakpoint = 3,
  /** The interpreter reached a page with compiled code and hands back to the JIT's dispatcher. */
  Yield = 4,
  /** Compiled code left its page (or reached code it does not hold). */
  Leave = 5,
  /** A compiled region was entered at (or jumped to) an address it has no code for. */
  Miss = 6,
  /** The budget check at a region's dispatch: `h.pc` holds the label there (the dispatcher fixes it). */
  LimitLabel = 7,
}

/** What the generated code touches on the hart. */
export interface InterpreterHart {
  readonly x: Int32Array;
  pc: number;
  retired: number;
  exit: Exit;
  /** `stamp` identifies the set's current state (see BreakpointSet). */
  readonly breakpoints: ReadonlySet<number> & { readonly stamp: number };
  /** Marks the hart's breakpoints on `page`, fetched at virtual page `vpage` (BP_BIT). */
  markBreakpoints(page: DecodePage, vpage: number): void;
  exception(cause: number, tval: number): unknown;
  illegal(word: number): unknown;
  takePendingTrap(): void;
}

/**
 * run(limit, slow, yieldToJit): with `yieldToJit`, the interpreter returns (Exit.Yield)
 * when it reaches an entry point of compiled code (after at least one instruction).
 */
export type RunFunction = (limit: number, slow: boolean, yieldToJit?: boolean) => number;

/**
 * A signal raised by the instruction itself (ecall, ebreak, a sync instruction in
 * fast mode) leaves the loop with `break` instead of a throw: a V8 throw costs
 * about a microsecond, and every hypercall took two. Signals from deeper calls
 * (page faults, CSR checks) are still thrown and caught below.
 */
function leaving(sem: string): string {
  return sem.replace(/throw (h\.\w+\([^;]*\));/g, '{ signal = $1; break run; }');
}

/**
 * `jump(t)` of the table's vocabulary, as one function for every hart (`JUMP(h, t)`):
 * the harts' run functions share V8's type feedback, and a per-hart function would
 * be a different call target for each of them (a deoptimization when a second hart
 * runs).
 */
function JUMP(h: InterpreterHart, t: number): number {
  if (t & 3) throw h.exception(0, t);
  return t;
}

function caseFor(opValue: number, sem: string, control: boolean, sync: boolean, inline: boolean): string {
  sem = sem.replace(/\bjump\(/g, 'JUMP(h, ');
  if (inline) sem = inlineMemory(sem, 'named', false).replace(/\bM_(\w+)\(/g, 'm.$1(');
  const guard = sync ? 'if (!slow) { signal = RETRY; break run; } ' : '';
  const advance = control ? '' : ' pc = (pc + 4) | 0;';
  // Block ends count their executions for the JIT tier's choice of hot code.
  const count = control || sync ? ` C[(pw + (i >>> 1)) & ${COUNT_SLOTS - 1}]++;` : '';
  return `      case ${opValue}: {${count} ${guard}${leaving(sem)}${advance} break; }`;
}

/**
 * `inline`: loads and stores take the memory unit's fast path inline rather than
 * calling it (and counting on V8 to inline the call). That is about a tenth faster
 * for the interpreter tier and about a tenth slower for the JIT tier's trained
 * interpreter (which runs only while code warms up, and more code is more to
 * compile), measured on sortbench, matbench and vmbench; so each has its own.
 */
function generateSource(inline: boolean): string {
  const cases = INSTRUCTIONS.map((d, i) => caseFor(i + 1, d.sem, !!d.control, !!d.sync, inline));
  cases.push(`      case ${ILLEGAL_OP}: signal = h.illegal(imm); break run;`);
  // pc is kept as an int32 (the address's bits): V8 keeps it in a register, where a
  // uint32 above 2^31 would live in a double.
  // What the inline memory fast path uses (inline-memory.ts). Translation cannot change
  // within a fast-mode run (what changes it is a sync instruction or a trap, which end
  // the run); slow mode always calls the memory unit.
  const ramViews = inline
    ? `const W = mem.watch, CL = mem.code.codeLines, R8 = mem.ram, R16 = mem.ram16, R32 = mem.ram32;
const RB = mem.ramBase | 0, RL1 = mem.ramSize - 1, RL2 = mem.ramSize - 2, RL4 = mem.ramSize - 4;`
    : '';
  const runLocals = inline ? 'const DT = slow || m.dataTranslated ? 1 : 0;\n  let a = 0, o = 0, v = 0;' : '';
  return `"use strict";
${ramViews}
return function run(limit, slow, yieldToJit) {
  const x = h.x, m = mem;
  ${runLocals}
  const bps = h.breakpoints;
  const bpOn = !slow && bps.size > 0, bpStamp = bps.stamp;
  let pc = h.pc | 0, n = 0, vpage = -1, page = EMPTY, d = EMPTY.slots, n0 = 0, pw = 0, signal;
  h.exit = ${Exit.Limit};
  try {
    run: while (n < limit) {
      if ((pc >>> 12) !== vpage) {
        page.heat += n - n0;
        page = m.fetchPage(pc >>> 0); d = page.slots; vpage = pc >>> 12; n0 = n; pw = page.ramOffset >>> 2;
        // Breakpoints are marked in the decoded entries (BP_BIT), per set and virtual page.
        if (bpOn && (page.bpStamp !== bpStamp || page.bpVpage !== vpage)) h.markBreakpoints(page, vpage);
      }
      const i = (pc >>> 1) & 2046;
      let e = d[i], imm = d[i + 1];
      if (e === 0) {
        e = cache.fill(page, i >>> 1); imm = d[i + 1];
        if ((e & ${BP_BIT}) !== 0 && bpOn && bps.has(pc >>> 0)) { h.exit = ${Exit.Breakpoint}; break; }
      } else if ((e & ${ENTRY_BIT | BP_BIT}) !== 0) {
        // A breakpoint of this hart: stop before the instruction.
        if ((e & ${BP_BIT}) !== 0 && bpOn && bps.has(pc >>> 0)) { h.exit = ${Exit.Breakpoint}; break; }
        // An entry of compiled code: hand back to the JIT's dispatcher (after at least one instruction).
        if ((e & ${ENTRY_BIT}) !== 0 && yieldToJit === true && n !== 0) { h.exit = ${Exit.Yield}; break; }
      }
      const ${(['rd', 'rs1', 'rs2'] as const).map((r) => `${r} = (e >>> ${ENTRY_FIELDS[r].shift}) & ${ENTRY_FIELDS[r].mask}`).join(', ')};
      switch (e & 255) {
${cases.join('\n')}
      }
      n++;
    }
  } catch (err) {
    page.heat += n - n0;
    h.pc = pc >>> 0;
    h.retired += n;
    if (err === TRAP) { h.exit = ${Exit.Trap}; h.takePendingTrap(); return n; }
    if (err === RETRY) { h.exit = ${Exit.Retry}; return n; }
    throw err;
  }
  page.heat += n - n0;
  h.pc = pc >>> 0;
  h.retired += n;
  if (signal === TRAP) { h.exit = ${Exit.Trap}; h.takePendingTrap(); }
  else if (signal === RETRY) h.exit = ${Exit.Retry};
  return n;
};`;
}

type Factory = (...args: unknown[]) => RunFunction;
const factories: { inline?: Factory; call?: Factory } = {};
/** A page of the same class as real ones keeps the loop's locals monomorphic (one for all harts, like JUMP). */
const EMPTY_PAGE = new DecodePage(-1);

/** The interpreter's source text (for inspection and tests). */
export const interpreterSource = (inline = true) => generateSource(inline);

/** Builds the run function for one hart. The source is compiled once per process. */
export function buildInterpreter(h: InterpreterHart, m: Mmu, cache: DecodeCache, inline = true): RunFunction {
  const factory = (factories[inline ? 'inline' : 'call'] ??= new Function(
    'h', 'mem', 'A', 'cache', 'TRAP', 'RETRY', 'EMPTY', 'C', 'JUMP', generateSource(inline),
  ) as Factory);
  return factory(h, m, arith, cache, TRAP, RETRY, EMPTY_PAGE, cache.counts, JUMP);
}
