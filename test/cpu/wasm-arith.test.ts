/**
 * The `A.*` helpers written inline in WebAssembly (emulator/cpu/wasm/arith.ts)
 * against their JavaScript definitions (emulator/isa/arith.ts): the M extension's
 * high products and division rules, on edge values and random pairs.
 */
import assert from 'node:assert/strict';
import * as arith from '../../emulator/isa/arith';
import { FunctionBuilder } from '../../emulator/cpu/wasm/builder';
import { INLINE_ARITH, emitArith } from '../../emulator/cpu/wasm/arith';
import { encodeModule } from '../../emulator/cpu/wasm/encoder';

/** `f(a, b)` for one helper, as a WebAssembly function of its own. */
function compiled(name: string): (a: number, b: number) => number {
  const f = new FunctionBuilder();
  emitArith(f, name, [() => f.get(0), () => f.get(1)], 2, 3);
  const bytes = encodeModule({
    types: [{ params: 2, results: 1 }],
    imports: [],
    memoryPages: 1,
    funcs: [{ type: 0, locals: 2, body: f.body, export: 'run' }],
  });
  const env = { mem: new WebAssembly.Memory({ initial: 1, maximum: 1 }) };
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env }).exports.run as (a: number, b: number) => number;
}

describe('the A.* helpers in WebAssembly', () => {
  const edges = [0, 1, -1, 2, -2, 3, 7, -7, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff, 0x10000, -0x10000, 0xffff, 0x12345678, -0x12345678];
  let seed = 0x2545f491;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) | 0);
  const pairs: [number, number][] = [];
  for (const a of edges) for (const b of edges) pairs.push([a, b]);
  for (let k = 0; k < 2000; k++) pairs.push([random(), random() >> (k % 31)]);

  it('covers every helper the sem strings call', () => {
    const helpers = Object.keys(arith).filter((k) => typeof (arith as Record<string, unknown>)[k] === 'function').sort();
    assert.deepEqual([...INLINE_ARITH].sort(), helpers);
  });

  for (const name of INLINE_ARITH) {
    it(`${name} gives what arith.ts gives`, () => {
      const js = (arith as unknown as Record<string, (a: number, b: number) => number>)[name];
      const wasm = compiled(name);
      for (const [a, b] of pairs) assert.equal(wasm(a, b), js(a, b), `${name}(${a}, ${b})`);
    });
  }
});
