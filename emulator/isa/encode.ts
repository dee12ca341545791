/**
 * Instruction words from the table's operand placement (`place`): the assembler
 * and the interpreter's warm-up (emulator/cpu/warmup.ts) encode with it.
 */
import { type InsnDef, place } from './table';

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
