/**
 * Minimal .debug_info reader: for each compilation unit, the attributes of its
 * root DIE that the line table needs (DW_AT_stmt_list, DW_AT_comp_dir,
 * DW_AT_name). DWARF 2–5. Nothing below the root DIE is decoded.
 */
import { ByteReader } from './byte-reader';
import { type FormValue, readForm } from './dwarf-forms';
import { readUnit } from './dwarf-unit';
import { ElfError } from './errors';

const DW_AT_name = 0x03;
const DW_AT_stmt_list = 0x10;
const DW_AT_comp_dir = 0x1b;
const DW_FORM_implicit_const = 0x21;
const DW_UT_compile = 1;
const DW_UT_type = 2;
const DW_UT_partial = 3;
const DW_UT_skeleton = 4;
const DW_UT_split_compile = 5;
const DW_UT_split_type = 6;

export interface CompileUnitInfo {
  /** Offset of this unit's line program in .debug_line. */
  readonly stmtList: number;
  readonly compDir?: string;
  readonly name?: string;
}

export interface DebugInfoSections {
  readonly debugInfo?: Uint8Array;
  readonly debugAbbrev?: Uint8Array;
  readonly debugStr?: Uint8Array;
  readonly debugLineStr?: Uint8Array;
}

interface AttrSpec {
  readonly name: number;
  readonly form: number;
  readonly implicitConst: number;
}

/** Root-DIE facts of every unit that has a line program, keyed by DW_AT_stmt_list. */
export function readCompileUnits(sec: DebugInfoSections): Map<number, CompileUnitInfo> {
  const out = new Map<number, CompileUnitInfo>();
  if (!sec.debugInfo || sec.debugInfo.length === 0) return out;
  if (!sec.debugAbbrev) throw new ElfError('.debug_info is present but .debug_abbrev is missing');
  const abbrevCache = new Map<number, Map<number, AttrSpec[]>>();
  const r = new ByteReader(sec.debugInfo, '.debug_info');
  while (r.remaining > 0) {
    const { offsetSize, body } = readUnit(r, '.debug_info unit');
    const version = body.u16();
    if (version < 2 || version > 5) throw new ElfError(`${body.what} has unsupported DWARF version ${version}`);
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      const unitType = body.u8();
      addressSize = body.u8();
      abbrevOffset = body.uint(offsetSize);
      if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) body.skip(8);
      else if (unitType === DW_UT_type || unitType === DW_UT_split_type) continue; // type units carry no line program of interest
      else if (unitType !== DW_UT_compile && unitType !== DW_UT_partial) continue;
    } else {
      abbrevOffset = body.uint(offsetSize);
      addressSize = body.u8();
    }
    const code = body.uleb();
    if (code === 0) continue;
    let abbrevs = abbrevCache.get(abbrevOffset);
    if (!abbrevs) {
      abbrevs = readAbbrevTable(sec.debugAbbrev, abbrevOffset);
      abbrevCache.set(abbrevOffset, abbrevs);
    }
    const specs = abbrevs.get(code);
    if (!specs) throw new ElfError(`${body.what} uses abbreviation ${code}, which .debug_abbrev does not define`);
    const ctx = { version, offsetSize, addressSize, debugStr: sec.debugStr, debugLineStr: sec.debugLineStr };
    const values = new Map<number, FormValue>();
    for (const spec of specs) values.set(spec.name, readForm(body, spec.form, ctx, spec.implicitConst));
    const stmtList = values.get(DW_AT_stmt_list);
    if (typeof stmtList !== 'number') continue;
    const compDir = values.get(DW_AT_comp_dir);
    const name = values.get(DW_AT_name);
    out.set(stmtList, {
      stmtList,
      compDir: typeof compDir === 'string' ? compDir : undefined,
      name: typeof name === 'string' ? name : undefined,
    });
  }
  return out;
}

/** Abbreviation code → attribute specifications, for the table at `offset`. */
function readAbbrevTable(debugAbbrev: Uint8Array, offset: number): Map<number, AttrSpec[]> {
  if (offset >= debugAbbrev.length) throw new ElfError(`abbreviation table offset 0x${offset.toString(16)} lies outside .debug_abbrev`);
  const r = new ByteReader(debugAbbrev, '.debug_abbrev', offset);
  const table = new Map<number, AttrSpec[]>();
  for (;;) {
    const code = r.uleb();
    if (code === 0) return table;
    r.uleb(); // tag
    r.u8(); // has-children flag
    const specs: AttrSpec[] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      specs.push({ name, form, implicitConst: form === DW_FORM_implicit_const ? r.sleb() : 0 });
    }
    table.set(code, specs);
  }
}
