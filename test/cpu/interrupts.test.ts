/**
 * Interrupt-pending bits and single-stepping into interrupts:
 * - CSRRS/CSRRC on mip work on the software-writable bits only, so a device line
 *   (SEIP from the PLIC) that reads as pending is not latched into mip by them;
 * - Hart.step() takes a pending interrupt as a step of its own, leaving the handler's
 *   first instruction for the next step.
 */
import assert from 'node:assert/strict';
import { Irq } from '../../emulator/cpu/constants';
import { RAM, X, csr, i, li, machine, pass, run, describeTiers } from './program';

const MSTATUS = 0x300, MIE = 0x304, MTVEC = 0x305, MIP = 0x344, MCAUSE = 0x342;
const SSIP = 1 << 1, SEIP = 1 << 9, MSIP = 1 << 3;

describeTiers('CPU: interrupt-pending bits', () => {
  it('csrrs/csrrc on mip do not write a device line\'s pending bit back as a software bit', () => {
    const vm = machine([
      ...li(X.t0, SSIP),
      csr('csrrs', X.a0, MIP, X.t0), // reads SEIP (line) | writes SSIP
      csr('csrrc', X.a1, MIP, 0 /* x0: read only */),
      ...li(X.t1, SSIP), csr('csrrc', 0, MIP, X.t1), // clear SSIP again
      ...pass(),
    ]);
    const sei = vm.hart.irqLine(Irq.SEI);
    sei.set(true);
    vm.run(3); // li (2 words) + csrrs
    assert.equal(vm.hart.x[X.a0] & SEIP, SEIP, 'the line reads as pending');
    sei.set(false);
    const stop = vm.run(100);
    assert.equal(stop.kind, 'exit');
    assert.equal(vm.hart.x[X.a1] >>> 0, SSIP, 'after the line drops, only the software SSIP remains');
    assert.equal(vm.hart.csr.mip, 0, 'SEIP was not latched by the read-modify-write');
  });

  it('csrrs on mip still sets software-writable bits (SEIP written by M-mode reads as pending)', () => {
    const { vm, stop } = run([
      ...li(X.t0, SEIP | SSIP), csr('csrrs', 0, MIP, X.t0),
      csr('csrrs', X.a0, MIP, 0),
      ...pass(),
    ]);
    assert.equal(stop.kind, 'exit');
    assert.equal(vm.hart.x[X.a0] >>> 0, SEIP | SSIP);
  });
});

describeTiers('CPU: stepping into an interrupt', () => {
  it('takes a pending interrupt as one step, then executes the handler\'s first instruction', () => {
    const handler = RAM + 0x100;
    const nop = i('addi', 0, 0, 0);
    const vm = machine([
      ...li(X.t0, handler), csr('csrrw', 0, MTVEC, X.t0),
      ...li(X.t0, MSIP), csr('csrrw', 0, MIE, X.t0),
      nop, nop,
    ]);
    vm.run(6);
    // Raise the machine software interrupt line and enable interrupts, then step.
    assert.equal(vm.hart.pc >>> 0, RAM + 24);
    vm.hart.irqLine(Irq.MSI).set(true);
    vm.hart.csr.write(MSTATUS, 1 << 3);
    // handler: csrrs a0, mcause, x0
    vm.bus.loadBytes(handler, new Uint8Array(new Uint32Array([csr('csrrs', X.a0, MCAUSE, 0)]).buffer));
    const retired = vm.hart.retired;
    vm.hart.step();
    assert.equal(vm.hart.pc >>> 0, handler, 'the step entered the handler');
    assert.equal(vm.hart.retired, retired, 'and executed nothing there yet');
    assert.equal(vm.hart.x[X.a0], 0);
    vm.hart.step();
    assert.equal(vm.hart.pc >>> 0, handler + 4);
    assert.equal(vm.hart.x[X.a0] >>> 0, 0x80000003, 'the next step ran the handler\'s first instruction');
  });
});
