/**
 * Compiles an instruction's `sem` string (emulator/isa/table.ts) to WebAssembly, so
 * the WebAssembly interpreter and compiled regions keep the one table as their
 * source of semantics. Each string is parsed once; the operands are the host's to
 * bind as it emits (`x[rs1]` through regRead, `imm` as a local or a constant, `pc`
 * as a local). The vocabulary is the table's: int32
 * arithmetic (`| 0`, `>>> 0` marks a value unsigned for the comparisons that
 * follow), `Math.imul`, the `A.*` helpers (wasm/arith.ts), the memory unit's
 * loads and stores and `jump(t)` (both left to the backend, which inlines their
 * fast paths), `const` temporaries and `? :`.
 */
import { INLINE_ARITH } from './arith';
import { FunctionBuilder } from './builder';
import { I32, Op } from './encoder';

type Expr =
  | { k: 'num'; v: number }
  | { k: 'name'; n: string }
  | { k: 'reg'; i: string }
  | { k: 'call'; f: string; args: Expr[] }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'un'; op: string; e: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr };

type Stmt = { k: 'assign'; target: string; e: Expr } | { k: 'setReg'; i: string; e: Expr } | { k: 'const'; name: string; e: Expr } | { k: 'expr'; e: Expr };

/** What the compiled code needs from the backend. */
export interface SemHost {
  /** The local holding a register (`rN`), `pc` or a `const` of the statement. */
  local(name: string): number;
  /** Emits a load (`m.lw` ...): the address is emitted by `addr`; leaves the value. */
  load(fn: string, addr: () => void): void;
  /** Emits a store (`m.sw` ...). */
  store(fn: string, addr: () => void, value: () => void): void;
  /** Emits another call of the memory unit (`m.amoAddress` ...); true when it leaves a value. */
  unit(fn: string, args: Array<() => void>): boolean;
  /** Emits `jump(t)`: the target by `target`; leaves it (aligned) on the stack. */
  jump(target: () => void): void;
  /** Emits `A.name(a, b)` (its operands by `args`), leaving the result. */
  arith(name: string, args: Array<() => void>): void;
  /** A name's value when it is a constant (a region's `imm`), else undefined (a local). */
  constant?(name: string): number | undefined;
  /** Emits the read of `x[field]` (`field` an operand name: rd, rs1, rs2). */
  regRead(field: string): void;
  /** The value of `x[field]` when it is a constant (a region's x0), else undefined. */
  regConstant?(field: string): number | undefined;
  /** Emits `x[field] = value`. */
  regWrite(field: string, value: () => void): void;
}

const TOKEN = /\s*(0x[0-9a-fA-F]+|\d+|[A-Za-z_][\w.]*|>>>|===|!==|>>|<<|<=|>=|[-+*&|^~!?:;,(){}<>=[\]])/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  const end = src.trimEnd().length;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < end) {
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`sem: cannot read '${src.slice(TOKEN.lastIndex, TOKEN.lastIndex + 20)}'`);
    out.push(m[1]);
  }
  return out;
}

/** Binary operators by precedence (JavaScript's), loosest first. */
const LEVELS = [['|'], ['^'], ['&'], ['===', '!=='], ['<', '<=', '>', '>='], ['<<', '>>', '>>>'], ['+', '-']];

class Parser {
  private i = 0;
  constructor(private readonly t: string[]) {}

  private peek(): string | undefined {
    return this.t[this.i];
  }

  private take(expect?: string): string {
    const tok = this.t[this.i++];
    if (tok === undefined || (expect !== undefined && tok !== expect)) throw new Error(`sem: expected '${expect ?? 'more'}', found '${tok ?? 'end'}'`);
    return tok;
  }

  statements(): Stmt[] {
    const out: Stmt[] = [];
    while (this.peek() !== undefined && this.peek() !== '}') {
      if (this.peek() === '{') {
        this.take('{');
        out.push(...this.statements());
        this.take('}');
      } else if (this.peek() === ';') this.take(';');
      else out.push(this.statement());
    }
    return out;
  }

  private statement(): Stmt {
    if (this.peek() === 'const') {
      this.take();
      const name = this.take();
      this.take('=');
      const e = this.expr();
      this.take(';');
      return { k: 'const', name, e };
    }
    const e = this.expr();
    if (this.peek() === '=') {
      this.take();
      if (e.k === 'reg') {
        const value = this.expr();
        this.take(';');
        return { k: 'setReg', i: e.i, e: value };
      }
      if (e.k !== 'name') throw new Error('sem: assignment to an expression');
      const value = this.expr();
      this.take(';');
      return { k: 'assign', target: e.n, e: value };
    }
    this.take(';');
    return { k: 'expr', e };
  }

  expr(): Expr {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.take('?');
    const a = this.expr();
    this.take(':');
    return { k: 'cond', c, a, b: this.expr() };
  }

  private binary(level: number): Expr {
    if (level === LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    while (LEVELS[level].includes(this.peek() ?? '')) {
      const op = this.take();
      l = { k: 'bin', op, l, r: this.binary(level + 1) };
    }
    return l;
  }

  private unary(): Expr {
    const tok = this.peek();
    if (tok === '-' || tok === '~' || tok === '!') {
      this.take();
      return { k: 'un', op: tok, e: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    const tok = this.take();
    if (tok === '(') {
      const e = this.expr();
      this.take(')');
      return e;
    }
    if (/^(0x[0-9a-fA-F]+|\d+)$/.test(tok)) return { k: 'num', v: Number(tok) | 0 };
    if (!/^[A-Za-z_]/.test(tok)) throw new Error(`sem: unexpected '${tok}'`);
    if (tok === 'x' && this.peek() === '[') {
      this.take('[');
      const i = this.take();
      this.take(']');
      return { k: 'reg', i };
    }
    if (this.peek() !== '(') return { k: 'name', n: tok };
    this.take('(');
    const args: Expr[] = [];
    while (this.peek() !== ')') {
      args.push(this.expr());
      if (this.peek() === ',') this.take(',');
    }
    this.take(')');
    return { k: 'call', f: tok, args };
  }
}

/** Operators folded when both operands are constants (int32 results, as the emitted code computes them). */
const FOLD: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => (a + b) | 0, '-': (a, b) => (a - b) | 0, '&': (a, b) => a & b, '|': (a, b) => a | b, '^': (a, b) => a ^ b,
  '<<': (a, b) => a << b, '>>': (a, b) => a >> b, '>>>': (a, b) => (a >>> b) | 0,
};

/** Operators for which a 0 on the right (or, but for `-`, the left) leaves the other operand. */
const ZERO_IDENTITY = new Set(['+', '-', '|', '^']);

/** The value of an operand when the host knows it (a literal, a region's immediate or x0). */
function constantOf(e: Expr, host: SemHost): number | undefined {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'name':
      return host.constant?.(e.n);
    case 'reg':
      return host.regConstant?.(e.i);
    default:
      return undefined;
  }
}

const SIGNED: Record<string, Op> = { '<': Op.I32LtS, '<=': Op.I32LeS, '>': Op.I32GtS, '>=': Op.I32GeS };
const UNSIGNED: Record<string, Op> = { '<': Op.I32LtU, '<=': Op.I32LeU, '>': Op.I32GtU, '>=': Op.I32GeU };
const PLAIN: Record<string, Op> = {
  '+': Op.I32Add, '-': Op.I32Sub, '&': Op.I32And, '|': Op.I32Or, '^': Op.I32Xor, '<<': Op.I32Shl, '>>': Op.I32ShrS, '>>>': Op.I32ShrU,
  '===': Op.I32Eq, '!==': Op.I32Ne,
};

/** Compiles `sem` statements into `f`'s body. */
export function compileSem(src: string, f: FunctionBuilder, host: SemHost): void {
  let stmts = parsed.get(src);
  if (!stmts) parsed.set(src, (stmts = new Parser(tokenize(src)).statements()));
  const out = f.body;
  const emit = (e: Expr): boolean => expr(e, f, host);
  for (const s of stmts) {
    if (s.k === 'expr') {
      if (emit(s.e) !== VOID) out.byte(Op.Drop);
    } else if (s.k === 'setReg') {
      host.regWrite(s.i, () => void emit(s.e));
    } else {
      emit(s.e);
      out.byte(Op.LocalSet).u32(host.local(s.k === 'assign' ? s.target : s.name));
    }
  }
}

/** Statements by source: the table's few dozen `sem` strings are parsed once. */
const parsed = new Map<string, Stmt[]>();

/** Whether evaluating `e` may have an effect (a call: memory, jump, helpers), so `? :` must not evaluate both arms. */
function effects(e: Expr): boolean {
  switch (e.k) {
    case 'call':
      return e.f !== 'Math.imul';
    case 'bin':
      return effects(e.l) || effects(e.r);
    case 'un':
      return effects(e.e);
    case 'cond':
      return effects(e.c) || effects(e.a) || effects(e.b);
    default:
      return false;
  }
}

/** Marks an expression that left nothing on the stack (a store). */
const VOID = undefined as unknown as boolean;

/** Emits `e`; returns whether its value is to be compared unsigned (or VOID). */
function expr(e: Expr, f: FunctionBuilder, host: SemHost): boolean {
  const out = f.body;
  switch (e.k) {
    case 'num':
      out.byte(Op.I32Const).s32(e.v);
      return false;
    case 'name': {
      const c = host.constant?.(e.n);
      if (c !== undefined) out.byte(Op.I32Const).s32(c);
      else out.byte(Op.LocalGet).u32(host.local(e.n));
      return false;
    }
    case 'reg':
      host.regRead(e.i);
      return false;
    case 'un':
      if (e.op === '-') {
        out.byte(Op.I32Const).s32(0);
        expr(e.e, f, host);
        out.byte(Op.I32Sub);
      } else if (e.op === '~') {
        expr(e.e, f, host);
        out.byte(Op.I32Const).s32(-1).byte(Op.I32Xor);
      } else {
        expr(e.e, f, host);
        out.byte(Op.I32Eqz);
      }
      return false;
    case 'cond':
      if (effects(e.a) || effects(e.b)) {
        expr(e.c, f, host);
        f.push('cond', Op.If, I32);
        expr(e.a, f, host);
        out.byte(Op.Else);
        expr(e.b, f, host);
        f.end('cond');
        return false;
      }
      expr(e.a, f, host);
      expr(e.b, f, host);
      expr(e.c, f, host);
      out.byte(Op.Select);
      return false;
    case 'bin': {
      // `v >>> 0` is v's bits read unsigned; `v | 0` is v read signed.
      if (e.op === '>>>' && e.r.k === 'num' && e.r.v === 0) {
        expr(e.l, f, host);
        return true;
      }
      if (e.op === '|' && e.r.k === 'num' && e.r.v === 0) {
        expr(e.l, f, host);
        return false;
      }
      // Constant operands folded (li, mv, a load at offset 0 add a constant or x0).
      const fold = FOLD[e.op];
      if (fold) {
        const lc = constantOf(e.l, host), rc = constantOf(e.r, host);
        if (lc !== undefined && rc !== undefined) {
          out.byte(Op.I32Const).s32(fold(lc, rc));
          return e.op === '>>>';
        }
        if (ZERO_IDENTITY.has(e.op)) {
          if (rc === 0) {
            expr(e.l, f, host);
            return false;
          }
          if (e.op !== '-' && lc === 0) {
            expr(e.r, f, host);
            return false;
          }
        }
      }
      const lu = expr(e.l, f, host);
      const ru = expr(e.r, f, host);
      const cmp = lu && ru ? UNSIGNED[e.op] : SIGNED[e.op];
      if (cmp !== undefined) {
        out.byte(cmp);
        return false;
      }
      const op = PLAIN[e.op];
      if (op === undefined) throw new Error(`sem: operator ${e.op}`);
      out.byte(op);
      return e.op === '>>>';
    }
    case 'call':
      return call(e.f, e.args, f, host);
  }
}

function call(fn: string, args: Expr[], b: FunctionBuilder, host: SemHost): boolean {
  const out = b.body;
  const arg = (k: number) => () => void expr(args[k], b, host);
  if (fn === 'Math.imul') {
    arg(0)();
    arg(1)();
    out.byte(Op.I32Mul);
    return false;
  }
  if (fn === 'jump') {
    host.jump(arg(0));
    return false;
  }
  if (fn.startsWith('A.')) {
    host.arith(fn.slice(2), args.map((_, k) => arg(k)));
    return false;
  }
  if (/^m\.(lw|lh|lhu|lb|lbu)$/.test(fn)) {
    host.load(fn.slice(2), arg(0));
    return false;
  }
  if (/^m\.(sw|sh|sb)$/.test(fn)) {
    host.store(fn.slice(2), arg(0), arg(1));
    return VOID;
  }
  if (UNIT_CALLS.test(fn)) return host.unit(fn.slice(2), args.map((_, k) => arg(k))) ? false : VOID;
  throw new Error(`sem: no WebAssembly for ${fn}()`);
}

/** The memory unit's atomics (SemHost.unit). */
const UNIT_CALLS = /^m\.(amoAddress|amoLoad|amoStore|loadReserved|storeConditional)$/;

/** Whether a `sem` uses only what compileSem handles (else the region stays JavaScript). */
export function semSupported(src: string): boolean {
  const calls = src.match(/[A-Za-z_][\w.]*(?=\()/g) ?? [];
  return calls.every((f) => f === 'Math.imul' || f === 'jump' || (f.startsWith('A.') && (INLINE_ARITH as readonly string[]).includes(f.slice(2))) || /^m\.(lw|lh|lhu|lb|lbu|sw|sh|sb)$/.test(f) || UNIT_CALLS.test(f));
}
