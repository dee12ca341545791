/**
 * SiFive-style PLIC with the QEMU virt layout. Sources are level-triggered;
 * each has a gateway that forwards one request at a time: a source is pended
 * when its line is high and it is neither pending nor claimed, and a claimed
 * source is re-examined only when its completion arrives.
 */
import type { MmioDevice } from '../bus/bus';
import type { IrqLine } from './irq';
import { readNarrow, writeNarrow, type WordRegisterFile } from './word-registers';

const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x200000;
const CONTEXT_STRIDE = 0x1000;
const CLAIM_OFFSET = 4;

/** Priorities and thresholds are 3-bit WARL fields (0..7), as on QEMU virt and SiFive parts. */
export const PLIC_PRIORITY_MASK = 7;
export const PLIC_MAX_SOURCES = 1024;
export const PLIC_MAX_CONTEXTS = 15872;
/** Window covering 1024 contexts (what pvlab maps; the full spec range is 0x4000000). */
export const PLIC_SIZE = 0x600000;

export interface PlicOptions {
  /** Number of source ids including the reserved id 0 (default 96: sources 1..95). */
  sources?: number;
  /** Output line per context, e.g. [hart0 MEIP, hart0 SEIP, hart1 MEIP, ...]. */
  contexts: IrqLine[];
  name?: string;
}

export class Plic implements MmioDevice, WordRegisterFile {
  readonly name: string;
  readonly sources: number;
  readonly contexts: number;
  private readonly words: number;
  private readonly outputs: IrqLine[];
  private readonly inputs: IrqLine[];
  private readonly priority: Uint32Array;
  private readonly level: Uint32Array;
  private readonly pending: Uint32Array;
  private readonly claimed: Uint32Array;
  /** Writable enable bits per word (source 0 and ids >= sources are hard-wired 0). */
  private readonly validBits: Uint32Array;
  private readonly enable: Uint32Array; // contexts * words
  private readonly threshold: Uint32Array;
  private readonly outLevel: Uint8Array;

  constructor(options: PlicOptions) {
    const sources = options.sources ?? 96;
    const contexts = options.contexts.length;
    if (!Number.isInteger(sources) || sources < 2 || sources > PLIC_MAX_SOURCES) throw new RangeError(`PLIC: bad source count ${sources}`);
    if (contexts < 1 || contexts > PLIC_MAX_CONTEXTS) throw new RangeError(`PLIC: bad context count ${contexts}`);
    this.name = options.name ?? 'plic';
    this.sources = sources;
    this.contexts = contexts;
    this.words = (sources + 31) >>> 5;
    this.outputs = options.contexts.slice();
    this.priority = new Uint32Array(sources);
    this.level = new Uint32Array(this.words);
    this.pending = new Uint32Array(this.words);
    this.claimed = new Uint32Array(this.words);
    this.validBits = new Uint32Array(this.words);
    for (let id = 1; id < sources; id++) this.validBits[id >>> 5] |= 1 << (id & 31);
    this.enable = new Uint32Array(contexts * this.words);
    this.threshold = new Uint32Array(contexts);
    this.outLevel = new Uint8Array(contexts);
    this.inputs = [];
    for (let id = 0; id < sources; id++) this.inputs.push({ set: (l: boolean) => this.setLevel(id, l) });
  }

  /** The input wire of source `id` (1 .. sources-1). */
  source(id: number): IrqLine {
    if (!Number.isInteger(id) || id < 1 || id >= this.sources) throw new RangeError(`PLIC: no source ${id}`);
    return this.inputs[id];
  }

  /** Whether source `id` is pending (for inspection). */
  isPending(id: number): boolean {
    return id > 0 && id < this.sources && (this.pending[id >>> 5] & (1 << (id & 31))) !== 0;
  }

  /** Whether source `id` has been claimed and not yet completed (for inspection). */
  isClaimed(id: number): boolean {
    return id > 0 && id < this.sources && (this.claimed[id >>> 5] & (1 << (id & 31))) !== 0;
  }

  /** Clears registers and claims; sources whose lines are high are pended again. */
  reset(): void {
    this.priority.fill(0);
    this.enable.fill(0);
    this.threshold.fill(0);
    this.claimed.fill(0);
    this.pending.set(this.level);
    for (let c = 0; c < this.contexts; c++) {
      this.outLevel[c] = 0;
      this.outputs[c].set(false);
    }
  }

  read(offset: number, size: number): number {
    if (size === 4 && (offset & 3) === 0) {
      if (offset >= CONTEXT_BASE && (offset & (CONTEXT_STRIDE - 1)) === CLAIM_OFFSET) {
        const ctx = (offset - CONTEXT_BASE) >>> 12;
        return ctx < this.contexts ? this.claim(ctx) : 0;
      }
      return this.peekWord(offset);
    }
    return readNarrow(this, offset, size); // narrow reads of claim/complete do not claim
  }

  write(offset: number, size: number, value: number): void {
    if (size === 4 && (offset & 3) === 0) this.writeWord(offset, value >>> 0);
    else writeNarrow(this, offset, size, value);
  }

  peekWord(offset: number): number {
    if (offset < PENDING_BASE) {
      const id = offset >>> 2;
      return id < this.sources ? this.priority[id] : 0;
    }
    if (offset < ENABLE_BASE) {
      const w = (offset - PENDING_BASE) >>> 2;
      return w < this.words ? this.pending[w] : 0;
    }
    if (offset < CONTEXT_BASE) {
      const rel = offset - ENABLE_BASE;
      const ctx = rel >>> 7;
      const w = (rel & (ENABLE_STRIDE - 1)) >>> 2;
      return ctx < this.contexts && w < this.words ? this.enable[ctx * this.words + w] : 0;
    }
    const rel = offset - CONTEXT_BASE;
    const ctx = rel >>> 12;
    return ctx < this.contexts && (rel & (CONTEXT_STRIDE - 1)) === 0 ? this.threshold[ctx] : 0;
  }

  writeWord(offset: number, value: number): void {
    if (offset < PENDING_BASE) {
      const id = offset >>> 2;
      if (id === 0 || id >= this.sources) return;
      this.priority[id] = value & PLIC_PRIORITY_MASK;
      this.updateOutputs();
      return;
    }
    if (offset < ENABLE_BASE) return; // pending bits are read-only
    if (offset < CONTEXT_BASE) {
      const rel = offset - ENABLE_BASE;
      const ctx = rel >>> 7;
      const w = (rel & (ENABLE_STRIDE - 1)) >>> 2;
      if (ctx >= this.contexts || w >= this.words) return;
      this.enable[ctx * this.words + w] = value & this.validBits[w];
      this.updateOutput(ctx);
      return;
    }
    const rel = offset - CONTEXT_BASE;
    const ctx = rel >>> 12;
    if (ctx >= this.contexts) return;
    const reg = rel & (CONTEXT_STRIDE - 1);
    if (reg === 0) {
      this.threshold[ctx] = value & PLIC_PRIORITY_MASK;
      this.updateOutput(ctx);
    } else if (reg === CLAIM_OFFSET) {
      this.complete(ctx, value);
    }
  }

  private setLevel(id: number, high: boolean): void {
    const w = id >>> 5;
    const bit = 1 << (id & 31);
    if (!high) {
      this.level[w] &= ~bit; // a request already forwarded stays pending until claimed
      return;
    }
    if (this.level[w] & bit) return;
    this.level[w] |= bit;
    if ((this.pending[w] | this.claimed[w]) & bit) return;
    this.pending[w] |= bit;
    this.updateOutputs();
  }

  /** Highest-priority pending enabled source above the threshold (ties: lowest id), or 0. */
  private best(ctx: number): number {
    const base = ctx * this.words;
    let bestId = 0;
    let bestPrio = this.threshold[ctx];
    for (let w = 0; w < this.words; w++) {
      let bits = this.pending[w] & this.enable[base + w];
      while (bits !== 0) {
        const low = bits & -bits;
        const id = (w << 5) | (31 - Math.clz32(low));
        if (this.priority[id] > bestPrio) {
          bestPrio = this.priority[id];
          bestId = id;
        }
        bits ^= low;
      }
    }
    return bestId;
  }

  private claim(ctx: number): number {
    const id = this.best(ctx);
    if (id === 0) return 0;
    const bit = 1 << (id & 31);
    this.pending[id >>> 5] &= ~bit;
    this.claimed[id >>> 5] |= bit;
    this.updateOutputs();
    return id;
  }

  // Per the spec, a completion for a source not enabled for this context is ignored.
  private complete(ctx: number, id: number): void {
    if (id === 0 || id >= this.sources) return;
    const w = id >>> 5;
    const bit = 1 << (id & 31);
    if (!(this.enable[ctx * this.words + w] & bit) || !(this.claimed[w] & bit)) return;
    this.claimed[w] &= ~bit;
    if (this.level[w] & bit) {
      this.pending[w] |= bit;
      this.updateOutputs();
    }
  }

  private updateOutputs(): void {
    for (let c = 0; c < this.contexts; c++) this.updateOutput(c);
  }

  private updateOutput(ctx: number): void {
    const level = this.best(ctx) !== 0 ? 1 : 0;
    if (level !== this.outLevel[ctx]) {
      this.outLevel[ctx] = level;
      this.outputs[ctx].set(level !== 0);
    }
  }
}
