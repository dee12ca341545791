/**
 * Assembler directives (GNU as spelling): sections, symbols, data, alignment,
 * options, includes, macros and repetitions, conditionals. Each handler gets
 * the unit and the index of the first token after the directive name.
 */
import type { Operand } from './context';
import type { Expr } from './expr';
import type { Token } from './lexer';
import { collectBlock, parseMacroHeader, substitute } from './macros';
import { exprIn, text as operandText } from './operands';
import type { SectionFlags } from './sections';
import { defaultFlags } from './sections';
import type { SourceLine } from './source';
import type { SymbolType } from './symbols';
import type { Unit } from './unit';

type Handler = (u: Unit, t: Token, from: number) => void;

/** Directives of other RISC-V assemblers (Venus, RARS) with their GNU as spelling. */
const FOREIGN: Record<string, string> = { '.asciiz': '.asciz' };

const HANDLERS = new Map<string, Handler>();

/** Runs directive `name` (lower case) whose token is `t`. */
export function directive(u: Unit, name: string, t: Token, from: number): void {
  const h = HANDLERS.get(name);
  if (h) return h(u, t, from);
  if (name.startsWith('.cfi_')) return; // call-frame information: no .eh_frame is produced
  const hint = FOREIGN[name] ? ` (GNU as spells it ${FOREIGN[name]})` : '';
  u.fail(t.pos, `unknown directive '${t.text}'${hint}`);
}

// --- argument helpers ---------------------------------------------------------

/** Comma-separated arguments from token `from`; an empty argument is undefined. */
function args(u: Unit, from: number): Array<Operand | undefined> {
  const toks = u.toks;
  const out: Array<Operand | undefined> = [];
  if (from >= toks.length) return out;
  let depth = 0;
  let start = from;
  for (let i = from; i <= toks.length; i++) {
    const tk = toks[i];
    if (i === toks.length || (tk.kind === 'op' && tk.text === ',' && depth === 0)) {
      out.push(i === start ? undefined : { start, end: i, pos: toks[start].pos });
      start = i + 1;
      continue;
    }
    if (tk.kind === 'op' && tk.text === '(') depth++;
    else if (tk.kind === 'op' && tk.text === ')') depth--;
  }
  return out;
}

/** Arguments that must all be present, between `min` and `max` of them. */
function required(u: Unit, t: Token, from: number, min: number, max: number, usage: string): Operand[] {
  const list = args(u, from);
  if (list.length < min || list.length > max) {
    const pos = list.length > max ? (list[max]?.pos ?? t.end) : t.pos;
    u.fail(pos, `'${t.text}' expects ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'} (${t.text} ${usage}), got ${list.length}`);
  }
  list.forEach((a, k) => {
    if (!a) u.fail(k === 0 ? t.end : commaBefore(u, from, k), `'${t.text}': argument ${k + 1} is empty`);
  });
  return list as Operand[];
}

/** Position of the top-level comma before argument `k` (k >= 1). */
function commaBefore(u: Unit, from: number, k: number): number {
  let depth = 0, seen = 0;
  for (let i = from; i < u.toks.length; i++) {
    const tk = u.toks[i];
    if (tk.kind !== 'op') continue;
    if (tk.text === '(') depth++;
    else if (tk.text === ')') depth--;
    else if (tk.text === ',' && depth === 0 && ++seen === k) return tk.pos;
  }
  return u.toks[u.toks.length - 1]?.pos ?? 0;
}

function noArgs(u: Unit, t: Token, from: number): void {
  if (from < u.toks.length) u.fail(u.toks[from].pos, `'${t.text}' takes no arguments${/^\.(text|data|bss)$/.test(t.text) ? ' (subsections are not supported)' : ''}`);
}

function expr(u: Unit, op: Operand): Expr {
  return exprIn(u, op.start, op.end);
}

/** A constant known at this point of the file. */
function constant(u: Unit, op: Operand, what: string): bigint {
  const v = u.evalNow(expr(u, op));
  if (!v || v.anchor) return u.fail(op.pos, `${what} must be a constant known at this point`);
  return v.v;
}

function constIn(u: Unit, op: Operand, what: string, min: bigint, max: bigint): number {
  const v = constant(u, op, what);
  if (v < min || v > max) u.fail(op.pos, `${what} ${v} out of range (${min}..${max})`);
  return Number(v);
}

function symbolName(u: Unit, op: Operand | undefined, t: Token): Token {
  if (!op) return u.fail(t.end, `'${t.text}' expects a symbol name`);
  const tk = u.toks[op.start];
  if (op.end - op.start !== 1 || tk.kind !== 'id' || tk.text === '.') u.fail(op.pos, `expected a symbol name, got '${operandText(u, op)}'`);
  return tk;
}

function rawAfter(u: Unit, from: number): string {
  const toks = u.toks;
  return from < toks.length ? u.line.slice(toks[from].pos, toks[toks.length - 1].end) : '';
}

const on = (names: string[], h: Handler) => names.forEach((n) => HANDLERS.set(n, h));

// --- sections ----------------------------------------------------------------

for (const name of ['.text', '.data', '.bss', '.rodata']) {
  // .rodata is not a GNU as directive; it is accepted here as `.section .rodata`.
  on([name], (u, t, from) => {
    noArgs(u, t, from);
    u.switchSection(name, undefined, t.pos);
  });
}

/** `.section name[, "flags"[, @type]]`; the name may contain characters a symbol cannot (.note.GNU-stack). */
function sectionArgs(u: Unit, t: Token, from: number): void {
  const line = u.line;
  let i = t.end;
  while (line[i] === ' ' || line[i] === '\t') i++;
  let name: string;
  let nameEnd: number;
  if (line[i] === '"') {
    const close = line.indexOf('"', i + 1);
    if (close < 0) u.fail(i, 'unterminated string');
    name = line.slice(i + 1, close);
    nameEnd = close + 1;
  } else {
    let j = i;
    while (j < line.length && !/[\s,;]/.test(line[j])) j++;
    name = line.slice(i, j);
    nameEnd = j;
  }
  if (!name) u.fail(i, `'${t.text}' expects a section name`);
  let k = from;
  while (k < u.toks.length && u.toks[k].pos < nameEnd) k++;
  const rest = args(u, k);
  if (rest.length > 0 && rest[0] !== undefined) u.fail(rest[0].pos, `expected ',' after the section name`);
  let flags: SectionFlags | undefined;
  const flagOp = rest[1];
  if (flagOp) {
    const ft = u.toks[flagOp.start];
    if (ft.kind !== 'str' || flagOp.end - flagOp.start !== 1) u.fail(flagOp.pos, 'expected section flags as a string, e.g. "ax"');
    const f = { alloc: false, write: false, exec: false, nobits: false };
    for (const ch of String.fromCharCode(...(ft.bytes as number[]))) {
      if (ch === 'a') f.alloc = true;
      else if (ch === 'w') f.write = true;
      else if (ch === 'x') f.exec = true;
      else if (!'MSGTodRey?'.includes(ch)) u.fail(flagOp.pos, `unknown section flag '${ch}'`);
    }
    flags = f;
  }
  const typeOp = rest[2];
  if (typeOp) {
    const toks = u.toks.slice(typeOp.start, typeOp.end);
    const word = toks.find((x) => x.kind === 'id' || x.kind === 'str');
    const type = word ? (word.kind === 'str' ? String.fromCharCode(...(word.bytes as number[])) : word.text) : '';
    if (!/^(progbits|nobits|note|init_array|fini_array|preinit_array)$/.test(type)) u.fail(typeOp.pos, `unknown section type '${operandText(u, typeOp)}'`);
    const base = flags ?? defaultFlags(name);
    flags = { ...base, nobits: type === 'nobits' };
  }
  u.switchSection(name, flags, t.pos);
}

on(['.section'], sectionArgs);
on(['.pushsection'], (u, t, from) => {
  u.pushSection();
  sectionArgs(u, t, from);
});
on(['.popsection'], (u, t, from) => {
  noArgs(u, t, from);
  u.popSection(t.pos);
});
on(['.previous'], (u, t, from) => {
  noArgs(u, t, from);
  u.previous(t.pos);
});

// --- symbols -----------------------------------------------------------------

function bindAll(bind: 'global' | 'weak' | 'local'): Handler {
  return (u, t, from) => {
    const list = args(u, from);
    if (list.length === 0) u.fail(t.end, `'${t.text}' expects symbol names`);
    for (const op of list) {
      const tk = symbolName(u, op, t);
      u.symbols.entry(tk.text).bind = bind;
    }
  };
}
on(['.globl', '.global'], bindAll('global'));
on(['.weak'], bindAll('weak'));
on(['.local'], bindAll('local'));
on(['.hidden', '.protected', '.internal'], (u, t, from) => {
  for (const op of args(u, from)) symbolName(u, op, t);
});

const TYPES: Record<string, SymbolType> = {
  function: 'func', stt_func: 'func', gnu_indirect_function: 'func', object: 'object', stt_object: 'object',
  notype: 'notype', stt_notype: 'notype', tls_object: 'tls', stt_tls: 'tls', common: 'object', stt_common: 'object',
};
on(['.type'], (u, t, from) => {
  const list = required(u, t, from, 2, 2, 'symbol, @type');
  const tk = symbolName(u, list[0], t);
  const op = list[1];
  const word = u.toks.slice(op.start, op.end).find((x) => x.kind === 'id' || x.kind === 'str');
  const name = word ? (word.kind === 'str' ? String.fromCharCode(...(word.bytes as number[])) : word.text).toLowerCase() : '';
  const type = TYPES[name];
  if (!type) u.fail(op.pos, `unknown symbol type '${operandText(u, op)}' (use @function, @object or @notype)`);
  u.symbols.entry(tk.text).type = type;
});
on(['.size'], (u, t, from) => {
  const list = required(u, t, from, 2, 2, 'symbol, size');
  const tk = symbolName(u, list[0], t);
  u.symbols.entry(tk.text).size = expr(u, list[1]);
});
on(['.equ', '.set'], (u, t, from) => {
  const list = required(u, t, from, 2, 2, 'symbol, value');
  u.defineEqu(symbolName(u, list[0], t), list[1].start, 'set');
});
on(['.equiv', '.eqv'], (u, t, from) => {
  const list = required(u, t, from, 2, 2, 'symbol, value');
  u.defineEqu(symbolName(u, list[0], t), list[1].start, 'equiv');
});
for (const [name, global] of [['.comm', true], ['.lcomm', false]] as const) {
  on([name], (u, t, from) => {
    const list = required(u, t, from, 2, 3, 'symbol, size[, align]');
    const tk = symbolName(u, list[0], t);
    const size = constIn(u, list[1], 'size', 0n, 0x7fffffffn);
    const alignment = list[2] ? constIn(u, list[2], 'alignment', 1n, 1n << 24n) : Math.min(16, 2 ** Math.floor(Math.log2(Math.max(1, size))));
    if (alignment & (alignment - 1)) u.fail(list[2]?.pos ?? t.pos, `alignment ${alignment} is not a power of 2`);
    u.common(tk, size, alignment, global);
  });
}

// --- data ---------------------------------------------------------------------

const DATA_SIZES: Array<[string[], number]> = [
  [['.byte'], 1], [['.half', '.2byte', '.short', '.hword'], 2], [['.word', '.4byte', '.long', '.int'], 4],
  [['.dword', '.8byte', '.quad'], 8],
];
for (const [names, size] of DATA_SIZES) {
  on(names, (u, t, from) => {
    // Without values nothing is emitted (as in GNU as; a macro's empty vararg ends up here).
    const list = args(u, from);
    list.forEach((op, k) => {
      if (!op) return u.fail(k === 0 ? t.end : commaBefore(u, from, k), `'${t.text}': value ${k + 1} is empty`);
      // Parsed and emitted one at a time, so `.` in each value is that value's own address.
      u.emitData(expr(u, op), size, op.pos);
    });
  });
}

function strings(zero: boolean): Handler {
  return (u, t, from) => {
    const list = args(u, from);
    if (list.length === 0) u.fail(t.end, `'${t.text}' expects a string`);
    for (const op of list) {
      const tk = op ? u.toks[op.start] : undefined;
      if (!op || !tk || tk.kind !== 'str' || op.end - op.start !== 1) return u.fail(op ? op.pos : t.end, `'${t.text}' expects strings in double quotes`);
      u.emitBytes(tk.bytes as number[], op.pos);
      if (zero) u.emitBytes([0], op.pos);
    }
  };
}
on(['.ascii'], strings(false));
on(['.asciz', '.string'], strings(true));

on(['.zero'], (u, t, from) => {
  const [n] = required(u, t, from, 1, 1, 'count');
  u.emitFill(constIn(u, n, 'size', 0n, 0x7fffffffn), 0, n.pos);
});
on(['.space', '.skip'], (u, t, from) => {
  const list = required(u, t, from, 1, 2, 'count[, fill]');
  const fill = list[1] ? Number(BigInt.asUintN(8, constant(u, list[1], 'fill value'))) : 0;
  u.emitFill(constIn(u, list[0], 'size', 0n, 0x7fffffffn), fill, list[0].pos);
});
on(['.fill'], (u, t, from) => {
  const list = args(u, from);
  if (list.length < 1 || list.length > 3 || !list[0]) u.fail(t.pos, `'${t.text}' expects repeat[, size[, value]]`);
  const repeat = constIn(u, list[0] as Operand, 'repeat count', 0n, 0x7fffffffn);
  const size = list[1] ? constIn(u, list[1], 'size', 0n, 8n) : 1;
  const value = list[2] ? constant(u, list[2], 'value') : 0n;
  // GNU as: values wider than 4 bytes are not extended beyond 4 bytes.
  const bytes: number[] = [];
  for (let k = 0; k < size; k++) bytes.push(k < 4 ? Number((value >> BigInt(8 * k)) & 0xffn) : 0);
  for (let r = 0; r < repeat; r++) u.emitBytes(bytes, (list[0] as Operand).pos);
});

// --- alignment ------------------------------------------------------------------

function alignment(byPower: boolean): Handler {
  return (u, t, from) => {
    const list = args(u, from);
    if (list.length < 1 || list.length > 3 || !list[0]) u.fail(t.pos, `'${t.text}' expects ${byPower ? 'power' : 'bytes'}[, fill[, max]]`);
    const first = list[0] as Operand;
    let bytes: number;
    if (byPower) {
      bytes = 2 ** constIn(u, first, 'alignment power', 0n, 24n);
    } else {
      bytes = constIn(u, first, 'alignment', 0n, 1n << 24n);
      if (bytes === 0) bytes = 1;
      if (bytes & (bytes - 1)) u.fail(first.pos, `alignment ${bytes} is not a power of 2`);
    }
    const fill = list[1] ? Number(BigInt.asUintN(8, constant(u, list[1], 'fill value'))) : undefined;
    const max = list[2] ? constIn(u, list[2], 'maximum padding', 0n, 1n << 24n) : undefined;
    u.align(bytes, fill, max, first.pos);
  };
}
// On RISC-V, `.align n` aligns to 2^n bytes, like `.p2align`.
on(['.align', '.p2align'], alignment(true));
on(['.balign'], alignment(false));

// --- options and ignored directives -------------------------------------------------

on(['.option'], (u, t, from) => {
  const [op] = required(u, t, from, 1, 2, 'name[, value]');
  const tk = u.toks[op.start];
  const name = tk.kind === 'id' ? tk.text.toLowerCase() : '';
  switch (name) {
    case 'norvc': case 'norelax': case 'nopic': case 'csr-check': case 'no-csr-check':
      if (name === 'norelax') u.relax = false;
      return;
    case 'relax':
      u.relax = true;
      return;
    case 'push':
      return u.pushOptions();
    case 'pop':
      return u.popOptions(op.pos);
    case 'rvc':
      return u.fail(op.pos, "'.option rvc' is not supported: the machine has no C extension (RV32IMA), so compressed instructions cannot be used");
    case 'pic':
      return u.fail(op.pos, "'.option pic' is not supported: programs are linked at a fixed address (use nopic)");
    case 'arch': {
      const rest = rawAfter(u, op.end).replace(/^\s*,\s*/, '');
      if (/(^|[+,\s])c\b|_zc/i.test(rest)) u.fail(op.pos, "'.option arch' cannot enable C: the machine has no compressed instructions");
      return;
    }
    default:
      return u.fail(op.pos, `unknown option '${operandText(u, op)}' (known: push, pop, norvc, relax, norelax, nopic, arch)`);
  }
});

// Accepted and ignored: debug-info and toolchain bookkeeping that does not change the image.
on(['.file', '.loc', '.loc_mark_labels', '.attribute', '.ident', '.addrsig', '.addrsig_sym', '.variant_cc'], () => undefined);

on(['.end'], (u) => u.end());
on(['.error'], (u, t, from) => {
  const tk = u.toks[from];
  u.fail(t.pos, tk && tk.kind === 'str' ? String.fromCharCode(...(tk.bytes as number[])) : '.error directive');
});
on(['.err'], (u, t) => u.fail(t.pos, '.err directive'));
on(['.warning'], (u, t, from) => {
  const tk = u.toks[from];
  u.warn(t.pos, tk && tk.kind === 'str' ? String.fromCharCode(...(tk.bytes as number[])) : '.warning directive');
});

on(['.include'], (u, t, from) => {
  const tk = u.toks[from];
  if (!tk || tk.kind !== 'str' || from + 1 !== u.toks.length) u.fail(tk ? tk.pos : t.end, `'.include' expects a file name in double quotes`);
  u.include(String.fromCharCode(...(tk.bytes as number[])), tk.pos);
});

// --- macros and repetitions ------------------------------------------------------------

on(['.macro'], (u, t) => {
  const { name, params } = parseMacroHeader(u.line, t.end, u.origin);
  const { lines, pos } = u.frameLines();
  const block = collectBlock(lines, pos, true);
  if (!block) {
    u.frameSkipTo(lines.length);
    return u.fail(t.pos, `unterminated .macro '${name}' (missing .endm)`);
  }
  u.frameSkipTo(block.next);
  u.defineMacro({ name, params, body: block.body, loc: u.loc(t.pos) }, t.pos);
});
on(['.endm', '.endmacro'], (u, t) => u.fail(t.pos, `'${t.text}' without .macro`));
on(['.endr'], (u, t) => u.fail(t.pos, `'${t.text}' without .rept or .irp`));
on(['.exitm'], (u, t) => u.exitMacro(t.pos));
on(['.purgem'], (u, t, from) => {
  const [op] = required(u, t, from, 1, 1, 'name');
  const name = operandText(u, op);
  if (!u.macros.delete(name)) u.fail(op.pos, `no macro named '${name}'`);
});

/** Collects a .rept/.irp body after the current line; reports a missing .endr at `t`. */
function repeatBody(u: Unit, t: Token): SourceLine[] {
  const { lines, pos } = u.frameLines();
  const block = collectBlock(lines, pos, false);
  if (!block) {
    u.frameSkipTo(lines.length);
    return u.fail(t.pos, `unterminated '${t.text}' (missing .endr)`);
  }
  u.frameSkipTo(block.next);
  return block.body;
}

on(['.rept'], (u, t, from) => {
  const [n] = required(u, t, from, 1, 1, 'count');
  const body = repeatBody(u, t);
  const count = constIn(u, n, 'repeat count', 0n, 1000000n);
  const lines: SourceLine[] = [];
  for (let k = 0; k < count; k++) lines.push(...body);
  if (lines.length > 0) u.pushRepeat(lines, t.pos);
});

/** `.irp sym, values...` / `.irpc sym, chars`: the body once per value, with `\sym` replaced. */
function irp(perChar: boolean): Handler {
  return (u, t, from) => {
    const list = args(u, from);
    const body = repeatBody(u, t);
    const symOp = list[0];
    const sym = symbolName(u, symOp, t).text;
    let values: string[];
    if (perChar) {
      values = list[1] ? [...operandText(u, list[1]).replace(/\s+/g, '')] : [''];
    } else {
      values = list.slice(1).map((op) => (op ? operandText(u, op).replace(/^"(.*)"$/, '$1') : ''));
      if (values.length === 0) values = [''];
    }
    const lines: SourceLine[] = [];
    for (const v of values) lines.push(...substitute(body, new Map([[sym, v]]), 0, undefined, undefined));
    if (lines.length > 0) u.pushRepeat(lines, t.pos);
  };
}
on(['.irp'], irp(false));
on(['.irpc'], irp(true));

// --- conditionals -----------------------------------------------------------------------

const CONDITIONALS = new Set([
  '.if', '.ifdef', '.ifndef', '.ifnotdef', '.ifeq', '.ifne', '.ifgt', '.ifge', '.iflt', '.ifle',
  '.ifb', '.ifnb', '.ifc', '.ifnc', '.else', '.elseif', '.endif',
]);

export function isConditional(name: string): boolean {
  return CONDITIONALS.has(name);
}

/** Handles a conditional directive; it runs in skipped regions too, to track nesting. */
export function conditional(u: Unit, name: string, t: Token, from: number): void {
  const top = u.conds[u.conds.length - 1];
  if (name === '.endif') {
    if (!top) u.fail(t.pos, '.endif without .if');
    u.conds.pop();
    return;
  }
  if (name === '.else') {
    if (!top) u.fail(t.pos, '.else without .if');
    if (top.elseSeen) u.fail(t.pos, 'duplicate .else');
    top.active = top.parentActive && !top.done;
    top.done = true;
    top.elseSeen = true;
    return;
  }
  if (name === '.elseif') {
    if (!top) u.fail(t.pos, '.elseif without .if');
    if (top.elseSeen) u.fail(t.pos, '.elseif after .else');
    if (top.parentActive && !top.done) {
      top.active = test(u, '.if', t, from);
      top.done = top.active;
    } else {
      top.active = false;
    }
    return;
  }
  const loc = u.loc(t.pos);
  if (!u.active()) {
    u.conds.push({ active: false, done: true, elseSeen: false, parentActive: false, loc });
    return;
  }
  // Push first, so a failing test still balances the matching .endif.
  const c = { active: false, done: true, elseSeen: false, parentActive: true, loc };
  u.conds.push(c);
  c.active = test(u, name, t, from);
  c.done = c.active;
}

function test(u: Unit, name: string, t: Token, from: number): boolean {
  switch (name) {
    case '.ifdef': case '.ifndef': case '.ifnotdef': {
      const [op] = required(u, t, from, 1, 1, 'symbol');
      const s = u.symbols.get(symbolName(u, op, t).text);
      const defined = s !== undefined && s.kind !== 'none';
      return name === '.ifdef' ? defined : !defined;
    }
    case '.ifb': case '.ifnb': {
      const blank = rawAfter(u, from).trim() === '';
      return name === '.ifb' ? blank : !blank;
    }
    case '.ifc': case '.ifnc': {
      const raw = rawAfter(u, from);
      const parts = splitTop(raw);
      if (parts.length !== 2) u.fail(t.pos, `'${t.text}' expects two strings separated by a comma`);
      const same = unquote(parts[0]) === unquote(parts[1]);
      return name === '.ifc' ? same : !same;
    }
    default: {
      const [op] = required(u, t, from, 1, 1, 'expression');
      const v = constant(u, op, 'condition');
      switch (name) {
        case '.ifeq': return v === 0n;
        case '.ifgt': return v > 0n;
        case '.ifge': return v >= 0n;
        case '.iflt': return v < 0n;
        case '.ifle': return v <= 0n;
        default: return v !== 0n; // .if, .ifne
      }
    }
  }
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let quote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quote = !quote;
    else if (s[i] === ',' && !quote) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}
