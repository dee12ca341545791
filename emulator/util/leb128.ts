/**
 * LEB128, the variable-length integers of DWARF and of the WebAssembly binary
 * format: each byte carries 7 bits, low first, the top bit set on all but the last.
 */

/** Unsigned: any non-negative integer up to 2^53. */
export function uleb128(v: number, put: (byte: number) => void): void {
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    put(b);
  } while (v > 0);
}

/** Signed: an int32. */
export function sleb128(v: number, put: (byte: number) => void): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    put(done ? b : b | 0x80);
    if (done) return;
  }
}
