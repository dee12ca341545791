import assert from 'node:assert/strict';
import { Ns16550a } from '../../emulator/devices/uart';
import { FakeIrq } from './fake-irq';

const RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

function make() {
  const tx: number[] = [];
  const irq = new FakeIrq();
  const uart = new Ns16550a({ onTransmit: (b) => tx.push(b), irq });
  return { uart, tx, irq };
}

describe('Ns16550a', () => {
  it('transmits THR writes at once and always reports THRE|TEMT', () => {
    const { uart, tx } = make();
    for (const ch of 'hi\n') uart.write(THR, 1, ch.charCodeAt(0));
    assert.deepEqual(tx, [0x68, 0x69, 0x0a]);
    assert.equal(uart.read(LSR, 1), 0x60);
  });

  it('uses only the low byte of a wider store', () => {
    const { uart, tx } = make();
    uart.write(THR, 4, 0x12345641);
    assert.deepEqual(tx, [0x41]);
  });

  it('queues received bytes in order and sets LSR.DR while any remain', () => {
    const { uart } = make();
    uart.receive([1, 2]);
    uart.receive(new Uint8Array([3]));
    assert.equal(uart.rxPending, 3);
    assert.equal(uart.read(LSR, 1) & 1, 1);
    assert.deepEqual([uart.read(RBR, 1), uart.read(RBR, 1), uart.read(RBR, 1)], [1, 2, 3]);
    assert.equal(uart.read(LSR, 1) & 1, 0);
    assert.equal(uart.read(RBR, 1), 0, 'empty RBR reads 0');
  });

  it('keeps a long paste intact (the FIFO grows)', () => {
    const { uart } = make();
    const data = Array.from({ length: 1000 }, (_, i) => i & 0xff);
    uart.receive(data);
    const got: number[] = [];
    while (uart.read(LSR, 1) & 1) got.push(uart.read(RBR, 1));
    assert.deepEqual(got, data);
  });

  it('switches DLL/DLM in and out with LCR.DLAB', () => {
    const { uart, tx } = make();
    uart.write(LCR, 1, 0x83);
    uart.write(DLL, 1, 0x0c);
    uart.write(DLM, 1, 0x01);
    assert.deepEqual(tx, [], 'divisor writes do not transmit');
    assert.equal(uart.read(DLL, 1), 0x0c);
    assert.equal(uart.read(DLM, 1), 0x01);
    uart.write(LCR, 1, 0x03);
    assert.equal(uart.read(LCR, 1), 0x03);
    assert.equal(uart.read(IER, 1), 0, 'IER untouched by DLM write');
    uart.write(LCR, 1, 0x80);
    assert.equal(uart.read(DLL, 1), 0x0c, 'divisor kept');
  });

  it('stores SCR and MCR; MSR shows a connected line; holes read 0', () => {
    const { uart } = make();
    uart.write(SCR, 1, 0xa5);
    assert.equal(uart.read(SCR, 1), 0xa5);
    uart.write(MCR, 1, 0xff);
    assert.equal(uart.read(MCR, 1), 0x1f);
    uart.write(MCR, 1, 0x00);
    assert.equal(uart.read(MSR, 1), 0xb0);
    assert.equal(uart.read(8, 1), 0);
    assert.equal(uart.read(0xff, 4), 0);
    uart.write(0x20, 4, 0xffffffff); // ignored, does not throw
  });

  it('loops THR back to RBR and MCR outputs to MSR in loopback mode', () => {
    const { uart, tx } = make();
    uart.write(MCR, 1, 0x10 | 0x0a); // LOOP | RTS | OUT2
    assert.equal(uart.read(MSR, 1) & 0xf0, 0x90, 'CTS and DCD');
    uart.write(MCR, 1, 0x10 | 0x05); // LOOP | DTR | OUT1
    assert.equal(uart.read(MSR, 1) & 0xf0, 0x60, 'DSR and RI');
    uart.write(THR, 1, 0x55);
    assert.deepEqual(tx, []);
    assert.equal(uart.read(RBR, 1), 0x55);
  });

  describe('interrupts', () => {
    it('reports none (0x01) with no enables and keeps the line low', () => {
      const { uart, irq } = make();
      uart.receive([1]);
      uart.write(THR, 1, 0x41);
      assert.equal(uart.read(IIR, 1), 0x01);
      assert.equal(irq.level, false);
    });

    it('raises received-data (0x04) while data is available, until drained', () => {
      const { uart, irq } = make();
      uart.write(IER, 1, 0x01);
      assert.equal(irq.level, false);
      uart.receive([7, 8]);
      assert.equal(irq.level, true);
      assert.equal(uart.read(IIR, 1), 0x04);
      uart.read(RBR, 1);
      assert.equal(irq.level, true, 'one byte left');
      uart.read(RBR, 1);
      assert.equal(irq.level, false);
      assert.equal(uart.read(IIR, 1), 0x01);
      assert.deepEqual(irq.edges, [true, false]);
    });

    it('gives received data priority over THR empty', () => {
      const { uart, irq } = make();
      uart.write(IER, 1, 0x03);
      assert.equal(irq.level, true, 'THRE fires on enabling ETBEI');
      uart.receive([9]);
      assert.equal(uart.read(IIR, 1), 0x04);
      assert.equal(uart.read(IIR, 1), 0x04, 'reading IIR does not clear RX data');
      uart.read(RBR, 1);
      assert.equal(uart.read(IIR, 1), 0x02, 'THRE still pending underneath');
      assert.equal(irq.level, false, 'and that read acknowledged it');
    });

    it('clears THRE by reading IIR, re-arms it by a THR write or an IER write', () => {
      const { uart, irq } = make();
      uart.write(IER, 1, 0x02);
      assert.equal(irq.level, true);
      assert.equal(uart.read(IIR, 1), 0x02);
      assert.equal(irq.level, false);
      assert.equal(uart.read(IIR, 1), 0x01, 'stays cleared');
      uart.write(THR, 1, 0x41);
      assert.equal(irq.level, true, 'THR write re-arms');
      assert.equal(uart.read(IIR, 1), 0x02);
      assert.equal(uart.read(IIR, 1), 0x01);
      uart.write(IER, 1, 0x02);
      assert.equal(uart.read(IIR, 1), 0x02, 'IER write re-arms');
      uart.write(IER, 1, 0x00);
      assert.equal(irq.level, false, 'disabling ETBEI drops the line');
    });

    it('does not clear THRE when IIR reports received data instead', () => {
      const { uart } = make();
      uart.write(IER, 1, 0x03);
      uart.receive([1]);
      assert.equal(uart.read(IIR, 1), 0x04);
      uart.read(RBR, 1);
      assert.equal(uart.read(IIR, 1), 0x02);
    });

    it('sets IIR bits 7..6 when FIFOs are enabled and FCR bit 1 flushes RX', () => {
      const { uart, irq } = make();
      uart.write(FCR, 1, 0x01);
      assert.equal(uart.read(IIR, 1), 0xc1);
      uart.write(IER, 1, 0x01);
      uart.receive([1, 2, 3]);
      assert.equal(uart.read(IIR, 1), 0xc4);
      uart.write(FCR, 1, 0x03);
      assert.equal(uart.rxPending, 0);
      assert.equal(irq.level, false);
      assert.equal(uart.read(IIR, 1), 0xc1, 'FIFO still enabled after the flush');
      uart.write(FCR, 1, 0x00);
      assert.equal(uart.read(IIR, 1), 0x01);
    });
  });

  it('reset restores power-on state and drops the line', () => {
    const { uart, irq } = make();
    uart.write(IER, 1, 0x01);
    uart.write(SCR, 1, 0x12);
    uart.receive([1]);
    assert.equal(irq.level, true);
    uart.reset();
    assert.equal(irq.level, false);
    assert.equal(uart.rxPending, 0);
    assert.equal(uart.read(IER, 1), 0);
    assert.equal(uart.read(SCR, 1), 0);
    assert.equal(uart.read(LSR, 1), 0x60);
  });
});
