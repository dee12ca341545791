/**
 * A strict JSON parser that remembers where each value is, so that schema and
 * consistency errors in a system file can point at a line and column, and that
 * reports syntax errors (and duplicate keys, which JSON.parse silently drops)
 * with their position.
 */

export interface JsonLocation {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

export type PathSegment = string | number;

export class JsonSyntaxError extends Error {
  constructor(readonly detail: string, readonly location: JsonLocation) {
    super(`${location.line}:${location.column}: ${detail}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface LocatedJson {
  readonly value: unknown;
  /** Location by formatted path (see formatPath): a member's key, an element's value, the root's value. */
  readonly locations: ReadonlyMap<string, JsonLocation>;
  /** Members whose key repeats an earlier key of the same object. */
  readonly duplicateKeys: readonly { readonly path: string; readonly location: JsonLocation }[];
}

/** "vms[1].ramMiB"; keys that are not identifiers are quoted: `devices[0]["odd key"]`; the root is "". */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Nesting limit: keeps the recursive descent far from the stack limit. */
const MAX_DEPTH = 256;

class Parser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];
  readonly locations = new Map<string, JsonLocation>();
  readonly duplicateKeys: { path: string; location: JsonLocation }[] = [];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  locate(offset: number): JsonLocation {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  private fail(detail: string, at = this.pos): never {
    throw new JsonSyntaxError(detail, this.locate(at));
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '/' && (this.text[this.pos + 1] === '/' || this.text[this.pos + 1] === '*')) this.fail('comments are not allowed in JSON');
      else return;
    }
  }

  private describeHere(): string {
    if (this.pos >= this.text.length) return 'unexpected end of file';
    return `unexpected ${JSON.stringify(this.text[this.pos])}`;
  }

  parseDocument(): unknown {
    this.skipSpace();
    const value = this.value([], 0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`${this.describeHere()} after the end of the document`);
    return value;
  }

  private value(path: PathSegment[], depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    if (path.length === 0) this.locations.set('', this.locate(this.pos));
    const c = this.text[this.pos];
    if (c === '{') return this.object(path, depth);
    if (c === '[') return this.array(path, depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    if (c === "'") this.fail('strings must use double quotes');
    return this.fail(`${this.describeHere()}: expected a value`);
  }

  private object(path: PathSegment[], depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail(this.text[this.pos] === '}' ? 'trailing comma is not allowed in JSON' : `${this.describeHere()}: expected a property name in double quotes`);
      const keyAt = this.pos;
      const key = this.string();
      const memberPath = [...path, key];
      const formatted = formatPath(memberPath);
      if (seen.has(key)) this.duplicateKeys.push({ path: formatted, location: this.locate(keyAt) });
      seen.add(key);
      this.locations.set(formatted, this.locate(keyAt));
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail(`${this.describeHere()}: expected ':' after the property name`);
      this.pos++;
      this.skipSpace();
      // defineProperty: a "__proto__" key is data, not the object's prototype.
      Object.defineProperty(out, key, { value: this.value(memberPath, depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return out;
      if (c !== ',') this.fail(`${c === undefined ? 'unexpected end of file' : `unexpected ${JSON.stringify(c)}`}: expected ',' or '}'`, this.pos - 1);
      this.skipSpace();
    }
  }

  private array(path: PathSegment[], depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] === ']') this.fail('trailing comma is not allowed in JSON');
      const elementPath = [...path, out.length];
      this.locations.set(formatPath(elementPath), this.locate(this.pos));
      out.push(this.value(elementPath, depth + 1));
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return out;
      if (c !== ',') this.fail(`${c === undefined ? 'unexpected end of file' : `unexpected ${JSON.stringify(c)}`}: expected ',' or ']'`, this.pos - 1);
      this.skipSpace();
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c < ' ') this.fail('control character in string (use an escape such as \\n)');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        this.pos += 2;
      } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        this.fail('invalid escape sequence in string');
      }
    }
  }

  private number(): number {
    const re = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    const start = this.pos;
    if (!m || m[0] === '-') this.fail('invalid number', start);
    this.pos += m[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9A-Za-z.]/.test(next)) this.fail('invalid number', start);
    return Number(m[0]);
  }
}

/** Parses JSON text (a leading byte-order mark is ignored). Throws JsonSyntaxError. */
export function parseJsonLocated(text: string): LocatedJson {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const p = new Parser(body);
  const value = p.parseDocument();
  return { value, locations: p.locations, duplicateKeys: p.duplicateKeys };
}
