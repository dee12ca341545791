/**
 * A small WebAssembly binary writer: just what pvlab's generated WebAssembly
 * emits — i32 code, structured control, one imported memory, imported functions
 * and maybe an imported table. Opcodes and encodings from the WebAssembly core
 * specification (binary format, chapter 5).
 */
import { writeSleb128, writeUleb128 } from '../../util/leb128';

export const enum Op {
  Unreachable = 0x00,
  Block = 0x02,
  Loop = 0x03,
  If = 0x04,
  Else = 0x05,
  End = 0x0b,
  Br = 0x0c,
  BrIf = 0x0d,
  BrTable = 0x0e,
  Return = 0x0f,
  Call = 0x10,
  CallIndirect = 0x11,
  Drop = 0x1a,
  Select = 0x1b,
  LocalGet = 0x20,
  LocalSet = 0x21,
  LocalTee = 0x22,
  I32Load = 0x28,
  I32Load8S = 0x2c,
  I32Load8U = 0x2d,
  I32Load16S = 0x2e,
  I32Load16U = 0x2f,
  I32Store = 0x36,
  I32Store8 = 0x3a,
  I32Store16 = 0x3b,
  I32Const = 0x41,
  I32Eqz = 0x45,
  I32Eq = 0x46,
  I32Ne = 0x47,
  I32LtS = 0x48,
  I32LtU = 0x49,
  I32GtS = 0x4a,
  I32GtU = 0x4b,
  I32LeS = 0x4c,
  I32LeU = 0x4d,
  I32GeS = 0x4e,
  I32GeU = 0x4f,
  I32Add = 0x6a,
  I32Sub = 0x6b,
  I32Mul = 0x6c,
  I32DivS = 0x6d,
  I32DivU = 0x6e,
  I32RemS = 0x6f,
  I32RemU = 0x70,
  I32And = 0x71,
  I32Or = 0x72,
  I32Xor = 0x73,
  I32Shl = 0x74,
  I32ShrS = 0x75,
  I32ShrU = 0x76,
  I32Rotr = 0x78,
  I64Mul = 0x7e,
  I64ShrU = 0x88,
  I32WrapI64 = 0xa7,
  I64ExtendI32S = 0xac,
  I64ExtendI32U = 0xad,
  I64Const = 0x42,
}

export const I32 = 0x7f;
/** Block type of a block without results. */
export const VOID = 0x40;

/** A growing byte buffer with the format's integer encodings. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  /** Makes room for `n` more bytes. */
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    if (this.length === this.buf.length) this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    this.reserve(bs.length);
    this.buf.set(bs, this.length);
    this.length += bs.length;
    return this;
  }

  /** Unsigned LEB128. (Most values are small: one byte, written here.) */
  u32(v: number): this {
    v >>>= 0;
    if (v < 0x80) return this.byte(v);
    this.reserve(5);
    this.length = writeUleb128(this.buf, this.length, v);
    return this;
  }

  /** Signed LEB128 of an int32. */
  s32(v: number): this {
    v |= 0;
    if (v >= -0x40 && v < 0x40) return this.byte(v & 0x7f);
    this.reserve(5);
    this.length = writeSleb128(this.buf, this.length, v);
    return this;
  }

  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    return this;
  }

  /** A length-prefixed copy of `b`. */
  sized(b: Bytes): this {
    this.u32(b.length);
    return this.bytes(b.view());
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export interface FuncType {
  params: number;
  results: number;
}

export interface ModuleSpec {
  /** Function types (all parameters and results i32). */
  types: FuncType[];
  /** Imported functions ("env", name) with their type index. */
  imports: Array<{ name: string; type: number }>;
  /** The imported memory ("env", "mem") and its size in 64 KiB pages; undefined: any size. */
  memoryPages: number | undefined;
  /** Whether the module imports a table of functions ("env", "table"; for call_indirect). */
  table?: boolean;
  /** Defined functions: type, extra i32 locals, body (without the final `end`), export name. */
  funcs: Array<{ type: number; locals: number; body: Bytes; export?: string }>;
}

function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id);
  out.sized(content);
}

/** The module's binary. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Bytes().u32(spec.types.length);
  for (const t of spec.types) {
    types.byte(0x60).u32(t.params);
    for (let i = 0; i < t.params; i++) types.byte(I32);
    types.u32(t.results);
    for (let i = 0; i < t.results; i++) types.byte(I32);
  }
  section(out, 1, types);
  const imports = new Bytes().u32(spec.imports.length + 1 + (spec.table ? 1 : 0));
  for (const im of spec.imports) imports.name('env').name(im.name).byte(0x00).u32(im.type);
  imports.name('env').name('mem').byte(0x02);
  if (spec.memoryPages === undefined) imports.byte(0x00).u32(0);
  else imports.byte(0x01).u32(spec.memoryPages).u32(spec.memoryPages);
  // funcref elements, at least none.
  if (spec.table) imports.name('env').name('table').byte(0x01).byte(0x70).byte(0x00).u32(0);
  section(out, 2, imports);
  const funcs = new Bytes().u32(spec.funcs.length);
  for (const f of spec.funcs) funcs.u32(f.type);
  section(out, 3, funcs);
  const exported = spec.funcs.map((f, i) => ({ name: f.export, index: spec.imports.length + i })).filter((e) => e.name !== undefined);
  const exportSection = new Bytes().u32(exported.length);
  for (const e of exported) exportSection.name(e.name!).byte(0x00).u32(e.index);
  section(out, 7, exportSection);
  const code = new Bytes().u32(spec.funcs.length);
  for (const f of spec.funcs) {
    const body = new Bytes();
    if (f.locals > 0) body.u32(1).u32(f.locals).byte(I32);
    else body.u32(0);
    body.bytes(f.body.view()).byte(Op.End);
    code.sized(body);
  }
  section(out, 10, code);
  return out.view().slice();
}
