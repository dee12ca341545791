import assert from 'node:assert/strict';
import { VirtMap, plicContext, virtioSlot } from '../../emulator/devices/virt-map';
import { CLINT_SIZE } from '../../emulator/devices/clint';
import { PLIC_SIZE } from '../../emulator/devices/plic';
import { UART_SIZE } from '../../emulator/devices/uart';
import { SIFIVE_TEST_SIZE } from '../../emulator/devices/sifive-test';
import { Bus } from '../../emulator/bus/bus';

describe('VirtMap', () => {
  it('places the devices at the QEMU virt addresses', () => {
    assert.equal(VirtMap.TEST.base, 0x100000);
    assert.equal(VirtMap.CLINT.base, 0x2000000);
    assert.equal(VirtMap.PLIC.base, 0x0c000000);
    assert.equal(VirtMap.UART0.base, 0x10000000);
    assert.equal(VirtMap.UART0.irq, 10);
    assert.equal(VirtMap.RAM.base, 0x80000000);
  });

  it('agrees with the device window sizes', () => {
    assert.equal(VirtMap.CLINT.size, CLINT_SIZE);
    assert.equal(VirtMap.PLIC.size, PLIC_SIZE);
    assert.equal(VirtMap.UART0.size, UART_SIZE);
    assert.equal(VirtMap.TEST.size, SIFIVE_TEST_SIZE);
  });

  it('numbers virtio slots 0..7 at 0x10001000 + 0x1000*i with IRQs 1..8', () => {
    assert.deepEqual(virtioSlot(0), { base: 0x10001000, size: 0x1000, irq: 1 });
    assert.deepEqual(virtioSlot(7), { base: 0x10008000, size: 0x1000, irq: 8 });
    assert.throws(() => virtioSlot(8), RangeError);
  });

  it('gives context 2h to M-mode and 2h+1 to S-mode', () => {
    assert.equal(plicContext(0, 'M'), 0);
    assert.equal(plicContext(0, 'S'), 1);
    assert.equal(plicContext(3, 'S'), 7);
  });

  it('maps every window on one bus without overlap', () => {
    const bus = new Bus(4096, VirtMap.RAM.base);
    const dummy = { name: 'x', read: () => 0, write: () => undefined };
    for (const w of [VirtMap.TEST, VirtMap.CLINT, VirtMap.PLIC, VirtMap.UART0]) bus.map(w.base, w.size, dummy);
    for (let i = 0; i < VirtMap.VIRTIO.count; i++) bus.map(virtioSlot(i).base, virtioSlot(i).size, dummy);
    assert.equal(bus.mmioRegions.length, 12);
  });
});
