/**
 * The interpreter tier in WebAssembly: one function, generated from the instruction
 * table's `sem` strings (the same compiler as compiled regions, wasm/sem.ts), that
 * runs the decode cache's pre-decoded entries straight from the bus's memory.
 *
 *   loop $lookup   (pc and the count n exact)
 *     budget; on a new page, the fetch TLB (miss: leave); p = pc's entry
 *     loop $run    (straight code: only p moves; pc and n follow from it)
 *       e = entry at p
 *       br_table[e & (op | marks)] → not decoded yet: leave (JavaScript decodes it)
 *                                    <case per instruction>: sem; p += 8, or a control
 *                                      transfer (in-page targets straight to their entry)
 *                                    sync or illegal: leave for slow mode
 *                                    the page-end marker: on to $lookup
 *                                    marked (breakpoint, compiled entry): leave
 *
 * $run comes twice: far from the budget's end nothing is checked per instruction
 * (at most a page of straight code runs before the next control instruction or the
 * page-end marker, where the budget is checked); in the last 1024 instructions of a
 * budget every instruction is checked. Registers stay in the hart's state block
 * (x[rd] is a load at the entry's field).
 * It runs fast mode only, and leaves whenever JavaScript must act: a fetch TLB miss
 * (translation, fetch faults, breakpoint marks), a marked entry, an instruction for
 * slow mode, or the memory unit throwing. The JavaScript side is run-interpreter.ts.
 */
import { INSTRUCTIONS } from '../../isa/table';
import { BP_BIT, DECODE_PAGE_BYTES, ENTRY_BIT, ENTRY_FIELDS, PAGE_END_OP, Trailer } from '../decode-cache';
import { FETCH_TLB_ENTRIES, StateWord } from '../hart-state';
import { Exit } from '../interpreter';
import { FunctionBuilder } from './builder';
import { Op } from './encoder';
import { arithImport, hartModule } from './imports';
import { type Template } from './layout';
import { memoryAccess } from './memory-access';
import { WasmExit } from './region';
import { compileSem, semSupported } from './sem';

/** Why the interpreter function returned; N and PC in the state block say how far it got. */
export const enum InterpreterExit {
  Limit = Exit.Limit,
  /** The instruction at PC runs in slow mode (sync, illegal, a misaligned jump). */
  Retry = Exit.Retry,
  /** PC's page is not in the fetch TLB. */
  FetchMiss = 10,
  /** The entry at PC is marked (BP_BIT, ENTRY_BIT). */
  Marked = 11,
  /** The memory unit threw at PC (the import kept it). */
  Fault = WasmExit.Fault,
  /** The entry at PC is not decoded yet. */
  Decode = 12,
}

/** Which function to generate. */
export interface InterpreterVariant {
  /**
   * For the JIT tier: keep what the JIT chooses hot code by, as the JavaScript
   * interpreter does — block-end counts (control instructions; sync ones are counted
   * in slow mode) and each page's heat (in the page's trailer).
   */
  readonly counting: boolean;
  /**
   * Loads and stores off the fast path call the memory unit (for translated data);
   * otherwise they leave for slow mode. A function without calls
   * is one where V8 keeps values in registers rather than saving them around the
   * call on every path: 8–13 % faster here.
   */
  readonly memoryCalls: boolean;
}

/** Every variant, as the interpreter's templates are built (scripts/gen-interpreter.ts). */
export const INTERPRETER_VARIANTS: readonly InterpreterVariant[] = [false, true].flatMap((counting) =>
  [false, true].map((memoryCalls) => ({ counting, memoryCalls })),
);

/** A variant's name in the built templates. */
export const variantKey = (v: InterpreterVariant) => `${v.counting ? 'counting' : 'plain'}-${v.memoryCalls ? 'calls' : 'leaves'}`;

// Parameters: budget, pc, 0x80000000 when data accesses are translated (else 0),
// and 1 to run the first instruction even when marked. Then the locals.
const P_LIMIT = 0, P_PC = 1, P_DT = 2, P_SKIP = 3;
const L_N = 4, L_VPAGE = 5, L_DBASE = 6, L_E = 7, L_IMM = 8, L_A = 9, L_O = 10, L_V = 11, L_C = 12, L_P = 13, L_EXIT = 14;
const L_PEND = 15, L_NOFF = 16, L_PCOFF = 17, L_FAR = 18, L_N0 = 19, L_CB = 20;
const FIXED_LOCALS = 21;

/** Each register field of a packed entry as a byte offset (register * 4): shift right, then mask. */
const FIELDS: Record<string, { shift: number; mask: number }> = Object.fromEntries(
  Object.entries(ENTRY_FIELDS).map(([name, fl]) => [name, { shift: fl.shift - 2, mask: fl.mask << 2 }]),
);

/** Whether an instruction runs here rather than in slow mode. */
const runsHere = (d: (typeof INSTRUCTIONS)[number]) => !d.sync && semSupported(d.sem);

/**
 * The module, `run(budget, pc, dataTranslated, skipMarks) → InterpreterExit`, with
 * the hart's layout left to patch in (layout.ts): the same code serves every hart.
 * Made at build time (scripts/gen-interpreter.ts).
 */
export function generateInterpreterTemplate(variant: InterpreterVariant): Template {
  const { counting, memoryCalls } = variant;
  const f = new FunctionBuilder('template');
  const consts = new Map<string, number>();
  let nextLocal = FIXED_LOCALS;
  const X = StateWord.X * 4;
  const leave = (exit: InterpreterExit) => {
    f.set(L_EXIT, exit);
    f.br('out');
  };
  // In straight code only p (the entry's address) moves: pc and n follow from it.
  const pcFromP = () => f.get(L_PCOFF).get(L_P).const(1).op(Op.I32ShrU).op(Op.I32Add).setLocal(P_PC);
  const nFromP = (extra = 0) => {
    f.get(L_NOFF).get(L_P).const(3).op(Op.I32ShrU).op(Op.I32Add);
    if (extra) f.const(extra).op(Op.I32Add);
    f.setLocal(L_N);
  };
  /** Leaves at the instruction at p (not run). */
  const leaveHere = (exit: InterpreterExit) => {
    pcFromP();
    nFromP();
    leave(exit);
  };
  const vpageOfPc = () => f.get(P_PC).const(12).op(Op.I32ShrU);
  const field = (name: string) => {
    const fl = FIELDS[name];
    if (!fl) throw new Error(`wasm interpreter: no register field ${name}`);
    f.get(L_E).const(fl.shift).op(Op.I32ShrU).const(fl.mask).op(Op.I32And);
  };
  const host = {
    local: (name: string) => {
      if (name === 'pc') return P_PC;
      if (name === 'imm') return L_IMM;
      let k = consts.get(name);
      if (k === undefined) consts.set(name, (k = nextLocal++));
      return k;
    },
    regRead: (name: string) => {
      field(name);
      f.memop(Op.I32Load, 2, 'state', X);
    },
    regWrite: (name: string, value: () => void) => {
      field(name);
      value();
      f.memop(Op.I32Store, 2, 'state', X);
    },
    ...memoryAccess(
      f,
      { a: L_A, o: L_O, v: L_V, c: L_C, dt: P_DT },
      () => leaveHere(InterpreterExit.Fault),
      memoryCalls ? undefined : () => leaveHere(InterpreterExit.Retry),
    ),
    jump: (target: () => void) => {
      // A misaligned target traps at the jump: slow mode raises it.
      target();
      f.body.byte(Op.LocalTee).u32(L_C);
      f.ifThen(() => f.const(3).op(Op.I32And), () => leaveHere(InterpreterExit.Retry));
      f.get(L_C);
    },
    // The helpers as calls here: written inline (wasm/arith.ts, as regions have them) this
    // function ran 3-5 % slower.
    arith: (name: string, args: Array<() => void>) => {
      for (const arg of args) arg();
      f.body.byte(Op.Call).u32(arithImport(name));
    },
  };

  const cases = INSTRUCTIONS.map((d, i) => ({ op: i + 1, d })).filter((c) => runsHere(c.d));
  const caseOf = new Map(cases.map((c, k) => [c.op, k]));
  const loadImm = () => f.get(L_P).body.byte(Op.I32Load).u32(2).u32(4).byte(Op.LocalSet).u32(L_IMM);
  const entryOfPc = () => f.get(L_DBASE).get(P_PC).const(0xffc).op(Op.I32And).const(1).op(Op.I32Shl).op(Op.I32Add).setLocal(L_P);
  const nOffFromP = () => f.get(L_N).get(L_P).const(3).op(Op.I32ShrU).op(Op.I32Sub).setLocal(L_NOFF);
  /** Whether n < far (leaves an i32): then the budget cannot end before the page does. */
  const far = () => f.get(L_N).get(L_FAR).op(Op.I32LtS);

  /** Reads a word of the current page's trailer. */
  const trailer = (word: Trailer) => {
    f.get(L_DBASE).body.byte(Op.I32Load).u32(2).u32(DECODE_PAGE_BYTES + word * 4);
    return f;
  };
  /** Adds what ran since the last time to the current page's heat (the page was entered when vpage is set). */
  const addHeat = () => {
    if (!counting) return;
    f.ifThen(
      () => f.get(L_VPAGE).const(-1).op(Op.I32Ne),
      () => {
        f.get(L_DBASE);
        trailer(Trailer.HEAT).get(L_N).op(Op.I32Add).get(L_N0).op(Op.I32Sub);
        f.body.byte(Op.I32Store).u32(2).u32(DECODE_PAGE_BYTES + Trailer.HEAT * 4);
        f.get(L_N).setLocal(L_N0);
      },
    );
  };

  f.set(L_VPAGE, -1);
  f.get(P_LIMIT).const(1024).op(Op.I32Sub).setLocal(L_FAR);
  f.push('out', Op.Block);
  // After a control instruction, at a page's end and where the budget may end: pc and
  // n are exact. The budget; the entry of pc, through the fetch TLB when on another page.
  f.push('lookup', Op.Loop);
  f.ifThen(() => f.get(L_N).get(P_LIMIT).op(Op.I32GeS), () => leave(InterpreterExit.Limit));
  f.ifThen(
    () => vpageOfPc().get(L_VPAGE).op(Op.I32Ne),
    () => {
      vpageOfPc().const(FETCH_TLB_ENTRIES - 1).op(Op.I32And).const(3).op(Op.I32Shl);
      f.body.byte(Op.LocalTee).u32(L_P);
      f.memop(Op.I32Load, 2, 'fetchTlb');
      vpageOfPc().op(Op.I32Ne);
      f.ifThen(() => undefined, () => leave(InterpreterExit.FetchMiss));
      addHeat();
      f.get(L_P).memop(Op.I32Load, 2, 'fetchTlb', 4);
      f.setLocal(L_DBASE);
      vpageOfPc().setLocal(L_VPAGE);
      if (counting) trailer(Trailer.COUNT_BIAS).setLocal(L_CB);
    },
  );
  entryOfPc();
  nOffFromP();
  f.get(P_PC).get(L_P).const(1).op(Op.I32ShrU).op(Op.I32Sub).setLocal(L_PCOFF);
  f.push('near', Op.Block);
  far();
  f.op(Op.I32Eqz);
  f.br('near', Op.BrIf);
  emitLoop(false);
  f.end('near');
  // The last instructions of the budget: straight code runs up to pend, the page's
  // end or where the budget ends, whichever is sooner.
  f.get(L_DBASE).const(DECODE_PAGE_BYTES).op(Op.I32Add).setLocal(L_PEND);
  f.get(L_P).get(P_LIMIT).get(L_N).op(Op.I32Sub).const(3).op(Op.I32Shl).op(Op.I32Add).setLocal(L_C);
  f.get(L_C).get(L_PEND).get(L_C).get(L_PEND).op(Op.I32LtU).op(Op.Select).setLocal(L_PEND);
  emitLoop(true);
  f.end('lookup');
  f.end('out');

  /**
   * The dispatch loop. Two copies: far from the budget's end, straight code runs on
   * unchecked until a control instruction or the page's end marker (whose entry
   * dispatches like an instruction); near it, every instruction is checked against pend.
   */
  function emitLoop(near: boolean): void {
    f.push('run', Op.Loop);
    if (near) {
      f.ifThen(
        () => f.get(L_P).get(L_PEND).op(Op.I32GeU),
        () => {
          pcFromP();
          nFromP();
          f.br('lookup');
        },
      );
    }
    f.get(L_P).body.byte(Op.I32Load).u32(2).u32(0).byte(Op.LocalSet).u32(L_E);
    f.push('next', Op.Block);
    f.push('advance', Op.Block);
    f.push('retry', Op.Block);
    f.push('pageEnd', Op.Block);
    f.push('fill', Op.Block);
    for (let k = cases.length - 1; k >= 0; k--) f.push(`c${k}`, Op.Block);
    /** br_table over the op: not decoded, the cases, sync or illegal, the page's end; anything above to `other`. */
    const dispatch = (other: string) => {
      f.body.byte(Op.BrTable).u32(PAGE_END_OP + 1);
      for (let op = 0; op <= PAGE_END_OP; op++) {
        const k = caseOf.get(op);
        const to = op === 0 ? 'fill' : op === PAGE_END_OP ? 'pageEnd' : k === undefined ? 'retry' : `c${k}`;
        f.body.u32(f.depth(to));
      }
      f.body.u32(f.depth(other));
    };
    // The marks are kept in the index: a marked entry's is beyond the table (rare).
    f.push('marked', Op.Block);
    f.get(L_E).const(0xff | BP_BIT | ENTRY_BIT).op(Op.I32And);
    dispatch('marked');
    f.end('marked');
    // Leave, unless told to run the first instruction anyway.
    nFromP();
    f.ifThen(() => f.get(L_N).get(P_SKIP).op(Op.I32Eqz).op(Op.I32Or), () => leaveHere(InterpreterExit.Marked));
    f.get(L_E).const(0xff).op(Op.I32And);
    dispatch('retry');
    cases.forEach((c, k) => {
      f.end(`c${k}`);
      // A block end's count, at the word's slot: countBias + p / 2.
      if (counting && c.d.control) {
        f.get(L_CB).get(L_P).const(1).op(Op.I32ShrU).op(Op.I32Add).body.byte(Op.LocalTee).u32(L_O);
        f.get(L_O).body.byte(Op.I32Load).u32(2).u32(0);
        f.const(1).op(Op.I32Add).body.byte(Op.I32Store).u32(2).u32(0);
      }
      if (c.d.cond) return branch(c.d.cond);
      // The pc and the immediate only where the instruction uses them.
      if (/\bpc\b/.test(c.d.sem)) pcFromP();
      if (/\bimm\b/.test(c.d.sem)) loadImm();
      compileSem(c.d.sem, f, host);
      f.br(c.d.control ? 'next' : 'advance');
    });
    f.end('fill');
    leaveHere(InterpreterExit.Decode);
    f.end('pageEnd');
    pcFromP();
    nFromP();
    f.br('lookup');
    f.end('retry');
    leaveHere(InterpreterExit.Retry);
    f.end('advance');
    f.get(L_P).const(8).op(Op.I32Add).setLocal(L_P);
    f.br('run');
    f.end('next');
    // A control instruction set pc; it counts. Far from the budget's end and on the
    // same page, straight on to the target's entry.
    nFromP(1);
    if (!near) {
      f.ifThen(
        () => vpageOfPc().get(L_VPAGE).op(Op.I32Eq).get(L_N).get(L_FAR).op(Op.I32LtS).op(Op.I32And),
        () => {
          entryOfPc();
          nOffFromP();
          f.br('run');
        },
      );
    }
    f.br('lookup');
    f.end('run');

    /**
     * A conditional branch, from the table's condition: not taken, the next entry;
     * taken to the same page far from the budget's end, the target's entry is p + imm * 2.
     */
    function branch(cond: string): void {
      f.ifThen(
        () => {
          compileSem(`__c = ${cond};`, f, host);
          f.get(host.local('__c'));
        },
        () => {
          loadImm();
          // A target off a 4-byte boundary traps at the branch (slow mode raises it).
          f.ifThen(() => f.get(L_IMM).const(2).op(Op.I32And), () => leaveHere(InterpreterExit.Retry));
          nFromP(1);
          if (!near) {
            f.get(L_P).get(L_IMM).const(1).op(Op.I32Shl).op(Op.I32Add).setLocal(L_C);
            f.ifThen(
              () => {
                f.get(L_C).get(L_DBASE).op(Op.I32Sub).const(DECODE_PAGE_BYTES).op(Op.I32LtU);
                far();
                f.op(Op.I32And);
              },
              () => {
                f.get(L_C).setLocal(L_P);
                nOffFromP();
                f.br('run');
              },
            );
          }
          pcFromP();
          f.get(P_PC).get(L_IMM).op(Op.I32Add).setLocal(P_PC);
          f.br('lookup');
        },
      );
      f.br('advance');
    }
  }
  addHeat();
  f.storeState(StateWord.N, () => f.get(L_N));
  f.storeState(StateWord.PC, () => f.get(P_PC));
  f.get(L_EXIT);

  // run(limit, pc, dataTranslated, skipMarks); a memory of any size. The body is the
  // module's last bytes but the function's `end`.
  const bytes = hartModule(undefined, f.body, nextLocal - 4);
  const at = bytes.length - 1 - f.body.length;
  return { bytes, relocations: f.relocations!.map((r) => ({ ...r, at: r.at + at })) };
}
