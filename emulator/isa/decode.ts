/** Decoding, derived from the instruction table. */
import { INSTRUCTIONS, InsnDef, Format, fields } from './table';

export interface Decoded {
  /** Index into INSTRUCTIONS, or -1 for an illegal word. */
  readonly index: number;
  readonly def: InsnDef | undefined;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
}

// Candidates per major opcode (low 7 bits), in table order; every entry's mask covers the opcode.
const byOpcode: number[][] = Array.from({ length: 128 }, () => []);
INSTRUCTIONS.forEach((d, i) => {
  if ((d.mask & 0x7f) !== 0x7f) throw new Error(`instruction table: ${d.name} does not fix the opcode`);
  byOpcode[d.match & 0x7f].push(i);
});

/** Index of the table entry matching `word`, or -1. */
export function matchIndex(word: number): number {
  for (const i of byOpcode[word & 0x7f]) {
    const d = INSTRUCTIONS[i];
    if (((word & d.mask) >>> 0) === d.match) return i;
  }
  return -1;
}

/** The immediate of `word` as its format defines it. */
export function immediate(format: Format, word: number): number {
  switch (format) {
    case 'I': case 'L': case 'JR': return fields.immI(word);
    case 'SH': return (word >>> 20) & 31;
    case 'S': return fields.immS(word);
    case 'B': return fields.immB(word);
    case 'U': return fields.immU(word);
    case 'J': return fields.immJ(word);
    case 'CSR': case 'CSRI': case 'FENCE': return (word >>> 20) & 0xfff;
    default: return 0;
  }
}

export function decode(word: number): Decoded {
  word >>>= 0;
  const index = matchIndex(word);
  if (index < 0) return { index, def: undefined, rd: 0, rs1: 0, rs2: 0, imm: word | 0 };
  const def = INSTRUCTIONS[index];
  return {
    index, def,
    rd: fields.rd(word), rs1: fields.rs1(word), rs2: fields.rs2(word),
    imm: immediate(def.format, word),
  };
}
