/**
 * What generated WebAssembly imports from its hart ("env"): the bus's memory, the
 * memory unit's slow paths as one `memory(op, address, value)` function, and the
 * `A.*` helpers. When the memory unit throws, the import keeps what it threw, sets
 * the hart's FAULT word (which the code checks after the call, see
 * memory-access.ts) and returns 0; `takeFault` hands the signal over and clears it.
 */
import * as arith from '../../isa/arith';
import { StateWord } from '../hart-state';
import type { Mmu } from '../mmu';
import { MEMORY_OPS } from './memory-access';

const ARITH_IMPORTS = arith as unknown as Record<string, (a: number, b: number) => number>;

export interface HartImports {
  readonly env: Record<string, WebAssembly.ImportValue>;
  /** What the memory unit threw since the last call (the FAULT word was set), and clears it. */
  takeFault(): unknown;
}

export function hartImports(m: Mmu, stateOffset: number): HartImports {
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
