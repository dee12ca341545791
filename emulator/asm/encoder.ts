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

export interface Fields {
  rd?: number;
  rs1?: number;
  rs2?: number;
  /** Immediate as the format interprets it (U: the 20-bit value; CSR/CSRI/FENCE: bits 31:20; SH: shamt). */
  imm?: number;
  /** AMO/LR ordering bits. */
  aq?: boolean;
  rl?: boolean;
}

/** Encodes `d` with `f`; fields a format does not have are ignored, missing ones are zero. */
export function encode(d: InsnDef, f: Fields): number {
  const rd = f.rd ?? 0, rs1 = f.rs1 ?? 0, rs2 = f.rs2 ?? 0, imm = f.imm ?? 0;
  let w = d.match;
  switch (d.format) {
    case 'R': w |= place.rd(rd) | place.rs1(rs1) | place.rs2(rs2); break;
    case 'I': case 'L': case 'JR': w |= place.rd(rd) | place.rs1(rs1) | place.immI(imm); break;
    case 'SH': w |= place.rd(rd) | place.rs1(rs1) | place.rs2(imm); break;
    case 'S': w |= place.rs1(rs1) | place.rs2(rs2) | place.immS(imm); break;
    case 'B': w |= place.rs1(rs1) | place.rs2(rs2) | place.immB(imm); break;
    case 'U': w |= place.rd(rd) | place.immU(imm << 12); break;
    case 'J': w |= place.rd(rd) | place.immJ(imm); break;
    case 'CSR': w |= place.rd(rd) | place.rs1(rs1) | place.immI(imm); break;
    case 'CSRI': w |= place.rd(rd) | place.rs1(rs1) | place.immI(imm); break;
    case 'FENCE': w |= place.immI(imm); break;
    case 'AMO': w |= place.rd(rd) | place.rs1(rs1) | place.rs2(rs2); break;
    case 'LR': w |= place.rd(rd) | place.rs1(rs1); break;
    case 'SFENCE': w |= place.rs1(rs1) | place.rs2(rs2); break;
    case 'NONE': break;
  }
  if (d.format === 'AMO' || d.format === 'LR') w |= (f.aq ? 1 << 26 : 0) | (f.rl ? 1 << 25 : 0);
  return w >>> 0;
}

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
