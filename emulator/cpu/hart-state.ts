import { HART_FIXED_ROOM } from '../bus/bus';

/**
 * A hart's state block in its bus's memory (Hart.stateOffset): what compiled
 * WebAssembly code reads and writes besides RAM. Words, from the block's start.
 */
export const HART_STATE_WORDS = 64;

export const enum StateWord {
  /** x0..x31, then x[32], the sink that writes to x0 are decoded into. */
  X = 0,
  /** Instructions retired up to the last count (WebAssembly region exits). */
  N = 40,
  /** The pc to continue at (exits without `at`). */
  PC = 41,
  /** The instruction an exception or a retry stopped at: its word | (instructions before it since N) << 16. */
  AT = 42,
  /** Set by the memory import when the memory unit threw. */
  FAULT = 43,
  /** The LR/SC reservation: a physical address, or -1 (Mmu.reservation). */
  RESERVATION = 44,
  /** The link table entry (its byte offset) of the last region the JIT's chaining function ran. */
  LINK = 45,
}

/**
 * The WebAssembly interpreter's fetch TLB, one per hart beside its state block:
 * FETCH_TLB_ENTRIES entries of two words, direct-mapped by virtual page — the page
 * (pc >>> 12, -1 when empty) and the byte offset of its decoded slots in the bus's
 * memory. Filled by the interpreter's JavaScript side on a miss
 * (wasm/run-interpreter.ts), emptied by Mmu.refresh.
 */
export const FETCH_TLB_ENTRIES = 256;
export const FETCH_TLB_BYTES = FETCH_TLB_ENTRIES * 8;

/**
 * The JIT's link table, one per hart (wasm/chain.ts): LINK_SLOTS entries of four
 * words, direct-mapped by pc — the pc (1 when empty: never a pc), the index of its
 * region's function in the hart's function table, the pc's word in that region,
 * and a spare. Filled and emptied by the JIT's dispatcher (jit.ts).
 */
export const LINK_SLOTS = 256;
export const LINK_BYTES = LINK_SLOTS * 16;

// The bus keeps room for them per hart.
if (HART_STATE_WORDS * 4 + FETCH_TLB_BYTES + LINK_BYTES > HART_FIXED_ROOM) throw new Error('hart-state: the bus keeps too little room per hart');
