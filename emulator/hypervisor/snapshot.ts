/**
 * Snapshots of a VM's RAM and vCPU state. The hypervisor takes one when it
 * creates a VM (after loading the image and the DTB) and restores it when the
 * VM restarts, so drivers come back in their initial state. Restoring copies
 * back the 4 KiB pages of RAM that differ from the snapshot (and drops the
 * decoded and compiled code of those pages only, so unchanged code stays warm).
 *
 * Whole-system snapshots (emulator/system/system-snapshot.ts) use the full
 * hart state and the paged RAM images below.
 */
import type { Bus } from '../bus/bus';
import type { Hart } from '../cpu/hart';
import type { Priv } from '../cpu/constants';
import type { HsmState, VCpu } from './vcpu';

export interface HartState {
  readonly x: Int32Array;
  readonly pc: number;
  readonly priv: Priv;
  readonly waiting: boolean;
  readonly csr: Readonly<Record<(typeof CSR_FIELDS)[number], number>>;
  readonly pmpcfg: Uint32Array;
  readonly pmpaddr: Uint32Array;
}

export interface VcpuState {
  readonly hart: HartState;
  readonly hsm: HsmState;
}

export interface VmSnapshot {
  readonly ram: Uint8Array;
  readonly vcpus: readonly VcpuState[];
}

const CSR_FIELDS = [
  'mstatus', 'medeleg', 'mideleg', 'mie', 'mipSoft', 'mtvec', 'stvec', 'mepc', 'sepc', 'mcause', 'scause',
  'mtval', 'stval', 'mscratch', 'sscratch', 'satp', 'mcounteren', 'scounteren',
] as const;

export function captureHart(h: Hart): HartState {
  const csr = {} as Record<(typeof CSR_FIELDS)[number], number>;
  for (const f of CSR_FIELDS) csr[f] = h.csr[f];
  return {
    x: h.x.slice(),
    pc: h.pc,
    priv: h.priv,
    waiting: h.waiting,
    csr,
    pmpcfg: h.csr.pmpcfg.slice(),
    pmpaddr: h.csr.pmpaddr.slice(),
  };
}

/**
 * Puts a hart back into a captured state. The performance counters restart
 * from zero (as at power-on) and no LR reservation survives.
 */
export function restoreHart(h: Hart, s: HartState): void {
  h.x.set(s.x);
  h.pc = s.pc;
  h.priv = s.priv;
  h.waiting = s.waiting;
  for (const f of CSR_FIELDS) h.csr[f] = s.csr[f];
  h.csr.pmpcfg.set(s.pmpcfg);
  h.csr.pmpaddr.set(s.pmpaddr);
  h.csr.cycleAdjust = -(h.retired + h.idleCycles);
  h.csr.instretAdjust = -h.retired;
  h.mmu.reservation = -1;
  h.mmu.refresh();
}

export function captureVm(bus: Bus, vcpus: readonly VCpu[]): VmSnapshot {
  return {
    ram: bus.ram.slice(),
    vcpus: vcpus.map((v) => ({ hart: captureHart(v.hart), hsm: v.hsm })),
  };
}

/** Restores RAM (keeping decode caches coherent) and every vCPU. */
export function restoreVm(bus: Bus, vcpus: readonly VCpu[], snap: VmSnapshot): void {
  restoreRam(bus, snap.ram);
  vcpus.forEach((v, i) => {
    const s = snap.vcpus[i];
    restoreHart(v.hart, s.hart);
    v.hsm = s.hsm;
    v.timerTicks = Infinity;
    v.stip.set(false);
    v.suspend = undefined;
    v.hung = false;
    v.lastTrapRetired = -1;
    v.trapStreak = 0;
  });
}

// ---- whole-system snapshots: full hart state, RAM restored by difference ----------------

/** The counters' offsets (csr.ts Counter64), read through their fields when present. */
interface CounterFields {
  offset: number;
  offsetHi: number;
}

/** A hart's state between two runs, counters included: restoring it continues exactly where it was captured. */
export interface FullHartState extends HartState {
  readonly retired: number;
  readonly idleCycles: number;
  readonly mipLines: number;
  readonly reservation: number;
  /** cycle/instret counter offsets: [offset, offsetHi] each, or the adjustments when the fields are not there. */
  readonly cycle: readonly [number, number];
  readonly instret: readonly [number, number];
}

function counterFields(h: Hart): [CounterFields, CounterFields] | undefined {
  const c = h.csr as unknown as { cycleCounter?: CounterFields; instretCounter?: CounterFields };
  const ok = (x: CounterFields | undefined): x is CounterFields => typeof x?.offset === 'number' && typeof x.offsetHi === 'number';
  return ok(c.cycleCounter) && ok(c.instretCounter) ? [c.cycleCounter, c.instretCounter] : undefined;
}

export function captureHartFull(h: Hart): FullHartState {
  const f = counterFields(h);
  return {
    ...captureHart(h),
    retired: h.retired,
    idleCycles: h.idleCycles,
    mipLines: h.csr.mipLines,
    reservation: h.mmu.reservation,
    cycle: f ? [f[0].offset, f[0].offsetHi] : [h.csr.cycleAdjust, 0],
    instret: f ? [f[1].offset, f[1].offsetHi] : [h.csr.instretAdjust, 0],
  };
}

/** Puts a hart back exactly into a captured state (counters and LR reservation too); drops its TLBs. */
export function restoreHartFull(h: Hart, s: FullHartState): void {
  h.x.set(s.x);
  h.pc = s.pc;
  h.priv = s.priv;
  h.waiting = s.waiting;
  h.retired = s.retired;
  h.idleCycles = s.idleCycles;
  for (const f of CSR_FIELDS) h.csr[f] = s.csr[f];
  h.csr.mipLines = s.mipLines;
  h.csr.pmpcfg.set(s.pmpcfg);
  h.csr.pmpaddr.set(s.pmpaddr);
  const f = counterFields(h);
  if (f) {
    [f[0].offset, f[0].offsetHi] = s.cycle;
    [f[1].offset, f[1].offsetHi] = s.instret;
  } else {
    h.csr.cycleAdjust = s.cycle[0];
    h.csr.instretAdjust = s.instret[0];
  }
  h.mmu.reservation = s.reservation;
  h.mmu.refresh();
}

/** Granule of paged images (RAM, disks): chunks compared, copied and shared as a whole. */
export const IMAGE_CHUNK = 64 * 1024;
/** Granule of the comparison inside a chunk that differs. */
const IMAGE_PAGE = 4096;

/**
 * A copy of a memory (RAM, a disk) in chunks. Chunks equal to the same chunk
 * of another image share its copy, so a series of snapshots of a running
 * system costs little more than one.
 */
export interface PagedImage {
  readonly length: number;
  readonly chunks: readonly Buffer[];
}

const views = new WeakMap<Uint8Array, Buffer>();

/** A Buffer over the same bytes (Buffer.compare without allocating per call). */
function bufferOf(u: Uint8Array): Buffer {
  if (Buffer.isBuffer(u)) return u;
  let b = views.get(u);
  if (!b) {
    b = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    views.set(u, b);
  }
  return b;
}

/** Whether a[aOff, aOff+n) equals b[bOff, bOff+n). */
function rangesEqual(a: Buffer, aOff: number, b: Buffer, bOff: number, n: number): boolean {
  return a.compare(b, bOff, bOff + n, aOff, aOff + n) === 0;
}

export function capturePaged(mem: Uint8Array, like?: PagedImage): PagedImage {
  const m = bufferOf(mem);
  const chunks: Buffer[] = [];
  for (let off = 0, i = 0; off < mem.length; off += IMAGE_CHUNK, i++) {
    const n = Math.min(mem.length, off + IMAGE_CHUNK) - off;
    const prev = like && like.length === mem.length ? like.chunks[i] : undefined;
    chunks.push(prev && rangesEqual(prev, 0, m, off, n) ? prev : Buffer.from(mem.subarray(off, off + n)));
  }
  return { length: mem.length, chunks };
}

/**
 * Makes `mem` equal to `image` (of the same length), writing only the 4 KiB
 * pages that differ through `write(offset, bytes)` (consecutive ones in one
 * call; a write there must keep caches coherent, so code on unchanged pages
 * stays decoded and compiled). Returns the bytes written.
 */
export function restoreDiff(mem: Uint8Array, image: Uint8Array | PagedImage, write: (offset: number, bytes: Uint8Array) => void): number {
  if (image.length !== mem.length) throw new RangeError(`image of ${image.length} bytes for a memory of ${mem.length}`);
  const m = bufferOf(mem);
  const whole = image instanceof Uint8Array ? bufferOf(image) : undefined;
  let written = 0;
  for (let off = 0, i = 0; off < mem.length; off += IMAGE_CHUNK, i++) {
    const n = Math.min(mem.length, off + IMAGE_CHUNK) - off;
    const want = whole ?? (image as PagedImage).chunks[i];
    const base = whole ? off : 0;
    if (rangesEqual(want, base, m, off, n)) continue;
    let run = -1; // start (within the chunk) of the differing pages not written yet
    for (let p = 0; p <= n; p += IMAGE_PAGE) {
      const differs = p < n && !rangesEqual(want, base + p, m, off + p, Math.min(n - p, IMAGE_PAGE));
      if (differs && run < 0) run = p;
      if (!differs && run >= 0) {
        const end = Math.min(n, p);
        write(off + run, want.subarray(base + run, base + end));
        written += end - run;
        run = -1;
      }
    }
  }
  return written;
}

/** Restores a bus's RAM from an image (a full copy or paged), invalidating decoded code only where bytes change. */
export function restoreRam(bus: Bus, image: Uint8Array | PagedImage): number {
  return restoreDiff(bus.ram, image, (off, bytes) => bus.loadBytes(bus.ramBase + off, bytes));
}
