/** The initial length field of DWARF units (§7.4): 32-bit, or 0xffffffff + 64-bit for the 64-bit format. */
import type { ByteReader } from './byte-reader';
import { ElfError } from './errors';

export interface UnitExtent {
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  readonly offsetSize: 4 | 8;
  /** Reader over the unit's contents after the length field. */
  readonly body: ByteReader;
}

/** Reads a unit length at r.pos and returns the unit's body; r moves past the unit. */
export function readUnit(r: ByteReader, what: string): UnitExtent {
  const start = r.pos;
  let length = r.u32();
  let offsetSize: 4 | 8 = 4;
  if (length === 0xffffffff) {
    length = r.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) {
    throw new ElfError(`${what} at offset 0x${start.toString(16)} has reserved length value 0x${length.toString(16)}`);
  }
  if (length > r.remaining) {
    throw new ElfError(`${what} at offset 0x${start.toString(16)} claims ${length} bytes but only ${r.remaining} remain`);
  }
  return { offsetSize, body: r.sub(length, `${what} at offset 0x${start.toString(16)}`) };
}
