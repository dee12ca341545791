/**
 * DWARF 5 debug information for an assembled image: a `.debug_line` program
 * with one row per instruction, and a minimal `.debug_info` compilation unit
 * (with `.debug_abbrev`) that points at it, so debuggers that find line tables
 * through units (and the project's loader) see it. Paths use DW_FORM_string.
 */
import type { AsmImage } from './types';
import { sleb128, uleb128 } from '../util/leb128';

const DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4, DW_LNS_set_column = 5;
const DW_LNE_end_sequence = 1, DW_LNE_set_address = 2;
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2;
const DW_FORM_addr = 0x01, DW_FORM_data2 = 0x05, DW_FORM_data4 = 0x06, DW_FORM_string = 0x08, DW_FORM_udata = 0x0f, DW_FORM_sec_offset = 0x17;
const DW_TAG_compile_unit = 0x11;
const DW_AT_name = 0x03, DW_AT_stmt_list = 0x10, DW_AT_low_pc = 0x11, DW_AT_high_pc = 0x12, DW_AT_language = 0x13, DW_AT_comp_dir = 0x1b, DW_AT_producer = 0x25;
const DW_LANG_Mips_Assembler = 0x8001;
const LINE_BASE = -5, LINE_RANGE = 14, OPCODE_BASE = 13;
const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** Little-endian byte writer with LEB128 and C strings. */
class Out {
  private readonly bytes: number[] = [];

  get length(): number {
    return this.bytes.length;
  }

  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }

  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }

  uleb(v: number): this {
    uleb128(v, (b) => this.u8(b));
    return this;
  }

  sleb(v: number): this {
    sleb128(v, (b) => this.u8(b));
    return this;
  }

  str(s: string): this {
    for (const b of new TextEncoder().encode(s)) this.u8(b);
    return this.u8(0);
  }

  append(o: Out): this {
    for (const b of o.bytes) this.bytes.push(b);
    return this;
  }

  patch32(at: number, v: number): void {
    for (let k = 0; k < 4; k++) this.bytes[at + k] = (v >>> (8 * k)) & 0xff;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface DebugSections {
  readonly debugLine: Uint8Array;
  readonly debugInfo: Uint8Array;
  readonly debugAbbrev: Uint8Array;
}

/** The debug sections for `image`, or undefined when it has no instructions. */
export function buildDebugInfo(image: AsmImage, compDir: string, producer = 'pvlab assembler'): DebugSections | undefined {
  if (image.lines.length === 0) return undefined;
  const fileIndex = new Map(image.files.map((f, i) => [f, i + 1]));

  // Header fields after header_length.
  const hdr = new Out();
  hdr.u8(1).u8(1).u8(1).u8(LINE_BASE).u8(LINE_RANGE).u8(OPCODE_BASE);
  for (const n of STD_LENGTHS) hdr.u8(n);
  hdr.u8(1).uleb(DW_LNCT_path).uleb(DW_FORM_string);
  hdr.uleb(1).str(compDir);
  hdr.u8(2).uleb(DW_LNCT_path).uleb(DW_FORM_string).uleb(DW_LNCT_directory_index).uleb(DW_FORM_udata);
  // Entry 0 is the primary source file (DWARF 5); entries 1.. are all files, so file i+1 is files[i].
  hdr.uleb(image.files.length + 1);
  for (const f of [image.files[0], ...image.files]) hdr.str(f).uleb(0);

  const prog = new Out();
  let low = Infinity, high = 0;
  for (const sec of image.sections) {
    const end = sec.address + sec.size;
    const rows = image.lines.filter((r) => r.address >= sec.address && r.address < end);
    if (rows.length === 0) continue;
    low = Math.min(low, rows[0].address);
    high = Math.max(high, end);
    prog.u8(0).uleb(5).u8(DW_LNE_set_address).u32(rows[0].address);
    let address = rows[0].address, line = 1, file = 1, column = 0;
    for (const r of rows) {
      const f = fileIndex.get(r.file) ?? 1;
      if (f !== file) prog.u8(DW_LNS_set_file).uleb((file = f));
      if (r.column !== column) prog.u8(DW_LNS_set_column).uleb((column = r.column));
      const dAddr = r.address - address;
      const dLine = r.line - line;
      const special = dLine - LINE_BASE + LINE_RANGE * dAddr + OPCODE_BASE;
      if (dLine >= LINE_BASE && dLine < LINE_BASE + LINE_RANGE && special <= 255) {
        prog.u8(special);
      } else {
        if (dLine !== 0) prog.u8(DW_LNS_advance_line).sleb(dLine);
        if (dAddr !== 0) prog.u8(DW_LNS_advance_pc).uleb(dAddr);
        prog.u8(DW_LNS_copy);
      }
      address = r.address;
      line = r.line;
    }
    if (end > address) prog.u8(DW_LNS_advance_pc).uleb(end - address);
    prog.u8(0).uleb(1).u8(DW_LNE_end_sequence);
  }

  const line = new Out();
  line.u32(0).u16(5).u8(4).u8(0).u32(hdr.length).append(hdr).append(prog);
  line.patch32(0, line.length - 4);

  const abbrev = new Out();
  abbrev.uleb(1).uleb(DW_TAG_compile_unit).u8(0);
  const attrs: Array<[number, number]> = [
    [DW_AT_stmt_list, DW_FORM_sec_offset], [DW_AT_low_pc, DW_FORM_addr], [DW_AT_high_pc, DW_FORM_data4],
    [DW_AT_name, DW_FORM_string], [DW_AT_comp_dir, DW_FORM_string], [DW_AT_producer, DW_FORM_string],
    [DW_AT_language, DW_FORM_data2],
  ];
  for (const [a, f] of attrs) abbrev.uleb(a).uleb(f);
  abbrev.u8(0).u8(0).u8(0);

  const info = new Out();
  info.u32(0).u16(5).u8(1 /* DW_UT_compile */).u8(4).u32(0);
  info.uleb(1).u32(0).u32(low).u32(high - low).str(image.files[0]).str(compDir).str(producer).u16(DW_LANG_Mips_Assembler);
  info.patch32(0, info.length - 4);

  return { debugLine: line.done(), debugInfo: info.done(), debugAbbrev: abbrev.done() };
}
