/**
 * Expressions: parsing with GNU as operator precedence, and evaluation to an
 * absolute value or a section position plus addend. Arithmetic is 64-bit two's
 * complement, as GNU as does it on a 64-bit host.
 *
 * GNU precedence, highest first: `* / % << >>`, then `| & ^ !` (or-not), then
 * `+ - == != <> < > <= >=`, then `&& ||`. Comparisons yield -1 for true.
 */
import { AsmError, type SourceLoc } from './diagnostics';
import type { Token } from './lexer';
import type { Anchor } from './sections';
import { type LineOrigin, locAt } from './source';

export type Expr =
  | { readonly k: 'num'; readonly v: bigint }
  | { readonly k: 'sym'; readonly name: string; readonly loc: SourceLoc }
  | { readonly k: 'at'; readonly a: Anchor }
  | { readonly k: 'un'; readonly op: string; readonly e: Expr; readonly loc: SourceLoc }
  | { readonly k: 'bin'; readonly op: string; readonly l: Expr; readonly r: Expr; readonly loc: SourceLoc };

export type SymExpr = Extract<Expr, { k: 'sym' }>;

/** A value: absolute when `anchor` is undefined, else the anchor's address plus `v`. */
export interface Val {
  readonly v: bigint;
  readonly anchor?: Anchor;
}

export interface EvalEnv {
  /** The value of a symbol, or undefined when it is not known (yet). May throw AsmError. */
  symbol(node: SymExpr): Val | undefined;
  anchor(a: Anchor): Val;
}

export interface ParseContext {
  readonly origin: LineOrigin;
  /** Internal symbol name for a numeric local label reference (`1f`, `2b`). */
  localRef(tok: Token): string;
  /** The location counter `.`. */
  dot(): Anchor;
}

const PREC: Record<string, number> = {
  '*': 4, '/': 4, '%': 4, '<<': 4, '>>': 4,
  '|': 3, '&': 3, '^': 3, '!': 3,
  '+': 2, '-': 2, '==': 2, '!=': 2, '<>': 2, '<': 2, '>': 2, '<=': 2, '>=': 2,
  '&&': 1, '||': 1,
};

/** A cursor over a token list; `end` bounds what a parse may consume. */
export class Cursor {
  /** Nesting depth of the parse (bounded, so hostile input cannot exhaust the stack). */
  depth = 0;

  constructor(readonly toks: readonly Token[], public i = 0, readonly end = toks.length) {}

  peek(): Token | undefined {
    return this.i < this.end ? this.toks[this.i] : undefined;
  }

  atEnd(): boolean {
    return this.i >= this.end;
  }

  isOp(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'op' && t.text === text;
  }
}

/** Parses one expression at the cursor. */
export function parseExpr(c: Cursor, ctx: ParseContext): Expr {
  return parseBinary(c, ctx, 1);
}

function parseBinary(c: Cursor, ctx: ParseContext, minPrec: number): Expr {
  let left = parseUnary(c, ctx);
  for (;;) {
    const t = c.peek();
    if (!t || t.kind !== 'op') return left;
    const prec = PREC[t.text];
    if (prec === undefined || prec < minPrec) return left;
    c.i++;
    const right = parseBinary(c, ctx, prec + 1);
    left = { k: 'bin', op: t.text, l: left, r: right, loc: locAt(ctx.origin, t.pos) };
  }
}

const MAX_NESTING = 256;

function parseUnary(c: Cursor, ctx: ParseContext): Expr {
  const t = c.peek();
  if (++c.depth > MAX_NESTING) throw new AsmError('expression nested too deeply', locAt(ctx.origin, t ? t.pos : 0));
  try {
    return parseUnaryInner(c, ctx, t);
  } finally {
    c.depth--;
  }
}

function parseUnaryInner(c: Cursor, ctx: ParseContext, t: Token | undefined): Expr {
  if (t && t.kind === 'op' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
    c.i++;
    const e = parseUnary(c, ctx);
    if (t.text === '+') return e;
    if (e.k === 'num') return { k: 'num', v: unary(t.text, e.v) };
    return { k: 'un', op: t.text, e, loc: locAt(ctx.origin, t.pos) };
  }
  return parsePrimary(c, ctx);
}

function parsePrimary(c: Cursor, ctx: ParseContext): Expr {
  const t = c.peek();
  if (!t) {
    const last = c.toks[c.i - 1];
    throw new AsmError('expected an expression', locAt(ctx.origin, last ? last.end : 0));
  }
  c.i++;
  switch (t.kind) {
    case 'num':
      return { k: 'num', v: t.value as bigint };
    case 'id':
      if (t.text === '.') return { k: 'at', a: ctx.dot() };
      return { k: 'sym', name: t.text, loc: locAt(ctx.origin, t.pos) };
    case 'ref':
      return { k: 'sym', name: ctx.localRef(t), loc: locAt(ctx.origin, t.pos) };
    case 'op':
      if (t.text === '(') {
        const e = parseBinary(c, ctx, 1);
        if (!c.isOp(')')) {
          const at = c.peek();
          throw new AsmError(at ? `expected ')' before '${at.text}'` : "missing ')'", locAt(ctx.origin, at ? at.pos : c.toks[c.i - 1].end));
        }
        c.i++;
        return e;
      }
      break;
    case 'rel':
      throw new AsmError(`%${t.text} is only allowed as a whole instruction operand`, locAt(ctx.origin, t.pos));
    default:
      break;
  }
  throw new AsmError(`unexpected '${t.text}' in expression`, locAt(ctx.origin, t.pos));
}

const wrap = (v: bigint) => BigInt.asIntN(64, v);

function unary(op: string, v: bigint): bigint {
  switch (op) {
    case '-': return wrap(-v);
    case '~': return wrap(~v);
    default: return v === 0n ? 1n : 0n; // '!'
  }
}

function binary(op: string, a: bigint, b: bigint, loc: SourceLoc): bigint {
  switch (op) {
    case '+': return wrap(a + b);
    case '-': return wrap(a - b);
    case '*': return wrap(a * b);
    case '/':
    case '%':
      if (b === 0n) throw new AsmError('division by zero', loc);
      return wrap(op === '/' ? a / b : a % b);
    case '<<': return b >= 64n || b < 0n ? 0n : wrap(a << b);
    case '>>': return b >= 64n || b < 0n ? (a < 0n ? -1n : 0n) : a >> b;
    case '|': return a | b;
    case '&': return a & b;
    case '^': return a ^ b;
    case '!': return wrap(a | ~b);
    case '==': return a === b ? -1n : 0n;
    case '!=': case '<>': return a !== b ? -1n : 0n;
    case '<': return a < b ? -1n : 0n;
    case '>': return a > b ? -1n : 0n;
    case '<=': return a <= b ? -1n : 0n;
    case '>=': return a >= b ? -1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    default: throw new AsmError(`unknown operator '${op}'`, loc);
  }
}

/**
 * Evaluates `e`. Returns undefined when a symbol is unknown or the result is
 * not representable (e.g. the sum of two positions, or the difference of
 * positions whose distance is not fixed yet).
 */
export function evaluate(e: Expr, env: EvalEnv): Val | undefined {
  switch (e.k) {
    case 'num': return e;
    case 'sym': return env.symbol(e);
    case 'at': return env.anchor(e.a);
    case 'un': {
      const v = evaluate(e.e, env);
      if (!v || v.anchor) return undefined;
      return { v: unary(e.op, v.v) };
    }
    case 'bin': {
      const l = evaluate(e.l, env);
      if (!l) return undefined;
      const r = evaluate(e.r, env);
      if (!r) return undefined;
      if (!l.anchor && !r.anchor) return { v: binary(e.op, l.v, r.v, e.loc) };
      if (e.op === '+' && !(l.anchor && r.anchor)) return { v: wrap(l.v + r.v), anchor: l.anchor ?? r.anchor };
      if (e.op === '-' && l.anchor && !r.anchor) return { v: wrap(l.v - r.v), anchor: l.anchor };
      if (e.op === '-' && l.anchor && r.anchor) {
        // Positions in the same fragment are a fixed distance apart before layout.
        if (l.anchor.sec === r.anchor.sec && l.anchor.frag === r.anchor.frag) {
          return { v: wrap(BigInt(l.anchor.off - r.anchor.off) + l.v - r.v) };
        }
      }
      return undefined;
    }
  }
}

/** The symbols an expression mentions. */
export function symbolsOf(e: Expr, out: SymExpr[] = []): SymExpr[] {
  switch (e.k) {
    case 'sym': out.push(e); break;
    case 'un': symbolsOf(e.e, out); break;
    case 'bin': symbolsOf(e.l, out); symbolsOf(e.r, out); break;
    default: break;
  }
  return out;
}
