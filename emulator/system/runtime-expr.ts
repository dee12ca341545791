/**
 * A small C-like expression language over a stopped hart, shared by the
 * debugger's evaluate, watch, breakpoint conditions, log points and setVariable.
 * It knows nothing of DAP.
 *
 *   registers   x0..x31, ABI names (a0, sp, fp), pc; `$name` also reaches CSRs
 *   symbols     an ELF symbol stands for its address (as a C array name does): `buf+4`
 *   CSRs        mstatus, mcause … (after registers and symbols, or as `$mstatus`)
 *   numbers     42, 0x2a, 0b101010, 0o52, 'c'
 *   memory      *ADDR (a u32), *(u8*)ADDR, *(i16*)ADDR, ((u32*)ADDR)[3], &sym
 *   operators   C's: unary - ~ ! * &, casts, * / % + - << >> < <= > >= == != & ^ | && || ?:
 *   assignment  LVALUE = EXPR (registers, CSRs, memory) when the caller allows it
 *
 * Arithmetic is 32-bit two's complement. Registers and negative literals are
 * signed; symbols, addresses and hex literals above 0x7fffffff are unsigned.
 * Pointer arithmetic scales by the element size, as in C.
 */
import { registerNumber } from '../isa/registers';
import { csrNumber } from '../isa/csr-names';
import { hex32 as hex } from '../util/hex';

export class ExprError extends Error {}

/** What an expression can read and (for assignments) write. */
export interface ExprContext {
  register(index: number): number;
  setRegister?(index: number, value: number): void;
  pc(): number;
  setPc?(value: number): void;
  /** CSR value, or undefined when the CSR does not exist. */
  csr(num: number): number | undefined;
  setCsr?(num: number, value: number): void;
  /** Address of an ELF symbol. */
  symbol(name: string): number | undefined;
  /** Little-endian read of 1, 2 or 4 bytes; undefined when unreadable. */
  read(address: number, size: number): number | undefined;
  /** Little-endian write; false when the memory cannot be written. */
  write?(address: number, size: number, value: number): boolean;
}

/** A C type as far as this language needs: an integer of some width, or a pointer to one. */
export interface ExprType {
  /** Size of the integer at the bottom of the pointer chain (1, 2 or 4). */
  readonly size: number;
  readonly signed: boolean;
  /** Levels of indirection: 0 for an integer, 1 for `u32*`. */
  readonly pointer: number;
}

const U32: ExprType = { size: 4, signed: false, pointer: 0 };
const I32: ExprType = { size: 4, signed: true, pointer: 0 };

export type LValue =
  | { kind: 'register'; index: number }
  | { kind: 'pc' }
  | { kind: 'csr'; num: number; name: string }
  | { kind: 'memory'; address: number; size: number };

export interface ExprValue {
  /** The value as an unsigned 32-bit number. */
  readonly value: number;
  readonly type: ExprType;
  /** Where the value lives, when it can be assigned. */
  readonly lvalue?: LValue;
  /** The value is an address by nature (a symbol, `&x`, a pointer). */
  readonly isAddress: boolean;
}

// ---- lexer ---------------------------------------------------------------

type Token =
  | { t: 'num'; v: number; signed: boolean }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', '?', ':', '='];

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)[uUlL]*/.exec(src.slice(i));
    if (num) {
      const text = num[1].replace(/_/g, '');
      let v: number;
      if (/^0[xX]/.test(text)) v = parseInt(text.slice(2), 16);
      else if (/^0[bB]/.test(text)) v = parseInt(text.slice(2), 2);
      else if (/^0[oO]/.test(text)) v = parseInt(text.slice(2), 8);
      else v = parseInt(text, 10);
      if (!Number.isFinite(v) || v > 0xffffffff) throw new ExprError(`number out of range: ${num[0]}`);
      out.push({ t: 'num', v: v >>> 0, signed: v <= 0x7fffffff });
      i += num[0].length;
      continue;
    }
    const chr = /^'(\\?.)'/.exec(src.slice(i));
    if (chr) {
      const s = chr[1];
      const escapes: Record<string, number> = { '\\n': 10, '\\t': 9, '\\r': 13, '\\0': 0, "\\'": 39, '\\\\': 92 };
      out.push({ t: 'num', v: s.length === 2 ? escapes[s] ?? s.charCodeAt(1) : s.charCodeAt(0), signed: true });
      i += chr[0].length;
      continue;
    }
    const id = /^\$?[A-Za-z_.][A-Za-z0-9_.$]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected character '${c}' at column ${i + 1}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'end' });
  return out;
}

// ---- AST -----------------------------------------------------------------

export type Node =
  | { k: 'num'; v: number; signed: boolean }
  | { k: 'name'; name: string }
  | { k: 'unary'; op: string; e: Node }
  | { k: 'cast'; type: ExprType; e: Node }
  | { k: 'binary'; op: string; a: Node; b: Node }
  | { k: 'index'; a: Node; i: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node }
  | { k: 'assign'; target: Node; e: Node };

const TYPE_WORDS: Record<string, { size: number; signed: boolean }> = {
  u8: { size: 1, signed: false }, u16: { size: 2, signed: false }, u32: { size: 4, signed: false },
  i8: { size: 1, signed: true }, i16: { size: 2, signed: true }, i32: { size: 4, signed: true },
  s8: { size: 1, signed: true }, s16: { size: 2, signed: true }, s32: { size: 4, signed: true },
  uint8_t: { size: 1, signed: false }, uint16_t: { size: 2, signed: false }, uint32_t: { size: 4, signed: false },
  int8_t: { size: 1, signed: true }, int16_t: { size: 2, signed: true }, int32_t: { size: 4, signed: true },
  uintptr_t: { size: 4, signed: false }, size_t: { size: 4, signed: false },
  char: { size: 1, signed: true }, short: { size: 2, signed: true }, int: { size: 4, signed: true },
  long: { size: 4, signed: true }, void: { size: 1, signed: false },
};

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.pos];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private take(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.pos++;
    return true;
  }
  private expect(v: string): void {
    if (!this.take(v)) throw new ExprError(`expected '${v}' ${this.where()}`);
  }
  private where(): string {
    const t = this.peek();
    return t.t === 'end' ? 'at the end of the expression' : `before '${t.t === 'num' ? t.v : t.v}'`;
  }

  parseAll(): Node {
    if (this.peek().t === 'end') throw new ExprError('empty expression');
    const n = this.assign();
    if (this.peek().t !== 'end') throw new ExprError(`unexpected ${this.where().replace(/^before /, '')}`);
    return n;
  }

  private assign(): Node {
    const lhs = this.cond();
    if (this.take('=')) return { k: 'assign', target: lhs, e: this.assign() };
    return lhs;
  }

  private cond(): Node {
    const c = this.binary(0);
    if (!this.take('?')) return c;
    const a = this.assign();
    this.expect(':');
    return { k: 'cond', c, a, b: this.cond() };
  }

  private static readonly LEVELS: string[][] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];

  private binary(level: number): Node {
    if (level >= Parser.LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !Parser.LEVELS[level].includes(t.v)) return a;
      this.pos++;
      a = { k: 'binary', op: t.v, a, b: this.binary(level + 1) };
    }
  }

  /** A parenthesised type name at the cursor (after '('), or undefined (cursor unchanged). */
  private tryType(): ExprType | undefined {
    const start = this.pos;
    let unsigned: boolean | undefined;
    let base: { size: number; signed: boolean } | undefined;
    for (;;) {
      const t = this.peek();
      if (t.t !== 'id') break;
      if (t.v === 'unsigned' || t.v === 'signed') {
        unsigned = t.v === 'unsigned';
        this.pos++;
        continue;
      }
      if (t.v === 'const' || t.v === 'volatile') {
        this.pos++;
        continue;
      }
      const w = TYPE_WORDS[t.v];
      if (!w || base) break;
      base = w;
      this.pos++;
    }
    if (!base && unsigned !== undefined) base = { size: 4, signed: true };
    if (!base) {
      this.pos = start;
      return undefined;
    }
    let pointer = 0;
    while (this.take('*')) pointer++;
    if (!this.isOp(')')) {
      this.pos = start;
      return undefined;
    }
    return { size: base.size, signed: unsigned === undefined ? base.signed : !unsigned, pointer };
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === 'op' && ['-', '+', '~', '!', '*', '&'].includes(t.v)) {
      this.pos++;
      return { k: 'unary', op: t.v, e: this.unary() };
    }
    if (this.isOp('(')) {
      const save = this.pos;
      this.pos++;
      const type = this.tryType();
      if (type) {
        this.expect(')');
        return { k: 'cast', type, e: this.unary() };
      }
      this.pos = save;
    }
    return this.postfix();
  }

  private postfix(): Node {
    let n = this.primary();
    while (this.take('[')) {
      const i = this.assign();
      this.expect(']');
      n = { k: 'index', a: n, i };
    }
    return n;
  }

  private primary(): Node {
    const t = this.peek();
    if (t.t === 'num') {
      this.pos++;
      return { k: 'num', v: t.v, signed: t.signed };
    }
    if (t.t === 'id') {
      this.pos++;
      return { k: 'name', name: t.v };
    }
    if (this.take('(')) {
      const n = this.assign();
      this.expect(')');
      return n;
    }
    throw new ExprError(`expected a value ${this.where()}`);
  }
}

/** Parses an expression; throws ExprError with a readable message. */
export function parseExpression(text: string): Node {
  return new Parser(lex(text)).parseAll();
}

// ---- evaluation ------------------------------------------------------------

function norm(v: number, signed: boolean): number {
  return signed ? v | 0 : v >>> 0;
}

function truncate(v: number, size: number, signed: boolean): number {
  if (size === 4) return norm(v, signed);
  const bits = size * 8;
  const m = v & ((1 << bits) - 1);
  return signed && m & (1 << (bits - 1)) ? m - (1 << bits) : m;
}


export interface EvalOptions {
  /** Assignments are refused unless set (watch and hover must not change the machine). */
  allowAssignment?: boolean;
}

export class Evaluator {
  constructor(private readonly ctx: ExprContext, private readonly options: EvalOptions = {}) {}

  evaluate(node: Node): ExprValue {
    return this.eval(node);
  }

  private num(v: number, type: ExprType = I32, isAddress = false, lvalue?: LValue): ExprValue {
    return { value: v >>> 0, type, isAddress, lvalue };
  }

  private signedOf(v: ExprValue): number {
    return v.type.pointer === 0 && v.type.signed ? v.value | 0 : v.value >>> 0;
  }

  private name(name: string): ExprValue {
    const explicit = name.startsWith('$');
    const bare = explicit ? name.slice(1) : name;
    if (bare === 'pc') return this.num(this.ctx.pc(), { size: 4, signed: false, pointer: 0 }, true, { kind: 'pc' });
    const r = registerNumber(bare);
    if (r !== undefined) return this.num(this.ctx.register(r), I32, false, { kind: 'register', index: r });
    if (!explicit) {
      const s = this.ctx.symbol(name);
      if (s !== undefined) return this.num(s, U32, true);
    }
    const c = csrNumber(bare);
    if (c !== undefined) {
      const v = this.ctx.csr(c);
      if (v === undefined) throw new ExprError(`CSR ${bare} is not implemented`);
      return this.num(v, U32, false, { kind: 'csr', num: c, name: bare });
    }
    throw new ExprError(`no register, symbol or CSR named '${name}'`);
  }

  private load(address: number, type: ExprType): ExprValue {
    // Dereferencing a pointer to a pointer yields a (4-byte) pointer; else the base integer.
    const size = type.pointer > 0 ? 4 : type.size;
    const v = this.ctx.read(address >>> 0, size);
    if (v === undefined) throw new ExprError(`cannot read ${size} byte${size > 1 ? 's' : ''} at ${hex(address)}`);
    const t: ExprType = type.pointer > 0 ? { ...type } : { size: type.size, signed: type.signed, pointer: 0 };
    return this.num(truncate(v, size, type.pointer === 0 && type.signed), t, type.pointer > 0, { kind: 'memory', address: address >>> 0, size });
  }

  private deref(p: ExprValue): ExprValue {
    // A plain integer (a symbol, a literal) is read as a u32 location.
    const pointee: ExprType = p.type.pointer > 0 ? { ...p.type, pointer: p.type.pointer - 1 } : U32;
    return this.load(p.value, pointee);
  }

  private eval(n: Node): ExprValue {
    switch (n.k) {
      case 'num':
        return this.num(n.v, n.signed ? I32 : U32);
      case 'name':
        return this.name(n.name);
      case 'cast': {
        const v = this.eval(n.e);
        if (n.type.pointer > 0) return this.num(v.value, n.type, true);
        return this.num(truncate(v.value, n.type.size, n.type.signed), { ...n.type }, false);
      }
      case 'index': {
        const base = this.eval(n.a);
        const i = this.eval(n.i);
        const p = base.type.pointer > 0 ? base : { ...base, type: { ...U32, pointer: 1 } };
        return this.deref(this.pointerAdd(p, this.signedOf(i)));
      }
      case 'unary':
        return this.unaryOp(n.op, n.e);
      case 'binary':
        return this.binaryOp(n.op, n.a, n.b);
      case 'cond':
        return this.eval(n.c).value !== 0 ? this.eval(n.a) : this.eval(n.b);
      case 'assign':
        return this.assign(n.target, n.e);
    }
  }

  private elementSize(t: ExprType): number {
    return t.pointer > 1 ? 4 : t.size;
  }

  private pointerAdd(p: ExprValue, k: number): ExprValue {
    return this.num(p.value + k * this.elementSize(p.type), p.type, true);
  }

  private unaryOp(op: string, e: Node): ExprValue {
    if (op === '&') {
      const v = this.eval(e);
      if (v.lvalue?.kind === 'memory') return this.num(v.lvalue.address, { size: v.lvalue.size, signed: false, pointer: 1 }, true);
      if (v.isAddress && !v.lvalue) return v; // &symbol is the symbol's address
      throw new ExprError('cannot take the address of a register or a computed value');
    }
    const v = this.eval(e);
    switch (op) {
      case '*':
        return this.deref(v);
      case '-':
        return this.num(-this.signedOf(v) | 0, I32);
      case '+':
        return v;
      case '~':
        return this.num(~v.value, v.type.pointer ? U32 : v.type);
      case '!':
        return this.num(v.value === 0 ? 1 : 0, I32);
    }
    throw new ExprError(`unknown operator ${op}`);
  }

  private binaryOp(op: string, an: Node, bn: Node): ExprValue {
    if (op === '&&') return this.num(this.eval(an).value !== 0 && this.eval(bn).value !== 0 ? 1 : 0);
    if (op === '||') return this.num(this.eval(an).value !== 0 || this.eval(bn).value !== 0 ? 1 : 0);
    const a = this.eval(an);
    const b = this.eval(bn);
    const signed = a.type.pointer === 0 && b.type.pointer === 0 && a.type.signed && b.type.signed;
    const type = signed ? I32 : U32;
    const x = signed ? a.value | 0 : a.value >>> 0;
    const y = signed ? b.value | 0 : b.value >>> 0;
    const addr = a.isAddress || b.isAddress;
    switch (op) {
      case '+':
        if (a.type.pointer > 0) return this.pointerAdd(a, this.signedOf(b));
        if (b.type.pointer > 0) return this.pointerAdd(b, this.signedOf(a));
        return this.num(x + y, type, addr);
      case '-':
        if (a.type.pointer > 0 && b.type.pointer > 0) return this.num(((a.value - b.value) | 0) / this.elementSize(a.type), I32);
        if (a.type.pointer > 0) return this.pointerAdd(a, -this.signedOf(b));
        return this.num(x - y, type, a.isAddress && !b.isAddress);
      case '*':
        return this.num(Math.imul(x, y), type);
      case '/':
      case '%': {
        if (y === 0) throw new ExprError('division by zero');
        const q = op === '/' ? Math.trunc(x / y) : x % y;
        return this.num(q, type);
      }
      case '<<':
        return this.num(x << (y & 31), a.type);
      case '>>':
        return this.num(a.type.signed && a.type.pointer === 0 ? (a.value | 0) >> (y & 31) : a.value >>> (y & 31), a.type);
      case '&':
        return this.num(x & y, type);
      case '|':
        return this.num(x | y, type);
      case '^':
        return this.num(x ^ y, type);
      case '==':
        return this.num(a.value >>> 0 === b.value >>> 0 ? 1 : 0);
      case '!=':
        return this.num(a.value >>> 0 !== b.value >>> 0 ? 1 : 0);
      case '<':
        return this.num(x < y ? 1 : 0);
      case '<=':
        return this.num(x <= y ? 1 : 0);
      case '>':
        return this.num(x > y ? 1 : 0);
      case '>=':
        return this.num(x >= y ? 1 : 0);
    }
    throw new ExprError(`unknown operator ${op}`);
  }

  private assign(targetNode: Node, e: Node): ExprValue {
    if (!this.options.allowAssignment) throw new ExprError('assignments are only allowed in the debug console');
    const target = this.eval(targetNode);
    const v = this.eval(e);
    const lv = target.lvalue;
    if (!lv) throw new ExprError('the left side of = cannot be assigned');
    this.store(lv, v.value);
    return this.eval(targetNode);
  }

  /** Writes `value` to an lvalue (used by assignments and by setVariable). */
  store(lv: LValue, value: number): void {
    const ctx = this.ctx;
    switch (lv.kind) {
      case 'register':
        if (!ctx.setRegister) throw new ExprError('registers cannot be written here');
        ctx.setRegister(lv.index, value | 0);
        return;
      case 'pc':
        if (!ctx.setPc) throw new ExprError('the pc cannot be written here');
        ctx.setPc(value >>> 0);
        return;
      case 'csr':
        if (!ctx.setCsr) throw new ExprError('CSRs cannot be written here');
        ctx.setCsr(lv.num, value >>> 0);
        return;
      case 'memory':
        if (!ctx.write || !ctx.write(lv.address, lv.size, value)) throw new ExprError(`cannot write memory at ${hex(lv.address)}`);
        return;
    }
  }
}

/** Parses and evaluates in one go. */
export function evaluateExpression(text: string, ctx: ExprContext, options: EvalOptions = {}): ExprValue {
  return new Evaluator(ctx, options).evaluate(parseExpression(text));
}

/**
 * A hit-count condition: "N" or ">= N" (stop from the Nth hit on), "== N" (only
 * the Nth), "> N", "< N", "<= N", "% N" (every Nth). Returns a predicate over the
 * hit count (1 for the first hit), or throws ExprError.
 */
export function parseHitCondition(text: string): (hits: number) => boolean {
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ExprError(`hit condition '${text}' is not understood: use N, >= N, == N, > N, < N, <= N or % N`);
  const n = parseInt(m[2], 10);
  switch (m[1] ?? '>=') {
    case '>=': return (h) => h >= n;
    case '==': case '=': return (h) => h === n;
    case '>': return (h) => h > n;
    case '<': return (h) => h < n;
    case '<=': return (h) => h <= n;
    case '%':
      if (n === 0) throw new ExprError('hit condition % 0 divides by zero');
      return (h) => h % n === 0;
  }
  throw new ExprError(`hit condition '${text}' is not understood`);
}

/** Expands `{expr}` in a log message; a failing expression shows as `{expr: error}`. `{{` and `}}` are literal braces. */
export function formatLogMessage(template: string, ctx: ExprContext): string {
  return template.replace(/\{\{|\}\}|\{([^{}]+)\}/g, (whole, expr: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    try {
      const v = evaluateExpression(expr as string, ctx);
      return v.isAddress || v.type.pointer > 0 || !v.type.signed ? hex(v.value) : String(v.value | 0);
    } catch (e) {
      return `{${expr}: ${(e as Error).message}}`;
    }
  });
}
