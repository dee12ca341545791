/**
 * Physical address space of one machine (or one VM's guest-physical space):
 * a RAM window plus MMIO regions. The CPU reaches everything through this.
 */

/** A memory-mapped device. Offsets are relative to the region's base. */
export interface MmioDevice {
  readonly name: string;
  /** Reads `size` bytes (1, 2 or 4) at `offset`; returns the value zero-extended (as an unsigned number). */
  read(offset: number, size: number): number;
  /** Writes the low `size` bytes of `value` at `offset`. */
  write(offset: number, size: number, value: number): void;
}

export interface MmioRegion {
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
}

/** Thrown by the bus for an access to an address where nothing is mapped; the MMU turns it into an access fault. */
export class BusError extends Error {
  constructor(readonly address: number, readonly write: boolean) {
    super(`${write ? 'store to' : 'load from'} unmapped physical address 0x${(address >>> 0).toString(16).padStart(8, '0')}`);
  }
}

export const DEFAULT_RAM_BASE = 0x80000000;

const WASM_PAGE = 65536;

/**
 * Room kept for a bus's decoded instructions (see cpu/decode-cache.ts), so
 * WebAssembly code can read them: one page of decoded code per page of RAM, up to
 * 1024 pages (4 MiB of code; beyond that, decoded pages live in plain arrays), and
 * the block-end counts. Only pages that are used take host memory. Each page takes
 * DECODED_PAGE_STRIDE bytes: 1024 entries of 8 bytes and a 16-byte trailer.
 */
export const DECODED_PAGE_STRIDE = 8192 + 16;
export const BLOCK_COUNT_BYTES = 1 << 17;

export function decodeRoomPages(ramSize: number): number {
  return Math.min(ramSize >>> 12, 1024);
}

/**
 * Bytes kept per hart for its state block, fetch TLB and the JIT's link table
 * (cpu/hart-state.ts, which checks that they fit).
 */
export const HART_FIXED_ROOM = 256 + 2048 + 4096;

/** Per hart beside RAM: watch flags (a byte per 16-byte line; only lines of watched words are ever written), and HART_FIXED_ROOM. */
const hartRoom = (ramSize: number) => (ramSize >>> 4) + HART_FIXED_ROOM;

export class Bus {
  readonly ram: Uint8Array;
  /** Word and halfword views of `ram`, for aligned fast paths. */
  readonly ram32: Int32Array;
  readonly ram16: Uint16Array;
  readonly ramBase: number;
  readonly ramSize: number;
  /**
   * RAM lives at offset 0 of a WebAssembly memory, followed by room for state that
   * compiled WebAssembly code reads with it (the decode cache's code lines, each
   * hart's registers and watch flags): see allocate.
   */
  readonly memory: WebAssembly.Memory;
  private next: number;
  private readonly regions: MmioRegion[] = [];
  /** Called with the RAM offset of every store that may hit code, so decode caches stay coherent. */
  onRamWrite: ((offset: number, size: number) => void) | undefined;

  /** `harts`: how many harts will run on the bus (room for their state is kept beside RAM). */
  constructor(ramSize: number, ramBase = DEFAULT_RAM_BASE, harts = 1) {
    if (ramSize <= 0 || ramSize % 4096 !== 0) throw new Error(`RAM size must be a positive multiple of 4 KiB, got ${ramSize}`);
    this.ramBase = ramBase >>> 0;
    this.ramSize = ramSize;
    // Code lines (one byte per 256 bytes of RAM), decoded code, and per hart its
    // watch flags, state block, fetch TLB and link table.
    const beside = (ramSize >>> 8) + decodeRoomPages(ramSize) * DECODED_PAGE_STRIDE + BLOCK_COUNT_BYTES + harts * hartRoom(ramSize);
    const pages = Math.ceil((ramSize + beside) / WASM_PAGE);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const buffer = this.memory.buffer;
    this.ram = new Uint8Array(buffer, 0, ramSize);
    this.ram32 = new Int32Array(buffer, 0, ramSize >>> 2);
    this.ram16 = new Uint16Array(buffer, 0, ramSize >>> 1);
    this.next = ramSize;
  }

  /**
   * `bytes` of the memory after RAM (zeroed, 8-byte aligned), for state that
   * WebAssembly code reads; returns their offset, or undefined when the room is used
   * up (the caller keeps its state in a plain typed array, and WebAssembly code is
   * not used for it).
   */
  allocate(bytes: number): number | undefined {
    const at = this.next;
    if (at + bytes > this.memory.buffer.byteLength) return undefined;
    this.next = (at + bytes + 7) & ~7;
    return at;
  }

  /** Maps a device; refuses overlaps with RAM or with other regions. */
  map(base: number, size: number, device: MmioDevice): void {
    base >>>= 0;
    const end = base + size;
    const overlaps = (b: number, s: number) => base < b + s && b < end;
    if (overlaps(this.ramBase, this.ramSize)) throw new Error(`device ${device.name} at 0x${base.toString(16)} overlaps RAM`);
    for (const r of this.regions) {
      if (overlaps(r.base, r.size)) throw new Error(`device ${device.name} at 0x${base.toString(16)} overlaps ${r.device.name} at 0x${r.base.toString(16)}`);
    }
    this.regions.push({ base, size, device });
  }

  get mmioRegions(): readonly MmioRegion[] {
    return this.regions;
  }

  /** Offset into RAM of `pa` when [pa, pa+size) lies in RAM, else -1. */
  ramOffset(pa: number, size: number): number {
    const off = (pa - this.ramBase) >>> 0;
    return off + size <= this.ramSize ? off : -1;
  }

  findRegion(pa: number): MmioRegion | undefined {
    pa >>>= 0;
    for (const r of this.regions) if (pa - r.base >= 0 && pa - r.base < r.size) return r;
    return undefined;
  }

  /** Reads 1, 2 or 4 bytes (any alignment inside RAM); returns an unsigned value. */
  read(pa: number, size: number): number {
    const off = this.ramOffset(pa, size);
    if (off >= 0) {
      const m = this.ram;
      if (size === 4) return (m[off] | (m[off + 1] << 8) | (m[off + 2] << 16) | (m[off + 3] << 24)) >>> 0;
      if (size === 2) return m[off] | (m[off + 1] << 8);
      return m[off];
    }
    const r = this.findRegion(pa);
    if (!r) throw new BusError(pa, false);
    return r.device.read((pa >>> 0) - r.base, size) >>> 0;
  }

  write(pa: number, size: number, value: number): void {
    const off = this.ramOffset(pa, size);
    if (off >= 0) {
      const m = this.ram;
      m[off] = value;
      if (size >= 2) m[off + 1] = value >>> 8;
      if (size === 4) {
        m[off + 2] = value >>> 16;
        m[off + 3] = value >>> 24;
      }
      if (this.onRamWrite) this.onRamWrite(off, size);
      return;
    }
    const r = this.findRegion(pa);
    if (!r) throw new BusError(pa, true);
    r.device.write((pa >>> 0) - r.base, size, value);
  }

  /** Copies bytes into RAM (loaders, debugger writes); throws a BusError if any byte is outside RAM. */
  loadBytes(pa: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const off = this.ramOffset(pa, bytes.length);
    if (off < 0) throw new BusError(pa, true);
    this.ram.set(bytes, off);
    if (this.onRamWrite) this.onRamWrite(off, bytes.length);
  }
}
