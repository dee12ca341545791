/**
 * Direct memory access by bus-master devices (virtio-mmio and later others).
 *
 * A device never touches memory through the CPU's bus: it goes through a
 * `DmaPort`, which decides what the device may reach. `busDma` lets a device
 * reach all of one bus's RAM (the bare-metal machine); `IommuDma` confines it
 * to a list of windows (a driver VM's RAM plus the pages granted to it), each
 * translated to its backing memory, and reports every refused access.
 *
 * Addresses are the device's (guest-)physical addresses as plain numbers; they
 * may exceed 32 bits (virtio addresses are 64-bit), which simply never match.
 */
import type { Bus } from '../bus/bus';

export type DmaDirection = 'read' | 'write';

/** An access the port refuses. Thrown by `DmaPort.read`/`write`; devices catch it. */
export class DmaFault extends Error {
  constructor(
    readonly address: number,
    readonly length: number,
    readonly direction: DmaDirection,
    readonly reason: string,
    /** Name of the port (e.g. the device or VM it belongs to). */
    readonly port = '',
  ) {
    super(`DMA ${direction} of ${describeLength(length)} at ${hexAddress(address)} refused${port ? ` (${port})` : ''}: ${reason}`);
    this.name = 'DmaFault';
  }
}

/** Memory as a bus-master device sees it. */
export interface DmaPort {
  /** Copies `length` bytes starting at `gpa`; throws DmaFault if any byte may not be read. */
  read(gpa: number, length: number): Uint8Array;
  /** Stores `data` at `gpa`; throws DmaFault (and writes nothing) if any byte may not be written. */
  write(gpa: number, data: Uint8Array): void;
  /**
   * Whether the whole range may be accessed, without side effects (no fault
   * report). Optional; the debugger uses it to peek at rings safely.
   */
  allows?(gpa: number, length: number, direction: DmaDirection): boolean;
}

function hexAddress(a: number): string {
  return Number.isFinite(a) ? `0x${Math.trunc(a).toString(16).padStart(8, '0')}` : String(a);
}

function describeLength(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}

/** Whether (gpa, length) is a sensible access at all (non-negative integers). */
function validAccess(gpa: number, length: number): boolean {
  return Number.isSafeInteger(gpa) && gpa >= 0 && Number.isSafeInteger(length) && length >= 0;
}

/** A DmaPort over all of a bus's RAM; anything else (MMIO, unmapped) is a DmaFault. */
export function busDma(bus: Bus, name = 'bus'): DmaPort {
  const ramEnd = bus.ramBase + bus.ramSize;
  const check = (gpa: number, length: number, direction: DmaDirection): number => {
    if (!validAccess(gpa, length)) throw new DmaFault(gpa, length, direction, 'invalid address or length', name);
    if (length === 0) return 0;
    if (gpa < bus.ramBase || gpa + length > ramEnd) throw new DmaFault(gpa, length, direction, 'not RAM', name);
    return gpa - bus.ramBase;
  };
  return {
    allows(gpa: number, length: number): boolean {
      return validAccess(gpa, length) && (length === 0 || (gpa >= bus.ramBase && gpa + length <= ramEnd));
    },
    read(gpa: number, length: number): Uint8Array {
      const off = check(gpa, length, 'read');
      return bus.ram.slice(off, off + length);
    },
    write(gpa: number, data: Uint8Array): void {
      const off = check(gpa, data.length, 'write');
      if (data.length === 0) return;
      bus.ram.set(data, off);
      // Keep decode caches coherent: DMA may overwrite code.
      bus.onRamWrite?.(off, data.length);
    },
  };
}

/** One range the IOMMU lets a device reach, and where it lives. */
export interface DmaWindow {
  /** First device-visible (guest-physical) address of the window. */
  readonly gpa: number;
  readonly length: number;
  /** Whether the device may write (a read-only grant is not). */
  readonly writable: boolean;
  /** Backing memory: byte `gpa + i` of the window is `memory[offset + i]`. */
  readonly memory: Uint8Array;
  readonly offset: number;
  /** Called after the device wrote [offset, offset+length) of `memory` (decode-cache coherence). */
  readonly onWrite?: (offset: number, length: number) => void;
  /** Free-form label for the debugger and for `unmapWhere` (e.g. "ram", "grant 2:17"). */
  readonly tag?: string;
}

export interface IommuDmaOptions {
  /** Name used in fault messages (e.g. "vm2 virtio-blk"). */
  name?: string;
  /** Called with every refused access, before the DmaFault is thrown to the device. */
  onViolation?: (fault: DmaFault) => void;
}

/**
 * A window covering RAM of `bus`: by default all of it, device-visible at the
 * bus's own addresses. For a granted page give `pa` (address of the page in
 * the granter's bus), `gpa` (where the grantee sees it) and `length`.
 */
export function ramWindow(
  bus: Bus,
  options: { gpa?: number; pa?: number; length?: number; writable?: boolean; tag?: string } = {},
): DmaWindow {
  const pa = options.pa ?? bus.ramBase;
  const length = options.length ?? bus.ramSize - (pa - bus.ramBase);
  const offset = pa - bus.ramBase;
  if (offset < 0 || length <= 0 || offset + length > bus.ramSize) {
    throw new RangeError(`ramWindow: 0x${pa.toString(16)}+0x${length.toString(16)} is not inside the bus's RAM`);
  }
  return {
    gpa: options.gpa ?? pa,
    length,
    writable: options.writable ?? true,
    memory: bus.ram,
    offset,
    onWrite: (off, len) => bus.onRamWrite?.(off, len),
    tag: options.tag,
  };
}

interface Piece {
  readonly window: DmaWindow;
  /** Offset inside the window. */
  readonly start: number;
  readonly length: number;
}

/** A DmaPort that allows only its windows (an IOMMU context for one device or VM). */
export class IommuDma implements DmaPort {
  readonly name: string;
  onViolation: ((fault: DmaFault) => void) | undefined;
  /** Refused accesses so far. */
  violations = 0;
  /** Sorted by gpa, non-overlapping. */
  private list: DmaWindow[] = [];

  constructor(options: IommuDmaOptions = {}) {
    this.name = options.name ?? 'iommu';
    this.onViolation = options.onViolation;
  }

  get windows(): readonly DmaWindow[] {
    return this.list;
  }

  /** Adds a window; refuses (RangeError) one that overlaps another or does not fit its memory. */
  map(window: DmaWindow): void {
    const { gpa, length, offset, memory } = window;
    if (!Number.isSafeInteger(gpa) || gpa < 0 || !Number.isSafeInteger(length) || length <= 0 || gpa + length > 2 ** 32) {
      throw new RangeError(`IOMMU window ${hexAddress(gpa)}+${length} is not inside the 32-bit address space`);
    }
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > memory.length) {
      throw new RangeError(`IOMMU window ${hexAddress(gpa)}+${length} does not fit its backing memory`);
    }
    for (const w of this.list) {
      if (gpa < w.gpa + w.length && w.gpa < gpa + length) {
        throw new RangeError(`IOMMU window ${hexAddress(gpa)}+${length} overlaps ${hexAddress(w.gpa)}+${w.length}${w.tag ? ` (${w.tag})` : ''}`);
      }
    }
    this.list.push(window);
    this.list.sort((a, b) => a.gpa - b.gpa);
  }

  /** Removes the windows that start inside [gpa, gpa+length); returns how many. */
  unmap(gpa: number, length = 1): number {
    return this.unmapWhere((w) => w.gpa >= gpa && w.gpa < gpa + length);
  }

  /** Removes the windows matching `pred` (e.g. all grants of one granter by tag); returns how many. */
  unmapWhere(pred: (w: DmaWindow) => boolean): number {
    const before = this.list.length;
    this.list = this.list.filter((w) => !pred(w));
    return before - this.list.length;
  }

  clear(): void {
    this.list = [];
  }

  /** Whether the whole range may be accessed in that direction (no side effects, no report). */
  allows(gpa: number, length: number, direction: DmaDirection): boolean {
    return typeof this.resolve(gpa, length, direction) !== 'string';
  }

  read(gpa: number, length: number): Uint8Array {
    const pieces = this.pieces(gpa, length, 'read');
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of pieces) {
      const from = p.window.offset + p.start;
      out.set(p.window.memory.subarray(from, from + p.length), at);
      at += p.length;
    }
    return out;
  }

  write(gpa: number, data: Uint8Array): void {
    const pieces = this.pieces(gpa, data.length, 'write');
    let at = 0;
    for (const p of pieces) {
      const to = p.window.offset + p.start;
      p.window.memory.set(data.subarray(at, at + p.length), to);
      p.window.onWrite?.(to, p.length);
      at += p.length;
    }
  }

  private pieces(gpa: number, length: number, direction: DmaDirection): Piece[] {
    const r = this.resolve(gpa, length, direction);
    if (typeof r !== 'string') return r;
    const fault = new DmaFault(gpa, length, direction, r, this.name);
    this.violations++;
    // A faulty observer must not change what the device sees.
    try {
      this.onViolation?.(fault);
    } catch {
      /* ignored */
    }
    throw fault;
  }

  /** The pieces covering the range, or why it is refused. */
  private resolve(gpa: number, length: number, direction: DmaDirection): Piece[] | string {
    if (!validAccess(gpa, length)) return 'invalid address or length';
    const pieces: Piece[] = [];
    let cur = gpa;
    const end = gpa + length;
    while (cur < end) {
      const w = this.find(cur);
      if (!w) return `${hexAddress(cur)} is outside the device's DMA windows`;
      if (direction === 'write' && !w.writable) return `${hexAddress(cur)} is read-only${w.tag ? ` (${w.tag})` : ''}`;
      const start = cur - w.gpa;
      const n = Math.min(end, w.gpa + w.length) - cur;
      pieces.push({ window: w, start, length: n });
      cur += n;
    }
    return pieces;
  }

  private find(a: number): DmaWindow | undefined {
    const l = this.list;
    let lo = 0;
    let hi = l.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const w = l[mid];
      if (a < w.gpa) hi = mid - 1;
      else if (a >= w.gpa + w.length) lo = mid + 1;
      else return w;
    }
    return undefined;
  }
}
