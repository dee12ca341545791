/** Hand-assembled DWARF sections (.debug_line, .debug_info, .debug_abbrev) for decoder tests. */
import { sleb128, uleb128 } from '../../emulator/util/leb128';

/** A little-endian byte sink. */
export class Bytes {
  readonly out: number[] = [];

  get length(): number {
    return this.out.length;
  }
  u8(...vs: number[]): this {
    for (const v of vs) this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v, v >>> 8);
  }
  u32(v: number): this {
    return this.u8(v, v >>> 8, v >>> 16, v >>> 24);
  }
  u64(v: number): this {
    return this.u32(v % 0x100000000).u32(Math.floor(v / 0x100000000));
  }
  offset(v: number, dwarf64: boolean): this {
    return dwarf64 ? this.u64(v) : this.u32(v);
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
    return this.u8(...Buffer.from(s, 'utf8'), 0);
  }
  raw(bytes: readonly number[]): this {
    return this.u8(...bytes);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** Line-number program fragments (DWARF §6.2.5). */
export const op = {
  setAddress: (a: number) => new Bytes().u8(0, 5, 2).u32(a).out,
  endSequence: () => [0, 1, 1],
  defineFile: (name: string, dir: number) => {
    const body = new Bytes().u8(3).str(name).uleb(dir).uleb(0).uleb(0);
    return new Bytes().u8(0).uleb(body.length).raw(body.out).out;
  },
  setDiscriminator: (d: number) => [0, 2, 4, d],
  copy: () => [1],
  advancePc: (n: number) => new Bytes().u8(2).uleb(n).out,
  advanceLine: (n: number) => new Bytes().u8(3).sleb(n).out,
  setFile: (f: number) => new Bytes().u8(4).uleb(f).out,
  setColumn: (c: number) => new Bytes().u8(5).uleb(c).out,
  negateStmt: () => [6],
  constAddPc: () => [8],
  fixedAdvancePc: (n: number) => new Bytes().u8(9).u16(n).out,
  /** The special opcode adding `line` and `ops` operations, for the default header (opcode_base 13, line_base -5, line_range 14). */
  special: (line: number, ops: number) => [line + 5 + 14 * ops + 13],
};

export interface LineUnitSpec {
  readonly version: number;
  readonly dwarf64?: boolean;
  readonly minInst?: number;
  readonly maxOps?: number;
  readonly defaultIsStmt?: boolean;
  readonly lineBase?: number;
  readonly lineRange?: number;
  readonly opcodeBase?: number;
  /** Argument counts of standard opcodes 1..opcodeBase-1; defaults to the standard ones. */
  readonly stdLengths?: readonly number[];
  /** Version 2–4 tables. */
  readonly dirs?: readonly string[];
  readonly files?: readonly { name: string; dir: number }[];
  /** Version 5: the directory and file tables, formats included, as raw bytes. */
  readonly v5Tables?: readonly number[];
  readonly program: readonly number[];
}

const STANDARD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** One .debug_line unit. */
export function lineUnit(s: LineUnitSpec): number[] {
  const d64 = s.dwarf64 ?? false;
  const opcodeBase = s.opcodeBase ?? 13;
  const h = new Bytes().u8(s.minInst ?? 1);
  if (s.version >= 4) h.u8(s.maxOps ?? 1);
  h.u8(s.defaultIsStmt === false ? 0 : 1).u8((s.lineBase ?? -5) & 0xff).u8(s.lineRange ?? 14).u8(opcodeBase);
  const lengths = s.stdLengths ?? STANDARD_LENGTHS;
  for (let i = 0; i < opcodeBase - 1; i++) h.u8(lengths[i] ?? 0);
  if (s.version >= 5) {
    h.raw(s.v5Tables ?? []);
  } else {
    for (const d of s.dirs ?? []) h.str(d);
    h.u8(0);
    for (const f of s.files ?? []) h.str(f.name).uleb(f.dir).uleb(0).uleb(0);
    h.u8(0);
  }
  const afterLength = new Bytes().u16(s.version);
  if (s.version >= 5) afterLength.u8(4, 0);
  afterLength.offset(h.length, d64).raw(h.out).raw(s.program);
  const unit = new Bytes();
  if (d64) unit.u32(0xffffffff).u64(afterLength.length);
  else unit.u32(afterLength.length);
  return unit.raw(afterLength.out).out;
}

/** DW_LNCT / DW_FORM pairs and entries for a v5 directory or file table. */
export function v5Table(format: readonly [number, number][], entries: readonly (readonly number[])[]): number[] {
  const b = new Bytes().u8(format.length);
  for (const [type, form] of format) b.uleb(type).uleb(form);
  b.uleb(entries.length);
  for (const e of entries) b.raw(e);
  return b.out;
}
