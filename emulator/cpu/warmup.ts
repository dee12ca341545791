/**
 * Type feedback for a new hart's interpreter before the guest runs. V8 optimizes the
 * generated interpreter (interpreter.ts) from what it has seen run: a case that has
 * not run yet is compiled as a deoptimization, so every kind of instruction a
 * program meets for the first time threw the optimized interpreter away (three or
 * four times in a benchmark's first million instructions, which then ran at 10–20
 * MIPS in V8's bytecode interpreter). So a new hart first runs each instruction of
 * the table that a program can run in fast mode — register, immediate and memory
 * forms, branches taken and not, x0 as a destination — with small, negative and
 * large values, on the first page of its RAM, then puts everything back: the page's
 * bytes, its decoded entries and counters, the registers, the pc and the count.
 */
import { encode } from '../isa/encode';
import { INSTRUCTIONS, type InsnDef } from '../isa/table';
import { ENTRY_BIT, type DecodeCache } from './decode-cache';
import type { RunFunction } from './interpreter';
import type { Mmu } from './mmu';

/** What the warm-up touches on the hart. */
export interface WarmUpHart {
  readonly x: Int32Array;
  pc: number;
  retired: number;
  readonly breakpoints: Set<number>;
}

/** The register that points at the data half of the scratch page. */
const DATA = 5;
/** A register the program loads with an address for `jalr`. */
const LINK = 7;
/** The loop counter, and how often the body runs per pass. */
const COUNTER = 4;
const LOOPS = 40;

/** The training program (code in the first half of a page, data in the second): one instance of every fast-mode instruction, then `j .`. */
export function warmUpProgram(): number[] {
  const words: number[] = [];
  let k = 0;
  // Destinations cycle through x10..x31 and x0; sources through x6..x31 (never DATA).
  const rd = () => (k % 23 === 22 ? 0 : 10 + (k % 22));
  const rs = (s: number) => 6 + ((k * s) % 26);
  for (const d of INSTRUCTIONS as readonly InsnDef[]) {
    if (d.sync) continue;
    for (let variant = 0; variant < 2; variant++, k++) {
      const imm = variant === 0 ? 100 : -7;
      switch (d.format) {
        case 'R': case 'AMO':
          words.push(encode(d, { rd: rd(), rs1: d.format === 'AMO' ? DATA : rs(3), rs2: rs(5) }));
          break;
        case 'I':
          words.push(encode(d, { rd: rd(), rs1: rs(3), imm }));
          break;
        case 'SH':
          words.push(encode(d, { rd: rd(), rs1: rs(3), imm: variant === 0 ? 3 : 31 }));
          break;
        case 'L':
          words.push(encode(d, { rd: rd(), rs1: DATA, imm: 8 * variant }));
          break;
        case 'S':
          words.push(encode(d, { rs1: DATA, rs2: rs(5), imm: 16 + 8 * variant }));
          break;
        case 'LR':
          words.push(encode(d, { rd: rd(), rs1: DATA, rs2: rs(5) }));
          break;
        case 'B':
          // To the next word, so taken or not the program goes on; operands x0 and DATA
          // (negative, and large unsigned) both ways round, then equal: every branch
          // is taken and not taken.
          words.push(encode(d, { rs1: variant === 0 ? 0 : DATA, rs2: variant === 0 ? DATA : 0, imm: 4 }));
          if (variant === 1) words.push(encode(d, { rs1: DATA, rs2: DATA, imm: 4 }));
          break;
        case 'U':
          words.push(encode(d, { rd: rd(), imm: variant === 0 ? 0x12345 : 0xfffff }));
          break;
        case 'J':
          words.push(encode(d, { rd: variant === 0 ? 1 : 0, imm: 4 }));
          break;
        case 'JR': {
          // auipc LINK, 0; jalr rd, 8(LINK): to the word after the jalr.
          const auipc = INSTRUCTIONS.find((e) => e.name === 'auipc')!;
          words.push(encode(auipc, { rd: LINK, imm: 0 }), encode(d, { rd: variant === 0 ? 1 : 0, rs1: LINK, imm: 8 }));
          break;
        }
        case 'FENCE':
          words.push(encode(d, { imm: 0xff }));
          break;
        default:
          break;
      }
    }
  }
  // A store next to code (programs keep data beside their code): the memory unit's
  // path that keeps decoded words coherent. It writes zero after the final `j .`.
  const named = (name: string) => INSTRUCTIONS.find((e) => e.name === name)!;
  words.push(encode(named('sw'), { rs1: DATA, rs2: 0, imm: (words.length + 5) * 4 - 2048 }));
  // The body runs LOOPS times (COUNTER counts down), as a program's loops run: V8
  // weighs a call site by its calls per call of the function when it inlines.
  words.push(encode(named('addi'), { rd: COUNTER, rs1: COUNTER, imm: -1 }));
  words.push(encode(named('bne'), { rs1: COUNTER, rs2: 0, imm: -4 * words.length }));
  if (words.length * 4 > 2040) throw new Error('warm-up program does not fit its half page');
  words.push(encode(named('jal'), { rd: 0, imm: 0 })); // j .
  return [encode(named('addi'), { rd: COUNTER, rs1: 0, imm: LOOPS }), ...words];
}

/** Register values of the passes: small, negative, around the int32 limits, zero. */
const PASSES: ReadonlyArray<(r: number) => number> = [
  (r) => r,
  (r) => -r,
  (r) => (r & 1 ? 0x7fffff00 + r : -0x80000000 + r),
  () => 0,
];

/**
 * Runs the training program on `run` (the hart's interpreter) on the first 4 KiB of
 * RAM — in fast mode, stopping at a breakpoint once and yielding at a compiled-code
 * entry once, and in slow mode — and restores everything it changed. Only on a bus
 * where nothing has run yet (no decoded page), with data accesses untranslated (as
 * after reset); elsewhere it does nothing.
 */
export function warmUpInterpreter(h: WarmUpHart, run: RunFunction, m: Mmu, cache: DecodeCache): void {
  if (cache.pageCount !== 0 || m.dataTranslated || m.ramSize < 4096) return;
  const saved = m.ram.slice(0, 4096);
  const savedX = h.x.slice();
  const savedPc = h.pc;
  const base = m.ramBase | 0;
  const words = warmUpProgram();
  const view = new DataView(m.ram.buffer, m.ram.byteOffset, 4096);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  const end = (base + (words.length - 1) * 4) >>> 0; // the final `j .`
  const limit = LOOPS * words.length;
  PASSES.forEach((value, pass) => {
    for (let r = 1; r < 32; r++) h.x[r] = value(r);
    h.x[DATA] = (base + 2048) | 0;
    h.pc = base >>> 0;
    if (pass === 0) {
      run(limit, true); // slow mode
      return;
    }
    // Stop at a breakpoint once (pass 1), yield to compiled code once (pass 2).
    const stop = (base + 12) >>> 0;
    if (pass === 1) h.breakpoints.add(stop);
    if (pass === 2) cache.page(0).slots[2 * 3] |= ENTRY_BIT;
    for (let k = 0; k < 4 && h.pc >>> 0 !== end; k++) {
      run(limit, false, pass === 2);
      h.breakpoints.delete(stop);
      cache.page(0).slots[2 * 3] &= ~ENTRY_BIT;
    }
  });
  m.ram.set(saved, 0);
  cache.forgetPage(0);
  m.reservation = -1;
  h.x.set(savedX);
  h.pc = savedPc;
  h.retired = 0;
}
