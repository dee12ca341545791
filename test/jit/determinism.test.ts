/**
 * Determinism across execution tiers: every program of the corpus (test/programs)
 * and every benchmark (bench/programs, for its first instructions) runs under the
 * interpreter and under the JIT — with a hot threshold low enough that nearly all
 * of it runs compiled — and must retire the same instructions at the same virtual
 * times: identical UART output, stop, retired count, cycles, pc, registers and
 * trap CSRs, with regions compiled by the WebAssembly backend and, in a third run,
 * by the JavaScript one. Regions are merged early (see JitOptions.mergeCrossings),
 * so that path runs too. The interpreter tier runs on the WebAssembly interpreter,
 * and in a fourth run on the JavaScript one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { buildAll, CROSS_GCC, listPrograms } from '../../scripts/build-programs';
import type { InterpreterKind, Tier } from '../../emulator/cpu/hart';
import { BareMetalRuntime } from '../../emulator/system/runtime';
import { requireTool } from '../support/tools';

interface Outcome {
  stop: string;
  output: string;
  retired: number;
  cycles: number;
  pc: number;
  x: number[];
  csrs: number[];
  compiles: number;
  wasmCompiles: number;
  merges: number;
  interpreter: InterpreterKind;
}

function runProgram(elf: Uint8Array, tier: Tier, maxInsns: number, slice: number, wasm = true): Outcome {
  const rt = BareMetalRuntime.fromElfBytes(elf, { tier, jit: { hotThreshold: 64, chunk: 64, mergeCrossings: 2_000, wasm }, interpreter: wasm ? 'wasm' : 'js' });
  let output = '';
  rt.on('output', (t: string) => (output += t));
  let stop = rt.machine.run(Math.min(slice, maxInsns));
  let left = maxInsns - rt.hart.retired;
  while (stop.kind === 'limit' && left > 0) {
    stop = rt.machine.run(Math.min(slice, left));
    left = maxInsns - rt.hart.retired;
  }
  rt.flushOutput();
  const h = rt.hart;
  const c = h.csr;
  return {
    stop: JSON.stringify(stop),
    output,
    retired: h.retired,
    cycles: rt.machine.cycles,
    pc: h.pc >>> 0,
    x: [...h.x.slice(0, 32)],
    csrs: [c.mstatus, c.mepc, c.mcause, c.mtval, c.sepc, c.scause, c.stval, c.satp, h.priv],
    compiles: h.jitStats?.compiles ?? 0,
    wasmCompiles: h.jitStats?.wasmCompiles ?? 0,
    merges: h.jitStats?.merges ?? 0,
    interpreter: h.interpreter,
  };
}

describe('determinism across tiers (interpreter vs JIT)', function () {
  this.timeout(600_000);
  const elfs = new Map<string, Uint8Array>();
  const programs = listPrograms();

  before(async function () {
    requireTool(this, CROSS_GCC);
    const names = programs.map((p) => p.name);
    const paths = await buildAll({ names, jobs: 2 });
    names.forEach((n, i) => elfs.set(n, fs.readFileSync(paths[i])));
  });

  for (const p of programs) {
    // The corpus runs to its end; benchmarks for their first 12 M instructions.
    const max = p.kind === 'bench' ? 12_000_000 : 50_000_000;
    it(`${p.name}: same output, instructions, time and state under both tiers`, () => {
      const elf = elfs.get(p.name)!;
      // The same slices for all (odd-sized, so budgets end inside compiled code and
      // inside straight code): a slice boundary is where the machine re-reads timer deadlines.
      const a = runProgram(elf, 'interpreter', max, 99_991);
      const ajs = runProgram(elf, 'interpreter', max, 99_991, false);
      assert.equal(a.interpreter, 'wasm', 'the interpreter tier runs on the WebAssembly interpreter');
      assert.equal(ajs.interpreter, 'js');
      const j = runProgram(elf, 'jit', max, 99_991);
      const js = runProgram(elf, 'jit', max, 99_991, false);
      assert.ok(j.compiles > 0 && js.compiles > 0, 'the JIT compiled code');
      assert.equal(js.wasmCompiles, 0, 'PVLAB_JIT_BACKEND=js: JavaScript only');
      assert.equal(j.wasmCompiles, j.compiles, 'every region WebAssembly');
      // vmbench's bytecode cases become hot at different times: their regions get merged.
      if (p.name === 'vmbench') assert.ok(j.merges > 0 && js.merges > 0, 'regions of one page were merged');
      const same = (o: Outcome) => ({ ...o, compiles: 0, wasmCompiles: 0, merges: 0, interpreter: 'any' });
      assert.deepEqual(same(ajs), same(a), 'JavaScript interpreter');
      assert.deepEqual(same(j), same(a), 'WebAssembly backend');
      assert.deepEqual(same(js), same(a), 'JavaScript backend');
    });
  }
});
