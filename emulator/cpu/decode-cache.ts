/**
 * Pre-decoded instructions per 4 KiB page of RAM, shared by all harts on one bus.
 * Every store into a page that has decoded entries clears them, so self-modifying
 * code and `fence.i` are honoured without the guest's help.
 */
import { Bus } from '../bus/bus';
import { decode } from '../isa/decode';
import { INSTRUCTIONS } from '../isa/table';

/** Packed entry: op (8 bits; 0 = not decoded yet) | rd << 8 (6 bits, x0 → 32) | rs1 << 14 | rs2 << 19. */
export const ILLEGAL_OP = INSTRUCTIONS.length + 1;

export class DecodePage {
  readonly ops = new Int32Array(1024);
  readonly imms = new Int32Array(1024);
  constructor(readonly ramOffset: number) {}
}

const caches = new WeakMap<Bus, DecodeCache>();

export class DecodeCache {
  private readonly pages: (DecodePage | undefined)[];
  /** Per RAM page: 1 when decoded entries may exist (checked on every store). */
  readonly codePages: Uint8Array;

  private constructor(private readonly bus: Bus) {
    const n = bus.ramSize >>> 12;
    this.pages = new Array(n).fill(undefined);
    this.codePages = new Uint8Array(n);
    // Writes that do not come from a hart (loaders, DMA, the debugger) keep the cache coherent too.
    bus.onRamWrite = (offset, size) => this.invalidateRange(offset, size);
  }

  static for(bus: Bus): DecodeCache {
    let c = caches.get(bus);
    if (!c) {
      c = new DecodeCache(bus);
      caches.set(bus, c);
    }
    return c;
  }

  /** The decode page for the RAM page holding `ramOffset`. */
  page(ramOffset: number): DecodePage {
    const n = ramOffset >>> 12;
    let p = this.pages[n];
    if (!p) {
      p = new DecodePage(n << 12);
      this.pages[n] = p;
    }
    this.codePages[n] = 1;
    return p;
  }

  /** Decodes slot `i` of `page` and returns its packed entry. */
  fill(page: DecodePage, i: number): number {
    const off = page.ramOffset + i * 4;
    const m = this.bus.ram;
    const word = (m[off] | (m[off + 1] << 8) | (m[off + 2] << 16) | (m[off + 3] << 24)) >>> 0;
    const d = decode(word);
    let e: number;
    if (d.index < 0) {
      e = ILLEGAL_OP;
      page.imms[i] = word | 0;
    } else {
      const rd = d.rd === 0 ? 32 : d.rd;
      e = (d.index + 1) | (rd << 8) | (d.rs1 << 14) | (d.rs2 << 19);
      page.imms[i] = d.imm;
    }
    page.ops[i] = e;
    this.codePages[page.ramOffset >>> 12] = 1;
    return e;
  }

  invalidatePage(n: number): void {
    const p = this.pages[n];
    if (p) p.ops.fill(0);
    this.codePages[n] = 0;
  }

  invalidateRange(offset: number, size: number): void {
    const last = (offset + size - 1) >>> 12;
    for (let n = offset >>> 12; n <= last; n++) if (this.codePages[n]) this.invalidatePage(n);
  }
}
