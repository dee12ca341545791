/**
 * The interpreter's templates (wasm/layout.ts, scripts/gen-interpreter.ts): the
 * built ones are what the generator makes now, and relocating one writes each
 * layout number in its 5 bytes and nothing else, so that harts of different
 * layouts in one process each run their own copy right.
 */
import assert from 'node:assert/strict';
import { INTERPRETER_VARIANTS, generateInterpreterTemplate, variantKey } from '../../emulator/cpu/wasm/interpreter';
import { INTERPRETER_TEMPLATES } from '../../emulator/cpu/wasm/interpreter.generated';
import { type InterpreterLayout, LayoutUse, layoutNumber, relocate, unpackTemplate } from '../../emulator/cpu/wasm/layout';
import { writeFixedLeb128 } from '../../emulator/util/leb128';
import { VirtMachine } from '../../emulator/system/virt-machine';
import { RAM, X, b, i, load, pass, s } from './program';

/** Reads a LEB128 at `at`: its value and length. */
function readLeb(buf: Uint8Array, at: number, signed: boolean): { value: number; length: number } {
  let value = 0, shift = 0, k = at, byte;
  do {
    byte = buf[k++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  if (signed && byte & 0x40) value -= 2 ** shift;
  return { value, length: k - at };
}

const layoutA: InterpreterLayout = {
  ramBase: 0x80000000, ramSize: 128 << 20, memoryPages: 2315, state: 128 << 20, watchLines: (128 << 20) + 0x8000, codeLines: (128 << 20) + 0x100, fetchTlb: (128 << 20) + 0x40000,
};
const layoutB: InterpreterLayout = {
  ramBase: 0x40000000, ramSize: 4 << 20, memoryPages: 80, state: (4 << 20) + 64, watchLines: (4 << 20) + 0x2000, codeLines: (4 << 20) + 0x900, fetchTlb: (4 << 20) + 0x3000,
};

describe('WebAssembly interpreter templates', () => {
  it('writes any int32 or uint32 in exactly five bytes that read back', () => {
    const buf = new Uint8Array(5);
    for (const v of [0, 1, 63, 64, 127, 128, 0x7fffffff, -1, -64, -65, -0x80000000]) {
      assert.equal(writeFixedLeb128(buf, 0, v, true), 5);
      assert.deepEqual(readLeb(buf, 0, true), { value: v, length: 5 }, `signed ${v}`);
    }
    for (const v of [0, 5, 0x80000000, 0xffffffff, 134217728]) {
      writeFixedLeb128(buf, 0, v, false);
      assert.deepEqual(readLeb(buf, 0, false), { value: v, length: 5 }, `unsigned ${v}`);
    }
  });

  it('are built from the current generator, one per variant', () => {
    assert.deepEqual(Object.keys(INTERPRETER_TEMPLATES).sort(), INTERPRETER_VARIANTS.map(variantKey).sort());
    for (const variant of INTERPRETER_VARIANTS) {
      const built = unpackTemplate(INTERPRETER_TEMPLATES[variantKey(variant)]);
      const fresh = generateInterpreterTemplate(variant);
      assert.deepEqual(built.bytes, fresh.bytes, `${variantKey(variant)}: stale (node out/scripts/gen-interpreter.js)`);
      assert.deepEqual(
        [...built.relocations].sort((p, q) => p.at - q.at),
        [...fresh.relocations].sort((p, q) => p.at - q.at),
      );
    }
  });

  it('relocate each layout number into its placeholder and change nothing else', () => {
    for (const variant of INTERPRETER_VARIANTS) {
      const t = generateInterpreterTemplate(variant);
      assert.ok(t.relocations.length > 50, 'register accesses are relocated');
      const a = relocate(t, layoutA), bb = relocate(t, layoutB);
      const patched = new Set<number>();
      for (const r of t.relocations) {
        for (let k = 0; k < 5; k++) patched.add(r.at + k);
        const signed = r.use === LayoutUse.Const;
        for (const [bytes, layout] of [[a, layoutA], [bb, layoutB]] as const) {
          assert.deepEqual(readLeb(bytes, r.at, signed), { value: layoutNumber(layout, r.field, r.add, r.shift, r.use), length: 5 });
        }
      }
      for (let k = 0; k < t.bytes.length; k++) if (!patched.has(k)) assert.equal(a[k], t.bytes[k], `byte ${k} changed`);
      for (const bytes of [a, bb]) new WebAssembly.Module(bytes); // (throws on invalid code)
    }
  });

  it('run harts of different layouts in one process, each on its own RAM', () => {
    // A loop summing 1..n into a0, then a word stored at the end of RAM and read back.
    const run = (ramMiB: number) => {
      const vm = new VirtMachine({ ramMiB, tier: 'interpreter', interpreter: 'wasm' });
      const top = RAM + ramMiB * (1 << 20) - 4;
      load(vm, RAM, [
        i('addi', X.t0, 0, 1000),
        i('add', X.a0, X.a0, X.t0),
        i('addi', X.t0, X.t0, -1),
        b('bne', X.t0, 0, -8),
        s('sw', X.a0, X.a1, 0),
        i('lw', X.a2, X.a1, 0),
        ...pass(),
      ]);
      vm.hart.reset(RAM);
      vm.hart.x[X.a1] = top | 0;
      assert.equal(vm.hart.interpreter, 'wasm');
      vm.run(100_000);
      assert.equal(vm.bus.read(top, 4) | 0, vm.hart.x[X.a0]);
      return { sum: vm.hart.x[X.a0], back: vm.hart.x[X.a2], retired: vm.hart.retired };
    };
    const small = run(2), large = run(64);
    assert.deepEqual(small, large);
    assert.equal(small.sum, 500500);
    assert.equal(small.back, 500500);
  });
});
