/**
 * The one instruction table of pvlab (RV32I, M, A, Zicsr, Zifencei, Zicntr reads
 * through Zicsr, and the privileged instructions). Decoder, executor, disassembler
 * and assembler all derive from it; nothing else lists encodings.
 *
 * `sem` is the instruction's semantics as a JavaScript statement, in the spirit of
 * Spike's insns/*.h: the interpreter (emulator/cpu/interpreter.ts) splices these
 * into one generated switch, and a JIT tier can splice them into compiled blocks.
 * The vocabulary a `sem` may use is documented in docs/isa.md:
 *   x            Int32Array of the 32 registers (+ x[32], a sink that writes to x0 go to)
 *   rd rs1 rs2   register numbers (rd already redirected to 32 when it is x0)
 *   imm          the decoded immediate (sign-extended; CSR number for Zicsr;
 *                the raw instruction word for the illegal pseudo-op)
 *   pc           address of this instruction, as an int32 (the address's bits; read it
 *                unsigned with `>>> 0`); `control` entries set it
 *   h            the hart (privileged operations, CSRs, traps)
 *   m            the hart's memory unit (virtual-address loads/stores, atomics)
 *   A            arithmetic helpers (mulh*)
 *   jump(t)      checks a jump target's alignment (traps at the jump) and returns it
 * Entries marked `sync` touch state outside registers and memory (CSRs, privilege,
 * translation, wait); the interpreter executes them only with the hart's state
 * flushed, so they see exact pc, counters and time.
 */

export type Extension = 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'Priv';

/** Operand layout; shared by decoder (immediate extraction), disassembler and assembler. */
export type Format =
  | 'R' // rd, rs1, rs2
  | 'I' // rd, rs1, imm12
  | 'SH' // rd, rs1, shamt
  | 'L' // rd, imm(rs1)            loads
  | 'S' // rs2, imm(rs1)           stores
  | 'B' // rs1, rs2, offset        branches
  | 'U' // rd, imm20               lui/auipc (imm holds the value << 12)
  | 'J' // rd, offset              jal
  | 'JR' // rd, imm(rs1)           jalr
  | 'CSR' // rd, csr, rs1          imm = csr number
  | 'CSRI' // rd, csr, uimm        imm = csr number, rs1 field = uimm
  | 'FENCE' // pred, succ          imm = fm|pred|succ (bits 31:20)
  | 'AMO' // rd, rs2, (rs1)        aq/rl printed as suffixes
  | 'LR' // rd, (rs1)
  | 'SFENCE' // rs1, rs2
  | 'NONE';

export interface InsnDef {
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  readonly format: Format;
  readonly ext: Extension;
  readonly sem: string;
  /** The semantics set `pc` themselves (jumps, branches, xRET). */
  readonly control?: boolean;
  /** Needs the hart's state flushed (see above). */
  readonly sync?: boolean;
  /** Reads or writes memory (for watchpoints and the JIT's block splitting). */
  readonly memory?: 'load' | 'store' | 'amo';
  /**
   * Conditional branches: the condition alone. `sem` is built from it
   * (`pc = cond ? jump(pc + imm) : pc + 4`); a compiler can use it to branch directly.
   */
  readonly cond?: string;
}

// Opcode and funct helpers for building match values.
const op = (opcode: number, f3 = 0, f7 = 0) => (opcode | (f3 << 12) | (f7 << 25)) >>> 0;
const R_MASK = 0xfe00707f;
const I_MASK = 0x0000707f;
const AMO_MASK = 0xf800707f;

const OP_IMM = 0x13, OP = 0x33, LOAD = 0x03, STORE = 0x23, BRANCH = 0x63, SYSTEM = 0x73, AMO = 0x2f;

const alu = (name: string, f3: number, f7: number, expr: string, ext: Extension = 'I'): InsnDef => ({
  name, match: op(OP, f3, f7), mask: R_MASK, format: 'R', ext, sem: `x[rd] = ${expr};`,
});
const aluImm = (name: string, f3: number, expr: string): InsnDef => ({
  name, match: op(OP_IMM, f3), mask: I_MASK, format: 'I', ext: 'I', sem: `x[rd] = ${expr};`,
});
const shiftImm = (name: string, f3: number, f7: number, expr: string): InsnDef => ({
  name, match: op(OP_IMM, f3, f7), mask: R_MASK, format: 'SH', ext: 'I', sem: `x[rd] = ${expr};`,
});
const load = (name: string, f3: number, fn: string): InsnDef => ({
  name, match: op(LOAD, f3), mask: I_MASK, format: 'L', ext: 'I', memory: 'load',
  sem: `x[rd] = m.${fn}((x[rs1] + imm) | 0);`,
});
const store = (name: string, f3: number, fn: string): InsnDef => ({
  name, match: op(STORE, f3), mask: I_MASK, format: 'S', ext: 'I', memory: 'store',
  sem: `m.${fn}((x[rs1] + imm) | 0, x[rs2]);`,
});
const branch = (name: string, f3: number, cond: string): InsnDef => ({
  name, match: op(BRANCH, f3), mask: I_MASK, format: 'B', ext: 'I', control: true, cond,
  sem: `pc = ${cond} ? jump((pc + imm) | 0) : (pc + 4) | 0;`,
});
// AMOs read rs2 before writing rd, since rd may equal rs2.
const amo = (name: string, f5: number, expr: string): InsnDef => ({
  name, match: (AMO | (2 << 12) | (f5 << 27)) >>> 0, mask: AMO_MASK, format: 'AMO', ext: 'A', memory: 'amo',
  sem: `{ const b = x[rs2]; const p = m.amoAddress(x[rs1]); const a = m.amoLoad(p); m.amoStore(p, ${expr}); x[rd] = a; }`,
});
const csr = (name: string, f3: number, kind: 'W' | 'S' | 'C', immediate: boolean): InsnDef => ({
  name, match: op(SYSTEM, f3), mask: I_MASK, format: immediate ? 'CSRI' : 'CSR', ext: 'Zicsr', sync: true,
  // Zicsr side-effect rules: CSRRW(I) with rd=x0 does not read; CSRRS/C with rs1=x0 (or uimm 0) does not write.
  sem: `x[rd] = h.csrAccess(imm, '${kind}', ${immediate ? 'rs1' : 'x[rs1]'}, rd !== 32, rs1 !== 0);`,
});
const system = (name: string, word: number, sem: string, control = false): InsnDef => ({
  name, match: word, mask: 0xffffffff, format: 'NONE', ext: 'Priv', sync: true, control, sem,
});

export const INSTRUCTIONS: readonly InsnDef[] = [
  // RV32I
  { name: 'lui', match: 0x37, mask: 0x7f, format: 'U', ext: 'I', sem: 'x[rd] = imm;' },
  { name: 'auipc', match: 0x17, mask: 0x7f, format: 'U', ext: 'I', sem: 'x[rd] = (pc + imm) | 0;' },
  {
    name: 'jal', match: 0x6f, mask: 0x7f, format: 'J', ext: 'I', control: true,
    sem: '{ const t = jump((pc + imm) | 0); x[rd] = (pc + 4) | 0; pc = t; }',
  },
  {
    name: 'jalr', match: op(0x67, 0), mask: I_MASK, format: 'JR', ext: 'I', control: true,
    sem: '{ const t = jump((x[rs1] + imm) & ~1); x[rd] = (pc + 4) | 0; pc = t; }',
  },
  branch('beq', 0, 'x[rs1] === x[rs2]'),
  branch('bne', 1, 'x[rs1] !== x[rs2]'),
  branch('blt', 4, 'x[rs1] < x[rs2]'),
  branch('bge', 5, 'x[rs1] >= x[rs2]'),
  branch('bltu', 6, '(x[rs1] >>> 0) < (x[rs2] >>> 0)'),
  branch('bgeu', 7, '(x[rs1] >>> 0) >= (x[rs2] >>> 0)'),
  load('lb', 0, 'lb'),
  load('lh', 1, 'lh'),
  load('lw', 2, 'lw'),
  load('lbu', 4, 'lbu'),
  load('lhu', 5, 'lhu'),
  store('sb', 0, 'sb'),
  store('sh', 1, 'sh'),
  store('sw', 2, 'sw'),
  aluImm('addi', 0, '(x[rs1] + imm) | 0'),
  aluImm('slti', 2, 'x[rs1] < imm ? 1 : 0'),
  aluImm('sltiu', 3, '(x[rs1] >>> 0) < (imm >>> 0) ? 1 : 0'),
  aluImm('xori', 4, 'x[rs1] ^ imm'),
  aluImm('ori', 6, 'x[rs1] | imm'),
  aluImm('andi', 7, 'x[rs1] & imm'),
  shiftImm('slli', 1, 0x00, 'x[rs1] << imm'),
  shiftImm('srli', 5, 0x00, '(x[rs1] >>> imm) | 0'),
  shiftImm('srai', 5, 0x20, 'x[rs1] >> imm'),
  alu('add', 0, 0x00, '(x[rs1] + x[rs2]) | 0'),
  alu('sub', 0, 0x20, '(x[rs1] - x[rs2]) | 0'),
  alu('sll', 1, 0x00, 'x[rs1] << x[rs2]'),
  alu('slt', 2, 0x00, 'x[rs1] < x[rs2] ? 1 : 0'),
  alu('sltu', 3, 0x00, '(x[rs1] >>> 0) < (x[rs2] >>> 0) ? 1 : 0'),
  alu('xor', 4, 0x00, 'x[rs1] ^ x[rs2]'),
  alu('srl', 5, 0x00, '(x[rs1] >>> x[rs2]) | 0'),
  alu('sra', 5, 0x20, 'x[rs1] >> x[rs2]'),
  alu('or', 6, 0x00, 'x[rs1] | x[rs2]'),
  alu('and', 7, 0x00, 'x[rs1] & x[rs2]'),
  { name: 'fence', match: op(0x0f, 0), mask: I_MASK, format: 'FENCE', ext: 'I', sem: '' },
  system('ecall', 0x00000073, 'throw h.ecall();'),
  system('ebreak', 0x00100073, 'throw h.ebreak(pc);'),

  // Zifencei: the decode cache is kept coherent on every store, so only a JIT tier has work here.
  { name: 'fence.i', match: op(0x0f, 1), mask: I_MASK, format: 'NONE', ext: 'Zifencei', sync: true, sem: 'h.fenceI();' },

  // Zicsr
  csr('csrrw', 1, 'W', false),
  csr('csrrs', 2, 'S', false),
  csr('csrrc', 3, 'C', false),
  csr('csrrwi', 5, 'W', true),
  csr('csrrsi', 6, 'S', true),
  csr('csrrci', 7, 'C', true),

  // M
  alu('mul', 0, 0x01, 'Math.imul(x[rs1], x[rs2])', 'M'),
  alu('mulh', 1, 0x01, 'A.mulh(x[rs1], x[rs2])', 'M'),
  alu('mulhsu', 2, 0x01, 'A.mulhsu(x[rs1], x[rs2])', 'M'),
  alu('mulhu', 3, 0x01, 'A.mulhu(x[rs1], x[rs2])', 'M'),
  alu('div', 4, 0x01, 'A.div(x[rs1], x[rs2])', 'M'),
  alu('divu', 5, 0x01, 'A.divu(x[rs1], x[rs2])', 'M'),
  alu('rem', 6, 0x01, 'A.rem(x[rs1], x[rs2])', 'M'),
  alu('remu', 7, 0x01, 'A.remu(x[rs1], x[rs2])', 'M'),

  // A
  {
    name: 'lr.w', match: (AMO | (2 << 12) | (0x02 << 27)) >>> 0, mask: 0xf9f0707f, format: 'LR', ext: 'A',
    memory: 'load', sem: 'x[rd] = m.loadReserved(x[rs1]);',
  },
  {
    name: 'sc.w', match: (AMO | (2 << 12) | (0x03 << 27)) >>> 0, mask: AMO_MASK, format: 'AMO', ext: 'A',
    memory: 'store', sem: 'x[rd] = m.storeConditional(x[rs1], x[rs2]);',
  },
  amo('amoswap.w', 0x01, 'b'),
  amo('amoadd.w', 0x00, '(a + b) | 0'),
  amo('amoxor.w', 0x04, 'a ^ b'),
  amo('amoand.w', 0x0c, 'a & b'),
  amo('amoor.w', 0x08, 'a | b'),
  amo('amomin.w', 0x10, 'a < b ? a : b'),
  amo('amomax.w', 0x14, 'a > b ? a : b'),
  amo('amominu.w', 0x18, '(a >>> 0) < (b >>> 0) ? a : b'),
  amo('amomaxu.w', 0x1c, '(a >>> 0) > (b >>> 0) ? a : b'),

  // Privileged
  system('sret', 0x10200073, 'pc = h.sret() | 0;', true),
  system('mret', 0x30200073, 'pc = h.mret() | 0;', true),
  system('wfi', 0x10500073, 'h.wfi();'),
  {
    name: 'sfence.vma', match: 0x12000073, mask: 0xfe007fff, format: 'SFENCE', ext: 'Priv', sync: true,
    sem: 'h.sfenceVma(x[rs1], x[rs2]);',
  },
];

/** Field extraction shared by decoder and assembler. */
export const fields = {
  rd: (w: number) => (w >>> 7) & 31,
  rs1: (w: number) => (w >>> 15) & 31,
  rs2: (w: number) => (w >>> 20) & 31,
  immI: (w: number) => w >> 20,
  immS: (w: number) => ((w >> 25) << 5) | ((w >>> 7) & 31),
  immB: (w: number) => ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 63) << 5) | (((w >>> 8) & 15) << 1),
  immU: (w: number) => w & 0xfffff000,
  immJ: (w: number) =>
    ((w >> 31) << 20) | (((w >>> 12) & 255) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 1023) << 1),
};

/** The inverse of `fields`: place an immediate into an instruction word (assembler side). */
export const place = {
  rd: (r: number) => (r & 31) << 7,
  rs1: (r: number) => (r & 31) << 15,
  rs2: (r: number) => (r & 31) << 20,
  immI: (v: number) => (v & 0xfff) << 20,
  immS: (v: number) => (((v >> 5) & 0x7f) << 25) | ((v & 31) << 7),
  immB: (v: number) =>
    (((v >> 12) & 1) << 31) | (((v >> 5) & 63) << 25) | (((v >> 1) & 15) << 8) | (((v >> 11) & 1) << 7),
  immU: (v: number) => v & 0xfffff000,
  immJ: (v: number) =>
    (((v >> 20) & 1) << 31) | (((v >> 1) & 1023) << 21) | (((v >> 11) & 1) << 20) | (((v >> 12) & 255) << 12),
};
