/**
 * Pre-decoded instructions per 4 KiB page of RAM, shared by all harts on one bus.
 * Every store into a page that has decoded entries clears the entries of the words
 * it wrote (not the whole page: code and data often share a page in small
 * programs), so self-modifying code and `fence.i` are honoured without the
 * guest's help.
 *
 * The page also carries the JIT tier's state (emulator/cpu/jit.ts): how hot it is,
 * and the compiled region of its code, if any. Words covered by compiled code have
 * JIT_BIT set in their entry; writing such a word drops the region.
 */
import { BLOCK_COUNT_BYTES, Bus, DECODED_PAGE_STRIDE, decodeRoomPages } from '../bus/bus';
import { decode } from '../isa/decode';
import { INSTRUCTIONS } from '../isa/table';

/**
 * A decoded instruction is two int32 slots of a page's `slots` array: at 2i the
 * packed entry — op (8 bits: table index + 1; 0 = not decoded yet) | rd << 8
 * (6 bits, x0 → 32) | rs1 << 14 | rs2 << 19 | JIT_BIT — and at 2i+1 the immediate.
 * Interleaving them keeps the interpreter to one array (one map and bounds check).
 */
export const ILLEGAL_OP = INSTRUCTIONS.length + 1;
/** Where the register fields sit in a packed entry: `(e >>> shift) & mask`. */
export const ENTRY_FIELDS = {
  rd: { shift: 8, mask: 63 },
  rs1: { shift: 14, mask: 31 },
  rs2: { shift: 19, mask: 31 },
} as const;
/**
 * The op of the entry after a page's last in the bus's memory (see DECODED_PAGE_STRIDE):
 * the WebAssembly interpreter runs straight code into it rather than checking for the
 * page's end at every instruction.
 */
export const PAGE_END_OP = ILLEGAL_OP + 1;

/**
 * A decoded page's trailer in the bus's memory, in words after its 2048: the
 * page-end entry (PAGE_END_OP and an unused immediate), the page's heat, and
 * where the block count of its word w is (`countBias + 4 * w`, a byte address).
 */
export const enum Trailer {
  END = 0,
  HEAT = 2,
  COUNT_BIAS = 3,
  WORDS = 4,
}
/** Set in an entry whose word is part of a compiled region. */
export const JIT_BIT = 1 << 30;
/** Set in an entry whose word is an entry point of a compiled region (the interpreter yields there). */
export const ENTRY_BIT = 1 << 29;
/**
 * Set in an entry whose word may hold a breakpoint of the hart running it (a hint:
 * the interpreter checks the hart's breakpoint set there, and only there; compiled
 * regions leave such words out). See DecodeCache.markBreakpoints.
 */
export const BP_BIT = 1 << 28;
/** Both, for clearing. */
const REGION_BITS = JIT_BIT | ENTRY_BIT;

/**
 * Execution counts of block ends (control and sync instructions), kept by the
 * interpreter in one table per bus indexed by RAM word (modulo its size: a
 * collision only blurs a hotness estimate). The JIT compiles the blocks that ran.
 */
export const COUNT_SLOTS = 1 << 15;

/** log2 of the granule of DecodeCache.codeLines. */
export const CODE_LINE_SHIFT = 8;

/** What the JIT tier keeps per page (opaque here beyond what invalidation needs). */
export interface CompiledRegion {
  /** Source size, for the memory bound and reports. */
  readonly size: number;
  /** Every page the region was compiled from (it hangs off each of them). */
  readonly pages: readonly DecodePage[];
  /** Words it compiled and its entry points, as page index * 1024 + word. */
  readonly wordList: readonly number[];
  readonly labelWords: readonly number[];
}

/** Bytes of one page's decoded slots. */
export const DECODE_PAGE_BYTES = 8192;

export class DecodePage {
  /** `heat` of a page without a trailer. */
  private plainHeat = 0;
  /** Instructions interpreted on this page since its last compile (JIT tier). */
  get heat(): number {
    return this.trailer ? this.trailer[Trailer.HEAT] : this.plainHeat;
  }
  set heat(v: number) {
    if (this.trailer) this.trailer[Trailer.HEAT] = v;
    else this.plainHeat = v;
  }
  /** `heat` when a word of this page was last decoded (the JIT waits for the code to settle). */
  heatAtDecode = 0;
  /** Compiled regions holding code of this page (JIT tier); their words do not overlap. */
  regions: CompiledRegion[] = [];
  /** Times a region of this page was compiled (bounded). */
  compiles = 0;
  /** Times its region was dropped because code in it was written. */
  smcDrops = 0;
  /** Times the JIT's dispatcher found no entry point of this page's regions where it was (since its last compile). */
  missCount = 0;
  /** Words where compiled code was entered but had no entry (next compile adds them). */
  missed: Set<number> | null = null;
  /** The breakpoint set (its stamp) and virtual page the BP_BIT marks of this page were made for; -1: none. */
  bpStamp = -1;
  bpVpage = -1;
  /** Words marked with BP_BIT (sorted), or null. */
  bpWords: readonly number[] | null = null;
  /**
   * `slots`: the decoded entries, in the bus's memory (`arenaIndex` >= 0, where
   * WebAssembly code reads them too) or in a plain array (-1).
   */
  constructor(
    readonly ramOffset: number,
    readonly slots = new Int32Array(2048),
    readonly arenaIndex = -1,
    /** The trailer (see Trailer) of a page in the bus's memory. */
    private readonly trailer?: Int32Array,
  ) {}
}

const caches = new WeakMap<Bus, DecodeCache>();

export class DecodeCache {
  private readonly pages: (DecodePage | undefined)[];
  /**
   * Per 256-byte line of RAM (CODE_LINE_SHIFT): 1 when decoded entries may exist
   * there. Every store checks it; lines rather than pages, so that data next to code
   * (common in small programs) does not take the slow store path.
   */
  readonly codeLines: Uint8Array;
  /** Number of decode pages allocated (for memory reports). */
  pageCount = 0;
  /** Block-end execution counts (see COUNT_SLOTS), in the bus's memory when there is room. */
  readonly counts: Int32Array;
  /** Called when a region is dropped (the JIT's bookkeeping). */
  onRegionDropped: ((region: CompiledRegion) => void) | undefined;
  /**
   * Changes when something a fetch TLB may hold goes stale (a page forgotten, its
   * slots reused; breakpoint marks redone): WebAssembly interpreters empty their
   * fetch TLBs when it differs from what they saw.
   */
  epoch = 0;
  /** The decoded pages' room in the bus's memory: byte offset (-1: none), pages by slot, free slots. */
  readonly arenaBase: number;
  private readonly arenaPages: (DecodePage | undefined)[];
  private readonly arenaFree: number[];

  private constructor(private readonly bus: Bus) {
    const n = bus.ramSize >>> 12;
    this.pages = new Array(n).fill(undefined);
    const lines = bus.ramSize >>> CODE_LINE_SHIFT;
    const at = bus.allocate(lines);
    this.codeLines = at === undefined ? new Uint8Array(lines) : new Uint8Array(bus.memory.buffer, at, lines);
    const countsAt = bus.allocate(BLOCK_COUNT_BYTES);
    this.counts = countsAt === undefined ? new Int32Array(COUNT_SLOTS) : new Int32Array(bus.memory.buffer, countsAt, COUNT_SLOTS);
    const room = decodeRoomPages(bus.ramSize);
    this.arenaBase = countsAt === undefined ? -1 : bus.allocate(room * DECODED_PAGE_STRIDE) ?? -1;
    const slots = this.arenaBase < 0 ? 0 : room;
    this.arenaPages = new Array(slots).fill(undefined);
    this.arenaFree = Array.from({ length: slots }, (_, k) => slots - 1 - k);
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
      const k = this.arenaFree.pop();
      if (k === undefined) p = new DecodePage(n << 12);
      else {
        const at = this.arenaBase + k * DECODED_PAGE_STRIDE;
        const slots = new Int32Array(this.bus.memory.buffer, at, 2048);
        slots.fill(0);
        const trailer = new Int32Array(this.bus.memory.buffer, at + DECODE_PAGE_BYTES, Trailer.WORDS);
        trailer.fill(0);
        trailer[Trailer.END] = PAGE_END_OP;
        // Block counts are per RAM word modulo COUNT_SLOTS; a page's words stay together (COUNT_SLOTS is a multiple of 1024).
        trailer[Trailer.COUNT_BIAS] = this.counts.byteOffset + (((n << 10) & (COUNT_SLOTS - 1)) << 2) - (at >>> 1);
        p = new DecodePage(n << 12, slots, k, trailer);
        this.arenaPages[k] = p;
      }
      this.pages[n] = p;
      this.pageCount++;
    }
    return p;
  }

  /** Decodes the entry at byte `address` of the bus's memory (in the decoded pages' room); returns it. */
  fillAt(address: number): number {
    const rel = address - this.arenaBase;
    const k = Math.floor(rel / DECODED_PAGE_STRIDE);
    return this.fill(this.arenaPages[k]!, (rel - k * DECODED_PAGE_STRIDE) >>> 3);
  }

  /** Forgets RAM page `n` as if nothing had been decoded or run there (its code lines, and every block count). */
  forgetPage(n: number): void {
    const p = this.pages[n];
    if (p) {
      this.dropRegions(p);
      this.pages[n] = undefined;
      this.pageCount--;
      if (p.arenaIndex >= 0) {
        this.arenaPages[p.arenaIndex] = undefined;
        this.arenaFree.push(p.arenaIndex);
      }
      this.epoch++;
    }
    this.codeLines.fill(0, (n << 12) >>> CODE_LINE_SHIFT, ((n + 1) << 12) >>> CODE_LINE_SHIFT);
    this.counts.fill(0);
  }

  /** The decode page of RAM offset `o` if one exists (no allocation). */
  existing(o: number): DecodePage | undefined {
    return this.pages[o >>> 12];
  }

  /** Every allocated decode page. */
  *allPages(): IterableIterator<DecodePage> {
    for (const p of this.pages) if (p) yield p;
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
      page.slots[2 * i + 1] = word | 0;
    } else {
      const rd = d.rd === 0 ? 32 : d.rd;
      const F = ENTRY_FIELDS;
      e = (d.index + 1) | (rd << F.rd.shift) | (d.rs1 << F.rs1.shift) | (d.rs2 << F.rs2.shift);
      page.slots[2 * i + 1] = d.imm;
    }
    if (page.bpWords !== null && page.bpWords.includes(i)) e |= BP_BIT;
    page.slots[2 * i] = e;
    page.heatAtDecode = page.heat;
    this.codeLines[off >>> CODE_LINE_SHIFT] = 1;
    return e;
  }

  /** Drops every decoded entry (and compiled code) of RAM page `n`. */
  invalidatePage(n: number): void {
    const p = this.pages[n];
    if (!p) return;
    this.dropRegions(p);
    p.slots.fill(0);
  }

  /**
   * True when a store of `size` bytes at RAM offset `o` (up to 4, maybe across pages) would
   * write a word that compiled code was made from. In the fast modes such a store
   * is retried in slow mode, so no compiled code ever runs on after changing itself.
   */
  coversCompiled(o: number, size: number): boolean {
    return this.compiledWord(o) || this.compiledWord(o + size - 1);
  }

  private compiledWord(o: number): boolean {
    const p = this.pages[o >>> 12];
    return p !== undefined && p.regions.length > 0 && (p.slots[2 * ((o >>> 2) & 1023)] & JIT_BIT) !== 0;
  }

  /**
   * A store of `size` bytes (1, 2 or 4, inside one page) at RAM offset `o`, into a
   * page that has decoded entries: drops the entries of the words it touched, and
   * the page's compiled region when one of them belonged to it.
   */
  written(o: number, size: number): void {
    const p = this.pages[o >>> 12];
    if (!p) return;
    const slots = p.slots;
    const first = 2 * ((o >>> 2) & 1023);
    const last = 2 * (((o + size - 1) >>> 2) & 1023);
    if ((slots[first] | slots[last]) & JIT_BIT) this.dropRegions(p, true);
    slots[first] = 0;
    slots[last] = 0;
  }

  /** Drops the decoded entries of every word in [offset, offset + size) of RAM. */
  invalidateRange(offset: number, size: number): void {
    if (size <= 0) return;
    const end = offset + size; // exclusive
    for (let n = offset >>> 12; n <= (end - 1) >>> 12; n++) {
      const p = this.pages[n];
      if (!p) continue;
      const pageStart = n << 12;
      const a = (Math.max(offset, pageStart) - pageStart) >>> 2;
      const b = (Math.min(end, pageStart + 4096) - pageStart + 3) >>> 2;
      const s = p.slots;
      let jit = 0;
      for (let w = a; w < b; w++) {
        jit |= s[2 * w];
        s[2 * w] = 0;
      }
      if (jit & JIT_BIT) this.dropRegions(p, true);
    }
  }

  /** Forgets every compiled region holding code of `page` (decoded entries stay valid). */
  dropRegions(page: DecodePage, smc = false, refund = false): void {
    if (page.regions.length === 0) return;
    if (smc) page.smcDrops++;
    for (const r of [...page.regions]) {
      // A drop for a breakpoint change does not count against the pages' compile bound.
      if (refund) for (const p of r.pages) p.compiles = Math.max(0, p.compiles - 1);
      this.dropRegion(r);
    }
    page.heat = page.heatAtDecode = 0;
  }

  /**
   * Marks the words of `page` holding breakpoints (`words`, sorted word indices) for
   * the breakpoint set `stamp` as fetched at virtual page `vpage`: BP_BIT in their
   * entries (now, and when decoded later), and no other word. The page's compiled
   * regions are dropped when the marks change, so that compiled code never holds a
   * breakpointed word (and holds a word again once its breakpoint is gone). Marks
   * are hints: the interpreter checks the running hart's own set at a marked word.
   */
  markBreakpoints(page: DecodePage, vpage: number, stamp: number, words: readonly number[]): void {
    page.bpStamp = stamp;
    page.bpVpage = vpage;
    const old = page.bpWords ?? [];
    if (old.length === words.length && old.every((w, k) => w === words[k])) return;
    const s = page.slots;
    for (const w of old) s[2 * w] &= ~BP_BIT;
    for (const w of words) if (s[2 * w] !== 0) s[2 * w] |= BP_BIT;
    page.bpWords = words.length ? words : null;
    this.epoch++;
    this.dropRegions(page, false, true);
  }

  /** Forgets one compiled region, on every page it spans. */
  dropRegion(region: CompiledRegion): void {
    let found = false;
    for (const p of region.pages) {
      const i = p.regions.indexOf(region);
      if (i < 0) continue;
      found = true;
      p.regions.splice(i, 1);
    }
    if (!found) return;
    for (const g of region.wordList) region.pages[g >>> 10].slots[2 * (g & 1023)] &= ~REGION_BITS;
    this.onRegionDropped?.(region);
  }
}
