/**
 * `.macro`/`.endm`, `.rept`/`.irp`/`.irpc`/`.endr`: collecting bodies and
 * expanding them. Expansion is textual, as in GNU as: `\name` is replaced by
 * the argument, `\()` by nothing, `\@` by the number of macro expansions so far.
 */
import { AsmError, type SourceLoc } from './diagnostics';
import { isIdentChar, isIdentStart } from './lexer';
import { type LineOrigin, locAt, type SourceLine } from './source';

export interface MacroParam {
  readonly name: string;
  readonly def?: string;
  readonly required: boolean;
  readonly vararg: boolean;
}

export interface MacroDef {
  readonly name: string;
  readonly params: readonly MacroParam[];
  readonly body: readonly SourceLine[];
  readonly loc: SourceLoc;
}

const OPENERS = new Set(['.macro', '.rept', '.irp', '.irpc']);

/** The directive a line starts with (after any labels), lower-cased, or undefined. */
export function leadingDirective(text: string): string | undefined {
  const m = /^\s*(?:[A-Za-z0-9_.$]+:\s*)*(\.[A-Za-z_]+)(?![A-Za-z0-9_.$])/.exec(text);
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Collects the body of a block that starts before `lines[pos]` and ends at the
 * matching closer (`.endm`/`.endmacro` for macros, `.endr` for repeats). Nested
 * blocks are kept in the body. Returns the body and the index after the closer,
 * or undefined when the closer is missing.
 */
export function collectBlock(lines: readonly SourceLine[], pos: number, macro: boolean): { body: SourceLine[]; next: number } | undefined {
  let depth = 1;
  for (let i = pos; i < lines.length; i++) {
    const d = leadingDirective(lines[i].text);
    if (!d) continue;
    if (macro ? d === '.macro' : OPENERS.has(d) && d !== '.macro') depth++;
    else if (macro ? d === '.endm' || d === '.endmacro' : d === '.endr') depth--;
    if (depth === 0) return { body: lines.slice(pos, i), next: i + 1 };
  }
  return undefined;
}

/** Parses `name [param[=default|:req|:vararg]]...` (params separated by commas or blanks) from `text[from..]`. */
export function parseMacroHeader(text: string, from: number, origin: LineOrigin): { name: string; params: MacroParam[] } {
  let i = skipBlanks(text, from);
  const nameStart = i;
  while (i < text.length && isIdentChar(text.charCodeAt(i))) i++;
  if (i === nameStart) throw new AsmError('expected a macro name after .macro', locAt(origin, nameStart));
  const name = text.slice(nameStart, i);
  const params: MacroParam[] = [];
  for (;;) {
    i = skipBlanks(text, i);
    if (text[i] === ',') i = skipBlanks(text, i + 1);
    if (i >= text.length) break;
    const ps = i;
    if (!isIdentStart(text.charCodeAt(i))) throw new AsmError(`invalid macro parameter '${text.slice(i).trim()}'`, locAt(origin, i));
    while (i < text.length && isIdentChar(text.charCodeAt(i))) i++;
    const pname = text.slice(ps, i);
    if (params.some((p) => p.name === pname)) throw new AsmError(`duplicate macro parameter '${pname}'`, locAt(origin, ps));
    let def: string | undefined;
    let required = false, vararg = false;
    if (text[i] === ':') {
      const qs = i + 1;
      let j = qs;
      while (j < text.length && isIdentChar(text.charCodeAt(j))) j++;
      const q = text.slice(qs, j);
      if (q === 'req') required = true;
      else if (q === 'vararg') vararg = true;
      else throw new AsmError(`unknown macro parameter qualifier ':${q}' (use :req or :vararg)`, locAt(origin, i));
      i = j;
    }
    const k = skipBlanks(text, i);
    if (text[k] === '=') {
      const { value, next } = readArg(text, skipBlanks(text, k + 1));
      def = value;
      i = next;
    }
    params.push({ name: pname, def, required, vararg });
  }
  return { name, params };
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

const OPERATOR_CHARS = '+-*/%&|^<>=!~';

/**
 * One argument starting at `i`, up to a top-level comma or blank; quotes are
 * removed. As in GNU as, a blank next to an operator does not end it (`3 - 1`).
 */
function readArg(text: string, i: number): { value: string; next: number } {
  let depth = 0;
  let out = '';
  let j = i;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '"') {
      let k = j + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      out += text.slice(j + 1, k);
      j = k + 1;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && ch === ',') break;
    else if (depth === 0 && (ch === ' ' || ch === '\t')) {
      const k = skipBlanks(text, j);
      const prev = out.trimEnd().slice(-1);
      if (k < text.length && text[k] !== ',' && (OPERATOR_CHARS.includes(text[k]) || (prev !== '' && OPERATOR_CHARS.includes(prev)))) {
        out += ' ';
        j = k;
        continue;
      }
      break;
    }
    out += ch;
    j++;
  }
  return { value: out.trim(), next: j };
}

/**
 * Binds the invocation arguments in `text[from..]` to the macro's parameters.
 * Arguments are positional or `name=value`, separated by commas or blanks.
 */
export function bindArgs(m: MacroDef, text: string, from: number, origin: LineOrigin): Map<string, string> {
  const values = new Map<string, string>();
  let i = skipBlanks(text, from);
  let positional = 0;
  while (i < text.length) {
    const argPos = i;
    const named = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(?!=)/.exec(text.slice(i));
    let param: MacroParam | undefined = named ? m.params.find((p) => p.name === named[1]) : undefined;
    if (param) {
      i = skipBlanks(text, i + (named as RegExpExecArray)[0].length);
    } else {
      param = m.params[positional++];
      if (!param) throw new AsmError(`too many arguments for macro '${m.name}' (it takes ${m.params.length})`, locAt(origin, argPos));
    }
    let value: string;
    if (param.vararg) {
      value = text.slice(i).trim();
      i = text.length;
    } else {
      const a = readArg(text, i);
      value = a.value;
      i = a.next;
    }
    values.set(param.name, value);
    i = skipBlanks(text, i);
    if (text[i] === ',') i = skipBlanks(text, i + 1);
  }
  for (const p of m.params) {
    if (values.has(p.name) && values.get(p.name) !== '') continue;
    if (p.required) throw new AsmError(`missing value for required parameter '${p.name}' of macro '${m.name}'`, locAt(origin, from));
    if (!values.has(p.name) || p.def !== undefined) values.set(p.name, p.def ?? '');
  }
  return values;
}

/**
 * Substitutes `\param`, `\()` and `\@` in `body`. Each expanded line keeps its
 * own origin for messages (with columns mapped back through the substitution)
 * and takes `debug` as its line-table position.
 */
export function substitute(
  body: readonly SourceLine[],
  values: ReadonlyMap<string, string>,
  counter: number,
  note: string | undefined,
  debug: { file: string; line: number; column: number } | undefined,
): SourceLine[] {
  const out: SourceLine[] = [];
  for (const line of body) {
    const o = line.origin;
    const base: LineOrigin = {
      file: o.file, line: o.line, colMap: o.colMap,
      note: note !== undefined ? note + (o.note ?? '') : o.note,
      debugFile: debug ? debug.file : o.debugFile,
      debugLine: debug ? debug.line : o.debugLine,
      debugColumn: debug ? debug.column : o.debugColumn,
    };
    const text = line.text;
    if (text.indexOf('\\') < 0) {
      out.push({ text, origin: base });
      continue;
    }
    // Segments of the result: [resultStart, sourceStart, replaced] for mapping columns back.
    const segs: Array<[number, number, boolean]> = [];
    let res = '';
    let last = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] !== '\\') continue;
      let repl: string | undefined;
      let end = i + 1;
      if (text[i + 1] === '@') {
        repl = String(counter);
        end = i + 2;
      } else if (text[i + 1] === '(' && text[i + 2] === ')') {
        repl = '';
        end = i + 3;
      } else if (isIdentStart(text.charCodeAt(i + 1)) && text[i + 1] !== '.') {
        let j = i + 1;
        while (j < text.length && isIdentChar(text.charCodeAt(j)) && text[j] !== '.') j++;
        const name = text.slice(i + 1, j);
        if (values.has(name)) {
          repl = values.get(name) as string;
          end = j;
        }
      }
      if (repl === undefined) continue;
      segs.push([res.length, last, false]);
      res += text.slice(last, i);
      segs.push([res.length, i, true]);
      res += repl;
      last = end;
      i = end - 1;
    }
    segs.push([res.length, last, false]);
    res += text.slice(last);
    const inner = o.colMap;
    const colMap = (col: number): number => {
      let k = segs.length - 1;
      while (k > 0 && segs[k][0] > col - 1) k--;
      const [rs, ss, replaced] = segs[k];
      const c = replaced ? ss + 1 : ss + (col - 1 - rs) + 1;
      return inner ? inner(c) : c;
    };
    out.push({ text: res, origin: { ...base, colMap } });
  }
  return out;
}
