/**
 * A minimal virtio-mmio guest driver written in TypeScript for device tests:
 * it lays out split virtqueues in a Bus's RAM and talks to the device only
 * through bus reads and writes, as guest code would.
 */
import { Bus } from '../../emulator/bus/bus';
import { MMIO, STATUS, VIRTIO_F_VERSION_1 } from '../../emulator/devices/virtio/constants';

export const RAM_BASE = 0x8000_0000;
export const DEV_BASE = 0x1000_1000;

export interface Seg {
  addr: number;
  len: number;
  write?: boolean;
}

/** A bump allocator over RAM. */
export class Arena {
  private next: number;
  constructor(readonly bus: Bus, start = RAM_BASE + 0x1000) {
    this.next = start;
  }
  alloc(size: number, align = 16): number {
    this.next = Math.ceil(this.next / align) * align;
    const a = this.next;
    this.next += size;
    if (this.bus.ramOffset(a, size) < 0) throw new Error('test arena exhausted');
    return a;
  }
}

export function writeBytes(bus: Bus, addr: number, data: ArrayLike<number>): void {
  bus.loadBytes(addr, Uint8Array.from(data));
}

export function readBytes(bus: Bus, addr: number, length: number): Uint8Array {
  const off = bus.ramOffset(addr, length);
  if (off < 0) throw new Error('readBytes outside RAM');
  return bus.ram.slice(off, off + length);
}

/** Driver-side view of one split virtqueue. */
export class DriverQueue {
  private nextDesc = 0;
  private lastUsed = 0;

  constructor(
    readonly bus: Bus,
    readonly index: number,
    readonly size: number,
    readonly desc: number,
    readonly avail: number,
    readonly used: number,
  ) {}

  get availIdx(): number {
    return this.bus.read(this.avail + 2, 2);
  }

  set availIdx(v: number) {
    this.bus.write(this.avail + 2, 2, v & 0xffff);
  }

  get usedIdx(): number {
    return this.bus.read(this.used + 2, 2);
  }

  /** Writes raw descriptor `i`. */
  setDesc(i: number, addr: number, len: number, flags: number, next: number): void {
    const d = this.desc + 16 * i;
    this.bus.write(d, 4, addr % 2 ** 32);
    this.bus.write(d + 4, 4, Math.floor(addr / 2 ** 32));
    this.bus.write(d + 8, 4, len);
    this.bus.write(d + 12, 2, flags);
    this.bus.write(d + 14, 2, next);
  }

  /** Places `head` in the next avail slot and publishes it (no notify). */
  publish(head: number): void {
    const idx = this.availIdx;
    this.bus.write(this.avail + 4 + 2 * (idx % this.size), 2, head);
    this.availIdx = idx + 1;
  }

  /** Builds a chain from free descriptors (round robin) and publishes it; returns the head. */
  add(segs: Seg[]): number {
    const ids = segs.map(() => {
      const i = this.nextDesc;
      this.nextDesc = (this.nextDesc + 1) % this.size;
      return i;
    });
    segs.forEach((s, k) => {
      const last = k === segs.length - 1;
      this.setDesc(ids[k], s.addr, s.len, (last ? 0 : 1) | (s.write ? 2 : 0), last ? 0 : ids[k + 1]);
    });
    this.publish(ids[0]);
    return ids[0];
  }

  setNoInterrupt(on: boolean): void {
    this.bus.write(this.avail, 2, on ? 1 : 0);
  }

  /** Used elements published since the last call. */
  takeUsed(): { id: number; len: number }[] {
    const out: { id: number; len: number }[] = [];
    const idx = this.usedIdx;
    while (this.lastUsed !== idx) {
      const e = this.used + 4 + 8 * (this.lastUsed % this.size);
      out.push({ id: this.bus.read(e, 4), len: this.bus.read(e + 4, 4) });
      this.lastUsed = (this.lastUsed + 1) & 0xffff;
    }
    return out;
  }
}

export class GuestDriver {
  readonly arena: Arena;

  constructor(readonly bus: Bus, readonly base = DEV_BASE) {
    this.arena = new Arena(bus);
  }

  reg(off: number): number {
    return this.bus.read(this.base + off, 4);
  }

  setReg(off: number, v: number): void {
    this.bus.write(this.base + off, 4, v >>> 0);
  }

  get status(): number {
    return this.reg(MMIO.STATUS);
  }

  deviceFeatures(): bigint {
    this.setReg(MMIO.DEVICE_FEATURES_SEL, 0);
    const lo = this.reg(MMIO.DEVICE_FEATURES);
    this.setReg(MMIO.DEVICE_FEATURES_SEL, 1);
    const hi = this.reg(MMIO.DEVICE_FEATURES);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns whether the device kept FEATURES_OK. */
  negotiate(features: bigint = VIRTIO_F_VERSION_1): boolean {
    this.setReg(MMIO.STATUS, 0);
    this.setReg(MMIO.STATUS, STATUS.ACKNOWLEDGE);
    this.setReg(MMIO.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    this.setReg(MMIO.DRIVER_FEATURES_SEL, 0);
    this.setReg(MMIO.DRIVER_FEATURES, Number(features & 0xffffffffn));
    this.setReg(MMIO.DRIVER_FEATURES_SEL, 1);
    this.setReg(MMIO.DRIVER_FEATURES, Number(features >> 32n));
    this.setReg(MMIO.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    return (this.status & STATUS.FEATURES_OK) !== 0;
  }

  /** Allocates and configures queue `index`; sets QueueReady. */
  setupQueue(index: number, size: number): DriverQueue {
    const desc = this.arena.alloc(16 * size, 16);
    const avail = this.arena.alloc(6 + 2 * size, 2);
    const used = this.arena.alloc(6 + 8 * size, 4);
    this.setReg(MMIO.QUEUE_SEL, index);
    this.setReg(MMIO.QUEUE_NUM, size);
    this.setReg(MMIO.QUEUE_DESC_LOW, desc);
    this.setReg(MMIO.QUEUE_DESC_HIGH, 0);
    this.setReg(MMIO.QUEUE_DRIVER_LOW, avail);
    this.setReg(MMIO.QUEUE_DRIVER_HIGH, 0);
    this.setReg(MMIO.QUEUE_DEVICE_LOW, used);
    this.setReg(MMIO.QUEUE_DEVICE_HIGH, 0);
    this.setReg(MMIO.QUEUE_READY, 1);
    return new DriverQueue(this.bus, index, size, desc, avail, used);
  }

  driverOk(): void {
    this.setReg(MMIO.STATUS, this.status | STATUS.DRIVER_OK);
  }

  notify(queue: number): void {
    this.setReg(MMIO.QUEUE_NOTIFY, queue);
  }

  ack(): number {
    const isr = this.reg(MMIO.INTERRUPT_STATUS);
    this.setReg(MMIO.INTERRUPT_ACK, isr);
    return isr;
  }

  configByte(off: number): number {
    return this.bus.read(this.base + MMIO.CONFIG + off, 1);
  }

  config32(off: number): number {
    return this.bus.read(this.base + MMIO.CONFIG + off, 4);
  }
}

/** A deterministic pseudo-random sequence for fuzz-style tests (xorshift32). */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}
