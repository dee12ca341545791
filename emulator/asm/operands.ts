/**
 * Operand parsing for instructions: registers, immediates, `%reloc(...)`
 * operands, memory operands `imm(reg)`, CSR names and fence sets.
 */
import { csrNumber } from '../isa/csr-names';
import { registerNumber } from '../isa/registers';
import type { Ctx, Operand } from './context';
import { Cursor, type Expr, parseExpr } from './expr';

export type RelocName = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';

/** An immediate operand: a plain expression or a relocation function applied to one. */
export interface Imm {
  readonly rel?: RelocName;
  readonly e: Expr;
  readonly pos: number;
}

export interface Mem {
  /** Undefined for `(reg)`. */
  readonly off?: Imm;
  readonly base: number;
}

/** Splits tokens [from, toks.length) at top-level commas. */
export function splitOperands(c: Ctx, from: number): Operand[] {
  const out: Operand[] = [];
  const toks = c.toks;
  if (from >= toks.length) return out;
  let depth = 0;
  let start = from;
  for (let i = from; i <= toks.length; i++) {
    const t = toks[i];
    if (i === toks.length || (t.kind === 'op' && t.text === ',' && depth === 0)) {
      if (i === start) {
        const at = i < toks.length ? toks[i].pos : toks[i - 1].end;
        c.fail(at, 'empty operand');
      }
      out.push({ start, end: i, pos: toks[start].pos });
      start = i + 1;
      continue;
    }
    if (t.kind === 'op' && t.text === '(') depth++;
    else if (t.kind === 'op' && t.text === ')') depth--;
  }
  return out;
}

/** The register an operand names, or undefined when it is not a lone register name. */
export function asReg(c: Ctx, op: Operand): number | undefined {
  if (op.end - op.start !== 1) return undefined;
  const t = c.toks[op.start];
  return t.kind === 'id' ? registerNumber(t.text) : undefined;
}

export function reg(c: Ctx, op: Operand): number {
  const r = asReg(c, op);
  if (r !== undefined) return r;
  const t = c.toks[op.start];
  if (op.end - op.start === 1 && t.kind === 'id') c.fail(t.pos, `unknown register '${t.text}'`);
  return c.fail(op.pos, `expected a register, got '${text(c, op)}'`);
}

/** Source text of an operand. */
export function text(c: Ctx, op: Operand): string {
  return c.line.slice(c.toks[op.start].pos, c.toks[op.end - 1].end);
}

/** An expression filling tokens [start, end). */
export function exprIn(c: Ctx, start: number, end: number): Expr {
  const cur = new Cursor(c.toks, start, end);
  const e = parseExpr(cur, c.parse);
  if (!cur.atEnd()) {
    const t = c.toks[cur.i];
    c.fail(t.pos, `unexpected '${t.text}' after expression`);
  }
  return e;
}

/** A plain expression operand (a register where a value is expected is an error). */
export function expr(c: Ctx, op: Operand): Expr {
  const r = asReg(c, op);
  if (r !== undefined) c.fail(op.pos, `expected an immediate or symbol, got register '${text(c, op)}'`);
  if (c.toks[op.start].kind === 'rel') c.fail(op.pos, `%${c.toks[op.start].text} is not allowed here`);
  return exprIn(c, op.start, op.end);
}

/** Parses `%fn(expr)` starting at token i; returns the immediate and the index after ')'. */
function relocAt(c: Ctx, i: number, end: number): { imm: Imm; next: number } {
  const t = c.toks[i];
  const open = c.toks[i + 1];
  if (i + 1 >= end || open.kind !== 'op' || open.text !== '(') c.fail(t.end, `expected '(' after %${t.text}`);
  let depth = 0;
  let close = -1;
  for (let j = i + 1; j < end; j++) {
    const u = c.toks[j];
    if (u.kind !== 'op') continue;
    if (u.text === '(') depth++;
    else if (u.text === ')' && --depth === 0) {
      close = j;
      break;
    }
  }
  if (close < 0) c.fail(open.pos, `missing ')' after %${t.text}(`);
  if (close === i + 2) c.fail(c.toks[close].pos, `%${t.text} needs an operand`);
  return { imm: { rel: t.text as RelocName, e: exprIn(c, i + 2, close), pos: t.pos }, next: close + 1 };
}

/** An immediate: a plain expression or `%fn(expr)`. */
export function imm(c: Ctx, op: Operand): Imm {
  if (c.toks[op.start].kind === 'rel') {
    const { imm: v, next } = relocAt(c, op.start, op.end);
    if (next < op.end) c.fail(c.toks[next].pos, `unexpected '${c.toks[next].text}' after %${v.rel}(...)`);
    return v;
  }
  return { e: expr(c, op), pos: op.pos };
}

/**
 * A memory operand `imm(reg)`, `(reg)` or `%lo(sym)(reg)`, or undefined when the
 * operand does not end in a parenthesized register (e.g. a bare symbol).
 */
export function mem(c: Ctx, op: Operand): Mem | undefined {
  const t = c.toks;
  const n = op.end - op.start;
  if (n < 3) return undefined;
  const close = t[op.end - 1], r = t[op.end - 2], open = t[op.end - 3];
  if (close.kind !== 'op' || close.text !== ')' || open.kind !== 'op' || open.text !== '(') return undefined;
  if (r.kind !== 'id') return undefined;
  const base = registerNumber(r.text);
  if (base === undefined) {
    // `sym(reg)`-shaped with an unknown register: report it rather than treating it as an expression.
    if (n === 3 || isOffsetShaped(c, op.start, op.end - 3)) c.fail(r.pos, `unknown register '${r.text}'`);
    return undefined;
  }
  if (n === 3) return { base };
  const offEnd = op.end - 3;
  if (t[op.start].kind === 'rel') {
    const { imm: v, next } = relocAt(c, op.start, offEnd);
    if (next < offEnd) c.fail(t[next].pos, `unexpected '${t[next].text}' after %${v.rel}(...)`);
    return { off: v, base };
  }
  return { off: { e: exprIn(c, op.start, offEnd), pos: op.pos }, base };
}

function isOffsetShaped(c: Ctx, start: number, end: number): boolean {
  // An offset before "(x)" is a number, a symbol or a %reloc(...) — not something ending in an operator.
  const last = c.toks[end - 1];
  return start < end && (last.kind !== 'op' || last.text === ')');
}

/** A CSR operand: a name from the CSR table or a number 0..4095. */
export function csr(c: Ctx, op: Operand): number {
  const t = c.toks[op.start];
  if (op.end - op.start === 1 && t.kind === 'id') {
    const n = csrNumber(t.text);
    if (n !== undefined) return n;
    const v = c.evalNow({ k: 'sym', name: t.text, loc: c.loc(t.pos) });
    if (!v || v.anchor) c.fail(t.pos, `unknown CSR '${t.text}'`);
    return csrRange(c, op, v.v);
  }
  const v = c.evalNow(expr(c, op));
  if (!v || v.anchor) return c.fail(op.pos, 'CSR number must be a constant');
  return csrRange(c, op, v.v);
}

function csrRange(c: Ctx, op: Operand, v: bigint): number {
  if (v < 0n || v > 0xfffn) c.fail(op.pos, `CSR number ${v} out of range (0..4095)`);
  return Number(v);
}

/** A fence predecessor/successor set: letters from "iorw" (each at most once). */
export function fenceSet(c: Ctx, op: Operand): number {
  const t = c.toks[op.start];
  if (op.end - op.start !== 1 || t.kind !== 'id') return c.fail(op.pos, `expected a fence set (letters i, o, r, w), got '${text(c, op)}'`);
  let bits = 0;
  for (const ch of t.text.toLowerCase()) {
    const bit = { i: 8, o: 4, r: 2, w: 1 }[ch];
    if (bit === undefined || bits & bit) c.fail(t.pos, `invalid fence set '${t.text}' (letters i, o, r, w, each at most once)`);
    bits |= bit as number;
  }
  return bits;
}
