/**
 * Adapts a bank of 32-bit registers (CLINT, PLIC) to the bus's 1/2/4-byte
 * accesses at any offset. Devices handle aligned word accesses themselves (the
 * hot path); narrower or misaligned ones come through here.
 */

export interface WordRegisterFile {
  /** The 32-bit register at a word-aligned offset, read without side effects; 0 where nothing is mapped. */
  peekWord(offset: number): number;
  /** Writes a whole 32-bit register at a word-aligned offset; ignored where nothing is mapped. */
  writeWord(offset: number, value: number): void;
}

/** Reads `size` bytes at `offset` from the little-endian register image (may span two registers). */
export function readNarrow(regs: WordRegisterFile, offset: number, size: number): number {
  const base = offset & ~3;
  const shift = (offset & 3) * 8;
  let v = regs.peekWord(base) >>> shift;
  if (shift + size * 8 > 32) v |= regs.peekWord(base + 4) << (32 - shift);
  return size >= 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1);
}

/** Merges the low `size` bytes of `value` into the register(s) covering [offset, offset+size). */
export function writeNarrow(regs: WordRegisterFile, offset: number, size: number, value: number): void {
  const base = offset & ~3;
  const shift = (offset & 3) * 8;
  const bits = size >= 4 ? 32 : size * 8;
  const mask = bits === 32 ? -1 : (1 << bits) - 1;
  // Bits of the access that land in the first register (a left shift drops the rest).
  const m0 = mask << shift;
  regs.writeWord(base, ((regs.peekWord(base) & ~m0) | ((value << shift) & m0)) >>> 0);
  const spill = shift + bits - 32;
  if (spill > 0) {
    const m1 = (1 << spill) - 1;
    regs.writeWord(base + 4, ((regs.peekWord(base + 4) & ~m1) | ((value >>> (32 - shift)) & m1)) >>> 0);
  }
}
