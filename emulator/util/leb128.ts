/**
 * LEB128, the variable-length integers of DWARF and of the WebAssembly binary
 * format: each byte carries 7 bits, low first, the top bit set on all but the last.
 * The `write…` forms store into a buffer (at most 8 bytes for 2^53, 5 for an
 * int32) and return the position after; the others hand each byte to `put`.
 */

/** Unsigned: any non-negative integer up to 2^53. */
export function writeUleb128(buf: Uint8Array, at: number, v: number): number {
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    buf[at++] = b;
  } while (v > 0);
  return at;
}

/** Signed: an int32. */
export function writeSleb128(buf: Uint8Array, at: number, v: number): number {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    buf[at++] = done ? b : b | 0x80;
    if (done) return at;
  }
}

/**
 * An int32 (`signed`) or a uint32 in exactly 5 bytes (the low four carry the
 * continuation bit even when their value is zero), so that a value can be patched
 * in later without moving anything. The last byte holds bits 28–31 and, signed,
 * three copies of the sign, as that form requires.
 */
export function writeFixedLeb128(buf: Uint8Array, at: number, v: number, signed: boolean): number {
  for (let i = 0; i < 4; i++) buf[at++] = ((v >>> (7 * i)) & 0x7f) | 0x80;
  buf[at++] = signed ? (v >> 28) & 0x7f : (v >>> 28) & 0x0f;
  return at;
}

const scratch = new Uint8Array(8);

export function uleb128(v: number, put: (byte: number) => void): void {
  const n = writeUleb128(scratch, 0, v);
  for (let i = 0; i < n; i++) put(scratch[i]);
}

export function sleb128(v: number, put: (byte: number) => void): void {
  const n = writeSleb128(scratch, 0, v);
  for (let i = 0; i < n; i++) put(scratch[i]);
}
