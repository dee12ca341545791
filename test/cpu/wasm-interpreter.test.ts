/**
 * The WebAssembly interpreter (emulator/cpu/wasm/interpreter.ts) against the
 * JavaScript one, on the paths that are its own: budgets ending anywhere (straight
 * code runs unchecked far from a budget's end), straight code running into the next
 * page (the page-end marker), in-page branches, breakpoints (marked entries), traps
 * it leaves to JavaScript, and decoded pages beyond the bus's room (plain arrays,
 * run by the JavaScript interpreter).
 */
import assert from 'node:assert/strict';
import { Cause } from '../../emulator/cpu/constants';
import { Bus } from '../../emulator/bus/bus';
import { Hart, StopReason, type InterpreterKind } from '../../emulator/cpu/hart';
import { VirtMachine } from '../../emulator/system/virt-machine';
import { RAM, X, b, csr, i, jal, li, load, pass } from './program';

/** A loop whose body is straight code across the boundary of RAM's first two pages. */
const BODY_AT = 0xfc0;
function program(iterations: number): { at: number; words: number[] }[] {
  const body: number[] = [];
  for (let k = 0; k < 40; k++) body.push(i('addi', X.a1 + (k % 4), X.a1 + (k % 4), k + 1));
  body.push(i('addi', X.t0, X.t0, -1));
  body.push(b('bne', X.t0, 0, -4 * (body.length)));
  return [
    { at: RAM, words: [...li(X.t0, iterations), jal(0, BODY_AT - 8)] }, // (jal is pc-relative)
    { at: RAM + BODY_AT, words: [...body, ...pass()] },
  ];
}

function machine(kind: InterpreterKind, parts: { at: number; words: number[] }[], ramMiB = 4): VirtMachine {
  const vm = new VirtMachine({ ramMiB, tier: 'interpreter', interpreter: kind });
  for (const p of parts) load(vm, p.at, p.words);
  vm.hart.reset(RAM);
  return vm;
}

const state = (vm: VirtMachine) => ({ retired: vm.hart.retired, pc: vm.hart.pc, x: [...vm.hart.x.slice(0, 32)], stop: vm.hart.stopReason });

describe('WebAssembly interpreter', () => {
  it('runs the interpreter tier (the JavaScript one on request)', () => {
    assert.equal(machine('wasm', []).hart.interpreter, 'wasm');
    assert.equal(machine('js', []).hart.interpreter, 'js');
  });

  it('finds room for every hart of a bus built for several: state block, fetch TLB, decoded pages', () => {
    const bus = new Bus(8 << 20, RAM, 4);
    const harts = [0, 1, 2, 3].map((id) => new Hart(bus, id, { time: () => 0 }, { tier: 'interpreter' }));
    for (const h of harts) {
      assert.equal(h.interpreter, 'wasm', `hart ${h.hartId}`);
      assert.equal(h.mmu.fetchTlb.buffer, bus.memory.buffer);
    }
    assert.ok(harts[0].mmu.code.arenaBase >= 0);
  });

  it('ends every budget exactly where the JavaScript interpreter does, in straight code across pages too', () => {
    const parts = program(300);
    const w = machine('wasm', parts), j = machine('js', parts);
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 3000;
    for (let k = 0; k < 200 && w.hart.retired < 12_000; k++) {
      const budget = 1 + next();
      w.hart.run(budget);
      j.hart.run(budget);
      assert.deepEqual(state(w), state(j), `after run ${k} (budget ${budget})`);
    }
    assert.equal(w.run(100_000).kind, 'exit');
    assert.deepEqual(w.hart.x[X.a1], (300 * (1 + 5 + 9 + 13 + 17 + 21 + 25 + 29 + 33 + 37)) | 0);
  });

  it('stops at a breakpoint on either page, before the instruction, with the same count', () => {
    const parts = program(5);
    for (const bp of [RAM + BODY_AT + 8, RAM + 0x1000 + 4]) {
      const w = machine('wasm', parts), j = machine('js', parts);
      for (const vm of [w, j]) vm.hart.breakpoints.add(bp);
      for (let hit = 0; hit < 3; hit++) {
        for (const vm of [w, j]) {
          if (hit > 0) vm.hart.step(); // off the breakpoint
          vm.hart.run(100_000);
        }
        assert.equal(w.hart.stopReason, StopReason.Breakpoint);
        assert.equal(w.hart.pc, bp >>> 0);
        assert.deepEqual(state(w), state(j), `hit ${hit} of 0x${bp.toString(16)}`);
      }
    }
  });

  it('leaves traps to JavaScript: a misaligned branch target and a fetch outside RAM', () => {
    const handler = RAM + 0x800;
    const record = [csr('csrrs', X.a2, 0x342, 0), csr('csrrs', X.a3, 0x343, 0), csr('csrrs', X.a4, 0x341, 0), ...pass()];
    const setup = [...li(X.t1, handler), csr('csrrw', 0, 0x305, X.t1)];
    const cases = [
      // beq x0, x0, +6: the target is not on a 4-byte boundary.
      { words: [...setup, i('addi', X.a0, 0, 1), b('beq', 0, 0, 6)], cause: Cause.InsnMisaligned, tval: RAM + 16 + 6, epc: RAM + 16 },
      // jalr to address 0x100 (no RAM there).
      { words: [...setup, i('addi', X.a0, 0, 0x100), i('jalr', 0, X.a0, 0)], cause: Cause.InsnAccessFault, tval: 0x100, epc: -1 },
    ];
    for (const c of cases) {
      const parts = [{ at: RAM, words: c.words }, { at: handler, words: record }];
      const w = machine('wasm', parts), j = machine('js', parts);
      assert.equal(w.run(1000).kind, 'exit');
      assert.equal(j.run(1000).kind, 'exit');
      assert.equal(w.hart.x[X.a2], c.cause);
      assert.equal(w.hart.x[X.a3] >>> 0, c.tval >>> 0);
      if (c.epc !== -1) assert.equal(w.hart.x[X.a4] >>> 0, c.epc >>> 0);
      assert.deepEqual(state(w), state(j));
    }
  });

  it('runs code whose decoded page did not fit in the bus memory (the JavaScript interpreter takes over)', () => {
    const parts = program(50);
    const w = machine('wasm', parts, 8);
    // Use up the room for decoded pages with pages of the upper 4 MiB.
    const code = w.hart.mmu.code;
    for (let o = 4 << 20; o < 8 << 20; o += 4096) code.page(o);
    assert.equal(code.page(0).arenaIndex, -1, 'page 0 decoded into a plain array');
    const j = machine('js', parts, 8);
    assert.equal(w.run(100_000).kind, 'exit');
    assert.equal(j.run(100_000).kind, 'exit');
    assert.deepEqual(state(w), state(j));
  });
});
