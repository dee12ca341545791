/**
 * Tokenizer for one statement. Positions are 0-based offsets into the line, so
 * diagnostics can point at the exact column.
 */
import { AsmError } from './diagnostics';
import { type LineOrigin, locAt } from './source';

export type TokenKind =
  | 'id' // identifier: symbol, mnemonic, directive, register (may contain '.' and '$')
  | 'num' // integer or character constant
  | 'str' // string literal (bytes decoded)
  | 'ref' // numeric local label reference: 1f, 2b
  | 'rel' // relocation function: %hi %lo %pcrel_hi %pcrel_lo
  | 'op'; // punctuation and operators

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, operator, relocation name, or the literal's source text. */
  readonly text: string;
  /** 0-based offset of the first character in the line. */
  readonly pos: number;
  /** Offset one past the last character. */
  readonly end: number;
  readonly value?: bigint;
  readonly bytes?: number[];
  /** For 'ref': the label number and direction. */
  readonly label?: number;
  readonly forward?: boolean;
}

const RELOCS = new Set(['hi', 'lo', 'pcrel_hi', 'pcrel_lo']);
const UNSUPPORTED_RELOCS = new Set([
  'tprel_hi', 'tprel_lo', 'tprel_add', 'got_pcrel_hi', 'tls_ie_pcrel_hi', 'tls_gd_pcrel_hi', 'gprel',
]);
const TWO_CHAR_OPS = new Set(['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||']);
const ONE_CHAR_OPS = '+-*/%&|^~!()<>,:=@[]{}';
const MAX64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46 || c === 36;
}

export function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Tokenizes `line.slice(from, to)`; token positions are offsets into `line`.
 * Throws AsmError (located through `origin`) for malformed literals.
 */
export function tokenize(line: string, from: number, to: number, origin: LineOrigin): Token[] {
  const out: Token[] = [];
  const fail = (pos: number, message: string): never => {
    throw new AsmError(message, locAt(origin, pos));
  };
  let i = from;
  while (i < to) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 12 || c === 11) {
      i++;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < to && isIdentChar(line.charCodeAt(i))) i++;
      out.push({ kind: 'id', text: line.slice(start, i), pos: start, end: i });
      continue;
    }
    if (isDigit(c)) {
      out.push(readNumber(line, start, to, fail));
      i = out[out.length - 1].end;
      continue;
    }
    if (c === 34 /* " */) {
      const bytes: number[] = [];
      i++;
      let closed = false;
      while (i < to) {
        const ch = line[i];
        if (ch === '"') {
          closed = true;
          i++;
          break;
        }
        if (ch === '\\') i = readEscape(line, i, to, bytes, fail);
        else i = pushChar(line, i, bytes);
      }
      if (!closed) fail(start, 'unterminated string');
      out.push({ kind: 'str', text: line.slice(start, i), pos: start, end: i, bytes });
      continue;
    }
    if (c === 39 /* ' */) {
      const bytes: number[] = [];
      i++;
      if (i >= to) fail(start, 'missing character after \'');
      if (line[i] === '\\') i = readEscape(line, i, to, bytes, fail, true);
      else i = pushChar(line, i, bytes);
      if (line[i] === "'") i++;
      let v = 0n;
      for (const b of bytes) v = (v << 8n) | BigInt(b);
      out.push({ kind: 'num', text: line.slice(start, i), pos: start, end: i, value: v });
      continue;
    }
    if (c === 37 /* % */ && i + 1 < to && isIdentStart(line.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < to && isIdentChar(line.charCodeAt(j))) j++;
      const name = line.slice(i + 1, j);
      if (RELOCS.has(name)) {
        out.push({ kind: 'rel', text: name, pos: start, end: j });
        i = j;
        continue;
      }
      if (UNSUPPORTED_RELOCS.has(name)) fail(start, `relocation %${name} is not supported (thread-local storage, GOT and gp-relative addressing are not available)`);
    }
    const two = line.slice(i, i + 2);
    if (i + 1 < to && TWO_CHAR_OPS.has(two)) {
      out.push({ kind: 'op', text: two, pos: start, end: i + 2 });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.includes(line[i])) {
      out.push({ kind: 'op', text: line[i], pos: start, end: i + 1 });
      i++;
      continue;
    }
    fail(start, `unexpected character '${line[i]}'`);
  }
  return out;
}

function readNumber(line: string, start: number, to: number, fail: (pos: number, m: string) => never): Token {
  let i = start;
  const c0 = line[i];
  const c1 = (line[i + 1] ?? '').toLowerCase();
  let digits: string;
  let radix: 'x' | 'b' | 'o' | 'd';
  const after = (j: number) => (j < to ? line.charCodeAt(j) : 0);
  if (c0 === '0' && c1 === 'x') {
    i += 2;
    const s = i;
    while (i < to && /[0-9a-fA-F]/.test(line[i])) i++;
    digits = line.slice(s, i);
    radix = 'x';
    if (!digits) fail(start, `invalid number '${line.slice(start, i)}'`);
  } else if (c0 === '0' && c1 === 'b' && (line[i + 2] === '0' || line[i + 2] === '1')) {
    i += 2;
    const s = i;
    while (i < to && (line[i] === '0' || line[i] === '1')) i++;
    digits = line.slice(s, i);
    radix = 'b';
  } else {
    while (i < to && isDigit(line.charCodeAt(i))) i++;
    digits = line.slice(start, i);
    radix = digits.length > 1 && digits[0] === '0' ? 'o' : 'd';
    // `1f` / `2b`: a reference to the next / previous numeric local label.
    const suffix = line[i];
    if ((suffix === 'f' || suffix === 'b' || suffix === 'F' || suffix === 'B') && !isIdentChar(after(i + 1))) {
      return {
        kind: 'ref', text: line.slice(start, i + 1), pos: start, end: i + 1,
        label: Number(digits), forward: suffix === 'f' || suffix === 'F',
      };
    }
  }
  if (isIdentChar(after(i))) {
    let j = i;
    while (j < to && isIdentChar(line.charCodeAt(j))) j++;
    fail(start, `invalid number '${line.slice(start, j)}'`);
  }
  let value: bigint;
  if (radix === 'o') {
    if (!/^[0-7]+$/.test(digits)) fail(start, `invalid octal number '${digits}'`);
    value = BigInt('0o' + digits);
  } else if (radix === 'x') value = BigInt('0x' + digits);
  else if (radix === 'b') value = BigInt('0b' + digits);
  else value = BigInt(digits);
  if (value > MAX64) fail(start, `number '${line.slice(start, i)}' does not fit in 64 bits`);
  return { kind: 'num', text: line.slice(start, i), pos: start, end: i, value };
}

// The escapes GNU as knows (it has no \\a or \\e); in strings also \\v, octal and hex.
const STRING_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, '\\': 92, '"': 34, "'": 39 };
const CHAR_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, '\\': 92, '"': 34, "'": 39 };

/**
 * Reads the escape at line[i] === '\\' into `bytes`; returns the index after it.
 * In a character constant GNU as knows only letter escapes: '\\0' is '0'.
 */
function readEscape(line: string, i: number, to: number, bytes: number[], fail: (pos: number, m: string) => never, inChar = false): number {
  const c = line[i + 1];
  if (c === undefined || i + 1 >= to) fail(i, 'unterminated escape sequence');
  const table = inChar ? CHAR_ESCAPES : STRING_ESCAPES;
  if (c in table) {
    bytes.push(table[c]);
    return i + 2;
  }
  if (inChar) return pushChar(line, i + 1, bytes);
  if (c >= '0' && c <= '7') {
    let j = i + 1;
    let v = 0;
    while (j < to && j < i + 4 && line[j] >= '0' && line[j] <= '7') v = v * 8 + (line.charCodeAt(j++) - 48);
    bytes.push(v & 0xff);
    return j;
  }
  if (c === 'x' || c === 'X') {
    let j = i + 2;
    let v = 0;
    while (j < to && /[0-9a-fA-F]/.test(line[j])) v = ((v << 4) | parseInt(line[j++], 16)) & 0xff;
    if (j === i + 2) fail(i, 'missing hex digits after \\x');
    bytes.push(v);
    return j;
  }
  // GNU as keeps an unknown escaped character as itself.
  return pushChar(line, i + 1, bytes);
}

/** Appends the UTF-8 bytes of the character at line[i]; returns the index after it. */
function pushChar(line: string, i: number, bytes: number[]): number {
  const cp = line.codePointAt(i) as number;
  if (cp < 0x80) bytes.push(cp);
  else for (const b of utf8.encode(String.fromCodePoint(cp))) bytes.push(b);
  return i + (cp > 0xffff ? 2 : 1);
}
