/**
 * .debug_line decoder (DWARF 2–5 §6.2): runs each unit's line-number program
 * and returns the rows of its matrix. Every read is bounds-checked and every
 * opcode consumes input, so malformed data ends in an ElfError, never a hang.
 */
import { ByteReader } from './byte-reader';
import type { CompileUnitInfo } from './dwarf-info';
import { type FormValue, readForm } from './dwarf-forms';
import { readUnit } from './dwarf-unit';
import { ElfError } from './errors';
import { joinPath } from './paths';

export interface LineRow {
  readonly address: number;
  /** Source path: the file entry's name joined with its directory (and the unit's DW_AT_comp_dir when relative), normalized. */
  readonly file: string;
  readonly line: number;
  /** 0 when the producer gave no column. */
  readonly column: number;
  readonly isStmt: boolean;
  /** The row that ends a sequence: its address is one past the sequence's last instruction. */
  readonly endSequence: boolean;
}

export interface DebugLineSections {
  readonly debugLine: Uint8Array;
  readonly debugLineStr?: Uint8Array;
  readonly debugStr?: Uint8Array;
}

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

interface FileEntry {
  readonly name: string;
  readonly dir: number;
}

interface LineHeader {
  readonly what: string;
  readonly version: number;
  readonly minInst: number;
  readonly maxOps: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  readonly stdLengths: readonly number[];
  readonly dirs: string[];
  readonly files: FileEntry[];
}

/**
 * Decodes every unit in .debug_line. `units` (from readCompileUnits) supplies
 * each unit's compilation directory, keyed by the unit's offset.
 */
export function parseDebugLine(sec: DebugLineSections, units: ReadonlyMap<number, CompileUnitInfo> = new Map()): LineRow[] {
  const rows: LineRow[] = [];
  const r = new ByteReader(sec.debugLine, '.debug_line');
  while (r.remaining > 0) {
    const unitOffset = r.pos;
    const { offsetSize, body } = readUnit(r, '.debug_line unit');
    const header = readHeader(body, offsetSize, sec);
    runProgram(body, header, units.get(unitOffset)?.compDir, rows);
  }
  return rows;
}

function readHeader(body: ByteReader, offsetSize: 4 | 8, sec: DebugLineSections): LineHeader {
  const what = body.what;
  const version = body.u16();
  if (version < 2 || version > 5) throw new ElfError(`${what} has unsupported version ${version} (supported: 2 to 5)`);
  let addressSize = 4;
  if (version >= 5) {
    addressSize = body.u8();
    const segSel = body.u8();
    if (segSel !== 0) throw new ElfError(`${what} uses segment selectors, which are not supported`);
  }
  const headerLength = body.uint(offsetSize);
  if (headerLength > body.remaining) throw new ElfError(`${what} header length ${headerLength} runs past the end of the unit`);
  const h = body.sub(headerLength, `${what} header`);
  const minInst = h.u8();
  const maxOps = version >= 4 ? h.u8() : 1;
  const defaultIsStmt = h.u8() !== 0;
  const lineBase = h.s8();
  const lineRange = h.u8();
  const opcodeBase = h.u8();
  if (lineRange === 0) throw new ElfError(`${what} has line_range 0`);
  if (maxOps === 0) throw new ElfError(`${what} has maximum_operations_per_instruction 0`);
  if (opcodeBase === 0) throw new ElfError(`${what} has opcode_base 0`);
  const stdLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(h.u8());

  const dirs: string[] = [];
  const files: FileEntry[] = [];
  if (version >= 5) {
    const ctx = { version, offsetSize, addressSize, debugStr: sec.debugStr, debugLineStr: sec.debugLineStr };
    for (const e of readEntryTable(h, ctx, 'directory')) dirs.push(e.name);
    files.push(...readEntryTable(h, ctx, 'file name'));
  } else {
    for (let d = h.cstr(); d !== ''; d = h.cstr()) dirs.push(d);
    for (let name = h.cstr(); name !== ''; name = h.cstr()) {
      const dir = h.uleb();
      h.uleb(); // modification time
      h.uleb(); // file length
      files.push({ name, dir });
    }
  }
  return { what, version, minInst, maxOps, defaultIsStmt, lineBase, lineRange, opcodeBase, stdLengths, dirs, files };
}

/** A DWARF 5 directory or file-name table: a format description, then entries in that format. */
function readEntryTable(h: ByteReader, ctx: Parameters<typeof readForm>[2], kind: string): FileEntry[] {
  const formatCount = h.u8();
  const format: { type: number; form: number }[] = [];
  for (let i = 0; i < formatCount; i++) format.push({ type: h.uleb(), form: h.uleb() });
  const count = h.uleb();
  if (count === 0) return [];
  if (!format.some((f) => f.type === DW_LNCT_path)) throw new ElfError(`${h.what}: ${kind} table has entries but no path field`);
  // Each entry holds a path of at least one byte, so a count beyond the bytes left is corrupt.
  if (count > h.remaining) throw new ElfError(`${h.what}: ${kind} table claims ${count} entries in ${h.remaining} bytes`);
  const out: FileEntry[] = [];
  for (let i = 0; i < count; i++) {
    let name: FormValue | undefined;
    let dir: FormValue = 0;
    for (const f of format) {
      const v = readForm(h, f.form, ctx);
      if (f.type === DW_LNCT_path) name = v;
      else if (f.type === DW_LNCT_directory_index) dir = v;
    }
    if (typeof name !== 'string') throw new ElfError(`${h.what}: ${kind} entry ${i} has a path in an unsupported form`);
    if (typeof dir !== 'number') throw new ElfError(`${h.what}: ${kind} entry ${i} has a directory index in an unsupported form`);
    out.push({ name, dir });
  }
  return out;
}

/** Resolves file register values to full paths, caching them; a bad index is an ElfError. */
function fileResolver(h: LineHeader, compDir: string | undefined): (index: number) => string {
  const base = compDir ?? '';
  const dirPath = (i: number): string => {
    if (h.version >= 5) {
      if (i >= h.dirs.length) throw new ElfError(`${h.what}: file refers to directory ${i}, but the table has ${h.dirs.length}`);
      const dir0 = joinPath(base, h.dirs[0]);
      return i === 0 ? dir0 : joinPath(dir0, h.dirs[i]);
    }
    if (i === 0) return base;
    if (i > h.dirs.length) throw new ElfError(`${h.what}: file refers to directory ${i}, but the table has ${h.dirs.length}`);
    return joinPath(base, h.dirs[i - 1]);
  };
  const cache = new Map<number, string>();
  return (index) => {
    let path = cache.get(index);
    if (path === undefined) {
      const entry = h.version >= 5 ? h.files[index] : h.files[index - 1];
      if (!entry) throw new ElfError(`${h.what}: row refers to file ${index}, but the file table has ${h.files.length} entries`);
      path = joinPath(dirPath(entry.dir), entry.name);
      cache.set(index, path);
    }
    return path;
  };
}

function runProgram(p: ByteReader, h: LineHeader, compDir: string | undefined, rows: LineRow[]): void {
  const fileName = fileResolver(h, compDir);
  let address = 0;
  let opIndex = 0;
  let file = 1;
  let line = 1;
  let column = 0;
  let isStmt = h.defaultIsStmt;
  let openSequence = false;

  const reset = (): void => {
    address = 0;
    opIndex = 0;
    file = 1;
    line = 1;
    column = 0;
    isStmt = h.defaultIsStmt;
  };
  const emit = (endSequence: boolean): void => {
    rows.push({ address, file: fileName(file), line, column, isStmt, endSequence });
    openSequence = !endSequence;
  };
  // Advances by `ops` operations (VLIW-aware: op_index counts within an instruction).
  const advance = (ops: number): void => {
    const total = opIndex + ops;
    address = (address + h.minInst * Math.floor(total / h.maxOps)) % 0x100000000;
    opIndex = total % h.maxOps;
  };

  while (p.remaining > 0) {
    const op = p.u8();
    if (op >= h.opcodeBase) {
      const adjusted = op - h.opcodeBase;
      advance(Math.floor(adjusted / h.lineRange));
      line += h.lineBase + (adjusted % h.lineRange);
      emit(false);
    } else if (op === 0) {
      const len = p.uleb();
      if (len === 0) throw new ElfError(`${h.what}: extended opcode with length 0 at offset 0x${p.pos.toString(16)}`);
      const ext = p.sub(len);
      const sub = ext.u8();
      if (sub === 1) {
        emit(true);
        reset();
      } else if (sub === 2) {
        address = ext.uint(len - 1) % 0x100000000;
        opIndex = 0;
      } else if (sub === 3 && h.version < 5) {
        const name = ext.cstr();
        const dir = ext.uleb();
        h.files.push({ name, dir });
      }
      // DW_LNE_set_discriminator and vendor extensions carry nothing a row needs; `sub` skipped them.
    } else {
      switch (op) {
        case 1: emit(false); break; // DW_LNS_copy
        case 2: advance(p.uleb()); break; // DW_LNS_advance_pc
        case 3: line += p.sleb(); break; // DW_LNS_advance_line
        case 4: file = p.uleb(); break; // DW_LNS_set_file
        case 5: column = p.uleb(); break; // DW_LNS_set_column
        case 6: isStmt = !isStmt; break; // DW_LNS_negate_stmt
        case 7: break; // DW_LNS_set_basic_block
        case 8: advance(Math.floor((255 - h.opcodeBase) / h.lineRange)); break; // DW_LNS_const_add_pc
        case 9: // DW_LNS_fixed_advance_pc
          address = (address + p.u16()) % 0x100000000;
          opIndex = 0;
          break;
        case 10: case 11: break; // DW_LNS_set_prologue_end, DW_LNS_set_epilogue_begin
        case 12: p.uleb(); break; // DW_LNS_set_isa
        default: // an opcode this reader does not know: skip its ULEB operands as the header declares
          for (let i = 0; i < h.stdLengths[op - 1]; i++) p.uleb();
      }
    }
  }
  if (openSequence) throw new ElfError(`${h.what}: line program ends inside a sequence (no DW_LNE_end_sequence)`);
}
