/**
 * The JavaScript side of the WebAssembly interpreter (wasm/interpreter.ts): a
 * RunFunction like the generated JavaScript interpreter's, which calls the
 * WebAssembly function and does what it leaves for JavaScript — fetch translation
 * and faults, breakpoint marks and stops, yielding to the JIT tier's compiled code,
 * the memory unit's signals. Slow mode (one instruction with the hart's state
 * exact) stays with the JavaScript interpreter.
 */
import { DecodeCache } from '../decode-cache';
import { FETCH_TLB_ENTRIES, StateWord } from '../hart-state';
import { Exit, InterpreterHart, RunFunction } from '../interpreter';
import type { Mmu } from '../mmu';
import { RETRY, TRAP } from '../signals';
import { hartImports } from './imports';
import { InterpreterExit, InterpreterVariant, variantKey } from './interpreter';
import { INTERPRETER_TEMPLATES } from './interpreter.generated';
import { type InterpreterLayout, type Template, relocate, unpackTemplate } from './layout';

export interface WasmInterpreterHart extends InterpreterHart {
  readonly stateOffset: number;
}

type RunExport = (limit: number, pc: number, dt: number, skipMarks: number) => number;

/** One module per layout (most processes have few: harts of same-sized buses share one); bounded. */
const modules = new Map<string, WebAssembly.Module>();
const MAX_MODULES = 32;

/** The built templates (scripts/gen-interpreter.ts), unpacked when first used. */
const templates = new Map<string, Template>();
function templateOf(variant: InterpreterVariant): Template {
  const key = variantKey(variant);
  let t = templates.get(key);
  if (!t) {
    const built = INTERPRETER_TEMPLATES[key];
    if (!built) throw new Error(`wasm interpreter: no built template ${key} (run node out/scripts/gen-interpreter.js)`);
    templates.set(key, (t = unpackTemplate(built)));
  }
  return t;
}

/** Where the interpreter would find this hart's state, when all of it is in the bus's memory. */
function layoutOf(h: WasmInterpreterHart, m: Mmu, cache: DecodeCache): InterpreterLayout | undefined {
  const buffer = m.bus.memory.buffer;
  // (The inline RAM check needs RAM below 1 GiB: see memory-access.ts.)
  if (h.stateOffset < 0 || cache.arenaBase < 0 || m.ramSize > 1 << 30) return undefined;
  if (m.watchLines.buffer !== buffer || cache.codeLines.buffer !== buffer || m.fetchTlb.buffer !== buffer) return undefined;
  return {
    ramBase: m.ramBase, ramSize: m.ramSize, memoryPages: buffer.byteLength / 65536,
    state: h.stateOffset, watchLines: m.watchLines.byteOffset, codeLines: cache.codeLines.byteOffset, fetchTlb: m.fetchTlb.byteOffset,
  };
}

/**
 * The WebAssembly interpreter for hart `h`, falling back on `js` (the JavaScript
 * interpreter) for slow mode and JIT cooperation; undefined when the hart's state is
 * not all in its bus's memory.
 */
export function buildWasmInterpreter(h: WasmInterpreterHart, m: Mmu, cache: DecodeCache, js: RunFunction): RunFunction | undefined {
  const layout = layoutOf(h, m, cache);
  if (!layout) return undefined;
  const imports = hartImports(m, h.stateOffset);
  const instance = (variant: InterpreterVariant): RunExport => {
    const key = JSON.stringify({ layout, variant });
    let mod = modules.get(key);
    if (!mod) {
      if (modules.size >= MAX_MODULES) modules.clear();
      mod = new WebAssembly.Module(relocate(templateOf(variant), layout));
      modules.set(key, mod);
    }
    return new WebAssembly.Instance(mod, { env: imports.env }).exports.run as RunExport;
  };
  // By [counting][memoryCalls], made when first needed: the JIT tier (which passes
  // yieldToJit) needs block counts and page heat; translated data needs the memory
  // unit's calls.
  const variants: (RunExport | undefined)[][] = [[undefined, undefined], [undefined, undefined]];
  const variant = (counting: boolean, memoryCalls: boolean): RunExport =>
    (variants[+counting][+memoryCalls] ??= instance({ counting, memoryCalls }));
  const S = new Int32Array(m.bus.memory.buffer, h.stateOffset, StateWord.PC + 1);
  const tlb = m.fetchTlb;
  // What the fetch TLB was filled under: the decode cache's epoch and the breakpoint set.
  let epoch = -1, bpStamp = -1;

  const trapped = (n: number): number => {
    h.exit = Exit.Trap;
    h.takePendingTrap();
    return n;
  };

  return (limit, slow, yieldToJit) => {
    if (slow) return js(limit, slow, yieldToJit);
    const counting = yieldToJit !== undefined;
    const bps = h.breakpoints;
    if (cache.epoch !== epoch || bps.stamp !== bpStamp) {
      tlb.fill(-1);
      epoch = cache.epoch;
      bpStamp = bps.stamp;
    }
    const bpOn = bps.size > 0;
    let n = 0, skip = 0;
    h.exit = Exit.Limit;
    for (;;) {
      const translated = m.dataTranslated;
      const run = variant(counting, translated);
      // (The budget as an int32: a run that long returns with Limit and the caller goes on.)
      const exit = run(Math.min(limit - n, 0x7fffffff), h.pc | 0, translated ? -0x80000000 : 0, skip);
      const k = S[StateWord.N];
      n += k;
      h.retired += k;
      h.pc = S[StateWord.PC] >>> 0;
      skip = 0;
      switch (exit) {
        case InterpreterExit.Limit:
          if (n < limit) continue;
          return n;
        case InterpreterExit.FetchMiss: {
          let page;
          try {
            page = m.fetchPage(h.pc);
          } catch (err) {
            if (err === TRAP) return trapped(n);
            throw err;
          }
          const vpage = h.pc >>> 12;
          if (bpOn && (page.bpStamp !== bps.stamp || page.bpVpage !== vpage)) h.markBreakpoints(page, vpage);
          if (cache.epoch !== epoch) {
            tlb.fill(-1);
            epoch = cache.epoch;
          }
          // Decoded pages beyond the bus's room live in plain arrays: the JavaScript interpreter runs on.
          if (page.arenaIndex < 0) return n + js(limit - n, false, yieldToJit);
          const e = (vpage & (FETCH_TLB_ENTRIES - 1)) * 2;
          tlb[e] = vpage;
          tlb[e + 1] = page.slots.byteOffset;
          continue;
        }
        case InterpreterExit.Decode: {
          // (Its page is the one the fetch TLB holds for pc.)
          const e = ((h.pc >>> 12) & (FETCH_TLB_ENTRIES - 1)) * 2;
          cache.fillAt(tlb[e + 1] + ((h.pc & 0xffc) << 1));
          continue;
        }
        case InterpreterExit.Marked:
          if (bpOn && bps.has(h.pc)) {
            h.exit = Exit.Breakpoint;
            return n;
          }
          // An entry of compiled code (or another hart's breakpoint): the JIT's dispatcher takes over after at least one instruction.
          if (yieldToJit === true && n !== 0) {
            h.exit = Exit.Yield;
            return n;
          }
          skip = 1;
          continue;
        case InterpreterExit.Retry:
          h.exit = Exit.Retry;
          return n;
        case InterpreterExit.Fault: {
          const err = imports.takeFault();
          if (err === TRAP) return trapped(n);
          if (err === RETRY) {
            h.exit = Exit.Retry;
            return n;
          }
          throw err;
        }
        default:
          throw new Error(`wasm interpreter: exit ${exit}`);
      }
    }
  };
}
