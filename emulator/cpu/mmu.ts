/**
 * A hart's view of memory: Sv32 translation with A/D updates, MPRV/SUM/MXR,
 * per-access-kind TLBs, misaligned accesses performed byte by byte, and the
 * fast paths for aligned RAM. Faults are raised through the hart.
 *
 * In the interpreter's fast mode an access to MMIO or to a watched page does not
 * happen: it throws RETRY and the instruction is executed again in slow mode with
 * the hart's state flushed, so devices see exact time and watchpoints stop exactly.
 */
import { Bus, BusError } from '../bus/bus';
import { Access, Cause, MSTATUS, Priv } from './constants';
import { CODE_LINE_SHIFT, DecodeCache, DecodePage } from './decode-cache';
import { RETRY, TRAP } from './signals';
import { FETCH_TLB_BYTES } from './hart-state';

/** What the MMU needs from its hart. */
export interface MmuHost {
  readonly priv: Priv;
  readonly slow: boolean;
  mstatus(): number;
  satp(): number;
  /** Returns the signal to throw for exception `cause` with trap value `tval`. */
  exception(cause: number, tval: number): unknown;
  /** A watched RAM location was accessed (slow mode only). */
  watchHit(pa: number, size: number, access: Access, value: number): void;
}

const TLB_SIZE = 256;
const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;
const PAGE_FAULT = [Cause.InsnPageFault, Cause.LoadPageFault, Cause.StorePageFault];
const ACCESS_FAULT = [Cause.InsnAccessFault, Cause.LoadAccessFault, Cause.StoreAccessFault];

/** Page flags (per RAM page): watched for loads / for stores. */
export const WATCH_LOAD = 1, WATCH_STORE = 2;
/** RAM offsets [lo, hi): empty when lo >= hi. */
export interface OffsetRange {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Per kind of access, the RAM offsets from the first 16-byte line watched for it to
 * the end of the last (Mmu.watchSpan): WebAssembly code made for it tests that
 * range before it looks at the watch flags, and a load (or store) checks nothing
 * when nothing is watched for loads (or stores).
 */
export interface WatchSpan {
  readonly load: OffsetRange;
  readonly store: OffsetRange;
}

/** log2 of the granule of Mmu.watchLines. */
export const WATCH_LINE_SHIFT = 4;

class Tlb {
  readonly tag = new Int32Array(TLB_SIZE).fill(-1);
  /** Physical page base (for MMIO) and RAM offset of the page (-1 when not RAM). */
  readonly ppage = new Float64Array(TLB_SIZE);
  readonly ramOff = new Int32Array(TLB_SIZE);
  flush(): void {
    this.tag.fill(-1);
  }
}

export class Mmu {
  readonly ram: Uint8Array;
  readonly ram32: Int32Array;
  readonly ram16: Uint16Array;
  readonly ramBase: number;
  readonly ramSize: number;
  readonly code: DecodeCache;
  /** WATCH_* flags per RAM page; set by the debugger and by HTIF. */
  readonly watch: Uint8Array;
  /**
   * The same per 16-byte line (WATCH_LINE_SHIFT), in the bus's memory, for the
   * WebAssembly code's inline check: an access to a watched page that misses the
   * watched lines stays on the fast path there. Only lines of watched ranges are set.
   */
  readonly watchLines: Uint8Array;
  /** The lines set in watchLines (to clear them again). */
  private watchLineList: number[] = [];
  /** Exact watched addresses (physical), consulted only on watched pages. */
  readonly watchRanges: Array<{ pa: number; size: number; access: number }> = [];
  /** The watched ranges in RAM: [first offset, end offset (exclusive), WATCH_* flags] per range. */
  private watchOffsets: number[] = [];

  private readonly tlbs = [new Tlb(), new Tlb(), new Tlb()];
  /** Whether loads/stores are translated, and with which privilege (MPRV applied). */
  private dataTranslate = false;
  private dataPriv: Priv = Priv.M;
  /** Whether loads and stores are translated now (compiled code inlines the untranslated case). */
  get dataTranslated(): boolean {
    return this.dataTranslate;
  }

  /**
   * The WebAssembly interpreter's fetch TLB (hart-state.ts), in the bus's memory when
   * there was room (else a plain array, and no WebAssembly interpreter runs).
   */
  readonly fetchTlb: Int32Array;

  /** Whether instruction fetches are translated (read by compiled code; set by refresh). */
  fetchTranslate = false;

  /** Bytes of the TLBs (memory reports). */
  get tlbBytes(): number {
    return this.tlbs.length * TLB_SIZE * (4 + 8 + 4) + this.fetchTlb.byteLength;
  }

  /** LR/SC reservation: physical address, or -1 (kept in `reservationCell`, where compiled WebAssembly reads it too). */
  get reservation(): number {
    const v = this.reservationCell[0];
    return v === -1 ? -1 : v >>> 0;
  }
  set reservation(pa: number) {
    this.reservationCell[0] = pa;
  }

  constructor(readonly bus: Bus, private readonly hart: MmuHost, private readonly reservationCell = new Int32Array(1)) {
    reservationCell[0] = -1;
    this.ram = bus.ram;
    this.ram32 = bus.ram32;
    this.ram16 = bus.ram16;
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ramSize;
    this.code = DecodeCache.for(bus);
    this.watch = new Uint8Array(bus.ramSize >>> 12);
    const lines = bus.ramSize >>> WATCH_LINE_SHIFT;
    const linesAt = bus.allocate(lines);
    this.watchLines = linesAt === undefined ? new Uint8Array(lines) : new Uint8Array(bus.memory.buffer, linesAt, lines);
    const tlbAt = bus.allocate(FETCH_TLB_BYTES);
    this.fetchTlb = tlbAt === undefined ? new Int32Array(FETCH_TLB_BYTES >>> 2) : new Int32Array(bus.memory.buffer, tlbAt, FETCH_TLB_BYTES >>> 2);
    this.fetchTlb.fill(-1);
  }

  /** Re-reads privilege, mstatus and satp; drops cached translations. */
  refresh(): void {
    const ms = this.hart.mstatus();
    const sv32 = (this.hart.satp() & 0x80000000) !== 0;
    const priv = this.hart.priv;
    this.dataPriv = priv === Priv.M && ms & MSTATUS.MPRV ? ((ms & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) as Priv : priv;
    this.dataTranslate = sv32 && this.dataPriv !== Priv.M;
    this.fetchTranslate = sv32 && priv !== Priv.M;
    for (const t of this.tlbs) t.flush();
    this.fetchTlb.fill(-1);
  }

  // ---- loads -------------------------------------------------------------

  lw(va: number): number {
    const o = this.ramOffsetFor(va, 4, Access.Load);
    if (o >= 0 && (o & 3) === 0) return this.ram32[o >>> 2];
    return this.loadSlow(va, 4) | 0;
  }
  lh(va: number): number {
    return (this.lhu(va) << 16) >> 16;
  }
  lhu(va: number): number {
    const o = this.ramOffsetFor(va, 2, Access.Load);
    if (o >= 0 && (o & 1) === 0) return this.ram16[o >>> 1];
    return this.loadSlow(va, 2);
  }
  lb(va: number): number {
    return (this.lbu(va) << 24) >> 24;
  }
  lbu(va: number): number {
    const o = this.ramOffsetFor(va, 1, Access.Load);
    if (o >= 0) return this.ram[o];
    return this.loadSlow(va, 1);
  }

  // ---- stores ------------------------------------------------------------

  sw(va: number, v: number): void {
    const o = this.ramOffsetFor(va, 4, Access.Store);
    if (o >= 0 && (o & 3) === 0) {
      if (this.code.codeLines[o >>> CODE_LINE_SHIFT]) this.codeStore(o, 4);
      this.ram32[o >>> 2] = v;
      return;
    }
    this.storeSlow(va, 4, v);
  }
  sh(va: number, v: number): void {
    const o = this.ramOffsetFor(va, 2, Access.Store);
    if (o >= 0 && (o & 1) === 0) {
      if (this.code.codeLines[o >>> CODE_LINE_SHIFT]) this.codeStore(o, 2);
      this.ram16[o >>> 1] = v;
      return;
    }
    this.storeSlow(va, 2, v);
  }
  sb(va: number, v: number): void {
    const o = this.ramOffsetFor(va, 1, Access.Store);
    if (o >= 0) {
      if (this.code.codeLines[o >>> CODE_LINE_SHIFT]) this.codeStore(o, 1);
      this.ram[o] = v;
      return;
    }
    this.storeSlow(va, 1, v);
  }

  /**
   * A store into a RAM page holding decoded code: in a fast mode, a store that would
   * change compiled code is retried in slow mode (before it has any effect), so the
   * compiled code stops first; then the decoded entries of the written words go.
   */
  private codeStore(o: number, size: number): void {
    if (!this.hart.slow && this.code.coversCompiled(o, size)) throw RETRY;
    this.code.written(o, size);
  }

  // ---- atomics -----------------------------------------------------------

  /**
   * The word an AMO works on, as a handle for amoLoad/amoStore: its RAM offset (a
   * small integer, where a physical address above 2^31 would be a heap number on
   * every call). AMOs must be aligned and are store accesses.
   */
  amoAddress(va: number): number {
    va >>>= 0;
    if (va & 3) throw this.hart.exception(Cause.StoreMisaligned, va);
    const pa = this.dataTranslate ? this.translate(va, Access.Store) : va;
    const o = this.bus.ramOffset(pa, 4);
    if (o < 0) throw this.hart.exception(Cause.StoreAccessFault, va);
    if (!this.hart.slow && (this.watchedAccess(o, 4, WATCH_LOAD | WATCH_STORE) || this.code.coversCompiled(o, 4))) throw RETRY;
    return o | 0;
  }
  amoLoad(o: number): number {
    const v = this.ram32[o >>> 2];
    if (this.hart.slow) this.checkWatch(this.ramBase + o, 4, Access.Load, v);
    return v;
  }
  amoStore(o: number, v: number): void {
    this.ram32[o >>> 2] = v;
    if (this.code.codeLines[o >>> CODE_LINE_SHIFT]) this.code.written(o, 4);
    if (this.reservation === this.ramBase + o) this.reservation = -1;
    if (this.hart.slow) this.checkWatch(this.ramBase + o, 4, Access.Store, v);
  }
  loadReserved(va: number): number {
    va >>>= 0;
    if (va & 3) throw this.hart.exception(Cause.LoadMisaligned, va);
    const pa = this.dataTranslate ? this.translate(va, Access.Load) : va;
    const o = this.bus.ramOffset(pa, 4);
    const v = o >= 0 && !this.watchedAccess(o, 4, WATCH_LOAD) ? this.ram32[o >>> 2] : this.loadPhysical(pa, 4, va, Access.Load) | 0;
    this.reservation = pa;
    return v;
  }
  storeConditional(va: number, v: number): number {
    va >>>= 0;
    if (va & 3) throw this.hart.exception(Cause.StoreMisaligned, va);
    const pa = this.dataTranslate ? this.translate(va, Access.Store) : va;
    const ok = this.reservation === pa;
    const o = this.bus.ramOffset(pa, 4);
    const watched = o >= 0 && this.watchedAccess(o, 4, WATCH_STORE);
    // Retry, before the reservation is dropped, a store that must run in slow mode (MMIO,
    // a watched word) or would change compiled code.
    if (ok && !this.hart.slow && (o < 0 || watched || this.code.coversCompiled(o, 4))) throw RETRY;
    this.reservation = -1;
    if (!ok) return 1;
    if (o >= 0 && !watched) {
      this.ram32[o >>> 2] = v;
      if (this.code.codeLines[o >>> CODE_LINE_SHIFT]) this.code.written(o, 4);
      return 0;
    }
    this.storePhysical(pa, 4, v, va);
    return 0;
  }

  // ---- instruction fetch ---------------------------------------------------

  /** Decode page for the instruction at virtual `pc`; raises fetch faults. */
  fetchPage(pc: number): DecodePage {
    const pa = this.fetchTranslate ? this.translate(pc, Access.Fetch) : pc;
    const o = this.bus.ramOffset(pa, 4);
    if (o < 0) throw this.hart.exception(Cause.InsnAccessFault, pc);
    return this.code.page(o);
  }

  /**
   * The decode page instruction fetches at `pc` would use now, or undefined when the
   * fetch would fault (no exception is raised) or, unless `allocate`, when no code
   * has been decoded there yet. Compiled code checks its pages with it.
   */
  peekFetchPage(pc: number, allocate = false): DecodePage | undefined {
    let pa: number;
    if (this.fetchTranslate) {
      try {
        pa = this.translate(pc, Access.Fetch);
      } catch (e) {
        if (e === TRAP) return undefined;
        throw e;
      }
    } else pa = pc >>> 0;
    const o = this.bus.ramOffset(pa, 4);
    if (o < 0) return undefined;
    return allocate ? this.code.page(o) : this.code.existing(o);
  }

  /** The decode page of physical address `pa` if it is RAM and has been decoded from (no side effects). */
  decodePageAt(pa: number): DecodePage | undefined {
    const o = this.bus.ramOffset(pa, 4);
    return o < 0 ? undefined : this.code.existing(o);
  }

  // ---- translation -------------------------------------------------------

  /**
   * RAM offset for an access of `size` bytes at `va` that stays inside one page,
   * or -1 when the slow path must handle it (MMIO, page crossing, watched page).
   */
  private ramOffsetFor(va: number, size: number, access: Access): number {
    va >>>= 0;
    let o: number;
    if (this.dataTranslate) {
      if ((va & 0xfff) > 0x1000 - size) return -1;
      const vpn = va >>> 12;
      const t = this.tlbs[access];
      const i = vpn & (TLB_SIZE - 1);
      if (t.tag[i] !== vpn) this.translate(va, access);
      o = t.ramOff[i];
      if (o < 0) return -1;
      o += va & 0xfff;
    } else {
      o = (va - this.ramBase) >>> 0;
      if (o > this.ramSize - size) return -1;
    }
    // On a watched page, only an access to a watched location takes the slow path
    // (Access.Load and Access.Store are WATCH_LOAD and WATCH_STORE).
    if (this.watch[o >>> 12] !== 0 && this.watchedAccess(o, size, access)) return -1;
    return o;
  }

  /** Whether an access at RAM offset `o` touches a location watched for `flags` (WATCH_*; Access.Load/Store are the same bits). */
  private watchedAccess(o: number, size: number, flags: number): boolean {
    return (this.watch[o >>> 12] & flags) !== 0 && this.watched(o, size, flags);
  }

  /**
   * Whether an access of `size` bytes at RAM offset `o` touches a location watched for
   * one of `flags` (WATCH_*).
   */
  private watched(o: number, size: number, flags: number): boolean {
    const w = this.watchOffsets;
    for (let k = 0; k < w.length; k += 3) {
      if ((w[k + 2] & flags) !== 0 && o < w[k + 1] && w[k] < o + size) return true;
    }
    return false;
  }

  /** Translates `va` for `access` at the current data/fetch privilege; fills the TLB. */
  translate(va: number, access: Access): number {
    va >>>= 0;
    const vpn = va >>> 12;
    const t = this.tlbs[access];
    const i = vpn & (TLB_SIZE - 1);
    if (t.tag[i] === vpn) return t.ppage[i] + (va & 0xfff);
    const priv = access === Access.Fetch ? this.hart.priv : this.dataPriv;
    const pa = this.walk(va, access, priv, true);
    if (pa === undefined) throw this.hart.exception(PAGE_FAULT[access], va);
    if (pa < 0) throw this.hart.exception(ACCESS_FAULT[access], va);
    const page = pa - (va & 0xfff);
    t.tag[i] = vpn;
    t.ppage[i] = page;
    const o = this.bus.ramOffset(page, 0x1000);
    t.ramOff[i] = o;
    return pa;
  }

  /**
   * Sv32 page walk. Returns the physical address, undefined for a page fault, or -1
   * for an access fault (a PTE outside memory or a physical address beyond 32 bits).
   * With `update` false (debugger peeks) A/D bits are neither required nor set.
   */
  walk(va: number, access: Access, priv: Priv, update: boolean): number | undefined {
    const ms = this.hart.mstatus();
    let table = (this.hart.satp() & 0x3fffff) * 4096;
    for (let level = 1; level >= 0; level--) {
      const pteAddr = table + ((va >>> (12 + 10 * level)) & 0x3ff) * 4;
      if (pteAddr >= 0x100000000) return -1;
      const po = this.bus.ramOffset(pteAddr, 4);
      if (po < 0) return -1;
      const pte = this.ram32[po >>> 2] >>> 0;
      if (!(pte & PTE_V) || (!(pte & PTE_R) && pte & PTE_W)) return undefined;
      if (!(pte & (PTE_R | PTE_X))) {
        table = (pte >>> 10) * 4096;
        continue;
      }
      // Leaf: permissions for this access at this privilege.
      if (access === Access.Fetch && !(pte & PTE_X)) return undefined;
      if (access === Access.Load && !(pte & PTE_R) && !(ms & MSTATUS.MXR && pte & PTE_X)) return undefined;
      if (access === Access.Store && !(pte & PTE_W)) return undefined;
      if (priv === Priv.U && !(pte & PTE_U)) return undefined;
      if (priv === Priv.S && pte & PTE_U && (access === Access.Fetch || !(ms & MSTATUS.SUM))) return undefined;
      const ppn = pte >>> 10;
      if (level === 1 && (ppn & 0x3ff) !== 0) return undefined; // misaligned superpage
      if (update && (!(pte & PTE_A) || (access === Access.Store && !(pte & PTE_D)))) {
        this.ram32[po >>> 2] = pte | PTE_A | (access === Access.Store ? PTE_D : 0);
      }
      const pa = level === 1 ? (ppn >>> 10) * 0x400000 + (va & 0x3fffff) : ppn * 4096 + (va & 0xfff);
      return pa >= 0x100000000 ? -1 : pa;
    }
    return undefined;
  }

  // ---- slow paths ----------------------------------------------------------

  private loadSlow(va: number, size: number): number {
    va >>>= 0;
    if (this.dataTranslate && (va & 0xfff) > 0x1000 - size) return this.crossPage(va, size, Access.Load, 0);
    const pa = this.dataTranslate ? this.translate(va, Access.Load) : va;
    return this.loadPhysical(pa, size, va, Access.Load);
  }

  private storeSlow(va: number, size: number, v: number): void {
    va >>>= 0;
    if (this.dataTranslate && (va & 0xfff) > 0x1000 - size) {
      this.crossPage(va, size, Access.Store, v);
      return;
    }
    const pa = this.dataTranslate ? this.translate(va, Access.Store) : va;
    this.storePhysical(pa, size, v, va);
  }

  /** A misaligned access that spans two pages: translate both before touching either. */
  private crossPage(va: number, size: number, access: Access, v: number): number {
    const pas: number[] = [];
    for (let k = 0; k < size; k++) pas.push(this.translate((va + k) >>> 0, access));
    if (!this.hart.slow) {
      // Anything that would retry must do so before the first byte is touched.
      for (const pa of pas) {
        const o = this.bus.ramOffset(pa, 1);
        if (o < 0 || this.watch[o >>> 12] || (access === Access.Store && this.code.coversCompiled(o, 1))) throw RETRY;
      }
    }
    let r = 0;
    for (let k = 0; k < size; k++) {
      if (access === Access.Load) r |= this.loadPhysical(pas[k], 1, va, access) << (8 * k);
      else this.storePhysical(pas[k], 1, v >>> (8 * k), va);
    }
    return r >>> 0;
  }

  private loadPhysical(pa: number, size: number, va: number, access: Access): number {
    const o = this.bus.ramOffset(pa, size);
    if (o >= 0) {
      if (this.watch[o >>> 12] || (size > 1 && this.watch[(o + size - 1) >>> 12])) {
        if (!this.hart.slow) throw RETRY;
        const v = this.bus.read(pa, size);
        this.checkWatch(pa, size, Access.Load, v);
        return v;
      }
      return this.bus.read(pa, size);
    }
    if (!this.hart.slow) throw RETRY;
    try {
      return this.bus.read(pa, size);
    } catch (e) {
      if (e instanceof BusError) throw this.hart.exception(ACCESS_FAULT[access], va);
      throw e;
    }
  }

  private storePhysical(pa: number, size: number, v: number, va: number): void {
    const o = this.bus.ramOffset(pa, size);
    if (o >= 0) {
      const watched = this.watch[o >>> 12] || (size > 1 && this.watch[(o + size - 1) >>> 12]);
      if (!this.hart.slow && (watched || this.code.coversCompiled(o, size))) throw RETRY;
      if (this.reservation >= 0 && this.reservation >= pa - 3 && this.reservation < pa + size) this.reservation = -1;
      this.bus.write(pa, size, v); // bus.onRamWrite keeps the decode cache coherent
      if (watched) this.checkWatch(pa, size, Access.Store, v);
      return;
    }
    if (!this.hart.slow) throw RETRY;
    try {
      this.bus.write(pa, size, v);
    } catch (e) {
      if (e instanceof BusError) throw this.hart.exception(Cause.StoreAccessFault, va);
      throw e;
    }
  }

  private checkWatch(pa: number, size: number, access: Access, value: number): void {
    for (const w of this.watchRanges) {
      if (!(w.access & (access === Access.Load ? WATCH_LOAD : WATCH_STORE))) continue;
      if (pa < w.pa + w.size && w.pa < pa + size) this.hart.watchHit(pa, size, access, value);
    }
  }

  /** Sets a watch on [pa, pa+size) for WATCH_LOAD and/or WATCH_STORE; returns a function that removes it. */
  addWatch(pa: number, size: number, access: number): () => void {
    const w = { pa: pa >>> 0, size, access };
    this.watchRanges.push(w);
    this.rebuildWatchPages();
    return () => {
      const i = this.watchRanges.indexOf(w);
      if (i < 0) return;
      this.watchRanges.splice(i, 1);
      this.rebuildWatchPages();
    };
  }

  /**
   * The watched lines' span of RAM offsets (a new object whenever the watches
   * change), or undefined when nothing in RAM is watched: WebAssembly regions are
   * made for it (see memoryAccess).
   */
  watchSpan: WatchSpan | undefined = undefined;

  private rebuildWatchPages(): void {
    this.watch.fill(0);
    for (const l of this.watchLineList) this.watchLines[l] = 0;
    this.watchLineList = [];
    const offsets: number[] = [];
    const load = { lo: Infinity, hi: -1 }, store = { lo: Infinity, hi: -1 };
    for (const w of this.watchRanges) {
      const first = this.bus.ramOffset(w.pa, 1);
      if (first < 0) continue;
      const last = Math.min(first + w.size - 1, this.ramSize - 1);
      for (const [bit, span] of [[WATCH_LOAD, load], [WATCH_STORE, store]] as const) {
        if (!(w.access & bit)) continue;
        span.lo = Math.min(span.lo, (first >>> WATCH_LINE_SHIFT) << WATCH_LINE_SHIFT);
        span.hi = Math.max(span.hi, ((last >>> WATCH_LINE_SHIFT) + 1) << WATCH_LINE_SHIFT);
      }
      for (let n = first >>> 12; n <= last >>> 12; n++) this.watch[n] |= w.access;
      for (let l = first >>> WATCH_LINE_SHIFT; l <= last >>> WATCH_LINE_SHIFT; l++) {
        this.watchLines[l] |= w.access;
        this.watchLineList.push(l);
      }
      offsets.push(first, last + 1, w.access);
    }
    this.watchOffsets = offsets;
    const range = (r: { lo: number; hi: number }): OffsetRange => (r.hi < 0 ? { lo: 0, hi: 0 } : r);
    this.watchSpan = load.hi < 0 && store.hi < 0 ? undefined : { load: range(load), store: range(store) };
  }

  // ---- debugger access (no side effects on guest state) ----------------------

  /** Physical address of virtual `va` as the hart would load it now, without A/D updates; undefined if unmapped. */
  peekTranslate(va: number, access: Access = Access.Load): number | undefined {
    va >>>= 0;
    const translating = access === Access.Fetch ? this.fetchTranslate : this.dataTranslate;
    if (!translating) return va;
    const priv = access === Access.Fetch ? this.hart.priv : this.dataPriv;
    const pa = this.walk(va, access, priv, false);
    return pa === undefined || pa < 0 ? undefined : pa;
  }
}
