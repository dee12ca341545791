/**
 * Guest loads, stores and atomics in WebAssembly, shared by compiled regions and the
 * interpreter: the memory unit's fast path inline (untranslated, aligned, in RAM, no
 * watch, no code on a stored line) and a call of the memory unit otherwise, through
 * the one `memory(op, address, value)` import (wasm/imports.ts). When the memory
 * unit throws (a trap, or RETRY for MMIO and watched memory), the import sets the
 * hart's FAULT word and `onFault` leaves the function: the instruction's registers
 * are still those before it (`sem` writes rd last).
 */
import { CODE_LINE_SHIFT } from '../decode-cache';
import { StateWord } from '../hart-state';
import { WATCH_LINE_SHIFT, WATCH_LOAD, WATCH_STORE } from '../mmu';
import type { WatchSpan } from '../mmu';
import { FunctionBuilder } from './builder';
import { I32, Op } from './encoder';
import type { SemHost } from './sem';

/** The memory import's operations (methods of the memory unit, called with (address, value)), by number. */
export const MEMORY_OPS = ['lw', 'lh', 'lhu', 'lb', 'lbu', 'sw', 'sh', 'sb', 'amoAddress', 'amoStore', 'loadReserved', 'storeConditional'] as const;
/** Function index of the memory import (imported first). */
export const MEMORY_IMPORT = 0;

const LOADS: Record<string, { op: Op; size: number }> = {
  lw: { op: Op.I32Load, size: 4 },
  lh: { op: Op.I32Load16S, size: 2 },
  lhu: { op: Op.I32Load16U, size: 2 },
  lb: { op: Op.I32Load8S, size: 1 },
  lbu: { op: Op.I32Load8U, size: 1 },
};
const STORES: Record<string, { op: Op; size: number }> = {
  sw: { op: Op.I32Store, size: 4 },
  sh: { op: Op.I32Store16, size: 2 },
  sb: { op: Op.I32Store8, size: 1 },
};
const ALIGN_LOG2: Record<number, number> = { 1: 0, 2: 1, 4: 2 };

/** Scratch locals the accesses use, and the parameter saying whether data accesses are translated. */
export interface MemoryLocals {
  /** The address. */
  readonly a: number;
  /** Its RAM offset. */
  readonly o: number;
  /** The value stored. */
  readonly v: number;
  /** A condition. */
  readonly c: number;
  /** 0x80000000 when data accesses are translated, else 0. */
  readonly dt: number;
}

const opNumber = (fn: string) => MEMORY_OPS.indexOf(fn as (typeof MEMORY_OPS)[number]);

/**
 * The load, store and atomic hooks of a SemHost. `onFault` emits the leaving of the
 * function. `watch`: whether the fast path looks at the watch flags — true: always;
 * a span: only for an access inside the range watched for its kind (code for a
 * hart whose watched lines are there: a compare instead of a load for every other
 * access, and nothing for a kind nothing is watched for); false: never (code for
 * a hart with nothing watched). The JIT makes a region again when that
 * changes. With `onSlowPath`, a load or store that cannot take the fast path does
 * not call the memory unit but leaves through `onSlowPath` (the instruction then
 * runs in slow mode): a function without calls is one where V8 keeps values in
 * registers rather than saving them around a call, on every path (compiled regions
 * ran hashbench and matbench 40 % faster without them).
 */
export function memoryAccess(
  f: FunctionBuilder,
  L: MemoryLocals,
  onFault: () => void,
  onSlowPath?: () => void,
  watch: boolean | WatchSpan = true,
): Pick<SemHost, 'load' | 'store' | 'unit'> {
  const { body } = f;
  const faultCheck = () => f.ifThen(() => f.loadState(StateWord.FAULT), onFault);
  const slowCall = (fn: string, withValue: boolean) => {
    f.const(opNumber(fn)).get(L.a);
    if (withValue) f.get(L.v);
    else f.const(0);
    body.byte(Op.Call).u32(MEMORY_IMPORT);
    faultCheck();
  };
  // The fast path's checks: o = a - base in range, aligned, data untranslated, line
  // not watched, (stores) line without code. The first three are one compare: the dt
  // parameter is 0x80000000 or 0, or-ed into o (RAM is below 1 GiB), and rotating o
  // right by log2(size) moves misaligned bits to the top. Branches to `slow`.
  const memoryCheck = (size: number, watchBit: number, store: boolean) => {
    const shift = ALIGN_LOG2[size];
    f.get(L.a).layoutConst('ramBase').op(Op.I32Sub);
    body.byte(Op.LocalTee).u32(L.o);
    f.get(L.dt).op(Op.I32Or);
    if (shift) f.const(shift).op(Op.I32Rotr);
    f.layoutConst('ramSize', -size, shift).op(Op.I32GtU);
    f.br('slow', Op.BrIf);
    const lineCheck = () => {
      f.get(L.o).const(WATCH_LINE_SHIFT).op(Op.I32ShrU);
      f.memop(Op.I32Load8U, 0, 'watchLines');
      f.const(watchBit).op(Op.I32And);
      f.br('slow', Op.BrIf);
    };
    if (watch === true) lineCheck();
    else if (watch) {
      // The range watched for this kind of access (either, for an AMO); none: no check.
      const ranges = [watchBit & WATCH_LOAD ? watch.load : undefined, watchBit & WATCH_STORE ? watch.store : undefined];
      let lo = Infinity, hi = -Infinity;
      for (const r of ranges) {
        if (!r || r.lo >= r.hi) continue;
        lo = Math.min(lo, r.lo);
        hi = Math.max(hi, r.hi);
      }
      if (lo < hi) {
        f.get(L.o);
        if (lo) f.const(lo).op(Op.I32Sub);
        f.const(hi - lo).op(Op.I32LtU);
        f.push('if', Op.If);
        lineCheck();
        f.end('if');
      }
    }
    if (store) {
      f.get(L.o).const(CODE_LINE_SHIFT).op(Op.I32ShrU);
      f.memop(Op.I32Load8U, 0, 'codeLines');
      f.br('slow', Op.BrIf);
    }
  };

  return {
    load: (fn, addr) => {
      const ld = LOADS[fn];
      addr();
      f.setLocal(L.a);
      f.push('done', Op.Block, I32);
      f.push('slow', Op.Block);
      memoryCheck(ld.size, WATCH_LOAD, false);
      f.get(L.o).body.byte(ld.op).u32(ALIGN_LOG2[ld.size]).u32(0);
      f.br('done');
      f.end('slow');
      if (onSlowPath) onSlowPath();
      else slowCall(fn, false);
      f.end('done');
    },
    store: (fn, addr, value) => {
      const st = STORES[fn];
      addr();
      f.setLocal(L.a);
      value();
      f.setLocal(L.v);
      f.push('done', Op.Block);
      f.push('slow', Op.Block);
      memoryCheck(st.size, WATCH_STORE, true);
      f.get(L.o).get(L.v).body.byte(st.op).u32(ALIGN_LOG2[st.size]).u32(0);
      f.br('done');
      f.end('slow');
      if (onSlowPath) onSlowPath();
      else {
        slowCall(fn, true);
        body.byte(Op.Drop);
      }
      f.end('done');
    },
    unit: (fn, args) => {
      switch (fn) {
        case 'amoLoad':
          // Generated code runs in fast mode, where amoLoad is the read of the word whose RAM offset amoAddress returned.
          args[0]();
          body.byte(Op.I32Load).u32(2).u32(0);
          return true;
        case 'amoAddress':
        case 'loadReserved':
          // The word's RAM offset (aligned RAM, no watch, no code on its line), or the loaded word and the reservation.
          args[0]();
          f.setLocal(L.a);
          f.push('done', Op.Block, I32);
          f.push('slow', Op.Block);
          memoryCheck(4, fn === 'amoAddress' ? WATCH_LOAD | WATCH_STORE : WATCH_LOAD, fn === 'amoAddress');
          if (fn === 'amoAddress') f.get(L.o);
          else {
            f.storeState(StateWord.RESERVATION, () => f.get(L.a));
            f.get(L.o).body.byte(Op.I32Load).u32(2).u32(0);
          }
          f.br('done');
          f.end('slow');
          slowCall(fn, false);
          f.end('done');
          return true;
        case 'amoStore':
          // Into the word amoAddress checked: a reservation on it is lost; a line with code takes the memory unit's path.
          args[0]();
          f.setLocal(L.a);
          args[1]();
          f.setLocal(L.v);
          f.ifThen(
            () => {
              f.get(L.a).const(CODE_LINE_SHIFT).op(Op.I32ShrU);
              f.memop(Op.I32Load8U, 0, 'codeLines');
            },
            () => {
              slowCall(fn, true);
              body.byte(Op.Drop);
              f.set(L.a, -1); // (the store is done: skip the inline one)
            },
          );
          f.ifThen(
            () => f.get(L.a).const(-1).op(Op.I32Ne),
            () => {
              f.get(L.a).get(L.v).body.byte(Op.I32Store).u32(2).u32(0);
              f.ifThen(
                () => f.loadState(StateWord.RESERVATION).get(L.a).layoutConst('ramBase').op(Op.I32Add).op(Op.I32Eq),
                () => f.storeState(StateWord.RESERVATION, () => f.const(-1)),
              );
            },
          );
          return false;
        case 'storeConditional': {
          // Reserved: store and 0; not: 1. Either way the reservation is gone.
          args[0]();
          f.setLocal(L.a);
          args[1]();
          f.setLocal(L.v);
          f.push('done', Op.Block, I32);
          f.push('slow', Op.Block);
          memoryCheck(4, WATCH_STORE, true);
          f.loadState(StateWord.RESERVATION).get(L.a).op(Op.I32Eq).setLocal(L.c);
          f.storeState(StateWord.RESERVATION, () => f.const(-1));
          f.ifThen(() => f.get(L.c), () => f.get(L.o).get(L.v).body.byte(Op.I32Store).u32(2).u32(0));
          f.const(1).get(L.c).op(Op.I32Sub);
          f.br('done');
          f.end('slow');
          slowCall(fn, true);
          f.end('done');
          return true;
        }
      }
      throw new Error(`wasm: no code for m.${fn}`);
    },
  };
}
