/**
 * The JIT's WebAssembly backend: a region (jit-analysis.ts) compiled to one
 * WebAssembly function. V8 compiles WebAssembly to machine code at once (Liftoff)
 * and optimizes hot functions in the background (TurboFan), without the warm-up in
 * its bytecode interpreter and the deoptimizations that generated JavaScript goes
 * through; and its loads and stores of guest RAM are plain memory accesses.
 *
 * Shape: registers are locals, loaded when the function is entered and stored back
 * when it returns; `l` is the word to run next; a `br_table` over l's offset from
 * the first chain's word, or over a hash of l (DISPATCH_RANGE), dispatches to the
 * chain starting there (which then checks l, if hashed) or to the miss exit:
 *
 *   block $out  block $atRetry  block $atFault
 *     loop $dispatch
 *       block $miss  block $c[K-1] … block $c[0]  br_table[l - first | hash(l)]  end  <chain 0>  end … end
 *       miss exit
 *     end
 *   end  exit = Fault  end  exit = RetryAt   (loads and stores branch there, `at` set)
 *   end
 *   store registers and the exit state
 *
 * Control passing from one chain to a later one branches to the end of that
 * chain's block (falls through, to the next); back to an earlier one, it goes
 * through the dispatch (see emitChain).
 *
 * Chains keep the JavaScript backend's structure (loops, forward blocks) and its
 * exact counting; the budget is checked at each chain's start and loop heads
 * against what may run before the next check (see `budget`). Loads and stores
 * inline the memory unit's fast path (untranslated, aligned, in RAM, no watch, no
 * code on a stored line) and call the memory unit otherwise; when that throws (a trap, or RETRY for MMIO and
 * watched memory), the import records it and the function returns with `at` naming
 * the instruction: its registers are still those before it (`sem` writes rd last).
 * Atomics inline the same fast path, with the LR reservation in the hart's state
 * block. A region with an instruction this backend has no code for would stay
 * JavaScript (wasmSupported); the table has none today.
 */
import { Exit } from '../interpreter';
import { Insn, Kind, RegionAnalysis, Structure, chainLayout } from '../jit-analysis';
import { StateWord } from '../hart-state';
import { FunctionBuilder } from './builder';
import { Bytes, Op } from './encoder';
import { emitArith } from './arith';
import { hartModule } from './imports';
import type { WasmLayout } from './layout';
import { memoryAccess } from './memory-access';
import type { WatchSpan } from '../mmu';
import { SemHost, compileSem, semSupported } from './sem';

/** Exits of the WebAssembly function besides Exit.Limit, Leave and Miss (with StateWord.PC). */
export const enum WasmExit {
  /** The memory unit threw at StateWord.AT (the import kept the error). */
  Fault = 100,
  /** The instruction at StateWord.AT must run in slow mode (a sync instruction, a misaligned jump). */
  RetryAt = 101,
}

/**
 * The dispatch goes to the chain starting at word l through a `br_table` indexed
 * by l minus the first chain's word when the chains start within this many words
 * (or no hash is found), else by a hash of l. A `br_table` over all the span's
 * words, as before, cost V8's optimizing compiler about 3 ms per page of span, so
 * a region's optimized code came that much later. The hash costs a multiply and a
 * compare per dispatch, which made code that dispatches often (returns, jump
 * tables) a tenth slower once warm when every region used it.
 */
const DISPATCH_RANGE = 512;

/**
 * The dispatch's hash of a word, (word * mul) >>> (32 - bits): a multiplier found
 * here that takes the chains' first words to distinct slots of a table two to eight
 * times their number; undefined when none is found in a few hundred tries (likely
 * for more than a few dozen words).
 */
export interface DispatchHash {
  readonly mul: number;
  readonly bits: number;
}

export const hashOf = (word: number, h: DispatchHash) => Math.imul(word, h.mul) >>> (32 - h.bits);

export function dispatchHash(words: readonly number[]): DispatchHash | undefined {
  let seed = 0x9e3779b9;
  const least = Math.max(1, Math.ceil(Math.log2(words.length)) + 1);
  for (let bits = least; bits <= least + 1; bits++) {
    for (let tries = 0; tries < 128; tries++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
      const h = { mul: seed | 1, bits };
      const seen = new Set<number>();
      if (words.every((w) => !seen.has(hashOf(w, h)) && seen.add(hashOf(w, h)))) return h;
    }
  }
  return undefined;
}

/** Whether every instruction of the region has WebAssembly code. */
export function wasmSupported(a: RegionAnalysis): boolean {
  for (const ins of a.insns.values()) {
    const d = ins.slot.def;
    if (ins.kind !== Kind.Stop && d && !semSupported(d.sem)) return false;
  }
  return true;
}

// Parameters of the function, then its fixed locals.
const P_LIMIT = 0, P_L = 1, P_DT = 2, P_FT = 3; // P_DT: 0x80000000 when data accesses are translated, else 0
const L_N = 4, L_EXIT = 5, L_PCX = 6, L_AT = 7, L_A = 8, L_O = 9, L_V = 10, L_PC = 11, L_C = 12;
const FIXED_LOCALS = 13;
const MEMORY_LOCALS = { a: L_A, o: L_O, v: L_V, c: L_C, dt: P_DT };

/** How a region's loads and stores are compiled (see memoryAccess). */
export interface RegionVariant {
  /** A load or store off the fast path leaves for slow mode rather than calling the memory unit. */
  readonly leaveForSlowAccess: boolean;
  /** The watched span whose accesses check the watch flags (memoryAccess); undefined for a hart with nothing watched. */
  readonly watched: WatchSpan | undefined;
}

/** The module for one hart: `run(budget, word, dataTranslated ? 0x80000000 : 0, fetchTranslated) → exit`. */
export function generateWasmRegion(a: RegionAnalysis, layout: WasmLayout, variant: RegionVariant): Uint8Array {
  const { vbase, span, pcOf, spanWord, included, insns, chains, structures, labelOf } = a;
  const f = new FunctionBuilder(layout);
  const { body } = f;
  const push = f.push.bind(f), end = f.end.bind(f), br = f.br.bind(f), set = f.set.bind(f), ifThen = f.ifThen.bind(f);
  const regs = new Map<number, number>();
  const consts = new Map<string, number>();
  let nextLocal = FIXED_LOCALS;
  const regLocal = (r: number) => {
    let k = regs.get(r);
    if (k === undefined) regs.set(r, (k = nextLocal++));
    return k;
  };
  /** Returns from the region with `exit` and the pc to continue at. */
  const leave = (pc: number, exit: number) => {
    set(L_PCX, pc);
    set(L_EXIT, exit);
    br('out');
  };
  /**
   * Returns with `exit` (Fault or RetryAt) naming the instruction at word g after
   * `run` instructions since the last count; every load and store has one, so the
   * exit code is set once, where they branch to.
   */
  const leaveAt = (g: number, run: number, exit: WasmExit) => {
    set(L_AT, g | (run << 16));
    br(exit === WasmExit.Fault ? 'atFault' : 'atRetry');
  };
  const addN = (k: number) => {
    if (k) body.byte(Op.LocalGet).u32(L_N).byte(Op.I32Const).s32(k).byte(Op.I32Add).byte(Op.LocalSet).u32(L_N);
  };
  /**
   * The budget check at a chain's start and at its loop heads: from there, at most
   * `ahead` instructions (the rest of the chain) run before the next check, so the
   * region stops only when those might not fit and the interpreter finishes the few
   * left (the JavaScript backend stops a fixed MAX_RUN before the end).
   */
  const budget = (ahead: number, pc: number) =>
    ifThen(
      () => body.byte(Op.LocalGet).u32(L_N).byte(Op.I32Const).s32(ahead).byte(Op.I32Add).byte(Op.LocalGet).u32(P_LIMIT).byte(Op.I32GtS),
      () => leave(pc, Exit.Limit),
    );
  /** With fetches translated, entering another page of the span leaves for the dispatcher (which checks the translation). */
  const crossCheck = (target: number, fromPage: number) => {
    const t = spanWord(target);
    if (t < 0 || t >>> 10 === fromPage) return;
    ifThen(() => body.byte(Op.LocalGet).u32(P_FT), () => leave(target, Exit.Leave));
  };

  // ---- the function ----
  push('out', Op.Block);
  push('atRetry', Op.Block);
  push('atFault', Op.Block);
  push('dispatch', Op.Loop);
  push('miss', Op.Block);
  for (let k = chains.length - 1; k >= 0; k--) push(`c${k}`, Op.Block);
  // The dispatch (see DISPATCH_RANGE): br_table[l - first], or br_table[hash(l)]
  // and the chain checks that l is its first word.
  const starts = chains.map((c) => c[0]);
  const chainIndex = new Map(starts.map((w, k) => [w, k]));
  const first = starts[0], range = starts[starts.length - 1] - first + 1;
  const hash = range > DISPATCH_RANGE ? dispatchHash(starts) : undefined; // (else, or when none: by range)
  const slots = new Array<string>(hash ? 1 << hash.bits : range).fill('miss');
  body.byte(Op.LocalGet).u32(P_L);
  if (hash) {
    body.byte(Op.I32Const).s32(hash.mul).byte(Op.I32Mul).byte(Op.I32Const).s32(32 - hash.bits).byte(Op.I32ShrU);
    starts.forEach((w, k) => (slots[hashOf(w, hash)] = `c${k}`));
  } else {
    if (first) body.byte(Op.I32Const).s32(first).byte(Op.I32Sub);
    starts.forEach((w, k) => (slots[w - first] = `c${k}`));
  }
  body.byte(Op.BrTable).u32(slots.length);
  for (const name of slots) body.u32(f.depth(name));
  body.u32(f.depth('miss'));

  chains.forEach((c, k) => {
    end(`c${k}`);
    if (hash) {
      body.byte(Op.LocalGet).u32(P_L).byte(Op.I32Const).s32(c[0]).byte(Op.I32Ne);
      br('miss', Op.BrIf);
    }
    emitChain(c, k, structures.get(c[0])!);
  });
  end('miss');
  // A word without an entry point.
  wordExit(Exit.Miss);
  end('dispatch');
  end('atFault');
  set(L_EXIT, WasmExit.Fault);
  br('out');
  end('atRetry');
  set(L_EXIT, WasmExit.RetryAt);
  end('out');

  /** Returns with `exit` at the word `l` (pc = vbase + l * 4). */
  function wordExit(exit: Exit): void {
    body.byte(Op.LocalGet).u32(P_L).byte(Op.I32Const).s32(2).byte(Op.I32Shl).byte(Op.I32Const).s32(vbase).byte(Op.I32Add);
    body.byte(Op.LocalSet).u32(L_PCX);
    set(L_EXIT, exit);
    br('out');
  }

  /**
   * Chain k's code. The blocks of the chains after it are still open, each ending
   * where that chain's code begins, so control passes forward to another chain by
   * a branch (or by falling through, to the next one); only backward it goes
   * through the dispatch.
   */
  function emitChain(c: number[], k: number, st: Structure): void {
    const toChain = (tg: number) => {
      set(P_L, tg);
      const j = chainIndex.get(tg) ?? -1; // (every label starts a chain)
      if (j <= k) br('dispatch');
      else if (j > k + 1 || !atEnd) br(`c${j}`);
    };
    let atEnd = false;
    const inChain = new Set(c);
    let run = 0;
    const { loopStart, loopsEndingAt, blocksAt } = chainLayout(st);
    const flush = (extra = 0) => {
      addN(run + extra);
      run = 0;
    };
    const jumpTo = (target: number, tg: number, from: number, page: number) => {
      if (tg >= 0 && inChain.has(tg)) {
        if (tg <= from) return br(`L${tg}`);
        if (st.blocks.has(tg)) return br(`B${tg}`);
      }
      crossCheck(target, page);
      if (tg >= 0 && labelOf[tg] >= 0) return toChain(tg);
      leave(target, spanWord(target) >= 0 ? Exit.Miss : Exit.Leave);
    };
    const operand = (g: number, field: string): number => {
      const slot = insns.get(g)!.slot;
      return field === 'rd' ? slot.rd : field === 'rs1' ? slot.rs1 : slot.rs2;
    };
    // The table's `sem` as parsed once (sem.ts), its operands bound here: registers
    // are locals (x0 reads 0, writes to it are dropped), the immediate a constant.
    const named = (name: string) => {
      let k = consts.get(name);
      if (k === undefined) consts.set(name, (k = nextLocal++));
      return k;
    };
    // One host for the chain, for the instruction at word `at` (made once: it was
    // a fifth of a cold region compile made per instruction).
    let at = 0;
    const host: SemHost = {
      local: (name: string) => (name === 'pc' ? L_PC : named(name)),
      constant: (name: string) => (name === 'imm' ? insns.get(at)!.slot.imm : undefined),
      regRead: (field: string) => {
        const r = operand(at, field);
        if (r === 0) f.const(0);
        else f.get(regLocal(r));
      },
      regConstant: (field: string) => (operand(at, field) === 0 ? 0 : undefined),
      regWrite: (field: string, value: () => void) => {
        const r = operand(at, field);
        value();
        if (r === 0 || r === 32) body.byte(Op.Drop);
        else f.setLocal(regLocal(r));
      },
      ...memoryAccess(f, MEMORY_LOCALS, () => leaveAt(at, run, WasmExit.Fault), variant.leaveForSlowAccess ? () => leaveAt(at, run, WasmExit.RetryAt) : undefined, variant.watched ?? false),
      jump: (target: () => void) => {
        // A misaligned target traps at the jump: the interpreter runs it in slow mode.
        target();
        body.byte(Op.LocalTee).u32(L_C);
        body.byte(Op.I32Const).s32(3).byte(Op.I32And);
        push('if', Op.If);
        leaveAt(at, run, WasmExit.RetryAt);
        end('if');
        body.byte(Op.LocalGet).u32(L_C);
      },
      arith: (name: string, args: Array<() => void>) => emitArith(f, name, args, named('__x'), named('__y')),
    };
    const sem = (ins: Insn, text: string, g: number) => {
      at = g;
      if (/\bpc\b/.test(text)) set(L_PC, ins.pc);
      compileSem(text, f, host);
    };

    for (let idx = 0; idx < c.length; idx++) {
      const g = c[idx];
      const ins = insns.get(g)!;
      const page = g >>> 10;
      if (idx > 0) {
        const closing = loopsEndingAt.get(c[idx - 1]) ?? 0;
        if (closing > 0 || st.blocks.has(g) || loopStart.has(g)) flush();
        for (let k = 0; k < closing; k++) end(`L${openLoopName()}`);
        if (st.blocks.has(g)) end(`B${g}`);
        if (page !== c[idx - 1] >>> 10) {
          flush();
          crossCheck(pcOf(g), page - 1);
        }
      }
      if (g === c[0] && !loopStart.has(g)) {
        budget(c.length, ins.pc);
        for (const t of blocksAt.get(g) ?? []) push(`B${t}`, Op.Block);
      }
      if (g === c[0] && loopStart.has(g)) for (const t of blocksAt.get(-1) ?? []) push(`B${t}`, Op.Block);
      if (loopStart.has(g)) {
        push(`L${g}`, Op.Loop);
        budget(c.length - idx, ins.pc);
        for (const t of blocksAt.get(g) ?? []) push(`B${t}`, Op.Block);
      }
      const s = ins.slot;
      const d = s.def;
      switch (ins.kind) {
        case Kind.Stop:
          leaveAt(g, run, WasmExit.RetryAt);
          break;
        case Kind.Plain:
          sem(ins, d!.sem, g);
          run++;
          break;
        case Kind.Branch: {
          at = g;
          compileSem(`__c = ${d!.cond!};`, f, host);
          flush(1);
          f.get(host.local('__c'));
          push('if', Op.If);
          jumpTo(ins.target, ins.tg, g, page);
          end('if');
          break;
        }
        case Kind.Jal:
          sem(ins, d!.sem, g);
          flush(1);
          jumpTo(ins.target, ins.tg, g, page);
          break;
        case Kind.Jalr: {
          sem(ins, d!.sem, g);
          flush(1);
          // pc (local) is the target: inside the span, dispatch on its word (leaving
          // for another page when fetches are translated); else leave.
          body.byte(Op.LocalGet).u32(L_PC).byte(Op.I32Const).s32(vbase).byte(Op.I32Sub).byte(Op.LocalTee).u32(L_O);
          body.byte(Op.I32Const).s32(span * 4).byte(Op.I32LtU);
          push('if', Op.If);
          if (a.pages.length > 1) {
            ifThen(
              () => body.byte(Op.LocalGet).u32(P_FT).byte(Op.LocalGet).u32(L_O).byte(Op.I32Const).s32(12).byte(Op.I32ShrU).byte(Op.I32Const).s32(page).byte(Op.I32Ne).byte(Op.I32And),
              () => {
                body.byte(Op.LocalGet).u32(L_PC).byte(Op.LocalSet).u32(L_PCX);
                set(L_EXIT, Exit.Leave);
                br('out');
              },
            );
          }
          body.byte(Op.LocalGet).u32(L_O).byte(Op.I32Const).s32(2).byte(Op.I32ShrU).byte(Op.LocalSet).u32(P_L);
          br('dispatch');
          end('if');
          body.byte(Op.LocalGet).u32(L_PC).byte(Op.LocalSet).u32(L_PCX);
          set(L_EXIT, Exit.Leave);
          br('out');
          break;
        }
      }
    }
    const last = c[c.length - 1];
    const lastIns = insns.get(last)!;
    const closing = loopsEndingAt.get(last) ?? 0;
    if (closing > 0) flush();
    for (let k = 0; k < closing; k++) end(`L${openLoopName()}`);
    if (lastIns.kind === Kind.Plain || lastIns.kind === Kind.Branch) {
      const next = last + 1;
      const nextPc = pcOf(next);
      flush();
      if (included(next) && labelOf[next] >= 0) {
        crossCheck(nextPc, last >>> 10);
        atEnd = true;
        toChain(next);
      } else leave(nextPc, spanWord(nextPc) >= 0 ? Exit.Miss : Exit.Leave);
    }
    if (/^[BL]/.test(f.innermost ?? '')) throw new Error('jit: wasm chain left a construct open');
  }

  /** The innermost open loop's word (loops close innermost first). */
  function openLoopName(): number {
    const open = f.openNames;
    for (let k = open.length - 1; k >= 0; k--) if (open[k].startsWith('L')) return Number(open[k].slice(1));
    throw new Error('jit: no loop to close');
  }

  // Prologue: load the registers; epilogue: store them and the exit state.
  const prologue = new Bytes();
  for (const [r, k] of [...regs].sort((p, q) => p[0] - q[0])) {
    prologue.byte(Op.I32Const).s32(0).byte(Op.I32Load).u32(2).u32(layout.state + r * 4).byte(Op.LocalSet).u32(k);
  }
  const epilogue = new Bytes();
  for (const [r, k] of [...regs].sort((p, q) => p[0] - q[0])) {
    if (r === 0 || r === 32) continue;
    epilogue.byte(Op.I32Const).s32(0).byte(Op.LocalGet).u32(k).byte(Op.I32Store).u32(2).u32(layout.state + r * 4);
  }
  const store = (word: StateWord, local: number) =>
    epilogue.byte(Op.I32Const).s32(0).byte(Op.LocalGet).u32(local).byte(Op.I32Store).u32(2).u32(layout.state + word * 4);
  store(StateWord.N, L_N);
  store(StateWord.PC, L_PCX);
  store(StateWord.AT, L_AT);
  epilogue.byte(Op.LocalGet).u32(L_EXIT);

  const full = new Bytes().bytes(prologue.view()).bytes(body.view()).bytes(epilogue.view());
  // run(limit, word, dataTranslated, fetchTranslated)
  return hartModule(layout.memoryPages, full, nextLocal - 4);
}
