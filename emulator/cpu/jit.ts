/**
 * The JIT tier: hot pages of guest code compiled to JavaScript functions by
 * splicing the instruction table's `sem` strings (emulator/isa/table.ts), so the
 * semantics still come from the one table. V8 then compiles those functions to
 * machine code.
 *
 * A *region* is the decoded code of one 4 KiB page of RAM (the words the
 * interpreter has executed), compiled for the virtual page it was fetched from:
 *
 *   - guest registers live in JS locals inside the region and are written back
 *     on every exit; the pc, rd/rs1/rs2 and immediates are constants;
 *   - the body is `for (;;) switch (word)`: every decoded word is a case, straight
 *     code falls through, branches and jumps inside the page `continue` to their
 *     target's case, anything else leaves the region;
 *   - instruction counts are exact: each exit adds the words run since the last
 *     dispatch; a region stops early enough that Hart.run's budget is never
 *     overrun (the dispatcher finishes the last instructions in the interpreter);
 *   - `sync` instructions (CSRs, xRET, ecall, wfi, fences of translation) and
 *     illegal words are never compiled: the region stops before them and they
 *     run in slow mode, exactly as in the interpreter;
 *   - traps are precise: before an instruction that can raise one, a local holds
 *     its word; the exception handler writes the registers back, sets the pc to
 *     that instruction and counts only the instructions before it. RETRY (MMIO,
 *     watched memory, a store into compiled code) works the same way.
 *
 * Keying and invalidation: regions hang off the decode page (a physical page), and
 * remember the virtual page they were compiled for; the dispatcher translates the
 * fetch address on every entry and uses a region only when both match, so satp
 * writes and sfence.vma need no flush. A store that would change a word of
 * compiled code is retried in slow mode before it happens (Mmu.codeStore), which
 * drops the region: compiled code never runs on after its own code changed, and
 * `fence.i` has nothing to do. Breakpointed words are marked in their decoded
 * entries and left out of regions (a region exits to the interpreter before one);
 * a change of the marks drops the page's regions.
 *
 * Only hot pages are compiled (`JitOptions.hotThreshold` instructions interpreted
 * on a page), and the source of all regions of one bus is bounded
 * (`maxSourceBytes`; beyond it every region is dropped and recompiled when hot).
 */
import * as arith from '../isa/arith';
import { BP_BIT, CompiledRegion, DecodeCache, DecodePage, ENTRY_BIT, JIT_BIT } from './decode-cache';
import { Exit, InterpreterHart, RunFunction } from './interpreter';
import { MAX_RUN, RegionAnalysis, analyzeRegion } from './jit-analysis';
import { HOT_BLOCK, generateRegion } from './jit-codegen';
import { RETRY, TRAP } from './signals';
import { LINK_BYTES, LINK_SLOTS, StateWord } from './hart-state';
import { WasmExit, generateWasmRegion, wasmSupported } from './wasm/region';
import type { WasmLayout } from './wasm/layout';
import { HartImports, hartImports } from './wasm/imports';
import { generateChain } from './wasm/chain';
import type { Mmu, WatchSpan } from './mmu';

export interface JitOptions {
  /** Instructions interpreted on a page before it is compiled. */
  hotThreshold: number;
  /** Instructions the interpreter runs before the dispatcher looks again (hot loops). */
  chunk: number;
  /** Compiles of one page at most (self-modifying code, changing entry points). */
  maxCompilesPerPage: number;
  /** Bound on the JavaScript source of all regions of one bus. */
  maxSourceBytes: number;
  /** Pages one region may span (the hot page and hot neighbours). */
  maxSpan: number;
  /**
   * Round trips through the dispatcher between two regions of one page after which
   * the page is compiled again as one region (code that became hot at different
   * times gets regions of its own; a loop whose parts landed in several pays a
   * dispatch for every pass).
   */
  mergeCrossings: number;
  /** Compile regions to WebAssembly where the backend has code for all their instructions (else JavaScript). */
  wasm: boolean;
}

export const JIT_DEFAULTS: JitOptions = {
  hotThreshold: 300_000,
  chunk: 8_192,
  maxCompilesPerPage: 8,
  maxSourceBytes: 8 * 1024 * 1024,
  maxSpan: 3,
  mergeCrossings: 100_000,
  wasm: true,
};

/** What compiled code touches on the hart (beyond the interpreter's needs). */
export interface JitHart extends InterpreterHart {
  /** Byte offset of the hart's state block in the bus's memory, or -1 (see Hart.stateOffset). */
  readonly stateOffset: number;
}

type RegionFn = (limit: number, pc: number) => number;

/** A WebAssembly region's own function: (limit, word, dt, ft) → exit (see wasm/region.ts). */
type WasmRun = (limit: number, word: number, dt: number, ft: number) => number;

/**
 * A region's code for one hart: the function the dispatcher calls, for WebAssembly
 * the region's own (for the chaining function), and the watched span it was made
 * for.
 */
interface RegionCode {
  readonly fn: RegionFn;
  readonly run?: WasmRun;
  readonly watched?: WatchSpan;
}

/**
 * Makes a region's code for one hart (its registers and MMU are constants in it);
 * `watched`: the hart's watched span (Mmu.watchSpan), whose accesses the loads and
 * stores check; undefined: nothing is watched.
 */
type RegionFactory = (h: JitHart, m: Mmu, watched: WatchSpan | undefined) => RegionCode;

/** The generated JavaScript's own factory (see jit-codegen.ts). */
type SourceFactory = (
  h: JitHart, m: Mmu, x: Int32Array, a: unknown, trap: unknown, retry: unknown, lbl: Int16Array, p: readonly DecodePage[],
) => RegionFn;

export interface Region extends CompiledRegion {
  readonly make: RegionFactory;
  /** Which backend compiled it. */
  readonly backend: 'wasm' | 'js';
  /** The code per hart slot (JitStore.newSlot), for a hart that watches nothing and for one that does (for its watched span). */
  readonly fns: RegionCode[];
  readonly watchedFns: RegionCode[];
  /** Virtual base address (int32) of the first page it was compiled for. */
  readonly vbase: number;
  /** Global word of each label, and label of each global word. */
  readonly labelWords: readonly number[];
  readonly labelOf: Int16Array;
  /** Instructions compiled. */
  readonly words: number;
  readonly wordList: readonly number[];
  /** The compiling hart's retired count when it was made (recompile policy). */
  readonly bornAt: number;
  /** Times it was left for code it does not hold (recompile policy). */
  misses: number;
  /** Times control came into it straight from another region holding code of the same page (merge policy). */
  crossings: number;
}

/** The compiled regions of one bus (shared by its harts), with their memory bound. */
export class JitStore {
  private readonly live = new Set<Region>();
  sourceBytes = 0;
  compiles = 0;
  /** Of those, compiled to WebAssembly. */
  wasmCompiles = 0;
  flushes = 0;
  /** Changes whenever a region is made or dropped (the dispatchers' link caches check it). */
  epoch = 0;
  private slots = 0;

  private constructor(private readonly cache: DecodeCache, readonly options: JitOptions) {
    cache.onRegionDropped = (region) => this.forget(region as Region);
  }

  private static readonly stores = new WeakMap<DecodeCache, JitStore>();

  static for(cache: DecodeCache, options: JitOptions = JIT_DEFAULTS): JitStore {
    let s = JitStore.stores.get(cache);
    if (!s) {
      s = new JitStore(cache, options);
      JitStore.stores.set(cache, s);
    }
    return s;
  }

  /** A slot number for a hart's functions in the regions. */
  newSlot(): number {
    return this.slots++;
  }

  get regionCount(): number {
    return this.live.size;
  }

  /**
   * Compiles the hot code of `page` (fetched at virtual page `vbase`) and of hot
   * neighbouring pages that no region holds yet, as a new region; `pc` is where it
   * is about to be entered. Returns false when there is nothing to compile.
   */
  compile(m: Mmu, stateOffset: number, page: DecodePage, vbase: number, pc: number, now = 0): boolean {
    const opts = this.options;
    vbase |= 0;
    // The span: this page, and the virtual neighbours that are hot too.
    const neighbour = (va: number): DecodePage | undefined => {
      const p = m.peekFetchPage(va >>> 0);
      if (!p || p === page || p.compiles >= opts.maxCompilesPerPage) return undefined;
      return p.heat >= opts.hotThreshold >>> 3 ? p : undefined;
    };
    const pages: DecodePage[] = [page];
    let base = vbase;
    if (opts.maxSpan > 1) {
      const before = neighbour(vbase - 4096);
      if (before && !pages.includes(before)) {
        pages.unshift(before);
        base = vbase - 4096;
      }
      const after = pages.length < opts.maxSpan ? neighbour(vbase + 4096) : undefined;
      if (after && !pages.includes(after)) pages.push(after);
    }
    for (const p of pages) {
      p.compiles++;
      p.heat = p.heatAtDecode = p.missCount = 0;
    }
    const a = analyzeRegion({ pages, vbase: base, entry: ((pc | 0) - base) >>> 2, counts: this.cache.counts });
    for (const p of pages) p.missed = null;
    if (!a) return false;
    // Static targets elsewhere are entry points those pages will want when compiled.
    for (const t of a.outsideTargets) {
      const p = m.peekFetchPage(t >>> 0);
      if (p && !pages.includes(p)) (p.missed ??= new Set()).add((t >>> 2) & 1023);
    }
    const layout = opts.wasm ? wasmLayout(m, stateOffset) : undefined;
    // Where data is untranslated (what most code runs under), a load or store off the
    // fast path leaves the region for slow mode rather than calling the memory unit:
    // code without calls runs much faster in V8. With data translated (paged guests)
    // the region calls the memory unit and stays.
    const leaveForSlowAccess = !m.dataTranslated;
    const compiled = layout && wasmSupported(a) ? wasmRegion(a, layout, base, leaveForSlowAccess, m.watchSpan) : jsRegion(a, m);
    if (this.sourceBytes + compiled.size > opts.maxSourceBytes) this.flush();
    const words = [...a.insns.keys()];
    const region: Region = {
      make: compiled.make, backend: compiled.backend, fns: [], watchedFns: [], vbase: base, pages, labelWords: a.labelWords, labelOf: a.labelOf,
      words: words.length, wordList: words, size: compiled.size, bornAt: now, misses: 0, crossings: 0,
    };
    const code = { words, labelWords: a.labelWords };
    for (const g of code.words) pages[g >>> 10].slots[2 * (g & 1023)] |= JIT_BIT;
    for (const g of code.labelWords) pages[g >>> 10].slots[2 * (g & 1023)] |= ENTRY_BIT;
    for (const p of pages) p.regions.push(region);
    this.live.add(region);
    this.epoch++;
    this.sourceBytes += region.size;
    this.compiles++;
    if (region.backend === 'wasm') this.wasmCompiles++;
    return true;
  }

  /** Drops one region (its code is compiled again, as a whole, when hot). */
  drop(region: Region): void {
    this.cache.dropRegion(region);
  }

  /** Drops every region (the memory bound was reached). */
  flush(): void {
    this.flushes++;
    for (const r of [...this.live]) this.cache.dropRegion(r);
  }

  private forget(region: Region): void {
    this.epoch++;
    if (this.live.delete(region)) this.sourceBytes -= region.size;
  }

  /** Estimated bytes held by compiled code: source, bytecode, machine code and tables (about 4x the source). */
  memoryEstimate(): number {
    let tables = 0;
    for (const r of this.live) tables += r.labelOf.byteLength + r.labelWords.length * 8;
    return this.sourceBytes * 4 + tables;
  }
}

/** The source of the region that `page` (at virtual page `vbase`) would compile to now (tests, inspection). */
export function inspectRegion(page: DecodePage, vbase: number, counts: Int32Array, entry = 0): string | undefined {
  const a = analyzeRegion({ pages: [page], vbase: vbase | 0, entry, counts });
  return a && generateRegion(a).source;
}

interface Compiled {
  make: RegionFactory;
  backend: Region['backend'];
  /** Bytes of source or module (for the memory bound and reports). */
  size: number;
}

function jsRegion(a: RegionAnalysis, m: Mmu): Compiled {
  const code = generateRegion(a, { base: m.ramBase, size: m.ramSize });
  const factory = new Function('h', 'm', 'x', 'A', 'TRAP', 'RETRY', 'LBL', 'P', code.source) as SourceFactory;
  return {
    // (Its loads and stores always check the watch flags.)
    make: (h, mmu, watched) => ({ fn: factory(h, mmu, h.x, arith, TRAP, RETRY, a.labelOf, a.pages), watched }),
    backend: 'js',
    size: code.source.length,
  };
}

/** Where a hart's state is in its bus's memory, when all of it is there (else no WebAssembly code for it). */
function wasmLayout(m: Mmu, stateOffset: number): WasmLayout | undefined {
  const buffer = m.bus.memory.buffer;
  // (The inline RAM check needs RAM below 1 GiB: see wasm/region.ts.)
  if (stateOffset < 0 || m.ramSize > 1 << 30 || m.watchLines.buffer !== buffer || m.code.codeLines.buffer !== buffer) return undefined;
  return {
    ramBase: m.ramBase, ramSize: m.ramSize, memoryPages: buffer.byteLength / 65536,
    state: stateOffset, watchLines: m.watchLines.byteOffset, codeLines: m.code.codeLines.byteOffset,
  };
}

/**
 * A region compiled to WebAssembly: one module per hart layout (most buses have one
 * hart) and watched span, the compiling hart's now and the others when first needed.
 */
function wasmRegion(a: RegionAnalysis, first: WasmLayout, vbase: number, leaveForSlowAccess: boolean, watched: WatchSpan | undefined): Compiled {
  const modules = new Map<string, WebAssembly.Module>();
  const keyOf = (layout: WasmLayout, span: WatchSpan | undefined) =>
    `${layout.state},${layout.watchLines},${span ? `${span.load.lo}-${span.load.hi},${span.store.lo}-${span.store.hi}` : ''}`;
  const moduleFor = (layout: WasmLayout, span: WatchSpan | undefined): WebAssembly.Module => {
    const key = keyOf(layout, span);
    let mod = modules.get(key);
    if (!mod) {
      // (Spans come and go with the debugger's watchpoints: keep the few latest.)
      if (modules.size >= 4) modules.delete(modules.keys().next().value!);
      modules.set(key, (mod = new WebAssembly.Module(generateWasmRegion(a, layout, { leaveForSlowAccess, watched: span }))));
    }
    return mod;
  };
  const bytes = generateWasmRegion(a, first, { leaveForSlowAccess, watched });
  modules.set(keyOf(first, watched), new WebAssembly.Module(bytes));
  return {
    make: (h, m, span) => {
      const layout = wasmLayout(m, h.stateOffset);
      if (!layout) return jsRegion(a, m).make(h, m, span);
      return { ...instantiate(moduleFor(layout, span), h, m, vbase | 0), watched: span };
    },
    backend: 'wasm',
    size: bytes.length,
  };
}

function instantiate(mod: WebAssembly.Module, h: JitHart, m: Mmu, vbase: number): RegionCode {
  const S = new Int32Array(m.bus.memory.buffer, h.stateOffset, StateWord.AT + 1);
  const imports = hartImports(m, h.stateOffset);
  const run = new WebAssembly.Instance(mod, { env: imports.env }).exports.run as WasmRun;
  return {
    fn: (limit, pc0) => finishWasm(run(limit, ((pc0 | 0) - vbase) >>> 2, m.dataTranslated ? -0x80000000 : 0, m.fetchTranslate ? 1 : 0), h, S, vbase, imports),
    run,
  };
}

/**
 * Completes a run of WebAssembly region code that returned `exit` (the last region
 * run starting at `vbase`): the hart's pc, count and exit from the state block
 * `S`, a fault taken or a retry noted. Returns the instructions retired.
 */
function finishWasm(e: number, h: JitHart, S: Int32Array, vbase: number, imports: HartImports): number {
  if (e === WasmExit.Fault || e === WasmExit.RetryAt) {
    // Stopped at an instruction: the count and pc are those before it.
    const at = S[StateWord.AT];
    const n = S[StateWord.N] + (at >>> 16);
    h.pc = (vbase + ((at & 0xffff) << 2)) >>> 0;
    h.retired += n;
    if (e === WasmExit.RetryAt) {
      h.exit = Exit.Retry;
      return n;
    }
    const err = imports.takeFault();
    if (err === TRAP) {
      h.exit = Exit.Trap;
      h.takePendingTrap();
      return n;
    }
    if (err === RETRY) {
      h.exit = Exit.Retry;
      return n;
    }
    throw err;
  }
  const n = S[StateWord.N];
  h.pc = S[StateWord.PC] >>> 0;
  h.retired += n;
  h.exit = e;
  return n;
}

export { HOT_BLOCK };

// ---- dispatcher -------------------------------------------------------------------

/**
 * A hart's chaining function (wasm/chain.ts) and what it reads: the link table in
 * the bus's memory (the dispatcher's link cache for WebAssembly regions, see
 * Jit.resetLinks) and the function table holding those regions' functions.
 */
class Chain {
  private readonly table = new WebAssembly.Table({ element: 'anyfunc', initial: 0 });
  /** Each region function's index in the function table (a region may have two: see RegionFactory); dropped regions' indices are reused. */
  private readonly index = new Map<RegionCode, { readonly i: number; readonly region: Region }>();
  private readonly free: number[] = [];
  /** vbase of the region of each link entry (the exit refers to the last one run). */
  private readonly vbase = new Int32Array(LINK_SLOTS);
  private readonly fn: WasmRun;
  private readonly S: Int32Array;
  private readonly imports: HartImports;
  private last = 0;

  constructor(
    private readonly h: JitHart,
    private readonly m: Mmu,
    /** The link table's byte offset in the bus's memory, and the table. */
    private readonly at: number,
    private readonly L: Int32Array,
  ) {
    const memory = m.bus.memory;
    this.S = new Int32Array(memory.buffer, h.stateOffset, StateWord.LINK + 1);
    this.imports = hartImports(m, h.stateOffset);
    const mod = new WebAssembly.Module(generateChain({ memoryPages: memory.buffer.byteLength / 65536, state: h.stateOffset, link: at }));
    this.fn = new WebAssembly.Instance(mod, { env: { mem: memory, table: this.table } }).exports.run as WasmRun;
    this.reset(() => false);
  }

  /** Makes link entry `s` chain to region `r` at `pc`, when `chainable` and `r` is WebAssembly (else empties it). */
  link(s: number, pc: number, r: Region, code: RegionCode, chainable: boolean): void {
    const L = this.L;
    if (!chainable || code.run === undefined) {
      L[4 * s] = 1;
      return;
    }
    let i = this.index.get(code)?.i;
    if (i === undefined) {
      i = this.free.pop() ?? this.table.grow(1);
      this.table.set(i, code.run);
      this.index.set(code, { i, region: r });
    }
    L[4 * s] = pc | 0;
    L[4 * s + 1] = i;
    L[4 * s + 2] = ((pc | 0) - r.vbase) >>> 2;
    this.vbase[s] = r.vbase;
  }

  holds(s: number, pc: number): boolean {
    return this.L[4 * s] === (pc | 0);
  }

  /** Runs from `pc` (which the table holds) for at most `limit` instructions; returns the count, with the hart's pc and exit set. */
  run(limit: number, pc: number): number {
    const e = this.fn(limit, pc | 0, this.m.dataTranslated ? -0x80000000 : 0, 0);
    const s = (this.last = (this.S[StateWord.LINK] - this.at) >>> 4);
    return finishWasm(e, this.h, this.S, this.vbase[s], this.imports);
  }

  /** The link entry of the last region run. */
  lastSlot(): number {
    return this.last;
  }

  /** Empties the link table; frees the function table entries of regions that are no longer `live`. */
  reset(live: (r: Region) => boolean): void {
    for (let s = 0; s < LINK_SLOTS; s++) this.L[4 * s] = 1;
    for (const [code, { i, region }] of this.index) {
      if (live(region)) continue;
      this.index.delete(code);
      this.table.set(i, null);
      this.free.push(i);
    }
  }
}

function makeChain(h: JitHart, m: Mmu): Chain | undefined {
  if (h.stateOffset < 0) return undefined;
  const at = m.bus.allocate(LINK_BYTES);
  if (at === undefined) return undefined;
  return new Chain(h, m, at, new Int32Array(m.bus.memory.buffer, at, LINK_BYTES >>> 2));
}

/**
 * A page is worth compiling when it is hot and its code has settled: nothing new
 * was decoded on it during the last half threshold of its heat (a program moving
 * on to new loops would otherwise have its page recompiled phase after phase, and
 * each compile starts V8's own warm-up again).
 */
function ripe(p: DecodePage, opts: JitOptions): boolean {
  return p.heat >= opts.hotThreshold && p.heat - p.heatAtDecode >= opts.hotThreshold >>> 1 && p.compiles < opts.maxCompilesPerPage;
}

/**
 * Runs a hart with the JIT tier: compiled regions where they exist and apply, the
 * interpreter elsewhere (and for every slow-mode instruction). Returns like the
 * interpreter's run(limit, false): the count retired, with `h.exit` saying why.
 */
export class Jit {
  /** Dispatcher counters (for statistics and tuning). */
  readonly stats = { regionRuns: 0, interpreterRuns: 0, misses: 0, interpreted: 0, merges: 0 };
  readonly store: JitStore;
  private readonly slot: number;

  constructor(
    private readonly h: JitHart,
    private readonly m: Mmu,
    cache: DecodeCache,
    private readonly interp: RunFunction,
    options?: JitOptions,
  ) {
    this.store = JitStore.for(cache, options);
    this.slot = this.store.newSlot();
    this.chain = this.store.options.wasm ? makeChain(h, m) : undefined;
  }

  /** The chaining function (wasm/chain.ts) with the hart's link and function tables; undefined without room for them. */
  private readonly chain: Chain | undefined;

  /**
   * With breakpoints set: makes sure every page of region `r` carries this hart's
   * breakpoint marks (which may drop the region). False when `r` is gone.
   */
  private marked(r: Region): boolean {
    const stamp = this.h.breakpoints.stamp;
    const vp0 = r.vbase >>> 12;
    for (let k = 0; k < r.pages.length; k++) {
      const p = r.pages[k];
      const vp = (vp0 + k) & 0xfffff;
      if (p.bpStamp !== stamp || p.bpVpage !== vp) {
        this.h.markBreakpoints(p, vp);
        if (!p.regions.includes(r)) return false;
      }
    }
    return true;
  }

  private code(r: Region): RegionCode {
    const m = this.m, span = m.watchSpan;
    if (span === undefined) return (r.fns[this.slot] ??= r.make(this.h, m, undefined));
    const c = r.watchedFns[this.slot];
    return c !== undefined && c.watched === span ? c : (r.watchedFns[this.slot] = r.make(this.h, m, span));
  }

  /** The region of `page` with an entry point at `pc`, if any. */
  private regionAt(page: DecodePage, pc: number): Region | undefined {
    const regions = page.regions as Region[];
    for (let k = 0; k < regions.length; k++) {
      const c = regions[k];
      const off = ((pc | 0) - c.vbase) >>> 0;
      if (off < c.pages.length * 4096 && c.pages[off >>> 12] === page && c.labelOf[off >>> 2] >= 0) return c;
    }
    return undefined;
  }

  /**
   * The link cache: the region function last entered at a pc (hashed), so that
   * compiled code leaving for another region (calls and returns between pages)
   * does not look its target up again. Valid while fetches are untranslated (the
   * pc is the physical address, so its page cannot change; otherwise the full
   * lookup runs every time), and emptied when a region is made or dropped (the
   * store's epoch), when the breakpoint set changes (an entry was made after the
   * marks of its region's pages were checked for the set; a change of marks drops
   * the regions, which changes the epoch) and when the hart starts or stops
   * watching memory (an entry keeps the code variant with or without watch
   * checks). The chaining function's link table mirrors it for WebAssembly
   * regions, except for entries made as control passed between two regions of one
   * page: those crossings are counted here (the merge policy).
   */
  private readonly linkPc = new Int32Array(LINK_SLOTS).fill(1);
  private readonly linkRegion = new Array<Region | undefined>(LINK_SLOTS).fill(undefined);
  private readonly linkCode = new Array<RegionCode | undefined>(LINK_SLOTS).fill(undefined);
  private linkEpoch = -1;
  private linkStamp = -1;
  private linkWatch: WatchSpan | undefined = undefined;

  private resetLinks(): void {
    this.linkPc.fill(1);
    this.linkRegion.fill(undefined);
    this.linkCode.fill(undefined);
    this.chain?.reset((r) => r.pages.some((p) => p.regions.includes(r)));
    this.linkEpoch = this.store.epoch;
    this.linkStamp = this.h.breakpoints.stamp;
    this.linkWatch = this.m.watchSpan;
  }

  run(limit: number): number {
    const h = this.h, m = this.m, store = this.store, opts = store.options, stats = this.stats, chain = this.chain;
    let n = 0;
    // Whether compiled code just left for h.pc (a miss there is worth noting; a run
    // slice or a slow-mode step that ended in the middle of compiled code is not).
    let left = false;
    // The region that control just left (for the merge policy).
    let from: Region | undefined;
    while (n < limit) {
      // (As an int32: a pc above 2^31 as a number would be boxed at every call.)
      const pc = h.pc | 0;
      const fromRegion = left;
      left = false;
      const linkable = !m.fetchTranslate;
      const s = (pc >>> 2) & (LINK_SLOTS - 1);
      let r: Region | undefined;
      let code: RegionCode | undefined;
      if (linkable) {
        if (this.linkEpoch !== store.epoch || this.linkStamp !== h.breakpoints.stamp || this.linkWatch !== m.watchSpan) this.resetLinks();
        else if (this.linkPc[s] === pc) {
          r = this.linkRegion[s];
          code = this.linkCode[s];
        }
      }
      if (code === undefined) {
        const page = m.peekFetchPage(pc >>> 0, true); // undefined: the interpreter raises the fetch fault
        if (page !== undefined) {
          // Regions leave out breakpointed words (BP_BIT); with breakpoints set, a region is
          // entered only when the marks of all its pages are this hart's.
          const bpOn = h.breakpoints.size > 0;
          if (bpOn && (page.bpStamp !== h.breakpoints.stamp || page.bpVpage !== pc >>> 12)) h.markBreakpoints(page, pc >>> 12);
          r = page.regions.length ? this.regionAt(page, pc) : undefined;
          if (r !== undefined && bpOn && !this.marked(r)) continue;
          if (r !== undefined) {
            code = this.code(r);
            if (linkable) {
              this.linkPc[s] = pc;
              this.linkRegion[s] = r;
              this.linkCode[s] = code;
              // (Not for control passing between two regions of this page: the merge policy counts that here.)
              if (chain) chain.link(s, pc, r, code, page.regions.length === 1 || !(fromRegion && from !== undefined && from !== r && from.pages.includes(page)));
            }
          } else {
            if (fromRegion && page.regions.length && (page.slots[2 * ((pc >>> 2) & 1023)] & BP_BIT) === 0 && this.noteMiss(page, pc)) continue;
            if (ripe(page, opts) && store.compile(m, h.stateOffset, page, pc & ~0xfff, pc, h.retired)) continue;
          }
        }
      }
      if (code === undefined) {
        stats.interpreterRuns++;
        const k = this.interp(Math.min(limit - n, opts.chunk), false, true);
        stats.interpreted += k;
        n += k;
        const e = h.exit;
        if (e !== Exit.Yield && e !== Exit.Limit) return n;
        continue;
      }
      if (r!.backend === 'js' && limit - n <= MAX_RUN) {
        // A JavaScript region stops MAX_RUN instructions before the budget's end (its
        // checks are that coarse) and the interpreter finishes exactly: with less left,
        // enter none.
        n += this.interp(limit - n, false, false);
        return n;
      }
      if (fromRegion && from !== r && from !== undefined && ++r!.crossings >= opts.mergeCrossings && this.merge(from, r!, pc)) continue;
      stats.regionRuns++;
      if (linkable && chain && chain.holds(s, pc)) {
        // Through the chaining function: it runs on into other regions in its link table.
        n += chain.run(limit - n, pc);
        r = this.linkRegion[chain.lastSlot()];
      } else n += code.fn(limit - n, pc);
      let e = h.exit;
      if (e === Exit.Leave || e === Exit.Miss) {
        left = true;
        from = r;
        continue; // (a miss may be another region's entry)
      }
      if (e === Exit.LimitLabel) {
        // The budget check at the dispatch leaves the label in h.pc.
        h.pc = (r!.vbase + r!.labelWords[h.pc] * 4) >>> 0;
        e = Exit.Limit;
      }
      if (e === Exit.Limit) {
        // Near the end of the budget: the interpreter runs the rest exactly.
        n += this.interp(limit - n, false, false);
        return n;
      }
      return n; // Trap, Retry
    }
    h.exit = Exit.Limit;
    return n;
  }

  /**
   * Control keeps passing from region `a` to region `b` through the dispatcher: when
   * both hold code of the page at `pc`, drops that page's regions and compiles it
   * again as one region (true when it did). The count is reset either way, so a
   * pair that cannot merge is not looked at on every pass. (Merging regions of
   * neighbouring pages into one span was tried: strbench's printf, split over
   * two pages, ran a fifth slower merged.)
   */
  private merge(a: Region, b: Region, pc: number): boolean {
    b.crossings = 0;
    const page = b.pages[((pc | 0) - b.vbase) >>> 12];
    if (!a.pages.includes(page) || page.compiles >= this.store.options.maxCompilesPerPage) return false;
    this.stats.merges++;
    this.m.code.dropRegions(page);
    return this.store.compile(this.m, this.h.stateOffset, page, pc & ~0xfff, pc, this.h.retired);
  }

  /**
   * Compiled code left for a word of `page`'s compiled code that has no entry there:
   * note it for a recompile, and recompile when that happens often enough. True when
   * a region was compiled. (Elsewhere, the interpreter runs on to the next entry
   * point: labels split the compiled code, so they are not added for where a run
   * slice happened to end.)
   */
  private noteMiss(page: DecodePage, pc: number): boolean {
    const h = this.h, m = this.m, opts = this.store.options;
    this.stats.misses++;
    const w = (pc >>> 2) & 1023;
    (page.missed ??= new Set()).add(w);
    const owner = (page.slots[2 * w] & JIT_BIT) !== 0 ? (page.regions as Region[]).find((c) => c.wordList.includes(((pc | 0) - c.vbase) >>> 2)) : undefined;
    page.missCount++;
    const settled = page.heat - page.heatAtDecode >= Math.min(opts.hotThreshold >>> 4, 2_000);
    if (page.compiles >= opts.maxCompilesPerPage || !settled) return false;
    if (owner) {
      // Compiled code without a label here: recompile its region when that happens
      // too often (a label costs nothing once there).
      const age = h.retired - owner.bornAt;
      if (++owner.misses >= 256 && owner.misses * 4000 >= age) {
        this.store.drop(owner);
        return this.store.compile(m, h.stateOffset, page, pc & ~0xfff, pc, h.retired);
      }
      return false;
    }
    // Code that became hot after the page was compiled: a region of its own.
    return page.missCount >= 512 && this.store.compile(m, h.stateOffset, page, pc & ~0xfff, pc, h.retired);
  }
}
