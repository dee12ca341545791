/**
 * CLINT (ACLINT MSWI + MTIMER) with the QEMU virt layout. 64-bit values are
 * kept as two unsigned 32-bit halves so every register is exact; mtime is
 * derived from the machine clock plus a writable 64-bit offset.
 */
import type { MmioDevice } from '../bus/bus';
import type { IrqLine } from './irq';
import { readNarrow, writeNarrow, type WordRegisterFile } from './word-registers';

const MSIP_BASE = 0x0000;
const MTIMECMP_BASE = 0x4000;
const MTIME_LO = 0xbff8;
const MTIME_HI = 0xbffc;
const TWO32 = 0x1_0000_0000;

export const CLINT_SIZE = 0x10000;
/** Harts that fit the layout (mtimecmp ends where mtime begins). */
export const CLINT_MAX_HARTS = 4095;

export interface ClintOptions {
  harts: number;
  /** The machine clock in mtime ticks; an integer below 2^53. Never wall-clock time. */
  now(): number;
  /** Per hart: the MSIP wire (software interrupt). */
  msip: IrqLine[];
  /** Per hart: the MTIP wire (timer interrupt). */
  mtip: IrqLine[];
  name?: string;
}

export class Clint implements MmioDevice, WordRegisterFile {
  readonly name: string;
  readonly harts: number;
  private readonly options: ClintOptions;
  private readonly msipBits: Uint8Array;
  private readonly cmpLo: Uint32Array;
  private readonly cmpHi: Uint32Array;
  /** mtime - now(), modulo 2^64. */
  private offLo = 0;
  private offHi = 0;
  // Scratch filled by sample(): the clock and mtime, as halves (no allocation per access).
  private nowNum = 0;
  private nowLo = 0;
  private nowHi = 0;
  private tLo = 0;
  private tHi = 0;

  constructor(options: ClintOptions) {
    const { harts } = options;
    if (!Number.isInteger(harts) || harts < 1 || harts > CLINT_MAX_HARTS) throw new RangeError(`CLINT: bad hart count ${harts}`);
    if (options.msip.length !== harts || options.mtip.length !== harts) throw new RangeError('CLINT: need one msip and one mtip line per hart');
    this.name = options.name ?? 'clint';
    this.harts = harts;
    this.options = options;
    this.msipBits = new Uint8Array(harts);
    this.cmpLo = new Uint32Array(harts).fill(0xffffffff);
    this.cmpHi = new Uint32Array(harts).fill(0xffffffff);
  }

  reset(): void {
    this.msipBits.fill(0);
    this.cmpLo.fill(0xffffffff);
    this.cmpHi.fill(0xffffffff);
    this.offLo = this.offHi = 0;
    for (let h = 0; h < this.harts; h++) this.options.msip[h].set(false);
    this.update();
  }

  /** Drives every MTIP line from the current time. */
  update(): void {
    this.sample();
    for (let h = 0; h < this.harts; h++) this.options.mtip[h].set(this.expired(h));
  }

  /**
   * The clock value (in now()'s time base) at which the earliest not-yet-fired
   * timer fires, or undefined when none can fire before 2^53. Equals that
   * mtimecmp while mtime has not been written.
   */
  nextDeadline(): number | undefined {
    this.sample();
    let best = Infinity;
    for (let h = 0; h < this.harts; h++) {
      if (this.expired(h)) continue;
      let dLo = this.cmpLo[h] - this.tLo;
      let borrow = 0;
      if (dLo < 0) {
        dLo += TWO32;
        borrow = 1;
      }
      const dHi = this.cmpHi[h] - this.tHi - borrow; // >= 0 since mtime < mtimecmp
      const at = this.nowNum + dHi * TWO32 + dLo;
      if (at < best) best = at;
    }
    return best <= Number.MAX_SAFE_INTEGER ? best : undefined;
  }

  /** Current mtime (exact below 2^53). */
  mtime(): number {
    this.sample();
    return this.tHi * TWO32 + this.tLo;
  }

  /** mtimecmp of a hart, for inspection. */
  mtimecmp(hart: number): bigint {
    return (BigInt(this.cmpHi[hart]) << 32n) | BigInt(this.cmpLo[hart]);
  }

  read(offset: number, size: number): number {
    if (size === 4 && (offset & 3) === 0) return this.peekWord(offset);
    return readNarrow(this, offset, size);
  }

  write(offset: number, size: number, value: number): void {
    if (size === 4 && (offset & 3) === 0) this.writeWord(offset, value >>> 0);
    else writeNarrow(this, offset, size, value);
  }

  peekWord(offset: number): number {
    if (offset < MTIMECMP_BASE) {
      const h = (offset - MSIP_BASE) >>> 2;
      return h < this.harts ? this.msipBits[h] : 0;
    }
    if (offset < MTIME_LO) {
      const h = (offset - MTIMECMP_BASE) >>> 3;
      if (h >= this.harts) return 0;
      return offset & 4 ? this.cmpHi[h] : this.cmpLo[h];
    }
    if (offset === MTIME_LO || offset === MTIME_HI) {
      this.sample();
      return offset === MTIME_LO ? this.tLo : this.tHi;
    }
    return 0;
  }

  writeWord(offset: number, value: number): void {
    if (offset < MTIMECMP_BASE) {
      const h = (offset - MSIP_BASE) >>> 2;
      if (h >= this.harts) return;
      this.msipBits[h] = value & 1;
      this.options.msip[h].set((value & 1) !== 0);
      return;
    }
    if (offset < MTIME_LO) {
      const h = (offset - MTIMECMP_BASE) >>> 3;
      if (h >= this.harts) return;
      if (offset & 4) this.cmpHi[h] = value;
      else this.cmpLo[h] = value;
      this.sample();
      this.options.mtip[h].set(this.expired(h));
      return;
    }
    if (offset === MTIME_LO || offset === MTIME_HI) {
      this.sample();
      if (offset === MTIME_LO) this.setMtime(this.tHi, value);
      else this.setMtime(value, this.tLo);
      this.update();
    }
  }

  /** Makes mtime read (hi, lo) now: offset = new - now (mod 2^64). */
  private setMtime(hi: number, lo: number): void {
    let dLo = lo - this.nowLo;
    let borrow = 0;
    if (dLo < 0) {
      dLo += TWO32;
      borrow = 1;
    }
    this.offLo = dLo;
    this.offHi = (hi - this.nowHi - borrow) >>> 0;
  }

  private sample(): void {
    const n = this.options.now();
    this.nowNum = n;
    this.nowLo = n >>> 0; // ToUint32 is exact modulo 2^32 for integers below 2^53
    this.nowHi = Math.floor(n / TWO32);
    const lo = this.nowLo + this.offLo;
    this.tLo = lo >>> 0;
    this.tHi = (this.nowHi + this.offHi + (lo >= TWO32 ? 1 : 0)) >>> 0;
  }

  /** mtime >= mtimecmp[h] (unsigned 64-bit), using the last sample. */
  private expired(h: number): boolean {
    const ch = this.cmpHi[h];
    return this.tHi > ch || (this.tHi === ch && this.tLo >= this.cmpLo[h]);
  }
}
