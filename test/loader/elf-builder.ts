/** Hand-made ELF32 images for tests that must not depend on the toolchain. */

export interface TestSegment {
  readonly type?: number;
  readonly vaddr: number;
  readonly paddr?: number;
  readonly data: readonly number[] | Uint8Array;
  readonly memsz?: number;
  readonly flags?: number;
}

export interface TestElf {
  readonly entry?: number;
  readonly machine?: number;
  readonly type?: number;
  readonly segments?: readonly TestSegment[];
}

/** An ELF header, a program header table right after it, then each segment's data. No sections. */
export function buildElf(spec: TestElf = {}): Uint8Array {
  const segs = spec.segments ?? [{ vaddr: 0x80000000, data: [0x13, 0, 0, 0], flags: 5 }];
  const phoff = 52;
  let dataOff = phoff + 32 * segs.length;
  const size = dataOff + segs.reduce((n, s) => n + s.data.length, 0);
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, spec.type ?? 2, true);
  dv.setUint16(18, spec.machine ?? 243, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, spec.entry ?? segs[0]?.vaddr ?? 0, true);
  dv.setUint32(28, phoff, true);
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, segs.length, true);
  dv.setUint16(46, 40, true);
  segs.forEach((s, i) => {
    const p = phoff + 32 * i;
    const fields = [s.type ?? 1, dataOff, s.vaddr, s.paddr ?? s.vaddr, s.data.length, s.memsz ?? s.data.length, s.flags ?? 6, 4];
    fields.forEach((v, k) => dv.setUint32(p + 4 * k, v, true));
    b.set(s.data, dataOff);
    dataOff += s.data.length;
  });
  return b;
}

/** A copy of `bytes` with a little-endian field overwritten. */
export function patch(bytes: Uint8Array, offset: number, size: 1 | 2 | 4, value: number): Uint8Array {
  const copy = bytes.slice();
  const dv = new DataView(copy.buffer);
  if (size === 1) dv.setUint8(offset, value);
  else if (size === 2) dv.setUint16(offset, value, true);
  else dv.setUint32(offset, value, true);
  return copy;
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
