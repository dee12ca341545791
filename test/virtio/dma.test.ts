import assert from 'node:assert/strict';
import { Bus } from '../../emulator/bus/bus';
import { DmaFault, IommuDma, busDma, ramWindow } from '../../emulator/devices/dma';
import { MemoryBlockBackend } from '../../emulator/devices/virtio/block-backend';
import { VIRTIO_BLK_S_OK, VIRTIO_BLK_T_IN, VirtioBlk } from '../../emulator/devices/virtio/blk';
import { TimerQueue } from '../../emulator/devices/virtio/timers';
import { DEV_BASE, GuestDriver, RAM_BASE, readBytes } from './guest-driver';

describe('DMA ports', () => {
  it('busDma reaches RAM only and keeps decode caches informed', () => {
    const bus = new Bus(0x10000, RAM_BASE);
    const writes: [number, number][] = [];
    bus.onRamWrite = (off, n) => writes.push([off, n]);
    const dma = busDma(bus, 'vm0');
    dma.write(RAM_BASE + 0x100, Uint8Array.from([1, 2, 3]));
    assert.deepEqual(writes, [[0x100, 3]]);
    assert.deepEqual(Array.from(dma.read(RAM_BASE + 0xff, 5)), [0, 1, 2, 3, 0]);
    assert.deepEqual(Array.from(dma.read(RAM_BASE + 0xfffc, 4)), [0, 0, 0, 0], 'last word of RAM');
    assert.throws(() => dma.read(RAM_BASE + 0xfffe, 4), (e: unknown) => {
      assert.ok(e instanceof DmaFault);
      assert.equal(e.direction, 'read');
      assert.equal(e.address, RAM_BASE + 0xfffe);
      assert.equal(e.length, 4);
      assert.equal(e.message, 'DMA read of 4 bytes at 0x8000fffe refused (vm0): not RAM');
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    assert.throws(() => dma.write(0x1000_0000, new Uint8Array(1)), /DMA write of 1 byte at 0x10000000 refused/);
    assert.throws(() => dma.read(2 ** 40, 4), DmaFault, 'a 64-bit address');
    assert.throws(() => dma.read(-1, 4), DmaFault);
    assert.throws(() => dma.read(RAM_BASE, NaN), DmaFault);
    assert.equal(dma.allows?.(RAM_BASE, 0x10000, 'write'), true);
    assert.equal(dma.allows?.(RAM_BASE, 0x10001, 'read'), false);
    assert.equal(writes.length, 1, 'refused writes write nothing');
  });

  describe('IommuDma', () => {
    function setup() {
      const owner = new Bus(0x10000, RAM_BASE);
      const granter = new Bus(0x10000, RAM_BASE);
      const violations: DmaFault[] = [];
      const iommu = new IommuDma({ name: 'vm1 virtio-blk', onViolation: (f) => violations.push(f) });
      iommu.map(ramWindow(owner, { tag: 'ram' }));
      // Two pages granted by another VM, seen by the device at 0x4000_0000 (writable) and 0x4000_1000 (read-only).
      iommu.map(ramWindow(granter, { pa: RAM_BASE + 0x3000, gpa: 0x4000_0000, length: 0x1000, writable: true, tag: 'grant 2:5' }));
      iommu.map(ramWindow(granter, { pa: RAM_BASE + 0x7000, gpa: 0x4000_1000, length: 0x1000, writable: false, tag: 'grant 2:6' }));
      return { owner, granter, iommu, violations };
    }

    it('translates windows to their backing memory, also across window boundaries', () => {
      const { owner, granter, iommu, violations } = setup();
      iommu.write(RAM_BASE + 8, Uint8Array.from([9, 9]));
      assert.deepEqual(Array.from(owner.ram.subarray(8, 10)), [9, 9]);
      iommu.write(0x4000_0ffe, Uint8Array.from([7, 7]));
      assert.deepEqual(Array.from(granter.ram.subarray(0x3ffe, 0x4000)), [7, 7]);
      granter.ram.set([1, 2, 3], 0x7000);
      assert.deepEqual(Array.from(iommu.read(0x4000_0ffe, 5)), [7, 7, 1, 2, 3], 'a read spanning two grants');
      assert.equal(violations.length, 0);
      assert.equal(iommu.allows(0x4000_0000, 0x2000, 'read'), true);
      assert.equal(iommu.allows(0x4000_0000, 0x2000, 'write'), false);
    });

    it('refuses accesses outside its windows and writes to read-only grants, calling onViolation', () => {
      const { granter, iommu, violations } = setup();
      assert.throws(() => iommu.read(0x4000_2000, 1), DmaFault);
      assert.throws(() => iommu.write(0x4000_0ff0, new Uint8Array(0x20).fill(5)), /read-only \(grant 2:6\)/);
      assert.equal(granter.ram[0x3ff0], 0, 'a refused write writes nothing, not even its allowed part');
      assert.throws(() => iommu.read(RAM_BASE - 4, 8), /outside the device's DMA windows/);
      assert.equal(violations.length, 3);
      assert.equal(iommu.violations, 3);
      assert.deepEqual(violations.map((v) => v.direction), ['read', 'write', 'read']);
      assert.match(violations[0].message, /^DMA read of 1 byte at 0x40002000 refused \(vm1 virtio-blk\)/);
      // allows() is silent.
      assert.equal(iommu.allows(0x5000_0000, 4, 'read'), false);
      assert.equal(violations.length, 3);
    });

    it('unmaps windows (a revoked grant) and refuses overlapping or ill-fitting windows', () => {
      const { granter, iommu } = setup();
      assert.equal(iommu.unmapWhere((w) => w.tag === 'grant 2:5'), 1);
      assert.throws(() => iommu.read(0x4000_0000, 4), DmaFault);
      assert.equal(iommu.unmap(0x4000_1000, 0x1000), 1);
      assert.equal(iommu.windows.length, 1);
      assert.throws(() => iommu.map(ramWindow(granter, { pa: RAM_BASE, gpa: RAM_BASE + 0x8000, length: 0x1000 })), /overlaps/);
      assert.throws(() => iommu.map({ gpa: 0, length: 16, writable: true, memory: new Uint8Array(8), offset: 0 }), /does not fit/);
      assert.throws(() => ramWindow(granter, { pa: RAM_BASE + 0xf000, length: 0x2000 }), RangeError);
      iommu.clear();
      assert.equal(iommu.windows.length, 0);
    });

    it('a device behind the IOMMU that is pointed outside its windows: violation reported, device NEEDS_RESET, no exception', () => {
      const { owner, granter, iommu, violations } = setup();
      const timers = new TimerQueue();
      const dev = new VirtioBlk({ dma: iommu, timers, backend: new MemoryBlockBackend(8, { readOnly: false }), latency: () => 0, queueSize: 8 });
      (dev.backend as MemoryBlockBackend).data.fill(0xab, 0, 512);
      owner.map(DEV_BASE, 0x1000, dev);
      const drv = new GuestDriver(owner);
      assert.ok(drv.negotiate());
      const q = drv.setupQueue(0, 8);
      drv.driverOk();
      // A legitimate read into a granted page first.
      const hdr = drv.arena.alloc(16);
      owner.write(hdr, 4, VIRTIO_BLK_T_IN);
      const st = drv.arena.alloc(1);
      q.add([{ addr: hdr, len: 16 }, { addr: 0x4000_0000, len: 512, write: true }, { addr: st, len: 1, write: true }]);
      drv.notify(0);
      timers.runAll();
      assert.equal(owner.read(st, 1), VIRTIO_BLK_S_OK);
      assert.equal(granter.ram[0x3000], 0xab);
      // Then one into the read-only grant: refused.
      owner.write(st, 1, 0xff);
      q.add([{ addr: hdr, len: 16 }, { addr: 0x4000_1000, len: 512, write: true }, { addr: st, len: 1, write: true }]);
      drv.notify(0);
      assert.doesNotThrow(() => timers.runAll());
      assert.equal(violations.length, 1);
      assert.ok(dev.needsReset);
      assert.equal(granter.ram[0x7000], 0);
      assert.deepEqual(readBytes(owner, st, 1), Uint8Array.from([0xff]), 'no status for the refused request');
    });
  });
});

describe('TimerQueue', () => {
  it('runs callbacks in time order, ties in scheduling order, and follows an external clock', () => {
    const t = new TimerQueue();
    const log: string[] = [];
    t.at(30, () => log.push('c'));
    t.at(10, () => log.push('a1'));
    t.at(10, () => {
      log.push('a2');
      t.at(t.now(), () => log.push('a3'));
    });
    t.at(20, () => log.push('b'));
    assert.equal(t.nextDeadline(), 10);
    t.advanceTo(15);
    assert.deepEqual(log, ['a1', 'a2', 'a3']);
    assert.equal(t.now(), 15);
    t.runAll();
    assert.deepEqual(log, ['a1', 'a2', 'a3', 'b', 'c']);
    assert.equal(t.now(), 30);

    let clock = 0;
    const ext = new TimerQueue(() => clock);
    let ran = 0;
    ext.at(100, () => ran++);
    assert.equal(ext.runDue(), 0);
    clock = 100;
    assert.equal(ext.runDue(), 1);
    assert.equal(ran, 1);
    assert.throws(() => ext.advanceTo(5));
  });
});
