/**
 * What generated WebAssembly imports from its hart ("env"): the bus's memory, the
 * memory unit's slow paths as one `memory(op, address, value)` function, and the
 * `A.*` helpers (which the interpreter calls; regions have them inline). When the memory unit throws, the import keeps what it threw, sets
 * the hart's FAULT word (which the code checks after the call, see
 * memory-access.ts) and returns 0; `takeFault` hands the signal over and clears it.
 */
import * as arith from '../../isa/arith';
import { StateWord } from '../hart-state';
import type { Mmu } from '../mmu';
import { Bytes, encodeModule } from './encoder';
import { MEMORY_IMPORT, MEMORY_OPS } from './memory-access';

const ARITH_IMPORTS = arith as unknown as Record<string, (a: number, b: number) => number>;

/** The arithmetic helpers the `sem` strings call (`A.*`), imported in this order after the memory import. */
export const ARITH_NAMES = Object.keys(arith).filter((k) => typeof (arith as Record<string, unknown>)[k] === 'function').sort();

/** Function index of the import computing `A.name`. */
export function arithImport(name: string): number {
  const k = ARITH_NAMES.indexOf(name);
  if (k < 0) throw new Error(`wasm: no helper A.${name}`);
  return MEMORY_IMPORT + 1 + k;
}

/**
 * A module of one exported function, `run`, with four i32 parameters and an i32
 * result, importing the bus's memory (`memoryPages`; undefined: any size), `memory`
 * and the helpers.
 * `locals`: i32 locals besides the parameters.
 */
export function hartModule(memoryPages: number | undefined, body: Bytes, locals: number): Uint8Array {
  return encodeModule({
    types: [
      { params: 3, results: 1 }, // memory(op, address, value)
      { params: 2, results: 1 }, // A.*(a, b)
      { params: 4, results: 1 }, // run
    ],
    imports: [{ name: 'memory', type: 0 }, ...ARITH_NAMES.map((name) => ({ name, type: 1 }))],
    memoryPages,
    funcs: [{ type: 2, locals, body, export: 'run' }],
  });
}

export interface HartImports {
  readonly env: Record<string, WebAssembly.ImportValue>;
  /** What the memory unit threw since the last call (the FAULT word was set), and clears it. */
  takeFault(): unknown;
}

/** One per hart: its regions, its chaining function and its interpreter share the pending fault. */
const importsOf = new WeakMap<Mmu, { stateOffset: number; imports: HartImports }>();

export function hartImports(m: Mmu, stateOffset: number): HartImports {
  const known = importsOf.get(m);
  if (known && known.stateOffset === stateOffset) return known.imports;
  const imports = makeHartImports(m, stateOffset);
  importsOf.set(m, { stateOffset, imports });
  return imports;
}

function makeHartImports(m: Mmu, stateOffset: number): HartImports {
  const S = new Int32Array(m.bus.memory.buffer, stateOffset, StateWord.FAULT + 1);
  const unit = m as unknown as Record<string, (a: number, v: number) => number | void>;
  const ops = MEMORY_OPS.map((name) => unit[name].bind(m));
  let pending: unknown;
  const memory = (op: number, addr: number, v: number): number => {
    try {
      return (ops[op](addr, v) as number) | 0;
    } catch (err) {
      pending = err;
      S[StateWord.FAULT] = 1;
      return 0;
    }
  };
  const env: Record<string, WebAssembly.ImportValue> = { mem: m.bus.memory, memory };
  for (const [name, fn] of Object.entries(ARITH_IMPORTS)) if (typeof fn === 'function') env[name] = fn;
  return {
    env,
    takeFault: () => {
      const err = pending;
      pending = undefined;
      S[StateWord.FAULT] = 0;
      return err;
    },
  };
}
