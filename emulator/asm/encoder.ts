/**
 * Instruction words from the ISA table: the assembler has no encodings of its
 * own, only the operand placement the table's `place` helpers define.
 */
import { INSTRUCTIONS, type InsnDef, place } from '../isa/table';

const byName = new Map<string, InsnDef>(INSTRUCTIONS.map((d) => [d.name, d]));

/** The table entry for a mnemonic (lower case, no .aq/.rl suffix), or undefined. */
export function insn(name: string): InsnDef | undefined {
  return byName.get(name);
}

/** The table entry for a name the assembler itself uses; a missing one is a programming error. */
export function def(name: string): InsnDef {
  const d = byName.get(name);
  if (!d) throw new Error(`instruction table has no '${name}'`);
  return d;
}

export { encode, type Fields } from '../isa/encode';

/** Replaces the I-type immediate of `word`. */
export function withImmI(word: number, v: number): number {
  return ((word & 0x000fffff) | place.immI(v)) >>> 0;
}

export function withImmS(word: number, v: number): number {
  return ((word & 0x01fff07f) | place.immS(v)) >>> 0;
}

export function withImmU(word: number, v: number): number {
  return ((word & 0x00000fff) | place.immU(v << 12)) >>> 0;
}

export function withImmB(word: number, v: number): number {
  return ((word & 0x01fff07f) | place.immB(v)) >>> 0;
}

export function withImmJ(word: number, v: number): number {
  return ((word & 0x00000fff) | place.immJ(v)) >>> 0;
}

export function withShamt(word: number, v: number): number {
  return ((word & ~(31 << 20)) | place.rs2(v)) >>> 0;
}

/** Splits a 32-bit value into the (hi20, lo12) pair of lui/auipc + addi: hi20 << 12 + sext(lo12) === v. */
export function hiLo(v: number): { hi: number; lo: number } {
  const lo = ((v & 0xfff) << 20) >> 20;
  const hi = ((v - lo) >>> 12) & 0xfffff;
  return { hi, lo };
}
