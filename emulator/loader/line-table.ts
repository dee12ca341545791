/**
 * Source-line queries over decoded .debug_line rows: address → file:line for
 * stack frames, file:line → addresses for breakpoints.
 */
import type { ElfFile } from './elf';
import { readCompileUnits } from './dwarf-info';
import { type LineRow, parseDebugLine } from './dwarf-line';
import { SHF_COMPRESSED } from './elf-constants';
import { ElfError } from './errors';
import { IntervalIndex } from './intervals';
import { commonSuffixLength, normalizePath } from './paths';

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A debug section's bytes; compressed sections (ld --compress-debug-sections) are refused. */
function debugSection(elf: ElfFile, name: string): Uint8Array | undefined {
  const header = elf.sections.find((s) => s.name === name);
  if (header && (header.flags & SHF_COMPRESSED) !== 0) throw new ElfError(`section ${name} is compressed (SHF_COMPRESSED), which is not supported`);
  return elf.section(name);
}

export class LineTable {
  private readonly ranges: IntervalIndex<LineRow>;
  private readonly byFile = new Map<string, LineRow[]>();

  /** The line table of an ELF file's .debug_line (empty when it has none). Throws ElfError for malformed DWARF. */
  static fromElf(elf: ElfFile): LineTable {
    const debugLine = debugSection(elf, '.debug_line');
    if (!debugLine || debugLine.length === 0) return new LineTable([]);
    const strings = { debugStr: debugSection(elf, '.debug_str'), debugLineStr: debugSection(elf, '.debug_line_str') };
    const units = readCompileUnits({ ...strings, debugInfo: debugSection(elf, '.debug_info'), debugAbbrev: debugSection(elf, '.debug_abbrev') });
    return new LineTable(parseDebugLine({ ...strings, debugLine }, units));
  }

  /** `rows` in line-program order: each sequence ends with an endSequence row. */
  constructor(readonly rows: readonly LineRow[]) {
    // A row covers the addresses up to the next row of its sequence; of several rows
    // at one address only the last covers anything (as addr2line reports it).
    const spans = [];
    for (let i = 0; i + 1 < rows.length; i++) {
      const row = rows[i];
      const next = rows[i + 1];
      if (!row.endSequence && next.address > row.address) spans.push({ start: row.address, end: next.address, value: row });
    }
    this.ranges = new IntervalIndex(spans);
    for (const row of rows) {
      let list = this.byFile.get(row.file);
      if (!list) this.byFile.set(row.file, (list = []));
      list.push(row);
    }
  }

  /** The source position of the instruction at `addr`, or undefined when no sequence covers it. */
  lookup(addr: number): SourceLocation | undefined {
    const hit = this.ranges.find(addr >>> 0);
    if (!hit) return undefined;
    const { file, line, column } = hit.value;
    return { file, line, column };
  }

  /** Files that have at least one row, sorted. */
  files(): string[] {
    return [...this.byFile.keys()].sort();
  }

  /**
   * Which recorded files a (debugger-supplied) path means: the file equal to it
   * after normalization if there is one; else the files sharing the most
   * trailing path segments with it, at least the file name ("/home/u/proj/main.c"
   * matches "main.c" and "./src/main.c"; "…/src/main.c" prefers "src/main.c").
   */
  matchFiles(path: string): string[] {
    const wanted = normalizePath(path);
    if (this.byFile.has(wanted)) return [wanted];
    let best = 0;
    let found: string[] = [];
    for (const file of this.byFile.keys()) {
      const n = commonSuffixLength(wanted, file);
      if (n > best) {
        best = n;
        found = [file];
      } else if (n === best && n > 0) {
        found.push(file);
      }
    }
    return found.sort();
  }

  /**
   * Addresses where a breakpoint on `file`:`line` goes: every row of a matching
   * file (see matchFiles) with that line and is_stmt set; if none is a
   * statement, every row with that line. Sorted, without duplicates.
   */
  addressesForLine(file: string, line: number): number[] {
    const rows: LineRow[] = [];
    for (const f of this.matchFiles(file)) {
      for (const row of this.byFile.get(f) ?? []) if (row.line === line && !row.endSequence) rows.push(row);
    }
    const stmts = rows.filter((r) => r.isStmt);
    return [...new Set((stmts.length > 0 ? stmts : rows).map((r) => r.address))].sort((a, b) => a - b);
  }
}
