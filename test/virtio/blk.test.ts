import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bus } from '../../emulator/bus/bus';
import { busDma } from '../../emulator/devices/dma';
import { FileBlockBackend, MemoryBlockBackend, type BlockBackend } from '../../emulator/devices/virtio/block-backend';
import {
  DEFAULT_BLK_LATENCY,
  VIRTIO_BLK_F_BLK_SIZE,
  VIRTIO_BLK_F_FLUSH,
  VIRTIO_BLK_F_RO,
  VIRTIO_BLK_F_SEG_MAX,
  VIRTIO_BLK_S_IOERR,
  VIRTIO_BLK_S_OK,
  VIRTIO_BLK_S_UNSUPP,
  VIRTIO_BLK_T_FLUSH,
  VIRTIO_BLK_T_GET_ID,
  VIRTIO_BLK_T_IN,
  VIRTIO_BLK_T_OUT,
  VirtioBlk,
  type VirtioBlkOptions,
} from '../../emulator/devices/virtio/blk';
import {
  INT_CONFIG_CHANGE,
  INT_USED_BUFFER,
  MMIO,
  PVLAB_VENDOR_ID,
  STATUS,
  VIRTIO_F_EVENT_IDX,
  VIRTIO_F_INDIRECT_DESC,
  VIRTIO_F_VERSION_1,
  VIRTIO_MMIO_MAGIC,
} from '../../emulator/devices/virtio/constants';
import { TimerQueue } from '../../emulator/devices/virtio/timers';
import { FakeIrq } from '../devices/fake-irq';
import { DEV_BASE, GuestDriver, RAM_BASE, readBytes, writeBytes, xorshift, type DriverQueue, type Seg } from './guest-driver';

const QSIZE = 8;

interface Rig {
  bus: Bus;
  dev: VirtioBlk;
  drv: GuestDriver;
  timers: TimerQueue;
  irq: FakeIrq;
  errors: string[];
}

function rig(backend: BlockBackend = new MemoryBlockBackend(64), extra: Partial<VirtioBlkOptions> = {}): Rig {
  const bus = new Bus(1 << 20, RAM_BASE);
  const timers = new TimerQueue();
  const irq = new FakeIrq();
  const errors: string[] = [];
  const dev = new VirtioBlk({ dma: busDma(bus), timers, irq, backend, queueSize: QSIZE, onError: (m) => errors.push(m), ...extra });
  bus.map(DEV_BASE, 0x1000, dev);
  return { bus, dev, drv: new GuestDriver(bus), timers, irq, errors };
}

/** Full bring-up: features, queue 0, DRIVER_OK. */
function ready(r: Rig, size = QSIZE): DriverQueue {
  assert.ok(r.drv.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH));
  const q = r.drv.setupQueue(0, size);
  r.drv.driverOk();
  return q;
}

interface Req {
  head: number;
  hdr: number;
  data: number;
  status: number;
}

/** Queues one request: header, optional data buffer, status byte. */
function request(r: Rig, q: DriverQueue, type: number, sector: number, dataLen: number, dataIn: boolean, payload?: Uint8Array): Req {
  const hdr = r.drv.arena.alloc(16);
  r.bus.write(hdr, 4, type);
  r.bus.write(hdr + 4, 4, 0);
  r.bus.write(hdr + 8, 4, sector % 2 ** 32);
  r.bus.write(hdr + 12, 4, Math.floor(sector / 2 ** 32));
  const data = dataLen ? r.drv.arena.alloc(dataLen) : 0;
  if (payload) writeBytes(r.bus, data, payload);
  const status = r.drv.arena.alloc(1, 1);
  r.bus.write(status, 1, 0xff);
  const segs: Seg[] = [{ addr: hdr, len: 16 }];
  if (dataLen) segs.push({ addr: data, len: dataLen, write: dataIn });
  segs.push({ addr: status, len: 1, write: true });
  const head = q.add(segs);
  return { head, hdr, data, status };
}

function pattern(n: number, seed: number): Uint8Array {
  const next = xorshift(seed);
  return Uint8Array.from({ length: n }, () => next() & 0xff);
}

describe('virtio-blk', () => {
  it('presents the virtio-mmio identity, features and configuration', () => {
    const r = rig(new MemoryBlockBackend(0x12345));
    const d = r.drv;
    assert.equal(d.reg(MMIO.MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
    assert.equal(d.reg(MMIO.VERSION), 2);
    assert.equal(d.reg(MMIO.DEVICE_ID), 2);
    assert.equal(d.reg(MMIO.VENDOR_ID), PVLAB_VENDOR_ID);
    const f = d.deviceFeatures();
    assert.equal(f, VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE);
    assert.equal(f & (VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX | VIRTIO_BLK_F_RO), 0n);
    assert.equal(d.config32(0), 0x12345, 'capacity low');
    assert.equal(d.config32(4), 0, 'capacity high');
    assert.equal(d.config32(12), QSIZE - 2, 'seg_max');
    assert.equal(d.config32(20), 512, 'blk_size');
    assert.equal(d.configByte(0), 0x45, 'config is byte addressable');
    d.setReg(MMIO.QUEUE_SEL, 0);
    assert.equal(d.reg(MMIO.QUEUE_NUM_MAX), QSIZE);
    d.setReg(MMIO.QUEUE_SEL, 1);
    assert.equal(d.reg(MMIO.QUEUE_NUM_MAX), 0, 'no second queue');
    assert.equal(d.reg(MMIO.SHM_LEN_LOW), 0xffffffff, 'no shared memory region');
  });

  it('refuses FEATURES_OK for unoffered features or without VERSION_1', () => {
    const r = rig();
    assert.equal(r.drv.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC), false);
    assert.equal(r.drv.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO), false, 'RO not offered on a writable disk');
    assert.equal(r.drv.negotiate(VIRTIO_BLK_F_FLUSH), false, 'legacy drivers are refused');
    assert.equal(r.drv.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH), true);
    assert.equal(r.dev.negotiatedFeatures, VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
    // Features are frozen after FEATURES_OK.
    r.drv.setReg(MMIO.DRIVER_FEATURES_SEL, 0);
    r.drv.setReg(MMIO.DRIVER_FEATURES, 0);
    assert.equal(r.dev.negotiatedFeatures, VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
  });

  it('writes to a disk file, reads back, completes after the modelled latency and interrupts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-blk-'));
    const file = path.join(dir, 'disk.img');
    const backend = FileBlockBackend.open(file, { sizeBytes: 64 * 512 });
    try {
      assert.equal(fs.statSync(file).size, 64 * 512, 'file created at the configured size');
      const r = rig(backend);
      const q = ready(r);
      const data = pattern(1024, 7);
      const w = request(r, q, VIRTIO_BLK_T_OUT, 5, 1024, false, data);
      r.drv.notify(0);
      const expectedDone = DEFAULT_BLK_LATENCY.baseCycles + DEFAULT_BLK_LATENCY.cyclesPerByte * 1024;
      assert.equal(r.timers.nextDeadline(), expectedDone);
      assert.equal(r.dev.queueState()[0].inFlight, 1);
      r.timers.advanceTo(expectedDone - 1);
      assert.equal(q.usedIdx, 0, 'not complete before its latency');
      assert.equal(r.irq.level, false);
      r.timers.advanceTo(expectedDone);
      assert.deepEqual(q.takeUsed(), [{ id: w.head, len: 1 }]);
      assert.equal(r.bus.read(w.status, 1), VIRTIO_BLK_S_OK);
      assert.equal(r.irq.level, true);
      assert.equal(r.drv.reg(MMIO.INTERRUPT_STATUS), INT_USED_BUFFER);
      // The data reached the file before the completion was signalled.
      const onDisk = fs.readFileSync(file).subarray(5 * 512, 5 * 512 + 1024);
      assert.deepEqual(new Uint8Array(onDisk), data);
      assert.equal(r.drv.ack(), INT_USED_BUFFER);
      assert.equal(r.irq.level, false);

      const rd = request(r, q, VIRTIO_BLK_T_IN, 5, 1024, true);
      r.drv.notify(0);
      r.timers.runAll();
      assert.deepEqual(q.takeUsed(), [{ id: rd.head, len: 1025 }]);
      assert.equal(r.bus.read(rd.status, 1), VIRTIO_BLK_S_OK);
      assert.deepEqual(readBytes(r.bus, rd.data, 1024), data);
      assert.equal(r.dev.stats.bytesWritten, 1024);
      assert.equal(r.dev.stats.bytesRead, 1024);
      assert.equal(r.dev.stats.requests, 2);
      assert.deepEqual(r.errors, []);
    } finally {
      backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('extends a short image file and uses an existing one at its size', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-blk-'));
    try {
      const file = path.join(dir, 'd.img');
      fs.writeFileSync(file, Buffer.alloc(1000, 1));
      const b = FileBlockBackend.open(file, { sizeBytes: 4096 });
      assert.equal(b.sectors, 8);
      assert.equal(fs.statSync(file).size, 4096);
      assert.deepEqual(Array.from(b.read(1, 1).subarray(480, 490)), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
      b.close();
      const again = FileBlockBackend.open(file);
      assert.equal(again.sectors, 8);
      again.close();
      assert.throws(() => FileBlockBackend.open(path.join(dir, 'missing.img'), { readOnly: true }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves requests one at a time, in order, and handles scatter-gather across descriptors', () => {
    const r = rig();
    const q = ready(r);
    const a = pattern(512, 1);
    const b = pattern(512, 2);
    // One OUT request whose header and data are split over several descriptors.
    const hdr = r.drv.arena.alloc(16);
    r.bus.write(hdr, 4, VIRTIO_BLK_T_OUT);
    r.bus.write(hdr + 8, 4, 3);
    const d1 = r.drv.arena.alloc(512);
    const d2 = r.drv.arena.alloc(512);
    writeBytes(r.bus, d1, a);
    writeBytes(r.bus, d2, b);
    const st = r.drv.arena.alloc(1);
    const h1 = q.add([
      { addr: hdr, len: 10 },
      { addr: hdr + 10, len: 6 },
      { addr: d1, len: 512 },
      { addr: d2, len: 512 },
      { addr: st, len: 1, write: true },
    ]);
    const second = request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    r.drv.notify(0);
    const t1 = 20_000 + 2 * 1024;
    const t2 = t1 + 20_000;
    r.timers.advanceTo(t1);
    assert.deepEqual(q.takeUsed(), [{ id: h1, len: 1 }]);
    r.timers.advanceTo(t2);
    assert.deepEqual(q.takeUsed(), [{ id: second.head, len: 1 }]);
    const disk = (r.dev.backend as MemoryBlockBackend).data;
    assert.deepEqual(disk.subarray(3 * 512, 4 * 512), a);
    assert.deepEqual(disk.subarray(4 * 512, 5 * 512), b);
    assert.equal((r.dev.backend as MemoryBlockBackend).flushes, 1);
  });

  it('answers IOERR for out-of-range sectors and bad lengths, UNSUPP for unknown types, and GET_ID', () => {
    const r = rig(new MemoryBlockBackend(16), { serial: 'disk-A', latency: () => 0, queueSize: 16 });
    const q = ready(r, 16);
    const beyond = request(r, q, VIRTIO_BLK_T_IN, 15, 1024, true);
    const huge = request(r, q, VIRTIO_BLK_T_OUT, 2 ** 40, 512, false);
    const odd = request(r, q, VIRTIO_BLK_T_OUT, 0, 100, false);
    const unknown = request(r, q, 99, 0, 0, false);
    const id = request(r, q, VIRTIO_BLK_T_GET_ID, 0, 20, true);
    r.drv.notify(0);
    r.timers.runAll();
    const used = q.takeUsed();
    assert.equal(used.length, 5);
    assert.equal(r.bus.read(beyond.status, 1), VIRTIO_BLK_S_IOERR);
    assert.equal(r.bus.read(huge.status, 1), VIRTIO_BLK_S_IOERR);
    assert.equal(r.bus.read(odd.status, 1), VIRTIO_BLK_S_IOERR);
    assert.equal(r.bus.read(unknown.status, 1), VIRTIO_BLK_S_UNSUPP);
    assert.equal(r.bus.read(id.status, 1), VIRTIO_BLK_S_OK);
    assert.equal(Buffer.from(readBytes(r.bus, id.data, 20)).toString('latin1').replace(/\0+$/, ''), 'disk-A');
    assert.deepEqual(used[4], { id: id.head, len: 21 });
    assert.equal(r.dev.stats.errors, 3);
    assert.equal(r.dev.stats.unsupported, 1);
    assert.equal(r.dev.stats.getIds, 1);
    assert.equal(r.dev.needsReset, false, 'request errors are not ring errors');
  });

  it('offers RO and fails writes on a read-only disk', () => {
    const disk = new MemoryBlockBackend(8, { readOnly: true });
    const r = rig(disk, { latency: () => 0 });
    assert.notEqual(r.drv.deviceFeatures() & VIRTIO_BLK_F_RO, 0n);
    assert.ok(r.drv.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO));
    const q = r.drv.setupQueue(0, QSIZE);
    r.drv.driverOk();
    const w = request(r, q, VIRTIO_BLK_T_OUT, 0, 512, false, new Uint8Array(512).fill(9));
    r.drv.notify(0);
    r.timers.runAll();
    assert.equal(r.bus.read(w.status, 1), VIRTIO_BLK_S_IOERR);
    assert.equal(disk.data[0], 0);
  });

  it('honours VIRTQ_AVAIL_F_NO_INTERRUPT', () => {
    const r = rig(undefined, { latency: () => 0 });
    const q = ready(r);
    q.setNoInterrupt(true);
    request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    r.drv.notify(0);
    r.timers.runAll();
    assert.equal(q.takeUsed().length, 1);
    assert.equal(r.irq.level, false);
    assert.equal(r.dev.transportStats.suppressedInterrupts, 1);
    q.setNoInterrupt(false);
    request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    r.drv.notify(0);
    r.timers.runAll();
    assert.equal(r.irq.level, true);
  });

  it('keeps ring indices right across the 16-bit wrap-around', () => {
    const r = rig(undefined, { latency: () => 0 });
    const q = ready(r, 4);
    // One reusable request: header + status, descriptors 0 and 1.
    const hdr = r.drv.arena.alloc(16);
    r.bus.write(hdr, 4, VIRTIO_BLK_T_FLUSH);
    const st = r.drv.arena.alloc(1);
    q.setDesc(0, hdr, 16, 1, 1);
    q.setDesc(1, st, 1, 2, 0);
    const total = 0x10000 + 10;
    let done = 0;
    for (let i = 0; i < total; i += 3) {
      const n = Math.min(3, total - i);
      for (let k = 0; k < n; k++) q.publish(0);
      r.drv.notify(0);
      r.timers.runAll();
      done += q.takeUsed().length;
    }
    assert.equal(done, total);
    assert.equal(q.usedIdx, total & 0xffff);
    assert.equal(r.dev.queueState()[0].lastAvailIdx, total & 0xffff);
    assert.equal(r.dev.stats.flushes, total);
    assert.equal(r.dev.needsReset, false);
  });

  it('ignores a notification before DRIVER_OK and serves the request once DRIVER_OK is set', () => {
    const r = rig(undefined, { latency: () => 0 });
    assert.ok(r.drv.negotiate());
    const q = r.drv.setupQueue(0, QSIZE);
    const req = request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    assert.doesNotThrow(() => r.drv.notify(0));
    r.timers.runAll();
    assert.equal(q.usedIdx, 0, 'no buffer is used before DRIVER_OK');
    assert.equal(r.dev.transportStats.ignoredNotifies, 1);
    r.drv.driverOk();
    r.timers.runAll();
    assert.deepEqual(q.takeUsed(), [{ id: req.head, len: 1 }]);
    assert.equal(r.dev.needsReset, false);
  });

  describe('malformed input', () => {
    function expectNeedsReset(r: Rig, pattern: RegExp): void {
      assert.ok(r.drv.status & STATUS.DEVICE_NEEDS_RESET, 'DEVICE_NEEDS_RESET set');
      assert.match(r.dev.lastError ?? '', pattern);
      assert.equal(r.errors.length, 1);
    }

    it('a descriptor pointing outside RAM is a DMA fault: NEEDS_RESET and a config interrupt, no exception', () => {
      const r = rig(undefined, { latency: () => 0 });
      const q = ready(r);
      const hdr = r.drv.arena.alloc(16);
      const st = r.drv.arena.alloc(1);
      q.add([
        { addr: hdr, len: 16 },
        { addr: 0x4000_0000, len: 512, write: true },
        { addr: st, len: 1, write: true },
      ]);
      r.drv.notify(0);
      assert.doesNotThrow(() => r.timers.runAll());
      expectNeedsReset(r, /DMA write .* refused/);
      assert.equal(r.dev.transportStats.dmaFaults, 1);
      assert.equal(q.usedIdx, 0);
      assert.equal(r.drv.reg(MMIO.INTERRUPT_STATUS), INT_CONFIG_CHANGE);
      assert.equal(r.irq.level, true);
      // Further notifications are ignored until reset.
      request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
      r.drv.notify(0);
      r.timers.runAll();
      assert.equal(q.usedIdx, 0);
    });

    it('a ring placed outside RAM faults at notify time', () => {
      const r = rig();
      assert.ok(r.drv.negotiate());
      r.drv.setReg(MMIO.QUEUE_SEL, 0);
      r.drv.setReg(MMIO.QUEUE_NUM, 8);
      r.drv.setReg(MMIO.QUEUE_DESC_LOW, 0x1000);
      r.drv.setReg(MMIO.QUEUE_DRIVER_LOW, 0x2000);
      r.drv.setReg(MMIO.QUEUE_DEVICE_LOW, 0x3000);
      r.drv.setReg(MMIO.QUEUE_DEVICE_HIGH, 5); // a 64-bit address far beyond RAM
      r.drv.setReg(MMIO.QUEUE_READY, 1);
      r.drv.driverOk();
      assert.doesNotThrow(() => r.drv.notify(0));
      expectNeedsReset(r, /DMA read/);
    });

    it('a looping descriptor chain', () => {
      const r = rig();
      const q = ready(r, 4);
      const a = r.drv.arena.alloc(16);
      q.setDesc(0, a, 16, 1, 1);
      q.setDesc(1, a, 16, 1, 2);
      q.setDesc(2, a, 16, 1, 0);
      q.publish(0);
      assert.doesNotThrow(() => r.drv.notify(0));
      expectNeedsReset(r, /longer than the queue size/);
    });

    it('a next index or head outside the table, INDIRECT, readable after writable, avail.idx too far ahead', () => {
      const cases: [string, (r: Rig, q: DriverQueue) => void, RegExp][] = [
        ['next', (r, q) => { q.setDesc(0, RAM_BASE, 16, 1, 9); q.publish(0); }, /links to 9/],
        ['head', (r, q) => { q.publish(200); }, /head descriptor 200/],
        ['indirect', (r, q) => { q.setDesc(0, RAM_BASE, 16, 4, 0); q.publish(0); }, /INDIRECT/],
        ['order', (r, q) => { q.setDesc(0, RAM_BASE, 16, 3, 1); q.setDesc(1, RAM_BASE, 16, 0, 0); q.publish(0); }, /follows a device-writable/],
        ['avail', (r, q) => { q.availIdx = 100; }, /ahead of the device/],
      ];
      for (const [name, setup, pattern] of cases) {
        const r = rig();
        const q = ready(r, 4);
        setup(r, q);
        assert.doesNotThrow(() => r.drv.notify(0), name);
        expectNeedsReset(r, pattern);
      }
    });

    it('a queue size that is not a power of two, or misaligned rings, never make the queue ready', () => {
      for (const [num, desc, pattern] of [
        [3, RAM_BASE, /not a power of two/],
        [0, RAM_BASE, /not a power of two/],
        [16, RAM_BASE, /not a power of two between 1 and 8/],
        [4, RAM_BASE + 8, /not 16-byte aligned/],
      ] as [number, number, RegExp][]) {
        const r = rig();
        assert.ok(r.drv.negotiate());
        r.drv.setReg(MMIO.QUEUE_SEL, 0);
        r.drv.setReg(MMIO.QUEUE_NUM, num);
        r.drv.setReg(MMIO.QUEUE_DESC_LOW, desc);
        r.drv.setReg(MMIO.QUEUE_DRIVER_LOW, RAM_BASE + 0x1000);
        r.drv.setReg(MMIO.QUEUE_DEVICE_LOW, RAM_BASE + 0x2000);
        r.drv.setReg(MMIO.QUEUE_READY, 1);
        assert.equal(r.drv.reg(MMIO.QUEUE_READY), 0);
        expectNeedsReset(r, pattern);
        // DRIVER_OK with NEEDS_RESET pending: the driver is told through a config interrupt.
        r.drv.driverOk();
        assert.equal(r.drv.reg(MMIO.INTERRUPT_STATUS), INT_CONFIG_CHANGE);
        assert.equal(r.dev.live, false);
      }
    });

    it('DRIVER_OK without FEATURES_OK', () => {
      const r = rig();
      r.drv.setReg(MMIO.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.DRIVER_OK);
      expectNeedsReset(r, /without FEATURES_OK/);
    });

    it('a reset clears DEVICE_NEEDS_RESET and the device works again', () => {
      const r = rig(undefined, { latency: () => 0 });
      let q = ready(r, 4);
      q.publish(77);
      r.drv.notify(0);
      assert.ok(r.dev.needsReset);
      r.drv.setReg(MMIO.STATUS, 0);
      assert.equal(r.drv.status, 0);
      assert.equal(r.irq.level, false);
      assert.equal(r.dev.lastError, undefined);
      q = ready(r, 4);
      const req = request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
      r.drv.notify(0);
      r.timers.runAll();
      assert.deepEqual(q.takeUsed(), [{ id: req.head, len: 1 }]);
    });

    it('random register writes and ring garbage never throw', () => {
      const next = xorshift(12345);
      for (let round = 0; round < 40; round++) {
        const r = rig(new MemoryBlockBackend(8), { latency: () => next() % 100 });
        // Garbage in the first 64 KiB of RAM, where rings may point.
        for (let i = 0; i < 0x10000; i += 4) r.bus.write(RAM_BASE + i, 4, next());
        for (let i = 0; i < 300; i++) {
          const off = (next() % 0x110) & ~3;
          const v = next() % 4 === 0 ? RAM_BASE + (next() % 0x10000) : next() % 16;
          assert.doesNotThrow(() => r.bus.write(DEV_BASE + off, 4, v));
          if (i % 10 === 0) r.timers.advanceTo(r.timers.now() + 50);
          r.bus.read(DEV_BASE + off, [1, 2, 4][next() % 3]);
        }
        assert.doesNotThrow(() => r.timers.runAll());
        assert.doesNotThrow(() => r.dev.queueState());
      }
    });
  });

  it('a host reset drops in-flight requests and returns to the initial state', () => {
    const r = rig();
    const q = ready(r);
    request(r, q, VIRTIO_BLK_T_OUT, 0, 512, false, new Uint8Array(512).fill(5));
    r.drv.notify(0);
    assert.equal(r.dev.queueState()[0].inFlight, 1);
    r.dev.reset();
    assert.equal(r.dev.queueState()[0].inFlight, 0);
    assert.equal(r.dev.deviceStatus, 0);
    r.timers.runAll();
    assert.equal(q.usedIdx, 0, 'no used element after reset');
    assert.equal(r.irq.level, false);
    assert.equal((r.dev.backend as MemoryBlockBackend).data[0], 0, 'the unacknowledged write did not happen');
    assert.equal(r.drv.reg(MMIO.QUEUE_READY), 0);
  });

  it('queueState shows ring indices and in-flight requests', () => {
    const r = rig();
    const q = ready(r);
    request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    request(r, q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    r.drv.notify(0);
    let s = r.dev.queueState()[0];
    assert.equal(s.availIdx, 2);
    assert.equal(s.lastAvailIdx, 2);
    assert.equal(s.usedIdx, 0);
    assert.equal(s.inFlight, 2);
    assert.equal(s.size, QSIZE);
    r.timers.runAll();
    s = r.dev.queueState()[0];
    assert.equal(s.usedIdx, 2);
    assert.equal(s.inFlight, 0);
  });
});
