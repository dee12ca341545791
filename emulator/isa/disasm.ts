/**
 * Disassembler, derived from the instruction table. Output follows GNU objdump
 * (binutils 2.40, as Debian 12 ships it) for the same words, including its choice of
 * aliases (`li`, `mv`, `add a0,a1,5` for addi, `sll` for slli, `csrw` …).
 */
import { decode } from './decode';
import { ABI_NAMES } from './registers';
import { csrName } from './csr-names';

export interface Disassembly {
  mnemonic: string;
  operands: string;
  /** Branch/jump target, for symbolization and "go to" in the debugger. */
  target?: number;
}

/** Names an address (`sym` or `sym+0x10`) for ` <…>` after branch targets, as objdump does. */
export type Symbolizer = (address: number) => string | undefined;

const r = (n: number) => ABI_NAMES[n];
const hex = (v: number) => '0x' + (v >>> 0).toString(16);
const csr = (n: number) => csrName(n) ?? hex(n);
const COUNTER_ALIASES: Record<number, string> = {
  0xc00: 'rdcycle', 0xc01: 'rdtime', 0xc02: 'rdinstret', 0xc80: 'rdcycleh', 0xc81: 'rdtimeh', 0xc82: 'rdinstreth',
};

function fenceSet(bits: number): string {
  if (bits === 0) return 'unknown';
  return (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '');
}

export function disassemble(word: number, pc: number): Disassembly {
  word >>>= 0;
  const d = decode(word);
  const out = (mnemonic: string, operands = '', target?: number): Disassembly => ({ mnemonic, operands, target });
  if (!d.def) return out('.4byte', '0x' + word.toString(16));
  const { rd, rs1, rs2, imm } = d;
  const name = d.def.name;
  const target = (pc + imm) >>> 0;
  switch (d.def.format) {
    case 'R':
      if (name === 'sub' && rs1 === 0) return out('neg', `${r(rd)},${r(rs2)}`);
      if (name === 'sltu' && rs1 === 0) return out('snez', `${r(rd)},${r(rs2)}`);
      if (name === 'slt' && rs2 === 0) return out('sltz', `${r(rd)},${r(rs1)}`);
      if (name === 'slt' && rs1 === 0) return out('sgtz', `${r(rd)},${r(rs2)}`);
      return out(name, `${r(rd)},${r(rs1)},${r(rs2)}`);
    case 'I':
      if (name === 'addi') {
        if (rd === 0 && rs1 === 0 && imm === 0) return out('nop');
        if (rs1 === 0) return out('li', `${r(rd)},${imm}`);
        if (imm === 0) return out('mv', `${r(rd)},${r(rs1)}`);
        return out('add', `${r(rd)},${r(rs1)},${imm}`);
      }
      if (name === 'xori' && imm === -1) return out('not', `${r(rd)},${r(rs1)}`);
      if (name === 'sltiu' && imm === 1) return out('seqz', `${r(rd)},${r(rs1)}`);
      if (name === 'andi' || name === 'ori' || name === 'xori') return out(name.slice(0, -1), `${r(rd)},${r(rs1)},${imm}`);
      return out(name, `${r(rd)},${r(rs1)},${imm}`);
    case 'SH':
      return out(name.slice(0, -1), `${r(rd)},${r(rs1)},${hex(imm)}`);
    case 'L':
      return out(name, `${r(rd)},${imm}(${r(rs1)})`);
    case 'S':
      return out(name, `${r(rs2)},${imm}(${r(rs1)})`);
    case 'B': {
      const t = hex(target);
      // objdump's alias order: blez before bgez, bltz before bgtz.
      if (name === 'bge' && rs1 === 0) return out('blez', `${r(rs2)},${t}`, target);
      if (rs2 === 0 && name !== 'bltu' && name !== 'bgeu') {
        const alias = { beq: 'beqz', bne: 'bnez', blt: 'bltz', bge: 'bgez' }[name];
        if (alias) return out(alias, `${r(rs1)},${t}`, target);
      }
      if (name === 'blt' && rs1 === 0) return out('bgtz', `${r(rs2)},${t}`, target);
      return out(name, `${r(rs1)},${r(rs2)},${t}`, target);
    }
    case 'U':
      return out(name, `${r(rd)},${hex(imm >>> 12)}`);
    case 'J': {
      const t = hex(target);
      if (rd === 0) return out('j', t, target);
      if (rd === 1) return out('jal', t, target);
      return out('jal', `${r(rd)},${t}`, target);
    }
    case 'JR': {
      const base = imm === 0 ? r(rs1) : `${imm}(${r(rs1)})`;
      if (rd === 0) return rs1 === 1 && imm === 0 ? out('ret') : out('jr', base);
      if (rd === 1) return out('jalr', base);
      return out('jalr', `${r(rd)},${base}`);
    }
    case 'CSR':
    case 'CSRI': {
      const src = d.def.format === 'CSRI' ? String(rs1) : r(rs1);
      const base = name.replace(/i$/, '');
      if (name === 'csrrs' && rs1 === 0) {
        const alias = COUNTER_ALIASES[imm];
        return alias ? out(alias, r(rd)) : out('csrr', `${r(rd)},${csr(imm)}`);
      }
      if (rd === 0) return out({ csrrw: 'csrw', csrrs: 'csrs', csrrc: 'csrc' }[base] as string, `${csr(imm)},${src}`);
      return out(base, `${r(rd)},${csr(imm)},${src}`);
    }
    case 'FENCE': {
      const pred = (imm >>> 4) & 15, succ = imm & 15;
      if (word === 0x8330000f) return out('fence.tso');
      // Reserved fields set: executed as a fence, but objdump does not call it one.
      if (rd !== 0 || rs1 !== 0 || imm >>> 8 !== 0) return out('.4byte', '0x' + word.toString(16));
      if (pred === 15 && succ === 15) return out('fence');
      return out('fence', `${fenceSet(pred)},${fenceSet(succ)}`);
    }
    case 'AMO':
    case 'LR': {
      const aq = (word >>> 26) & 1, rl = (word >>> 25) & 1;
      const suffix = aq && rl ? '.aqrl' : aq ? '.aq' : rl ? '.rl' : '';
      const ops = d.def.format === 'LR' ? `${r(rd)},(${r(rs1)})` : `${r(rd)},${r(rs2)},(${r(rs1)})`;
      return out(name + suffix, ops);
    }
    case 'SFENCE':
      if (rs1 === 0 && rs2 === 0) return out(name);
      return out(name, rs2 === 0 ? r(rs1) : `${r(rs1)},${r(rs2)}`);
    case 'NONE':
      // fence.i with its reserved fields set still executes, but objdump prints such words raw.
      return word === d.def.match ? out(name) : out('.4byte', '0x' + word.toString(16));
  }
}

/** One line of text: `mnemonic\toperands`, with ` <symbol>` after a branch target when known. */
export function disassembleText(word: number, pc: number, symbolize?: Symbolizer): string {
  const d = disassemble(word, pc);
  let text = d.operands ? `${d.mnemonic}\t${d.operands}` : d.mnemonic;
  if (d.target !== undefined && symbolize) {
    const s = symbolize(d.target);
    if (s) text += ` <${s}>`;
  }
  return text;
}
