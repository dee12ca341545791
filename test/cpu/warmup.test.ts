/**
 * The interpreter's warm-up (emulator/cpu/warmup.ts): it runs every fast-mode
 * instruction of the table on a new JIT-tier hart whose cold code runs on the
 * JavaScript interpreter and leaves no trace a program could see; on a bus where
 * code has already run it does nothing.
 */
import assert from 'node:assert/strict';
import { Hart } from '../../emulator/cpu/hart';
import { decode } from '../../emulator/isa/decode';
import { INSTRUCTIONS } from '../../emulator/isa/table';
import { warmUpProgram } from '../../emulator/cpu/warmup';
import { VirtMachine } from '../../emulator/system/virt-machine';
import { RAM, X, i, load, pass } from './program';

describe('interpreter warm-up', () => {
  it('runs every instruction a program can run in fast mode', () => {
    const names = new Set(warmUpProgram().map((w) => decode(w).def?.name));
    const missing = INSTRUCTIONS.filter((d) => !d.sync && !names.has(d.name)).map((d) => d.name);
    assert.deepEqual(missing, []);
    assert.ok(!names.has(undefined), 'no illegal words');
  });

  it('leaves a new JIT-tier machine as if nothing had run: RAM, registers, count, decoded pages, counters', () => {
    const vm = new VirtMachine({ ramMiB: 4, tier: 'jit', interpreter: 'js' });
    const h = vm.hart;
    assert.ok(vm.bus.ram.subarray(0, 8192).every((b) => b === 0), 'RAM untouched');
    assert.ok(h.x.every((v) => v === 0), 'registers zero');
    assert.equal(h.retired, 0);
    assert.equal(h.breakpoints.size, 0);
    assert.equal(h.mmu.code.pageCount, 0, 'no decoded page');
    assert.ok(h.mmu.code.counts.every((c) => c === 0), 'no block counts');
    assert.ok(h.mmu.code.codeLines.every((c) => c === 0), 'no code lines');
    assert.equal(h.mmu.reservation, -1);
  });

  it('does nothing on a bus where code has run (a hart added later)', () => {
    const vm = new VirtMachine({ ramMiB: 4, tier: 'jit', interpreter: 'js' });
    load(vm, RAM, [i('addi', X.a0, 0, 42), ...pass()]);
    vm.hart.reset(RAM);
    vm.hart.run(2);
    const before = vm.bus.ram.slice(0, 4096);
    const pages = vm.hart.mmu.code.pageCount;
    const late = new Hart(vm.bus, 1, vm, { tier: 'jit', interpreter: 'js' });
    assert.deepEqual(vm.bus.ram.slice(0, 4096), before, 'RAM untouched');
    assert.equal(vm.hart.mmu.code.pageCount, pages);
    assert.equal(late.retired, 0);
    assert.equal(vm.hart.x[X.a0], 42);
  });
});
