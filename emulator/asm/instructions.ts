/**
 * Instruction statements: the table's instructions by operand format, and the
 * pseudo-instructions and aliases of GNU as, each expanded into table
 * instructions exactly as GNU as expands it (same choice and order of words).
 */
import type { InsnDef } from '../isa/table';
import type { Ctx, Operand } from './context';
import { def, encode, hiLo, insn } from './encoder';
import type { Expr } from './expr';
import type { Token } from './lexer';
import { asReg, csr, expr, exprIn, fenceSet, type Imm, imm, mem, reg, splitOperands } from './operands';
import type { FixupKind } from './sections';

const ZERO = 0, RA = 1, T1 = 6;

const SYNTAX: Record<InsnDef['format'], string> = {
  R: 'rd, rs1, rs2', I: 'rd, rs1, imm', SH: 'rd, rs1, shamt', L: 'rd, offset(rs1)', S: 'rs2, offset(rs1)',
  B: 'rs1, rs2, target', U: 'rd, imm', J: 'rd, target', JR: 'rd, offset(rs1)', CSR: 'rd, csr, rs1',
  CSRI: 'rd, csr, uimm', FENCE: 'pred, succ', AMO: 'rd, rs2, (rs1)', LR: 'rd, (rs1)', SFENCE: 'rs1, rs2', NONE: '',
};

const IMMEDIATE_FORMS: Record<string, string> = {
  add: 'addi', and: 'andi', or: 'ori', xor: 'xori', sll: 'slli', srl: 'srli', sra: 'srai', slt: 'slti', sltu: 'sltiu',
};

type Handler = (c: Ctx, ops: Operand[], m: Token) => void;

/** Assembles the instruction whose mnemonic is token `m` (operands follow it). */
export function assembleInstruction(c: Ctx, m: Token, from: number): void {
  const name = m.text.toLowerCase();
  const ops = splitOperands(c, from);
  const p = PSEUDO.get(name);
  if (p) return p(c, ops, m);
  let d = insn(name);
  let aq = false, rl = false;
  if (!d) {
    const s = /^(.*)\.(aqrl|aq|rl)$/.exec(name);
    const base = s ? insn(s[1]) : undefined;
    if (s && base && (base.format === 'AMO' || base.format === 'LR')) {
      d = base;
      aq = s[2] !== 'rl';
      rl = s[2] !== 'aq';
    }
  }
  if (!d) c.fail(m.pos, `unknown instruction '${m.text}'`);
  real(c, d, ops, m, aq, rl);
}

/** Requires `n` operands (one of `n` when it is a list); too many points at the first extra one. */
function count(c: Ctx, ops: Operand[], m: Token, n: number | number[], syntax: string): void {
  const allowed = Array.isArray(n) ? n : [n];
  if (allowed.includes(ops.length)) return;
  const max = Math.max(...allowed);
  const want = allowed.join(' or ');
  const usage = syntax ? ` (${m.text.toLowerCase()} ${syntax})` : '';
  const pos = ops.length > max ? ops[max].pos : m.pos;
  c.fail(pos, `'${m.text}' expects ${want} operand${want === '1' ? '' : 's'}${usage}, got ${ops.length}`);
}

function real(c: Ctx, d: InsnDef, ops: Operand[], m: Token, aq: boolean, rl: boolean): void {
  switch (d.format) {
    case 'R':
      count(c, ops, m, 3, SYNTAX.R);
      // GNU as (and objdump) spell addi as `add rd, rs, imm`, slli as `sll rd, rs, shamt`, and so on.
      if (IMMEDIATE_FORMS[d.name] && asReg(c, ops[2]) === undefined && asReg(c, ops[1]) !== undefined && !registerLike(c, ops[2])) {
        return real(c, def(IMMEDIATE_FORMS[d.name]), ops, m, false, false);
      }
      return c.emit(encode(d, { rd: reg(c, ops[0]), rs1: reg(c, ops[1]), rs2: reg(c, ops[2]) }));
    case 'I':
      count(c, ops, m, 3, SYNTAX.I);
      return emitI(c, d, reg(c, ops[0]), reg(c, ops[1]), imm(c, ops[2]));
    case 'SH': {
      count(c, ops, m, 3, SYNTAX.SH);
      const word = encode(d, { rd: reg(c, ops[0]), rs1: reg(c, ops[1]) });
      const e = expr(c, ops[2]);
      const v = constant(c, e);
      if (v === undefined) return c.emitFixup([word], 'shamt', e, ops[2].pos);
      if (v < 0n || v > 31n) c.fail(ops[2].pos, `shift amount ${v} out of range (0..31)`);
      return c.emit(encode(d, { rd: reg(c, ops[0]), rs1: reg(c, ops[1]), imm: Number(v) }));
    }
    case 'L':
      return load(c, d, ops, m);
    case 'S':
      return store(c, d, ops, m);
    case 'B':
      count(c, ops, m, 3, SYNTAX.B);
      return c.emitBranch(d, reg(c, ops[0]), reg(c, ops[1]), expr(c, ops[2]), ops[2].pos);
    case 'U':
      count(c, ops, m, 2, SYNTAX.U);
      return emitU(c, d, reg(c, ops[0]), imm(c, ops[1]));
    case 'J':
      return jal(c, ops, m);
    case 'JR':
      return jalr(c, ops, m);
    case 'CSR': {
      count(c, ops, m, 3, SYNTAX.CSR);
      const rd = reg(c, ops[0]);
      const num = csr(c, ops[1]);
      const rs = asReg(c, ops[2]);
      // GNU as turns an immediate source into the immediate form (csrrw a0, mstatus, 5 → csrrwi).
      if (rs === undefined) return c.emit(encode(def(d.name + 'i'), { rd, imm: num, rs1: uimm5(c, ops[2]) }));
      return c.emit(encode(d, { rd, imm: num, rs1: rs }));
    }
    case 'CSRI':
      count(c, ops, m, 3, SYNTAX.CSRI);
      return c.emit(encode(d, { rd: reg(c, ops[0]), imm: csr(c, ops[1]), rs1: uimm5(c, ops[2]) }));
    case 'FENCE':
      count(c, ops, m, [0, 2], SYNTAX.FENCE);
      if (ops.length === 0) return c.emit(encode(d, { imm: 0x0ff }));
      return c.emit(encode(d, { imm: (fenceSet(c, ops[0]) << 4) | fenceSet(c, ops[1]) }));
    case 'AMO': {
      count(c, ops, m, 3, SYNTAX.AMO);
      const rd = reg(c, ops[0]), rs2 = reg(c, ops[1]);
      return c.emit(encode(d, { rd, rs2, rs1: amoAddress(c, ops[2]), aq, rl }));
    }
    case 'LR':
      count(c, ops, m, 2, SYNTAX.LR);
      return c.emit(encode(d, { rd: reg(c, ops[0]), rs1: amoAddress(c, ops[1]), aq, rl }));
    case 'SFENCE':
      count(c, ops, m, [0, 1, 2], SYNTAX.SFENCE);
      return c.emit(encode(d, { rs1: ops[0] ? reg(c, ops[0]) : 0, rs2: ops[1] ? reg(c, ops[1]) : 0 }));
    case 'NONE':
      count(c, ops, m, 0, '');
      return c.emit(d.match);
  }
}

/** A lone name spelled like a register (a9, x32): a typo for one, not a symbol. */
function registerLike(c: Ctx, op: Operand): boolean {
  const t = c.toks[op.start];
  return op.end - op.start === 1 && t.kind === 'id' && /^(x|a|s|t)\d+$/i.test(t.text);
}

/** A value known now, or undefined (a symbol or position: resolved when linking). */
function constant(c: Ctx, e: Expr): bigint | undefined {
  const v = c.evalNow(e);
  return v && !v.anchor ? v.v : undefined;
}

function checkSigned12(c: Ctx, v: bigint, pos: number): number {
  if (v < -2048n || v > 2047n) c.fail(pos, `immediate ${v} out of range (-2048..2047)`);
  return Number(v);
}

function uimm5(c: Ctx, op: Operand): number {
  const v = constant(c, expr(c, op));
  if (v === undefined) return c.fail(op.pos, 'CSR immediate must be a constant');
  if (v < 0n || v > 31n) c.fail(op.pos, `CSR immediate ${v} out of range (0..31)`);
  return Number(v);
}

function lo12(v: bigint): number {
  return (Number(BigInt.asIntN(32, v)) << 20) >> 20;
}

/** An I-type (or L/JR) instruction with immediate `x`. */
function emitI(c: Ctx, d: InsnDef, rd: number, rs1: number, x: Imm | undefined): void {
  const word = encode(d, { rd, rs1 });
  if (!x) return c.emit(word);
  const kinds: Record<string, FixupKind> = { lo: 'lo12i', pcrel_lo: 'pcrel_lo12i' };
  if (x.rel === 'hi' || x.rel === 'pcrel_hi') c.fail(x.pos, `%${x.rel} is not valid in '${d.name}' (use it with lui/auipc)`);
  const v = x.rel === 'pcrel_lo' ? undefined : constant(c, x.e);
  if (v === undefined) return c.emitFixup([word], x.rel ? kinds[x.rel] : 'i12', x.e, x.pos);
  const value = x.rel === 'lo' ? lo12(v) : checkSigned12(c, v, x.pos);
  c.emit(encode(d, { rd, rs1, imm: value }));
}

function emitS(c: Ctx, d: InsnDef, rs2: number, rs1: number, x: Imm | undefined): void {
  const word = encode(d, { rs1, rs2 });
  if (!x) return c.emit(word);
  const kinds: Record<string, FixupKind> = { lo: 'lo12s', pcrel_lo: 'pcrel_lo12s' };
  if (x.rel === 'hi' || x.rel === 'pcrel_hi') c.fail(x.pos, `%${x.rel} is not valid in '${d.name}' (use it with lui/auipc)`);
  const v = x.rel === 'pcrel_lo' ? undefined : constant(c, x.e);
  if (v === undefined) return c.emitFixup([word], x.rel ? kinds[x.rel] : 's12', x.e, x.pos);
  const value = x.rel === 'lo' ? lo12(v) : checkSigned12(c, v, x.pos);
  c.emit(encode(d, { rs1, rs2, imm: value }));
}

function emitU(c: Ctx, d: InsnDef, rd: number, x: Imm): void {
  const word = encode(d, { rd });
  if (x.rel === 'lo' || x.rel === 'pcrel_lo') c.fail(x.pos, `%${x.rel} is not valid in '${d.name}'`);
  if (x.rel === 'pcrel_hi') return c.emitFixup([word], 'pcrel_hi20', x.e, x.pos);
  const v = constant(c, x.e);
  if (x.rel === 'hi') {
    if (v === undefined) return c.emitFixup([word], 'hi20', x.e, x.pos);
    return c.emit(encode(d, { rd, imm: hiLo(Number(BigInt.asIntN(32, v))).hi }));
  }
  if (v === undefined) return c.emitFixup([word], 'u20', x.e, x.pos);
  if (v < 0n || v > 0xfffffn) c.fail(x.pos, `${d.name} immediate ${v} out of range (0..1048575)`);
  c.emit(encode(d, { rd, imm: Number(v) }));
}

function load(c: Ctx, d: InsnDef, ops: Operand[], m: Token): void {
  count(c, ops, m, 2, SYNTAX.L);
  const rd = reg(c, ops[0]);
  const a = mem(c, ops[1]);
  if (a) return emitI(c, d, rd, a.base, a.off);
  // `lw rd, symbol`: auipc rd, %pcrel_hi(symbol); lw rd, %pcrel_lo(.)(rd)
  const e = expr(c, ops[1]);
  c.emitFixup([encode(def('auipc'), { rd }), encode(d, { rd, rs1: rd })], 'pair_i', e, ops[1].pos);
}

function store(c: Ctx, d: InsnDef, ops: Operand[], m: Token): void {
  count(c, ops, m, [2, 3], SYNTAX.S);
  const rs2 = reg(c, ops[0]);
  if (ops.length === 2) {
    const a = mem(c, ops[1]);
    if (a) return emitS(c, d, rs2, a.base, a.off);
    c.fail(ops[1].pos, `'${m.text} rs2, symbol' needs a temporary register: ${m.text} rs2, symbol, rt`);
  }
  // `sw rs2, symbol, rt`: auipc rt, %pcrel_hi(symbol); sw rs2, %pcrel_lo(.)(rt)
  const rt = reg(c, ops[2]);
  const e = expr(c, ops[1]);
  c.emitFixup([encode(def('auipc'), { rd: rt }), encode(d, { rs1: rt, rs2 })], 'pair_s', e, ops[1].pos);
}

function jal(c: Ctx, ops: Operand[], m: Token): void {
  count(c, ops, m, [1, 2], 'rd, target');
  const rd = ops.length === 2 ? reg(c, ops[0]) : RA;
  const t = ops[ops.length - 1];
  c.emitFixup([encode(def('jal'), { rd })], 'jal', expr(c, t), t.pos);
}

function jalr(c: Ctx, ops: Operand[], m: Token): void {
  count(c, ops, m, [1, 2, 3], 'rd, offset(rs1)');
  const d = def('jalr');
  if (ops.length === 3) return emitI(c, d, reg(c, ops[0]), reg(c, ops[1]), imm(c, ops[2]));
  const rd = ops.length === 2 ? reg(c, ops[0]) : RA;
  const last = ops[ops.length - 1];
  const a = mem(c, last);
  if (a) return emitI(c, d, rd, a.base, a.off);
  emitI(c, d, rd, reg(c, last), undefined);
}

/** The base register of an AMO/LR/SC address: `(rs1)` or `0(rs1)`. */
function amoAddress(c: Ctx, op: Operand): number {
  const a = mem(c, op);
  if (!a) return c.fail(op.pos, 'expected an address (rs1)');
  if (a.off) {
    const v = a.off.rel ? undefined : constant(c, a.off.e);
    if (v !== 0n) c.fail(a.off.pos, 'atomic memory operations take no offset: use (rs1) or 0(rs1)');
  }
  return a.base;
}

/** A call-like target; GNU as accepts (and ignores for non-PIC code) a `@plt` suffix. */
function callTarget(c: Ctx, op: Operand): Expr {
  const t = c.toks;
  if (op.end - op.start >= 3 && t[op.end - 2].kind === 'op' && t[op.end - 2].text === '@' && t[op.end - 1].text === 'plt') {
    return exprIn(c, op.start, op.end - 2);
  }
  return expr(c, op);
}

// --- pseudo-instructions --------------------------------------------------

const PSEUDO = new Map<string, Handler>();

function alias(name: string, n: number, syntax: string, f: (c: Ctx, ops: Operand[]) => void): void {
  PSEUDO.set(name, (c, ops, m) => {
    count(c, ops, m, n, syntax);
    f(c, ops);
  });
}

const R = (name: string, rd: number, rs1: number, rs2: number) => encode(def(name), { rd, rs1, rs2 });
const I = (name: string, rd: number, rs1: number, v: number) => encode(def(name), { rd, rs1, imm: v });

alias('nop', 0, '', (c) => c.emit(I('addi', ZERO, ZERO, 0)));
alias('mv', 2, 'rd, rs', (c, o) => c.emit(I('addi', reg(c, o[0]), reg(c, o[1]), 0)));
alias('not', 2, 'rd, rs', (c, o) => c.emit(I('xori', reg(c, o[0]), reg(c, o[1]), -1)));
alias('neg', 2, 'rd, rs', (c, o) => c.emit(R('sub', reg(c, o[0]), ZERO, reg(c, o[1]))));
alias('seqz', 2, 'rd, rs', (c, o) => c.emit(I('sltiu', reg(c, o[0]), reg(c, o[1]), 1)));
alias('snez', 2, 'rd, rs', (c, o) => c.emit(R('sltu', reg(c, o[0]), ZERO, reg(c, o[1]))));
alias('sltz', 2, 'rd, rs', (c, o) => c.emit(R('slt', reg(c, o[0]), reg(c, o[1]), ZERO)));
alias('sgtz', 2, 'rd, rs', (c, o) => c.emit(R('slt', reg(c, o[0]), ZERO, reg(c, o[1]))));
alias('ret', 0, '', (c) => c.emit(I('jalr', ZERO, RA, 0)));
alias('unimp', 0, '', (c) => c.emit(encode(def('csrrw'), { imm: 0xc00 })));
alias('scall', 0, '', (c) => c.emit(def('ecall').match));
alias('sbreak', 0, '', (c) => c.emit(def('ebreak').match));
alias('fence.tso', 0, '', (c) => c.emit(encode(def('fence'), { imm: 0x833 })));

// Branches against zero and with swapped operands.
const zeroBranches: Array<[string, string, boolean]> = [
  // name, table branch, zero register first
  ['beqz', 'beq', false], ['bnez', 'bne', false], ['bltz', 'blt', false], ['bgez', 'bge', false],
  ['blez', 'bge', true], ['bgtz', 'blt', true],
];
for (const [name, base, zeroFirst] of zeroBranches) {
  alias(name, 2, 'rs, target', (c, o) => {
    const rs = reg(c, o[0]);
    c.emitBranch(def(base), zeroFirst ? ZERO : rs, zeroFirst ? rs : ZERO, expr(c, o[1]), o[1].pos);
  });
}
for (const [name, base] of [['bgt', 'blt'], ['ble', 'bge'], ['bgtu', 'bltu'], ['bleu', 'bgeu']]) {
  alias(name, 3, 'rs, rt, target', (c, o) => c.emitBranch(def(base), reg(c, o[1]), reg(c, o[0]), expr(c, o[2]), o[2].pos));
}

PSEUDO.set('jal', jal);
PSEUDO.set('jalr', jalr);
alias('j', 1, 'target', (c, o) => c.emitFixup([encode(def('jal'), { rd: ZERO })], 'jal', expr(c, o[0]), o[0].pos));
PSEUDO.set('jr', (c, ops, m) => {
  count(c, ops, m, [1, 2], 'rs');
  const d = def('jalr');
  if (ops.length === 2) return emitI(c, d, ZERO, reg(c, ops[0]), imm(c, ops[1]));
  const a = mem(c, ops[0]);
  if (a) return emitI(c, d, ZERO, a.base, a.off);
  emitI(c, d, ZERO, reg(c, ops[0]), undefined);
});

// auipc + jalr pairs: call (link in ra, or rd with t1 as the temporary), tail (t1), jump (given temporary).
PSEUDO.set('call', (c, ops, m) => {
  count(c, ops, m, [1, 2], 'target');
  const rd = ops.length === 2 ? reg(c, ops[0]) : RA;
  const tmp = ops.length === 2 ? T1 : RA;
  const t = ops[ops.length - 1];
  c.emitFixup([I('auipc', tmp, 0, 0), I('jalr', rd, tmp, 0)], 'call', callTarget(c, t), t.pos);
});
alias('tail', 1, 'target', (c, o) => c.emitFixup([I('auipc', T1, 0, 0), I('jalr', ZERO, T1, 0)], 'call', callTarget(c, o[0]), o[0].pos));
alias('jump', 2, 'target, rt', (c, o) => {
  const rt = reg(c, o[1]);
  c.emitFixup([I('auipc', rt, 0, 0), I('jalr', ZERO, rt, 0)], 'call', callTarget(c, o[0]), o[0].pos);
});

/** li's expansion of a constant, as GNU as chooses it: addi; or lui, plus addi when the low part is not zero. */
function loadConstant(c: Ctx, rd: number, v: bigint, pos: number): void {
  if (v < -0x80000000n || v > 0xffffffffn) c.fail(pos, `immediate ${v} out of range for RV32`);
  const { hi, lo } = hiLo(Number(BigInt.asIntN(32, v)));
  if (hi === 0) return c.emit(I('addi', rd, ZERO, lo));
  c.emit(encode(def('lui'), { rd, imm: hi }));
  if (lo !== 0) c.emit(I('addi', rd, rd, lo));
}

alias('li', 2, 'rd, imm', (c, o) => {
  const rd = reg(c, o[0]);
  const v = c.evalNow(expr(c, o[1]));
  if (!v || v.anchor) {
    return c.fail(o[1].pos, v ? "li needs a constant; use 'la' to load an address" : 'li needs a constant known at this point (not a label or a symbol defined later)');
  }
  loadConstant(c, rd, v.v, o[1].pos);
});

// Addresses: GNU as expands `la` like `lla` for non-PIC code, and a constant address like `li`.
for (const name of ['la', 'lla']) {
  alias(name, 2, 'rd, symbol', (c, o) => {
    const rd = reg(c, o[0]);
    const e = expr(c, o[1]);
    const v = c.evalNow(e);
    if (v && !v.anchor) return loadConstant(c, rd, v.v, o[1].pos);
    c.emitFixup([I('auipc', rd, 0, 0), I('addi', rd, rd, 0)], 'pair_i', e, o[1].pos);
  });
}

// CSR shorthands; an immediate source selects the immediate form, as in GNU as.
alias('csrr', 2, 'rd, csr', (c, o) => c.emit(encode(def('csrrs'), { rd: reg(c, o[0]), imm: csr(c, o[1]), rs1: ZERO })));
for (const [name, base] of [['csrw', 'csrrw'], ['csrs', 'csrrs'], ['csrc', 'csrrc']]) {
  alias(name, 2, 'csr, rs', (c, o) => {
    const num = csr(c, o[0]);
    const rs = asReg(c, o[1]);
    if (rs === undefined) return c.emit(encode(def(base + 'i'), { imm: num, rs1: uimm5(c, o[1]) }));
    c.emit(encode(def(base), { imm: num, rs1: rs }));
  });
  alias(name + 'i', 2, 'csr, uimm', (c, o) => c.emit(encode(def(base + 'i'), { imm: csr(c, o[0]), rs1: uimm5(c, o[1]) })));
}
const COUNTERS: Array<[string, number]> = [
  ['rdcycle', 0xc00], ['rdtime', 0xc01], ['rdinstret', 0xc02], ['rdcycleh', 0xc80], ['rdtimeh', 0xc81], ['rdinstreth', 0xc82],
];
for (const [name, num] of COUNTERS) alias(name, 1, 'rd', (c, o) => c.emit(encode(def('csrrs'), { rd: reg(c, o[0]), imm: num })));

/** Mnemonics the assembler accepts beyond the table's names (for docs and tests). */
export const PSEUDO_NAMES: readonly string[] = [...PSEUDO.keys()];
