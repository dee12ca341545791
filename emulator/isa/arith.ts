/**
 * Arithmetic the `sem` strings call as `A.*`: the high halves of 32x32 products and
 * the division rules of the M extension. 16-bit limbs keep it in exact doubles
 * (BigInt would cost several times more per instruction).
 */

/** High 32 bits of the unsigned 64-bit product, as an int32. */
export function mulhu(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lo = al * bl;
  const mid1 = ah * bl;
  const mid2 = al * bh;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (ah * bh + (mid1 >>> 16) + (mid2 >>> 16) + carry) | 0;
}

/** Signed x signed: correct the unsigned product by the operands' signs (mod 2^32). */
export function mulh(a: number, b: number): number {
  let hi = mulhu(a, b);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  return hi;
}

/** Signed a x unsigned b. */
export function mulhsu(a: number, b: number): number {
  const hi = mulhu(a, b);
  return a < 0 ? (hi - b) | 0 : hi;
}

// Division by zero and the one signed overflow (INT_MIN / -1) follow the ISA's fixed results.
export function div(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}

export function divu(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) | 0;
}

export function rem(a: number, b: number): number {
  if (b === 0) return a;
  if (a === -0x80000000 && b === -1) return 0;
  return (a % b) | 0;
}

export function remu(a: number, b: number): number {
  if (b === 0) return a;
  return ((a >>> 0) % (b >>> 0)) | 0;
}
