/**
 * The 64-bit machine counters (mcycle, minstret and their RV32 high halves):
 * values written by software read back exactly, including in the high word,
 * and carries propagate from the low word into the high one.
 */
import assert from 'node:assert/strict';
import { X, csr, li, pass, run, describeTiers } from './program';

const MCYCLE = 0xb00, MINSTRET = 0xb02, MCYCLEH = 0xb80, MINSTRETH = 0xb82;
const CYCLEH = 0xc80, INSTRET = 0xc02, INSTRETH = 0xc82;
const nop = 0x00000013;

describeTiers('CPU: 64-bit counters', () => {
  it('minstreth then minstret written read back exactly (no bits lost to double precision)', () => {
    const { vm, stop } = run([
      ...li(X.t0, 0xdeadbeef), csr('csrrw', 0, MINSTRETH, X.t0),
      ...li(X.t0, 0x12345678), csr('csrrw', 0, MINSTRET, X.t0),
      csr('csrrs', X.a0, MINSTRET, 0), // the write suppressed its own increment
      csr('csrrs', X.a1, MINSTRETH, 0),
      csr('csrrs', X.a2, INSTRET, 0), // the unprivileged alias: one instruction later
      csr('csrrs', X.a3, INSTRETH, 0),
      ...pass(),
    ]);
    assert.equal(stop.kind, 'exit');
    assert.equal(vm.hart.x[X.a0] >>> 0, 0x12345678);
    assert.equal(vm.hart.x[X.a1] >>> 0, 0xdeadbeef);
    assert.equal(vm.hart.x[X.a2] >>> 0, 0x1234567a);
    assert.equal(vm.hart.x[X.a3] >>> 0, 0xdeadbeef);
  });

  it('carries from minstret into minstreth, and wraps the 64-bit counter to zero', () => {
    const { vm, stop } = run([
      ...li(X.t0, 0x7ffffffe), csr('csrrw', 0, MINSTRETH, X.t0),
      ...li(X.t0, 0xfffffffe), csr('csrrw', 0, MINSTRET, X.t0),
      nop, nop, // 0x7ffffffe_fffffffe -> ..._00000000 with a carry
      csr('csrrs', X.a0, MINSTRETH, 0),
      ...li(X.t0, -1), csr('csrrw', 0, MINSTRET, X.t0), csr('csrrw', 0, MINSTRETH, X.t0),
      nop, // 2^64 - 1 + 1 wraps
      csr('csrrs', X.a1, MINSTRET, 0),
      csr('csrrs', X.a2, MINSTRETH, 0),
      ...pass(),
    ]);
    assert.equal(stop.kind, 'exit');
    assert.equal(vm.hart.x[X.a0] >>> 0, 0x7fffffff);
    assert.equal(vm.hart.x[X.a1] >>> 0, 0);
    assert.equal(vm.hart.x[X.a2] >>> 0, 0);
  });

  it('mcycleh keeps every bit written while mcycle counts on', () => {
    const { vm, stop } = run([
      ...li(X.t0, 0x89abcdef), csr('csrrw', 0, MCYCLEH, X.t0),
      ...li(X.t0, 7), csr('csrrw', 0, MCYCLE, X.t0),
      csr('csrrs', X.a0, MCYCLE, 0),
      csr('csrrs', X.a1, MCYCLEH, 0),
      csr('csrrs', X.a2, CYCLEH, 0),
      ...pass(),
    ]);
    assert.equal(stop.kind, 'exit');
    assert.equal(vm.hart.x[X.a0] >>> 0, 7);
    assert.equal(vm.hart.x[X.a1] >>> 0, 0x89abcdef);
    assert.equal(vm.hart.x[X.a2] >>> 0, 0x89abcdef);
  });

  it('assigning cycleAdjust/instretAdjust restarts the counters from zero (snapshot restore)', () => {
    const { vm } = run([...li(X.t0, 0x1234), csr('csrrw', 0, MINSTRETH, X.t0), ...pass()]);
    const h = vm.hart;
    h.csr.instretAdjust = -h.retired;
    h.csr.cycleAdjust = -(h.retired + h.idleCycles);
    assert.equal(h.csr.read(MINSTRET), 0);
    assert.equal(h.csr.read(MINSTRETH), 0);
    assert.equal(h.csr.read(MCYCLEH), 0);
  });
});
