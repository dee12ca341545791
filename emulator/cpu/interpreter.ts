/**
 * The interpreter tier: one JavaScript function generated from the instruction
 * table's `sem` strings (a switch over pre-decoded entries from the decode cache).
 * Nothing in here knows an individual instruction.
 *
 * run(limit, slow) executes up to `limit` instructions and returns how many retired.
 * It leaves `h.exit` saying why it returned (see Exit). In fast mode, `sync`
 * instructions, MMIO and watched memory throw RETRY and are re-run by the caller
 * one at a time in slow mode, where the hart's state is exact.
 */
import { INSTRUCTIONS } from '../isa/table';
import * as arith from '../isa/arith';
import { ILLEGAL_OP, DecodeCache, DecodePage } from './decode-cache';
import { RETRY, TRAP } from './signals';
import type { Mmu } from './mmu';

export const enum Exit { Limit = 0, Retry = 1, Trap = 2, Breakpoint = 3 }

/** What the generated code touches on the hart. */
export interface InterpreterHart {
  readonly x: Int32Array;
  pc: number;
  retired: number;
  exit: Exit;
  readonly breakpoints: ReadonlySet<number>;
  exception(cause: number, tval: number): unknown;
  illegal(word: number): unknown;
  takePendingTrap(): void;
}

export type RunFunction = (limit: number, slow: boolean) => number;

function caseFor(opValue: number, sem: string, control: boolean, sync: boolean): string {
  const guard = sync ? 'if (!slow) throw RETRY; ' : '';
  const advance = control ? '' : ' pc = (pc + 4) >>> 0;';
  return `      case ${opValue}: { ${guard}${sem}${advance} break; }`;
}

function generateSource(): string {
  const cases = INSTRUCTIONS.map((d, i) => caseFor(i + 1, d.sem, !!d.control, !!d.sync));
  cases.push(`      case ${ILLEGAL_OP}: throw h.illegal(imm);`);
  return `"use strict";
function jump(t) { if (t & 3) throw h.exception(0, t); return t; }
return function run(limit, slow) {
  const x = h.x, m = mem;
  const bps = h.breakpoints;
  const bpOn = !slow && bps.size > 0;
  let pc = h.pc, n = 0, vpage = -1, page = EMPTY, ops = EMPTY.ops, imms = EMPTY.imms;
  h.exit = ${Exit.Limit};
  try {
    while (n < limit) {
      if ((pc >>> 12) !== vpage) { page = m.fetchPage(pc); ops = page.ops; imms = page.imms; vpage = pc >>> 12; }
      if (bpOn && bps.has(pc)) { h.exit = ${Exit.Breakpoint}; break; }
      const i = (pc >>> 2) & 1023;
      let e = ops[i];
      if (e === 0) e = cache.fill(page, i);
      const rd = (e >>> 8) & 63, rs1 = (e >>> 14) & 31, rs2 = (e >>> 19) & 31, imm = imms[i];
      switch (e & 255) {
${cases.join('\n')}
      }
      n++;
    }
  } catch (err) {
    h.pc = pc;
    h.retired += n;
    if (err === TRAP) { h.exit = ${Exit.Trap}; h.takePendingTrap(); return n; }
    if (err === RETRY) { h.exit = ${Exit.Retry}; return n; }
    throw err;
  }
  h.pc = pc;
  h.retired += n;
  return n;
};`;
}

type Factory = (...args: unknown[]) => RunFunction;
let factory: Factory | undefined;

/** The interpreter's source text (for inspection and tests). */
export const interpreterSource = generateSource;

/** Builds the run function for one hart. The source is compiled once per process. */
export function buildInterpreter(h: InterpreterHart, m: Mmu, cache: DecodeCache): RunFunction {
  if (!factory) {
    factory = new Function('h', 'mem', 'A', 'cache', 'TRAP', 'RETRY', 'EMPTY', generateSource()) as Factory;
  }
  // EMPTY: a page of the same class as real ones keeps the loop's locals monomorphic.
  return factory(h, m, arith, cache, TRAP, RETRY, new DecodePage(-1));
}
