/**
 * The JIT tier against the interpreter on small hand-made programs: exact
 * instruction budgets, precise traps in the middle of compiled code, self-modifying
 * code with and without fence.i, breakpoints and watchpoints in hot loops, the tier
 * switch and the memory report. Every program runs under both tiers and everything
 * observable must be identical.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Access } from '../../emulator/cpu/constants';
import { Hart, type Tier } from '../../emulator/cpu/hart';
import { WATCH_LOAD, WATCH_STORE } from '../../emulator/cpu/mmu';
import { VirtMachine } from '../../emulator/system/virt-machine';
import { EAGER_JIT, RAM, X, b, csr, i, jal, li, machine, pass, r, s, sys } from '../cpu/program';

const MTVEC = 0x305;

/** Everything a program can observe, for comparing tiers. */
function snapshot(vm: VirtMachine) {
  const h = vm.hart;
  return {
    pc: h.pc >>> 0,
    retired: h.retired,
    cycles: vm.cycles,
    x: [...h.x.slice(0, 32)],
    mepc: h.csr.mepc >>> 0,
    mcause: h.csr.mcause >>> 0,
    mtval: h.csr.mtval >>> 0,
    priv: h.priv,
    exit: vm.exit,
  };
}

/**
 * A loop from t2 = n down to 1 that stores t2 to word (t2 & 63) of `buf` (with
 * `load`, also adds the next word, read into a1, to a0), then passes.
 */
function bufferLoop(buf: number, n: number, load = false): number[] {
  const body = [i('andi', X.t1, X.t2, 63), i('slli', X.t1, X.t1, 2), r('add', X.t1, X.t1, X.t0), s('sw', X.t2, X.t1, 0)];
  if (load) body.push(i('lw', X.a1, X.t1, 4), r('add', X.a0, X.a0, X.a1));
  body.push(i('addi', X.t2, X.t2, -1));
  const count = n < 2048 ? [i('addi', X.t2, 0, n)] : li(X.t2, n);
  return [...li(X.t0, buf), ...count, ...body, b('bne', X.t2, 0, -4 * body.length), ...pass()];
}

/** Runs `words` under a tier in slices of `slice` instructions (exact budgets), up to `max`. */
function runTier(words: number[], tier: Tier, slice: number, max = 2_000_000): VirtMachine {
  const vm = machine(words, RAM, tier);
  let left = max;
  while (left > 0 && !vm.exit) {
    const before = vm.hart.retired;
    vm.hart.run(Math.min(slice, left));
    left -= Math.max(1, vm.hart.retired - before);
    if (vm.hart.stopReason !== 'limit' && !vm.exit) break;
  }
  return vm;
}

/** Calls `record` at every watchpoint hit of `vm`, before the machine's own handling. */
function onWatchHit(vm: VirtMachine, record: (hart: Hart, pa: number, access: Access, value: number) => void): void {
  const onWatch = vm.onWatch.bind(vm);
  vm.onWatch = (hart: Hart, pa: number, size: number, access: Access, value: number) => {
    record(hart, pa, access, value);
    onWatch(hart, pa, size, access, value);
  };
}

function compiled(vm: VirtMachine): boolean {
  const st = vm.hart.jitStats;
  return !!st && st.compiles > 0 && st.regionRuns > 0;
}

/** A loop that counts down t2 from `n`, mixing a0 and a2 on the way; then passes. */
function countingLoop(n: number): number[] {
  return [
    ...li(X.a0, 0),
    ...li(X.t2, n),
    // loop (word 4):
    i('addi', X.a0, X.a0, 3),
    r('xor', X.a2, X.a0, X.t2),
    r('add', X.a1, X.a1, X.a2),
    i('addi', X.t2, X.t2, -1),
    b('bne', X.t2, 0, -16),
    ...pass(),
  ];
}

describe('JIT tier against the interpreter', function () {
  this.timeout(60_000);

  it('compiles a hot loop and stops after exactly the budget it is given, for any budget', () => {
    const words = countingLoop(200_000);
    for (const slice of [1, 7, 127, 128, 129, 1000, 4099, 123_457]) {
      const a = runTier(words, 'interpreter', slice);
      const j = runTier(words, 'jit', slice);
      assert.deepEqual(snapshot(j), snapshot(a), `slice ${slice}`);
      assert.equal(a.exit?.code, 0);
      if (slice >= 1000) assert.ok(compiled(j), `slice ${slice}: the loop ran compiled`);
    }
  });

  it('stops exactly at every budget boundary inside compiled code (hart.run returns exactly `limit`)', () => {
    const words = countingLoop(1_000_000);
    const j = machine(words, RAM, 'jit');
    const a = machine(words, RAM, 'interpreter');
    j.hart.run(50_000);
    a.hart.run(50_000);
    for (let k = 1; k < 300; k += 7) {
      assert.equal(j.hart.run(k), k);
      assert.equal(a.hart.run(k), k);
      assert.deepEqual(snapshot(j), snapshot(a));
    }
    assert.ok(compiled(j));
  });

  it('takes a load access fault in the middle of a compiled loop precisely (pc, mtval, registers)', () => {
    const end = RAM + 4 * 1024 * 1024; // the machine has 4 MiB of RAM
    const handler = RAM + 0x200;
    const words = [
      ...li(X.t0, handler), csr('csrrw', 0, MTVEC, X.t0),
      ...li(X.t0, end - 4 * 3000), // 3000 loads, then one past the end of RAM
      // loop (word 5):
      i('lw', X.t1, X.t0, 0),
      i('addi', X.t0, X.t0, 4),
      r('add', X.a0, X.a0, X.t1),
      i('addi', X.a1, X.a1, 1),
      jal(0, -16),
    ];
    const prog = [...words, ...new Array(128 - words.length).fill(i('addi', 0, 0, 0)), ...pass()];
    for (const slice of [10_000, 777]) {
      const a = runTier(prog, 'interpreter', slice);
      const j = runTier(prog, 'jit', slice);
      assert.deepEqual(snapshot(j), snapshot(a));
      assert.ok(compiled(j));
      assert.equal(a.hart.csr.mcause, 5); // load access fault
      assert.equal(a.hart.csr.mtval >>> 0, end);
      assert.equal(a.hart.csr.mepc >>> 0, RAM + 5 * 4);
      assert.equal(a.hart.x[X.a1], 3000);
    }
  });

  it('raises a misaligned-target trap at a jalr in compiled code with the target in mtval', () => {
    const handler = RAM + 0x200;
    const words = [
      ...li(X.t0, handler), csr('csrrw', 0, MTVEC, X.t0),
      ...li(X.t3, RAM + 6 * 4), // the loop's address
      i('addi', X.t2, 0, 1000),
      // loop (word 6):
      i('addi', X.t2, X.t2, -1),
      b('bne', X.t2, 0, 8),
      i('addi', X.t3, X.t3, 2), // the 1000th time, the target becomes misaligned
      i('jalr', 0, X.t3, 0),
    ];
    const prog = [...words, ...new Array(128 - words.length).fill(0x13), ...pass()];
    const a = runTier(prog, 'interpreter', 100_000);
    const j = runTier(prog, 'jit', 100_000);
    assert.deepEqual(snapshot(j), snapshot(a));
    assert.ok(compiled(j));
    assert.equal(a.hart.csr.mcause, 0);
    assert.equal(a.hart.csr.mtval >>> 0, RAM + 6 * 4 + 2);
    assert.equal(a.hart.csr.mepc >>> 0, RAM + 9 * 4);
  });

  for (const fence of [false, true]) {
    it(`runs self-modifying code ${fence ? 'with' : 'without'} fence.i exactly as the interpreter does`, () => {
      const patched = i('addi', X.a0, X.a0, 100);
      const words = [
        ...li(X.t6, RAM + 6 * 4), // address of the patched instruction
        ...li(X.t5, patched),
        i('addi', X.t2, 0, 2000),
        i('addi', X.t4, 0, 1200),
        // loop (word 6):
        i('addi', X.a0, X.a0, 1),
        i('addi', X.t2, X.t2, -1),
        b('bne', X.t2, X.t4, fence ? 12 : 8),
        s('sw', X.t5, X.t6, 0), // patch the loop's first instruction
        ...(fence ? [0x0000100f] : []), // fence.i
        b('bne', X.t2, 0, fence ? -20 : -16),
        ...pass(),
      ];
      const a = runTier(words, 'interpreter', 50_000);
      const j = runTier(words, 'jit', 50_000);
      assert.deepEqual(snapshot(j), snapshot(a));
      assert.ok(compiled(j));
      // 800 iterations with +1 (the 800th patches the loop), then 1200 with +100.
      assert.equal(a.hart.x[X.a0], 800 + 1200 * 100);
      assert.equal(a.exit?.code, 0);
    });
  }

  it('stops at a breakpoint set inside a loop that already runs compiled, at the same instruction', () => {
    const words = countingLoop(100_000);
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(words, RAM, tier);
      vm.run(20_000);
      vm.hart.breakpoints.add(RAM + 6 * 4); // the add in the loop
      const stop = vm.run(1_000_000);
      const at = snapshot(vm);
      vm.hart.breakpoints.clear();
      vm.hart.step(); // leave the breakpoint
      const end = vm.run(10_000_000);
      return { stop, at, end, final: snapshot(vm), vm };
    });
    const [a, j] = results;
    assert.equal(a.stop.kind, 'breakpoint');
    assert.deepEqual(j.stop, a.stop);
    assert.deepEqual(j.at, a.at);
    assert.deepEqual(j.final, a.final);
    assert.equal(a.end.kind, 'exit');
    assert.ok(compiled(j.vm));
  });

  it('reports a watchpoint hit in a compiled loop at the same instruction and value', () => {
    const buf = RAM + 0x1000;
    const words = bufferLoop(buf, 2000); // (the loop at word 3)
    const hits = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(words, RAM, tier);
      const seen: Array<{ retired: number; pc: number; value: number }> = [];
      vm.run(3_000); // hot (and compiled under the JIT) before the watch is set
      vm.hart.mmu.addWatch(buf + 5 * 4, 4, WATCH_STORE);
      onWatchHit(vm, (hart, pa, access, value) => {
        seen.push({ retired: hart.retired, pc: hart.pc >>> 0, value });
      });
      const stop = vm.run(1_000_000);
      assert.equal(stop.kind, 'exit');
      return { seen, final: snapshot(vm), vm };
    });
    assert.ok(hits[0].seen.length > 10);
    assert.deepEqual(hits[1].seen, hits[0].seen);
    assert.deepEqual(hits[1].final, hits[0].final);
    assert.ok(compiled(hits[1].vm));
  });

  it('runs a hot loop compiled on a page that holds breakpoints elsewhere, and still stops at them', () => {
    // The breakpoints are on the page of the loop, at words the loop never runs; one
    // (word 10) is on the way out.
    const prog = countingLoop(100_000);
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(prog, RAM, tier);
      for (const k of [40, 41, 50, 10, 3]) vm.hart.breakpoints.add(RAM + k * 4);
      const stop = vm.run(10_000_000);
      const at = snapshot(vm);
      vm.hart.step();
      const end = vm.run(10_000_000);
      return { stop, at, end, final: snapshot(vm), vm };
    });
    const [a, j] = results;
    assert.deepEqual(a.stop, { kind: 'breakpoint', pc: RAM + 3 * 4 });
    assert.deepEqual(a.end, { kind: 'breakpoint', pc: RAM + 10 * 4 });
    assert.deepEqual(j.stop, a.stop);
    assert.deepEqual(j.at, a.at);
    assert.deepEqual(j.end, a.end);
    assert.deepEqual(j.final, a.final);
    const st = j.vm.hart.jitStats!;
    assert.ok(compiled(j.vm));
    assert.ok(st.interpreted < 20_000, `the loop ran compiled (${st.interpreted} instructions interpreted)`);
  });

  it('stops at a breakpoint on the second page of a region spanning a page boundary', () => {
    // A loop across the boundary at RAM + 0x1000, reached by a jump; it runs compiled first.
    const at = 1020; // word of the loop's head
    const prog = new Array<number>(at + 12).fill(0x13);
    prog.splice(0, 3, ...li(X.t2, 100_000), jal(0, (at - 2) * 4));
    prog.splice(at, 7,
      i('addi', X.a0, X.a0, 3), // 0xff0
      r('xor', X.a2, X.a0, X.t2), // 0xff4
      r('add', X.a1, X.a1, X.a2), // 0xff8
      i('addi', X.a3, X.a3, 1), // 0xffc
      i('addi', X.t2, X.t2, -1), // 0x1000
      r('add', X.a4, X.a4, X.a0), // 0x1004: the breakpoint
      b('bne', X.t2, 0, -24), // 0x1008
    );
    prog.splice(at + 7, 5, ...pass(), 0x13);
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(prog, RAM, tier);
      vm.run(50_000);
      vm.hart.breakpoints.add(RAM + 0x1004);
      const stops = [];
      for (let k = 0; k < 3; k++) {
        stops.push({ stop: vm.run(1_000_000), s: snapshot(vm) });
        vm.hart.step();
      }
      vm.hart.breakpoints.delete(RAM + 0x1004);
      const end = vm.run(10_000_000);
      return { stops, end, final: snapshot(vm), vm };
    });
    const [a, j] = results;
    assert.equal(a.stops[0].stop.kind, 'breakpoint');
    assert.deepEqual(j.stops, a.stops);
    assert.deepEqual(j.end, a.end);
    assert.deepEqual(j.final, a.final);
    assert.equal(a.end.kind, 'exit');
    assert.ok(compiled(j.vm));
  });

  it('moves breakpoints between runs and stops where the interpreter does', () => {
    const words = countingLoop(100_000);
    const plan: Array<[number[], number]> = [[[6], 2], [[5, 7], 3], [[], 0], [[4], 1], [[8], 2]];
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(words, RAM, tier);
      vm.run(30_000);
      const seen: unknown[] = [];
      for (const [bps, stops] of plan) {
        vm.hart.breakpoints.clear();
        for (const k of bps) vm.hart.breakpoints.add(RAM + k * 4);
        for (let n = 0; n < stops; n++) {
          seen.push(vm.run(1_000_000), snapshot(vm));
          vm.hart.step();
        }
        seen.push(vm.run(20_011), snapshot(vm));
      }
      vm.hart.breakpoints.clear();
      seen.push(vm.run(10_000_000), snapshot(vm));
      return { seen, vm };
    });
    assert.deepEqual(results[1].seen, results[0].seen);
    assert.ok(compiled(results[1].vm));
  });

  it('keeps a breakpoint on a word the program rewrites (the mark survives the store)', () => {
    const target = RAM + 0x100;
    const patched = i('addi', X.a0, X.a0, 7);
    const words = [
      ...li(X.t0, target),
      ...li(X.t1, patched),
      i('addi', X.t2, 0, 300),
      // loop (word 5):
      s('sw', X.t1, X.t0, 0), // rewrite the subroutine's first word
      jal(X.ra, target - (RAM + 6 * 4)),
      i('addi', X.t2, X.t2, -1),
      b('bne', X.t2, 0, -12),
      ...pass(),
    ];
    const prog = [...words, ...new Array(0x40 - words.length).fill(0x13), i('addi', X.a0, X.a0, 1), i('jalr', 0, X.ra, 0)];
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(prog, RAM, tier);
      vm.hart.breakpoints.add(target);
      const stops: unknown[] = [];
      for (let k = 0; k < 1000; k++) {
        const stop = vm.run(1_000_000);
        stops.push(stop, vm.hart.retired);
        if (stop.kind !== 'breakpoint') break;
        vm.hart.step();
      }
      return { stops, final: snapshot(vm) };
    });
    assert.equal(results[0].stops.length, 2 * 301);
    assert.deepEqual(results[1].stops, results[0].stops);
    assert.deepEqual(results[1].final, results[0].final);
    assert.equal(results[0].final.x[X.a0], 300 * 7);
  });

  it('stays in compiled code for accesses to a watched page that miss the watched 16-byte lines', () => {
    const buf = RAM + 0x1000;
    const words = bufferLoop(buf, 20_000, true); // (the loop at word 4)
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(words, RAM, tier);
      const seen: number[] = [];
      // Word 100 is never written; word 10 is, now and then; loads are watched at word 20.
      vm.hart.mmu.addWatch(buf + 100 * 4, 8, WATCH_STORE);
      vm.hart.mmu.addWatch(buf + 10 * 4, 4, WATCH_STORE);
      vm.hart.mmu.addWatch(buf + 20 * 4, 4, WATCH_LOAD);
      onWatchHit(vm, (hart, pa, access, value) => {
        seen.push(hart.retired, hart.pc >>> 0, pa, access, value);
      });
      const stop = vm.run(10_000_000);
      assert.equal(stop.kind, 'exit');
      return { seen, final: snapshot(vm), vm };
    });
    assert.equal(results[0].seen.length, 5 * 2 * Math.ceil(20_000 / 64));
    assert.deepEqual(results[1].seen, results[0].seen);
    assert.deepEqual(results[1].final, results[0].final);
    const st = results[1].vm.hart.jitStats!;
    // Only accesses to the lines of watched words leave compiled code (one region run
    // each, about): the stores to words 8-11 and the loads of words 20-23, in 4 of
    // every 64 iterations each; not the other accesses to the page.
    const lineAccesses = 2 * Math.ceil((20_000 * 4) / 64);
    assert.ok(st.regionRuns < lineAccesses + 100, `${st.regionRuns} region runs`);
  });

  it('reports watchpoint hits where the interpreter does as watchpoints come and go between runs', () => {
    // The loop stores to words 0-63 of buf; the watched span changes with each run.
    const buf = RAM + 0x1000;
    const words = bufferLoop(buf, 20_000);
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(words, RAM, tier);
      const seen: number[] = [];
      onWatchHit(vm, (hart, pa, access, value) => {
        seen.push(hart.retired, pa, value);
      });
      vm.run(30_000); // compiled, nothing watched
      const low = vm.hart.mmu.addWatch(buf + 3 * 4, 4, WATCH_STORE);
      vm.run(30_000);
      const high = vm.hart.mmu.addWatch(buf + 60 * 4, 4, WATCH_STORE); // a wider span
      vm.run(30_000);
      low();
      vm.run(30_000);
      high();
      const stop = vm.run(10_000_000);
      assert.equal(stop.kind, 'exit');
      return { seen, final: snapshot(vm), vm };
    });
    assert.ok(results[0].seen.length >= 3 * 20);
    assert.deepEqual(results[1].seen, results[0].seen);
    assert.deepEqual(results[1].final, results[0].final);
    assert.ok(compiled(results[1].vm));
  });

  it('takes interrupts at the same instructions (timer through the CLINT)', () => {
    // mtimecmp = 500 ticks; the handler counts in a3 and pushes mtimecmp on.
    const clint = 0x2000000;
    const handlerWords = [
      i('addi', X.a3, X.a3, 1),
      ...li(X.t5, clint + 0x4000),
      i('lw', X.t4, X.t5, 0),
      i('addi', X.t4, X.t4, 37),
      s('sw', X.t4, X.t5, 0),
      sys('mret'),
    ];
    const words = [
      ...li(X.t0, RAM + 0x400), csr('csrrw', 0, MTVEC, X.t0),
      ...li(X.t5, clint + 0x4000), i('addi', X.t4, 0, 500), s('sw', X.t4, X.t5, 0), s('sw', 0, X.t5, 4),
      ...li(X.t0, 1 << 7), csr('csrrw', 0, 0x304, X.t0), // mie.MTIE
      csr('csrrsi', 0, 0x300, 8), // mstatus.MIE
      ...countingLoop(300_000),
    ];
    const prog = [...words, ...new Array(256 - words.length).fill(0x13), ...handlerWords];
    // (Run in slices: the machine re-reads the timer deadline between slices, and
    // mtimecmp is written inside the first one.)
    const run = (tier: Tier) => {
      const vm = machine(prog, RAM, tier);
      let stop = vm.run(997);
      while (stop.kind === 'limit') stop = vm.run(997);
      return { stop, s: snapshot(vm), vm };
    };
    const a = run('interpreter');
    const j = run('jit');
    assert.equal(a.stop.kind, 'exit');
    assert.ok(a.vm.hart.x[X.a3] > 50, 'the timer fired many times');
    assert.deepEqual(j.s, a.s);
    assert.ok(compiled(j.vm));
  });

  /**
   * A loop on the first page calling a function two pages on (a region each), `calls`
   * times; the function loads from t0, which moves on by 4 each call from `from`,
   * and adds t0 to a0. With `patch`, the loop rewrites that add into a sub halfway.
   */
  function callsAcrossPages(calls: number, from: number, patch = false): number[] {
    const handler = RAM + 0x200;
    const callee = RAM + 0x2000;
    const main = [
      ...li(X.t0, handler), csr('csrrw', 0, MTVEC, X.t0),
      ...li(X.t0, from),
      ...li(X.t2, calls),
      ...li(X.t3, calls >> 1),
      ...li(X.t4, r('sub', X.a0, X.a0, X.t0)),
      ...li(X.t5, callee),
    ];
    const loop = main.length;
    main.push(
      jal(X.ra, callee - (RAM + 4 * loop)),
      ...(patch ? [b('bne', X.t2, X.t3, 8), s('sw', X.t4, X.t5, 8)] : []),
      i('addi', X.t2, X.t2, -1),
    );
    main.push(b('bne', X.t2, 0, 4 * (loop - main.length)));
    const body = [
      i('lw', X.t1, X.t0, 0),
      i('addi', X.t0, X.t0, 4),
      r('add', X.a0, X.a0, X.t0),
      i('addi', X.a1, X.a1, 1),
      i('jalr', 0, X.ra, 0),
    ];
    // The loop ends at the handler, which passes (a fault ends the program there too).
    const head = [...main, ...new Array(128 - main.length).fill(0x13), ...pass()];
    return [...head, ...new Array(0x800 - head.length).fill(0x13), ...body];
  }

  it('chains regions in WebAssembly (calls and returns between pages), with exact budgets', () => {
    const prog = callsAcrossPages(30_000, RAM + 0x10000);
    for (const slice of [100_000, 4099, 777, 129]) {
      const a = runTier(prog, 'interpreter', slice);
      const j = runTier(prog, 'jit', slice);
      assert.deepEqual(snapshot(j), snapshot(a), `slice ${slice}`);
      assert.equal(a.exit?.code, 0);
      assert.equal(a.hart.x[X.a1], 30_000);
      // 60,000 crossings between the two regions; the dispatcher sees few of them
      // (chaining is WebAssembly's: not under PVLAB_JIT_BACKEND=js).
      const st = j.hart.jitStats!;
      assert.ok(st.compiles >= 2);
      if (slice === 100_000 && st.wasmCompiles > 0) assert.ok(st.regionRuns < 2_000, `regionRuns ${st.regionRuns}`);
    }
  });

  it('takes a fault in a chained region precisely (the last region run names the instruction)', () => {
    const end = RAM + 4 * 1024 * 1024;
    // 20,000 calls load in RAM, the next loads past its end.
    const prog = callsAcrossPages(50_000, end - 4 * 20_000);
    for (const slice of [100_000, 1000]) {
      const a = runTier(prog, 'interpreter', slice);
      const j = runTier(prog, 'jit', slice);
      assert.deepEqual(snapshot(j), snapshot(a), `slice ${slice}`);
      assert.equal(a.hart.csr.mcause, 5);
      assert.equal(a.hart.csr.mtval >>> 0, end);
      assert.equal(a.hart.csr.mepc >>> 0, RAM + 0x2000);
      assert.equal(a.hart.x[X.a1], 20_000);
    }
  });

  it('chains with a breakpoint and a watchpoint set, and reports them where the interpreter does', () => {
    const prog = callsAcrossPages(30_000, RAM + 0x10000);
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(prog, RAM, tier);
      const hits: number[] = [];
      vm.run(50_000); // both regions compiled and chained under the JIT
      const runs = vm.hart.jitStats?.regionRuns ?? 0;
      // A breakpoint on the way out of the loop, a watchpoint on what call 20,001 loads.
      vm.hart.breakpoints.add(RAM + 4 * 120);
      onWatchHit(vm, (hart) => {
        hits.push(hart.retired);
      });
      vm.hart.mmu.addWatch(RAM + 0x10000 + 4 * 20_000, 4, WATCH_LOAD);
      const stop = vm.run(10_000_000);
      return { stop, hits, at: snapshot(vm), runs: (vm.hart.jitStats?.regionRuns ?? 0) - runs, wasm: (vm.hart.jitStats?.wasmCompiles ?? 0) > 0 };
    });
    const [a, j] = results;
    assert.equal(a.stop.kind, 'breakpoint');
    assert.equal(a.hits.length, 1);
    assert.deepEqual(j.stop, a.stop);
    assert.deepEqual(j.hits, a.hits);
    assert.deepEqual(j.at, a.at);
    if (j.wasm) assert.ok(j.runs < 1_000, `the dispatcher entered regions ${j.runs} times for 50,000 crossings`);
  });

  it('stops at a breakpoint set in chained code, steps on, and stops there again', () => {
    const prog = callsAcrossPages(30_000, RAM + 0x10000);
    const results = (['interpreter', 'jit'] as Tier[]).map((tier) => {
      const vm = machine(prog, RAM, tier);
      vm.run(50_000);
      vm.hart.breakpoints.add(RAM + 0x2000 + 8); // the callee's add
      const stops = [vm.run(1_000_000)];
      const at = snapshot(vm);
      vm.hart.step();
      stops.push(vm.run(1_000_000));
      return { stops, at, again: snapshot(vm) };
    });
    const [a, j] = results;
    assert.deepEqual(a.stops.map((st) => st.kind), ['breakpoint', 'breakpoint']);
    assert.deepEqual(j.stops, a.stops);
    assert.deepEqual(j.at, a.at);
    assert.deepEqual(j.again, a.again);
  });

  it('stops chaining into a region whose code the program rewrites', () => {
    const prog = callsAcrossPages(40_000, RAM + 0x10000, true);
    for (const slice of [100_000, 3001]) {
      const a = runTier(prog, 'interpreter', slice);
      const j = runTier(prog, 'jit', slice);
      assert.deepEqual(snapshot(j), snapshot(a), `slice ${slice}`);
      assert.equal(a.exit?.code, 0);
      // Adds of t0 (after its addi) for the first 20,001 calls (the loop patches after the call), subs after.
      let sum = 0;
      for (let k = 1; k <= 40_000; k++) sum = (k <= 20_001 ? sum + (RAM + 0x10000 + 4 * k) : sum - (RAM + 0x10000 + 4 * k)) | 0;
      assert.equal(a.hart.x[X.a0], sum);
      const st = j.hart.jitStats!;
      if (st.wasmCompiles > 0) assert.ok(st.compiles >= 3, 'the callee was compiled again');
    }
  });

  it('switches tiers between runs without changing the result', () => {
    const words = countingLoop(300_000);
    const a = machine(words, RAM, 'interpreter');
    a.run(10_000_000);
    const j = machine(words, RAM, 'jit');
    for (let k = 0; !j.exit; k++) {
      j.hart.tier = k % 2 ? 'interpreter' : 'jit';
      j.run(33_333);
    }
    assert.deepEqual(snapshot(j), snapshot(a));
  });

  it('compiles to JavaScript, with the same results, for a hart whose state found no room in its bus memory', () => {
    const words = countingLoop(200_000);
    const reference = runTier(words, 'jit', 1_000_000);
    const vm = machine(words, RAM, 'jit');
    while (vm.bus.allocate(256) !== undefined); // the room beside RAM used up
    const late = new Hart(vm.bus, 1, vm, { tier: 'jit', jit: EAGER_JIT });
    assert.equal(late.stateOffset, -1);
    late.reset(RAM);
    late.run(5_000_000);
    assert.deepEqual([...late.x.slice(0, 32)], [...reference.hart.x.slice(0, 32)]);
    assert.equal(late.retired, reference.hart.retired);
    const st = late.jitStats!;
    assert.ok(st.compiles > 0 && st.regionRuns > 0, 'ran compiled');
    assert.equal(st.wasmCompiles, 0, 'JavaScript regions only');
    if (process.env.PVLAB_JIT_BACKEND !== 'js') assert.ok(reference.hart.jitStats!.wasmCompiles > 0, 'the same program compiles to WebAssembly otherwise');
  });

  it('takes PVLAB_TIER from the environment in a process that loads only the system runtime', () => {
    const runtime = path.join(__dirname, '..', '..', 'emulator', 'system', 'system-runtime');
    const hart = path.join(__dirname, '..', '..', 'emulator', 'cpu', 'hart');
    const code = `require(${JSON.stringify(runtime)}); const h = require(${JSON.stringify(hart)}); process.stdout.write(h.defaultTier())`;
    const out = execFileSync(process.execPath, ['-e', code], { env: { ...process.env, PVLAB_TIER: 'interpreter' }, encoding: 'utf8' });
    assert.equal(out, 'interpreter');
  });

  it('has a tier option, a default, and no JIT state under the interpreter', () => {
    assert.equal(new VirtMachine({ ramMiB: 1, tier: 'interpreter' }).hart.tier, 'interpreter');
    assert.equal(new VirtMachine({ ramMiB: 1, tier: 'interpreter' }).hart.jitStats, undefined);
    assert.equal(new VirtMachine({ ramMiB: 1, tier: 'jit' }).hart.tier, 'jit');
  });

  it('reports memory per machine: RAM plus a small overhead that includes compiled code', () => {
    const vm = runTier(countingLoop(100_000), 'jit', 1_000_000);
    const m = vm.memoryUsage();
    assert.equal(m.ram, 4 * 1024 * 1024);
    assert.equal(m.total, m.ram + m.decode + m.jit + m.other);
    assert.ok(m.jit > 0, 'compiled code is counted');
    assert.ok(m.total - m.ram < m.ram / 8, `overhead ${m.total - m.ram} bytes`);
  });
});
