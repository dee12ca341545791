/**
 * Checked copies between the hypervisor and one VM's RAM. Every address a
 * guest passes in a hypercall is guest-physical and must lie, with its whole
 * length, inside the caller's RAM (docs/abi.md); anything else is refused
 * here, so no hypercall can read or write outside the VM that made it.
 */
import type { Bus } from '../bus/bus';

export class GuestMemory {
  constructor(private readonly bus: Bus) {}

  get ramBase(): number {
    return this.bus.ramBase;
  }

  get ramSize(): number {
    return this.bus.ramSize;
  }

  /**
   * RAM offset of [gpa, gpa + length) when it lies entirely in RAM, else -1.
   * `gpaHi` is the upper half of a 64-bit address (SBI DBCN); it must be 0.
   * A zero length is in RAM when gpa is (or is its end).
   */
  offset(gpa: number, length: number, gpaHi = 0): number {
    if (!isU32(gpa) || !isU32(length) || gpaHi !== 0) return -1;
    const off = gpa - this.bus.ramBase;
    if (off < 0 || off > this.bus.ramSize || length > this.bus.ramSize - off) return -1;
    return off;
  }

  contains(gpa: number, length: number, gpaHi = 0): boolean {
    return this.offset(gpa, length, gpaHi) >= 0;
  }

  /** A copy of the bytes, or undefined when the range is not all RAM. */
  read(gpa: number, length: number, gpaHi = 0): Uint8Array | undefined {
    const off = this.offset(gpa, length, gpaHi);
    return off < 0 ? undefined : this.bus.ram.slice(off, off + length);
  }

  /** Writes the bytes (keeping decode caches coherent); false, and nothing written, when not all RAM. */
  write(gpa: number, bytes: Uint8Array, gpaHi = 0): boolean {
    const off = this.offset(gpa, bytes.length, gpaHi);
    if (off < 0) return false;
    if (bytes.length > 0) this.bus.loadBytes(this.bus.ramBase + off, bytes);
    return true;
  }

  /** Whether page `gfn` (gpa >> 12) is a page of RAM. */
  hasPage(gfn: number): boolean {
    return isU32(gfn) && gfn <= 0xfffff && this.contains(gfn * 4096, 4096);
  }
}

function isU32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}
