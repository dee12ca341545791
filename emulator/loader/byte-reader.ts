/**
 * Bounds-checked little-endian reader over a byte range. Every read past the
 * range throws an ElfError naming `what`, so malformed input never produces
 * another exception type or reads neighbouring data.
 */
import { ElfError } from './errors';

const utf8 = new TextDecoder('utf-8');

export class ByteReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    start = 0,
    end = bytes.length,
  ) {
    if (start < 0 || end > bytes.length || start > end) throw new ElfError(`${what} lies outside its section`);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n > this.end - this.pos) throw new ElfError(`${this.what} is truncated at offset 0x${this.pos.toString(16)}`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  s8(): number {
    return (this.u8() << 24) >> 24;
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const v = b[this.pos] | (b[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** A 64-bit value; throws if it does not fit a JavaScript safe integer. */
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    const v = hi * 0x100000000 + lo;
    if (!Number.isSafeInteger(v)) throw new ElfError(`${this.what} has a 64-bit value too large to handle at offset 0x${(this.pos - 8).toString(16)}`);
    return v;
  }

  /** An unsigned value of `size` bytes (1, 2, 3, 4 or 8). */
  uint(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 3: return this.u16() + this.u8() * 0x10000;
      case 4: return this.u32();
      case 8: return this.u64();
      default: throw new ElfError(`${this.what} uses an unsupported value size of ${size} bytes`);
    }
  }

  uleb(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      value += (b & 0x7f) * scale;
      if (value > Number.MAX_SAFE_INTEGER) throw new ElfError(`${this.what} has a LEB128 value too large to handle`);
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
  }

  sleb(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER) throw new ElfError(`${this.what} has a LEB128 value too large to handle`);
      if ((b & 0x80) === 0) return (b & 0x40) !== 0 ? value - scale : value;
    }
  }

  /** A NUL-terminated UTF-8 string. */
  cstr(): string {
    const start = this.pos;
    const nul = this.bytes.subarray(start, this.end).indexOf(0);
    if (nul < 0) throw new ElfError(`${this.what} has an unterminated string at offset 0x${start.toString(16)}`);
    this.pos = start + nul + 1;
    return utf8.decode(this.bytes.subarray(start, start + nul));
  }

  /** A view of the next `n` bytes. */
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A reader over the next `n` bytes (which this reader then skips). */
  sub(n: number, what = this.what): ByteReader {
    this.need(n);
    const r = new ByteReader(this.bytes, what, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}

/** The NUL-terminated string at `offset` in a string table section. */
export function stringAt(table: Uint8Array, offset: number, what: string): string {
  if (!Number.isInteger(offset) || offset < 0 || offset >= table.length) {
    throw new ElfError(`${what}: string offset 0x${offset.toString(16)} lies outside the string table (${table.length} bytes)`);
  }
  return new ByteReader(table, what, offset).cstr();
}
