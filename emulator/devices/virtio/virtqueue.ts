/**
 * The device side of a split virtqueue, over a DmaPort.
 *
 * All ring memory is guest memory and is read through the port on each use
 * (the driver may change it at any time). Anything malformed raises a
 * `VirtqueueError` (a ring the device cannot trust); a refused memory access
 * raises the port's `DmaFault`. The transport turns both into
 * DEVICE_NEEDS_RESET. Every loop is bounded by the queue size.
 */
import type { DmaPort } from '../dma';
import {
  VIRTQ_AVAIL_F_NO_INTERRUPT,
  VIRTQ_DESC_F_INDIRECT,
  VIRTQ_DESC_F_NEXT,
  VIRTQ_DESC_F_WRITE,
  VIRTQ_DESC_SIZE,
  VIRTQ_MAX_SIZE,
  VIRTQ_USED_ELEM_SIZE,
} from './constants';

/** The driver broke the virtqueue rules; the device cannot go on with this queue. */
export class VirtqueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtqueueError';
  }
}

/** One guest buffer of a descriptor chain. */
export interface VirtqBuffer {
  readonly addr: number;
  readonly len: number;
}

/** A descriptor chain taken from the available ring: device-readable buffers first, then device-writable ones. */
export interface DescriptorChain {
  /** Index of the head descriptor (what the used ring reports). */
  readonly head: number;
  readonly readable: readonly VirtqBuffer[];
  readonly writable: readonly VirtqBuffer[];
  readonly readableLength: number;
  readonly writableLength: number;
}

export interface VirtqueueState {
  readonly index: number;
  readonly ready: boolean;
  readonly size: number;
  readonly descAddr: number;
  readonly driverAddr: number;
  readonly deviceAddr: number;
  /** Next avail-ring index the device will look at (its shadow of avail.idx). */
  readonly lastAvailIdx: number;
  /** The used.idx the device last published. */
  readonly usedIdx: number;
}

function le16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function le32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Bytes of the rings of a queue of `size` entries (without EVENT_IDX fields). */
export function splitRingSizes(size: number): { desc: number; avail: number; used: number } {
  return { desc: VIRTQ_DESC_SIZE * size, avail: 4 + 2 * size, used: 4 + VIRTQ_USED_ELEM_SIZE * size };
}

export class SplitVirtqueue {
  /** Largest size the driver may choose (QueueNumMax). */
  readonly maxSize: number;
  size: number;
  ready = false;
  descAddr = 0;
  driverAddr = 0;
  deviceAddr = 0;
  lastAvailIdx = 0;
  usedIdx = 0;

  constructor(readonly index: number, maxSize: number) {
    if (!isPowerOfTwo(maxSize) || maxSize > VIRTQ_MAX_SIZE) throw new RangeError(`virtqueue max size ${maxSize} is not a power of two up to ${VIRTQ_MAX_SIZE}`);
    this.maxSize = maxSize;
    this.size = maxSize;
  }

  /** Back to the state after a device reset. */
  reset(): void {
    this.size = this.maxSize;
    this.ready = false;
    this.descAddr = 0;
    this.driverAddr = 0;
    this.deviceAddr = 0;
    this.lastAvailIdx = 0;
    this.usedIdx = 0;
  }

  /** Why the current configuration cannot be used, or undefined when it can. */
  configError(): string | undefined {
    const n = this.size;
    if (!isPowerOfTwo(n) || n > this.maxSize) return `queue ${this.index}: size ${n} is not a power of two between 1 and ${this.maxSize}`;
    if (this.descAddr % 16 !== 0) return `queue ${this.index}: descriptor area 0x${this.descAddr.toString(16)} is not 16-byte aligned`;
    if (this.driverAddr % 2 !== 0) return `queue ${this.index}: driver area 0x${this.driverAddr.toString(16)} is not 2-byte aligned`;
    if (this.deviceAddr % 4 !== 0) return `queue ${this.index}: device area 0x${this.deviceAddr.toString(16)} is not 4-byte aligned`;
    return undefined;
  }

  /** Called when the queue becomes ready: indices start from zero. */
  start(): void {
    this.lastAvailIdx = 0;
    this.usedIdx = 0;
    this.ready = true;
  }

  state(): VirtqueueState {
    return {
      index: this.index,
      ready: this.ready,
      size: this.size,
      descAddr: this.descAddr,
      driverAddr: this.driverAddr,
      deviceAddr: this.deviceAddr,
      lastAvailIdx: this.lastAvailIdx,
      usedIdx: this.usedIdx,
    };
  }

  /** avail.idx as the driver last wrote it. */
  availIdx(dma: DmaPort): number {
    return le16(dma.read(this.driverAddr + 2, 2), 0);
  }

  /** Number of chains the driver made available that the device has not taken. */
  pending(dma: DmaPort): number {
    const idx = this.availIdx(dma);
    const n = (idx - this.lastAvailIdx) & 0xffff;
    if (n > this.size) {
      throw new VirtqueueError(`queue ${this.index}: avail.idx ${idx} is ${n} entries ahead of the device's ${this.lastAvailIdx} (queue size ${this.size})`);
    }
    return n;
  }

  /** The next available chain without taking it, or undefined when none. */
  peek(dma: DmaPort): DescriptorChain | undefined {
    if (this.pending(dma) === 0) return undefined;
    const slot = this.lastAvailIdx & (this.size - 1);
    const head = le16(dma.read(this.driverAddr + 4 + 2 * slot, 2), 0);
    return this.walk(dma, head);
  }

  /** Takes the next available chain, or returns undefined when none. */
  pop(dma: DmaPort): DescriptorChain | undefined {
    const chain = this.peek(dma);
    if (chain) this.lastAvailIdx = (this.lastAvailIdx + 1) & 0xffff;
    return chain;
  }

  /** Follows a chain from `head`, checking every rule the device relies on. */
  walk(dma: DmaPort, head: number): DescriptorChain {
    const size = this.size;
    if (head >= size) throw new VirtqueueError(`queue ${this.index}: head descriptor ${head} is outside the table (size ${size})`);
    const readable: VirtqBuffer[] = [];
    const writable: VirtqBuffer[] = [];
    let readableLength = 0;
    let writableLength = 0;
    let i = head;
    for (let count = 1; ; count++) {
      if (count > size) throw new VirtqueueError(`queue ${this.index}: descriptor chain from ${head} is longer than the queue size ${size} (a loop)`);
      const d = dma.read(this.descAddr + VIRTQ_DESC_SIZE * i, VIRTQ_DESC_SIZE);
      const addr = le32(d, 0) + le32(d, 4) * 2 ** 32;
      const len = le32(d, 8);
      const flags = le16(d, 12);
      const next = le16(d, 14);
      if (flags & VIRTQ_DESC_F_INDIRECT) throw new VirtqueueError(`queue ${this.index}: descriptor ${i} is INDIRECT, which was not offered`);
      if (flags & VIRTQ_DESC_F_WRITE) {
        writable.push({ addr, len });
        writableLength += len;
      } else {
        if (writable.length) throw new VirtqueueError(`queue ${this.index}: descriptor ${i} is device-readable but follows a device-writable one`);
        readable.push({ addr, len });
        readableLength += len;
      }
      if (!(flags & VIRTQ_DESC_F_NEXT)) break;
      if (next >= size) throw new VirtqueueError(`queue ${this.index}: descriptor ${i} links to ${next}, outside the table (size ${size})`);
      i = next;
    }
    return { head, readable, writable, readableLength, writableLength };
  }

  /** Publishes a used element (head, bytes written) and advances used.idx. */
  pushUsed(dma: DmaPort, head: number, len: number): void {
    const slot = this.usedIdx & (this.size - 1);
    const elem = new Uint8Array(VIRTQ_USED_ELEM_SIZE);
    const v = new DataView(elem.buffer);
    v.setUint32(0, head >>> 0, true);
    v.setUint32(4, Math.min(Math.max(0, Math.trunc(len)), 0xffffffff), true);
    dma.write(this.deviceAddr + 4 + VIRTQ_USED_ELEM_SIZE * slot, elem);
    const next = (this.usedIdx + 1) & 0xffff;
    dma.write(this.deviceAddr + 2, new Uint8Array([next & 0xff, next >>> 8]));
    this.usedIdx = next;
  }

  /** Whether the driver wants an interrupt for used buffers (VIRTQ_AVAIL_F_NO_INTERRUPT clear). */
  wantsInterrupt(dma: DmaPort): boolean {
    return (le16(dma.read(this.driverAddr, 2), 0) & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }
}

/** Copies `length` bytes starting at byte `offset` of the concatenation of `buffers`. */
export function gather(dma: DmaPort, buffers: readonly VirtqBuffer[], offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let pos = 0; // start of the current buffer in the concatenation
  let done = 0;
  for (const b of buffers) {
    if (done === length) break;
    const end = pos + b.len;
    const from = Math.max(offset + done, pos);
    if (from < end) {
      const n = Math.min(end - from, length - done);
      out.set(dma.read(b.addr + (from - pos), n), done);
      done += n;
    }
    pos = end;
  }
  if (done < length) throw new VirtqueueError(`buffers hold ${Math.max(0, pos - offset)} bytes after offset ${offset}, ${length} needed`);
  return out;
}

/** Stores `data` at byte `offset` of the concatenation of `buffers`; returns the bytes stored (less when they run out). */
export function scatter(dma: DmaPort, buffers: readonly VirtqBuffer[], offset: number, data: Uint8Array): number {
  let pos = 0;
  let done = 0;
  for (const b of buffers) {
    if (done === data.length) break;
    const end = pos + b.len;
    const from = Math.max(offset + done, pos);
    if (from < end) {
      const n = Math.min(end - from, data.length - done);
      dma.write(b.addr + (from - pos), data.subarray(done, done + n));
      done += n;
    }
    pos = end;
  }
  return done;
}
