/**
 * Source text → lines with comments blanked out (replaced by spaces, so columns
 * stay exact) and statements split at `;`. GNU as for RISC-V: `#` starts a
 * comment anywhere outside strings, `/* … *\/` comments may span lines, `;`
 * separates statements on one line.
 */
import type { SourceLoc } from './diagnostics';

/** Where a line of text came from: errors point at `file:line`, the line table at `debug`. */
export interface LineOrigin {
  readonly file: string;
  readonly line: number;
  /** Maps a 1-based column in the (macro-substituted) text to one in the original line. */
  readonly colMap?: (col: number) => number;
  /** Appended to messages about this line, e.g. " (in macro 'm' invoked at a.S:3)". */
  readonly note?: string;
  /** Source position the line table gives to code from this line (a macro's invocation line). */
  readonly debugFile: string;
  readonly debugLine: number;
  /** Column for the line table when it is not this line's own (a macro's invocation). */
  readonly debugColumn?: number;
}

export interface SourceLine {
  readonly text: string;
  readonly origin: LineOrigin;
}

export interface CommentProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Splits a file into lines with comments blanked. Problems (an unterminated block comment) go to `problems`. */
export function readLines(text: string, file: string, problems: CommentProblem[]): SourceLine[] {
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  if (raw.length > 0 && raw[raw.length - 1] === '' && /[\r\n]$/.test(text)) raw.pop();
  const out: SourceLine[] = [];
  let inBlock = false;
  let blockStart: { line: number; column: number } | undefined;
  for (let n = 0; n < raw.length; n++) {
    const line = raw[n];
    let res = '';
    let i = 0;
    let quote = false;
    while (i < line.length) {
      const c = line[i];
      if (inBlock) {
        if (c === '*' && line[i + 1] === '/') {
          inBlock = false;
          res += '  ';
          i += 2;
        } else {
          res += ' ';
          i++;
        }
        continue;
      }
      if (quote) {
        if (c === '\\' && i + 1 < line.length) {
          res += c + line[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') quote = false;
        res += c;
        i++;
        continue;
      }
      if (c === '"') {
        quote = true;
      } else if (c === "'") {
        // A character constant: the quote, one (possibly escaped) character, an optional closing quote.
        let j = i + 1;
        if (line[j] === '\\') j += 2;
        else j += 1;
        if (line[j] === "'") j++;
        res += line.slice(i, j);
        i = j;
        continue;
      } else if (c === '#') {
        break;
      } else if (c === '/' && line[i + 1] === '*') {
        inBlock = true;
        blockStart = { line: n + 1, column: i + 1 };
        res += '  ';
        i += 2;
        continue;
      }
      res += c;
      i++;
    }
    out.push({ text: res, origin: { file, line: n + 1, debugFile: file, debugLine: n + 1 } });
  }
  if (inBlock && blockStart) problems.push({ ...blockStart, message: 'unterminated /* comment' });
  return out;
}

export interface Statement {
  readonly text: string;
  /** 0-based offset of `text` in its line. */
  readonly start: number;
}

/** Splits a comment-free line at `;` outside strings and character constants. */
export function splitStatements(line: string): Statement[] {
  if (line.indexOf(';') < 0) return [{ text: line, start: 0 }];
  const out: Statement[] = [];
  let start = 0;
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
    } else if (c === '"') {
      quote = true;
    } else if (c === "'") {
      i += line[i + 1] === '\\' ? 2 : 1;
      if (line[i + 1] === "'") i++;
    } else if (c === ';') {
      out.push({ text: line.slice(start, i), start });
      start = i + 1;
    }
  }
  out.push({ text: line.slice(start), start });
  return out;
}

/** The location of 0-based offset `offset` within a line of `origin`. */
export function locAt(origin: LineOrigin, offset: number): SourceLoc {
  const col = offset + 1;
  return { file: origin.file, line: origin.line, column: origin.colMap ? origin.colMap(col) : col, note: origin.note };
}
