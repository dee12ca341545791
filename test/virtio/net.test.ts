import assert from 'node:assert/strict';
import { Bus } from '../../emulator/bus/bus';
import { busDma } from '../../emulator/devices/dma';
import { INT_CONFIG_CHANGE, INT_USED_BUFFER, MMIO, VIRTIO_F_VERSION_1 } from '../../emulator/devices/virtio/constants';
import {
  DEFAULT_NET_LATENCY,
  EchoPeer,
  LoopbackPeer,
  VIRTIO_NET_F_MAC,
  VIRTIO_NET_F_STATUS,
  VIRTIO_NET_HDR_SIZE,
  VirtioNet,
  formatMac,
  linkPeers,
  type NetPeer,
  type VirtioNetOptions,
} from '../../emulator/devices/virtio/net';
import { TimerQueue } from '../../emulator/devices/virtio/timers';
import { FakeIrq } from '../devices/fake-irq';
import { DEV_BASE, GuestDriver, RAM_BASE, readBytes, writeBytes, type DriverQueue } from './guest-driver';

const QSIZE = 8;

interface Rig {
  bus: Bus;
  dev: VirtioNet;
  drv: GuestDriver;
  irq: FakeIrq;
}

function rig(timers: TimerQueue, options: Partial<VirtioNetOptions> = {}): Rig {
  const bus = new Bus(1 << 20, RAM_BASE);
  const irq = new FakeIrq();
  const dev = new VirtioNet({ dma: busDma(bus), timers, irq, queueSize: QSIZE, ...options });
  bus.map(DEV_BASE, 0x1000, dev);
  return { bus, dev, drv: new GuestDriver(bus), irq };
}

function up(r: Rig): { rx: DriverQueue; tx: DriverQueue } {
  assert.ok(r.drv.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS));
  const rx = r.drv.setupQueue(0, QSIZE);
  const tx = r.drv.setupQueue(1, QSIZE);
  r.drv.driverOk();
  return { rx, tx };
}

/** Posts one receive buffer of `size` bytes; returns its address and head. */
function postRx(r: Rig, rx: DriverQueue, size = 1526): { addr: number; head: number } {
  const addr = r.drv.arena.alloc(size);
  const head = rx.add([{ addr, len: size, write: true }]);
  return { addr, head };
}

/** Queues a frame for transmission with its header in a separate descriptor. */
function sendFrame(r: Rig, tx: DriverQueue, frame: Uint8Array): number {
  const hdr = r.drv.arena.alloc(VIRTIO_NET_HDR_SIZE);
  writeBytes(r.bus, hdr, new Uint8Array(VIRTIO_NET_HDR_SIZE));
  const data = r.drv.arena.alloc(frame.length);
  writeBytes(r.bus, data, frame);
  return tx.add([
    { addr: hdr, len: VIRTIO_NET_HDR_SIZE },
    { addr: data, len: frame.length },
  ]);
}

function frame(dst: number[], src: number[], payload: string): Uint8Array {
  return Uint8Array.from([...dst, ...src, 0x08, 0x00, ...Buffer.from(payload)]);
}

const MAC_A = [0x02, 0x70, 0x76, 0, 0, 1];
const MAC_B = [0x02, 0x70, 0x76, 0, 0, 2];

describe('virtio-net', () => {
  it('presents device id 1, MAC and STATUS features, the MAC and link status in its config', () => {
    const r = rig(new TimerQueue(), { mac: '02:70:76:00:00:2a' });
    assert.equal(r.drv.reg(MMIO.DEVICE_ID), 1);
    assert.equal(r.drv.deviceFeatures(), VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
    const mac = Array.from({ length: 6 }, (_, i) => r.drv.configByte(i));
    assert.deepEqual(mac, [0x02, 0x70, 0x76, 0, 0, 0x2a]);
    assert.equal(formatMac(r.dev.mac), '02:70:76:00:00:2a');
    assert.equal(r.bus.read(DEV_BASE + MMIO.CONFIG + 6, 2), 1, 'link up');
    for (const q of [0, 1]) {
      r.drv.setReg(MMIO.QUEUE_SEL, q);
      assert.equal(r.drv.reg(MMIO.QUEUE_NUM_MAX), QSIZE);
    }
    r.drv.setReg(MMIO.QUEUE_SEL, 2);
    assert.equal(r.drv.reg(MMIO.QUEUE_NUM_MAX), 0);
  });

  it('loopback: a transmitted frame comes back on receive with a virtio_net_hdr', () => {
    const timers = new TimerQueue();
    const r = rig(timers, { peer: new LoopbackPeer() });
    const { rx, tx } = up(r);
    const buf = postRx(r, rx);
    r.drv.notify(0);
    const f = frame(MAC_A, MAC_B, 'hello, wire');
    const txHead = sendFrame(r, tx, f);
    r.drv.notify(1);
    const txDone = DEFAULT_NET_LATENCY.baseCycles + DEFAULT_NET_LATENCY.cyclesPerByte * (VIRTIO_NET_HDR_SIZE + f.length);
    assert.equal(timers.nextDeadline(), txDone);
    timers.advanceTo(txDone);
    assert.deepEqual(tx.takeUsed(), [{ id: txHead, len: 0 }]);
    assert.equal(rx.usedIdx, 0, 'receive takes its own latency');
    timers.runAll();
    assert.equal(timers.now(), 2 * txDone);
    const used = rx.takeUsed();
    assert.deepEqual(used, [{ id: buf.head, len: VIRTIO_NET_HDR_SIZE + f.length }]);
    const got = readBytes(r.bus, buf.addr, VIRTIO_NET_HDR_SIZE + f.length);
    assert.deepEqual(Array.from(got.subarray(0, VIRTIO_NET_HDR_SIZE)), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0], 'num_buffers = 1');
    assert.deepEqual(got.subarray(VIRTIO_NET_HDR_SIZE), f);
    assert.equal(r.irq.level, true);
    assert.equal(r.drv.ack(), INT_USED_BUFFER);
    assert.deepEqual(
      { ...r.dev.stats },
      { txFrames: 1, txBytes: f.length, txErrors: 0, txDropped: 0, rxFrames: 1, rxBytes: f.length, rxDropped: 0, rxDroppedNotReady: 0, rxOversize: 0 },
    );
  });

  it('an echo peer answers with the MAC addresses swapped', () => {
    const timers = new TimerQueue();
    const echo = new EchoPeer();
    const r = rig(timers, { peer: echo });
    const { rx, tx } = up(r);
    const buf = postRx(r, rx);
    r.drv.notify(0);
    const f = frame(MAC_B, MAC_A, 'ping');
    sendFrame(r, tx, f);
    r.drv.notify(1);
    timers.runAll();
    const got = readBytes(r.bus, buf.addr + VIRTIO_NET_HDR_SIZE, f.length);
    assert.deepEqual(Array.from(got.subarray(0, 6)), MAC_A);
    assert.deepEqual(Array.from(got.subarray(6, 12)), MAC_B);
    assert.equal(Buffer.from(got.subarray(14)).toString(), 'ping');
    assert.equal(echo.echoed, 1);
  });

  it('linked peers carry frames between two devices on two buses', () => {
    const timers = new TimerQueue();
    const [pa, pb] = linkPeers();
    const a = rig(timers, { peer: pa, mac: Uint8Array.from(MAC_A) });
    const b = rig(timers, { peer: pb, mac: Uint8Array.from(MAC_B) });
    const qa = up(a);
    const qb = up(b);
    const bufB = postRx(b, qb.rx);
    b.drv.notify(0);
    const bufA = postRx(a, qa.rx);
    a.drv.notify(0);
    const f1 = frame(MAC_B, MAC_A, 'A to B');
    sendFrame(a, qa.tx, f1);
    a.drv.notify(1);
    const f2 = frame(MAC_A, MAC_B, 'B to A');
    sendFrame(b, qb.tx, f2);
    b.drv.notify(1);
    timers.runAll();
    assert.deepEqual(readBytes(b.bus, bufB.addr + VIRTIO_NET_HDR_SIZE, f1.length), f1);
    assert.deepEqual(readBytes(a.bus, bufA.addr + VIRTIO_NET_HDR_SIZE, f2.length), f2);
    assert.equal(a.dev.stats.rxFrames + b.dev.stats.rxFrames, 2);
  });

  it('queues arrivals without a posted buffer up to the backlog bound and delivers them in order', () => {
    const timers = new TimerQueue();
    let deliver: (f: Uint8Array) => void = () => undefined;
    const wire: NetPeer = { attach: (d) => (deliver = d), send: () => undefined };
    const r = rig(timers, { peer: wire, backlog: 3, latency: () => 0 });
    const { rx } = up(r);
    const frames = [0, 1, 2, 3, 4].map((i) => frame(MAC_A, MAC_B, `frame ${i}`));
    for (const f of frames) deliver(f);
    assert.equal(r.dev.backlog, 3);
    assert.equal(r.dev.stats.rxDropped, 2);
    const bufs = [postRx(r, rx, 100), postRx(r, rx, 100)];
    r.drv.notify(0);
    timers.runAll();
    assert.equal(rx.takeUsed().length, 2);
    assert.equal(r.dev.backlog, 1);
    for (let i = 0; i < 2; i++) assert.deepEqual(readBytes(r.bus, bufs[i].addr + VIRTIO_NET_HDR_SIZE, frames[i].length), frames[i]);
    const last = postRx(r, rx, 100);
    r.drv.notify(0);
    timers.runAll();
    assert.deepEqual(readBytes(r.bus, last.addr + VIRTIO_NET_HDR_SIZE, frames[2].length), frames[2]);
    assert.equal(r.dev.backlog, 0);
    assert.equal(r.dev.stats.rxFrames, 3);
  });

  it('drops arrivals before DRIVER_OK and frames larger than the posted buffer (which stays posted)', () => {
    const timers = new TimerQueue();
    let deliver: (f: Uint8Array) => void = () => undefined;
    const r = rig(timers, { peer: { attach: (d) => (deliver = d), send: () => undefined }, latency: () => 0 });
    deliver(frame(MAC_A, MAC_B, 'too early'));
    assert.equal(r.dev.stats.rxDroppedNotReady, 1);
    const { rx } = up(r);
    const small = postRx(r, rx, 40);
    r.drv.notify(0);
    deliver(frame(MAC_A, MAC_B, 'this frame does not fit in forty bytes with its header'));
    assert.equal(r.dev.stats.rxOversize, 1);
    const f = frame(MAC_A, MAC_B, 'short');
    deliver(f);
    timers.runAll();
    assert.deepEqual(rx.takeUsed(), [{ id: small.head, len: VIRTIO_NET_HDR_SIZE + f.length }]);
    deliver(new Uint8Array(2000));
    assert.equal(r.dev.stats.rxOversize, 2);
  });

  it('counts malformed transmit buffers and still returns them', () => {
    const timers = new TimerQueue();
    const sent: Uint8Array[] = [];
    const r = rig(timers, { peer: { attach: () => undefined, send: (f) => sent.push(f) }, latency: () => 0 });
    const { tx } = up(r);
    const a = r.drv.arena.alloc(8);
    const h1 = tx.add([{ addr: a, len: 8 }]);
    const big = r.drv.arena.alloc(2000);
    const h2 = tx.add([{ addr: big, len: 2000 }]);
    r.drv.notify(1);
    timers.runAll();
    assert.deepEqual(tx.takeUsed(), [{ id: h1, len: 0 }, { id: h2, len: 0 }]);
    assert.equal(r.dev.stats.txErrors, 2);
    assert.equal(sent.length, 0);
    assert.equal(r.dev.needsReset, false);
  });

  it('link down: a config-change interrupt, a new generation, frames dropped both ways', () => {
    const timers = new TimerQueue();
    const r = rig(timers, { peer: new LoopbackPeer(), latency: () => 0 });
    const { tx } = up(r);
    const gen = r.drv.reg(MMIO.CONFIG_GENERATION);
    r.dev.setLinkUp(false);
    assert.notEqual(r.drv.reg(MMIO.CONFIG_GENERATION), gen);
    assert.equal(r.bus.read(DEV_BASE + MMIO.CONFIG + 6, 2), 0);
    assert.equal(r.drv.reg(MMIO.INTERRUPT_STATUS), INT_CONFIG_CHANGE);
    assert.equal(r.irq.level, true);
    sendFrame(r, tx, frame(MAC_A, MAC_B, 'x'));
    r.drv.notify(1);
    timers.runAll();
    assert.equal(r.dev.stats.txDropped, 1);
    assert.equal(tx.takeUsed().length, 1);
  });

  it('a transmit descriptor outside RAM sets NEEDS_RESET; reset clears the backlog', () => {
    const timers = new TimerQueue();
    let deliver: (f: Uint8Array) => void = () => undefined;
    const r = rig(timers, { peer: { attach: (d) => (deliver = d), send: () => undefined }, latency: () => 0 });
    const { tx } = up(r);
    deliver(frame(MAC_A, MAC_B, 'waiting'));
    assert.equal(r.dev.backlog, 1);
    tx.add([{ addr: 0x2000_0000, len: 64 }]);
    r.drv.notify(1);
    assert.doesNotThrow(() => timers.runAll());
    assert.ok(r.dev.needsReset);
    assert.match(r.dev.lastError ?? '', /DMA read/);
    r.dev.reset();
    assert.equal(r.dev.backlog, 0);
    assert.equal(r.dev.needsReset, false);
  });
});
