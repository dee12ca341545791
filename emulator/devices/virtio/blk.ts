/**
 * virtio-blk (device id 2) over virtio-mmio, one request queue, backed by a
 * `BlockBackend`. Requests complete in order after a modelled latency in
 * virtual time: the device serves one request at a time, each taking
 * `latency(bytes)` cycles (default 20 000 + 2 × bytes); at completion it
 * moves the data (backend and DMA), writes the status byte, publishes the used
 * element and interrupts.
 */
import { type BlockBackend, SECTOR_SIZE } from './block-backend';
import { VIRTIO_ID_BLOCK } from './constants';
import { latencyCycles, linearLatency, VirtioMmioDevice, type VirtioMmioOptions } from './mmio';
import { gather, scatter, type DescriptorChain, type SplitVirtqueue } from './virtqueue';

export const VIRTIO_BLK_F_SEG_MAX = 1n << 2n;
export const VIRTIO_BLK_F_RO = 1n << 5n;
export const VIRTIO_BLK_F_BLK_SIZE = 1n << 6n;
export const VIRTIO_BLK_F_FLUSH = 1n << 9n;

export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;

export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

/** Bytes of the request header (type, reserved, sector). */
export const VIRTIO_BLK_HDR_SIZE = 16;
/** Bytes of the GET_ID answer. */
export const VIRTIO_BLK_ID_BYTES = 20;
/** Bytes of the configuration space pvlab exposes (capacity … blk_size). */
export const VIRTIO_BLK_CONFIG_SIZE = 24;

export const DEFAULT_BLK_LATENCY = Object.freeze({ baseCycles: 20_000, cyclesPerByte: 2 });

export interface VirtioBlkOptions extends VirtioMmioOptions {
  backend: BlockBackend;
  /** Offer VIRTIO_BLK_F_RO and refuse writes even if the backend could take them. */
  readOnly?: boolean;
  /** GET_ID answer (at most 20 bytes, ASCII); default "pvlab-disk". */
  serial?: string;
  /** Cycles a request moving `bytes` data bytes takes (default 20 000 + 2 × bytes). */
  latency?: (bytes: number) => number;
}

export interface VirtioBlkStats {
  requests: number;
  reads: number;
  writes: number;
  flushes: number;
  getIds: number;
  bytesRead: number;
  bytesWritten: number;
  /** Requests answered VIRTIO_BLK_S_IOERR (out of range, bad length, read-only, host I/O error, malformed). */
  errors: number;
  /** Requests answered VIRTIO_BLK_S_UNSUPP. */
  unsupported: number;
}

export class VirtioBlk extends VirtioMmioDevice {
  readonly backend: BlockBackend;
  readonly readOnly: boolean;
  readonly stats: VirtioBlkStats = {
    requests: 0,
    reads: 0,
    writes: 0,
    flushes: 0,
    getIds: 0,
    bytesRead: 0,
    bytesWritten: 0,
    errors: 0,
    unsupported: 0,
  };
  private readonly latency: (bytes: number) => number;
  private readonly id: Uint8Array;
  /** Virtual time at which the device finishes the requests it has accepted. */
  private busyUntil = 0;

  constructor(options: VirtioBlkOptions) {
    const readOnly = options.readOnly === true || options.backend.readOnly === true;
    const features = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH | (readOnly ? VIRTIO_BLK_F_RO : 0n);
    super({ name: 'virtio-blk', ...options }, { deviceId: VIRTIO_ID_BLOCK, features, queues: 1, configSize: VIRTIO_BLK_CONFIG_SIZE });
    this.backend = options.backend;
    this.readOnly = readOnly;
    this.latency = options.latency ?? linearLatency(DEFAULT_BLK_LATENCY.baseCycles, DEFAULT_BLK_LATENCY.cyclesPerByte);
    this.id = new Uint8Array(VIRTIO_BLK_ID_BYTES);
    const serial = options.serial ?? 'pvlab-disk';
    for (let i = 0; i < Math.min(serial.length, VIRTIO_BLK_ID_BYTES); i++) this.id[i] = serial.charCodeAt(i) & 0x7f;
    const v = new DataView(this.config.buffer);
    const capacity = this.backend.sectors;
    v.setUint32(0, capacity % 2 ** 32, true);
    v.setUint32(4, Math.floor(capacity / 2 ** 32), true);
    // size_max (offset 8) is not offered; geometry (16) neither.
    v.setUint32(12, Math.max(1, this.queues[0].maxSize - 2), true); // seg_max
    v.setUint32(20, SECTOR_SIZE, true); // blk_size
  }

  /** Capacity in 512-byte sectors. */
  get capacity(): number {
    return this.backend.sectors;
  }

  protected override onNotify(queue: SplitVirtqueue): void {
    this.drain(queue);
  }

  protected override onDriverOk(): void {
    // Requests made available before DRIVER_OK (their notification was ignored).
    for (const q of this.queues) if (q.ready) this.drain(q);
  }

  protected override onDeviceReset(): void {
    this.busyUntil = 0;
  }

  private drain(queue: SplitVirtqueue): void {
    for (let n = 0; n < queue.size; n++) {
      const chain = queue.pop(this.dma);
      if (!chain) return;
      this.accept(queue, chain);
    }
  }

  /** Parses a request now and schedules its completion. */
  private accept(queue: SplitVirtqueue, chain: DescriptorChain): void {
    this.stats.requests++;
    const { work, bytes } = this.plan(chain);
    const start = Math.max(this.timers.now(), this.busyUntil);
    const done = start + latencyCycles(this.latency(bytes));
    this.busyUntil = done;
    this.complete(queue, chain, done, work);
  }

  /** What the request will do at completion, and how many data bytes it moves. */
  private plan(chain: DescriptorChain): { work: () => number; bytes: number } {
    // The status byte is the last device-writable byte; without one nothing can be reported.
    if (chain.writableLength < 1) {
      return { bytes: 0, work: () => (this.stats.errors++, 0) };
    }
    const statusAt = chain.writableLength - 1;
    const finish = (status: number, written = 0): number => {
      if (status === VIRTIO_BLK_S_IOERR) this.stats.errors++;
      if (status === VIRTIO_BLK_S_UNSUPP) this.stats.unsupported++;
      scatter(this.dma, chain.writable, statusAt, new Uint8Array([status]));
      return written + 1;
    };
    if (chain.readableLength < VIRTIO_BLK_HDR_SIZE) return { bytes: 0, work: () => finish(VIRTIO_BLK_S_IOERR) };
    const hdr = gather(this.dma, chain.readable, 0, VIRTIO_BLK_HDR_SIZE);
    const h = new DataView(hdr.buffer);
    const type = h.getUint32(0, true);
    const sector = h.getUint32(8, true) + h.getUint32(12, true) * 2 ** 32;
    const inRange = (bytes: number) => bytes % SECTOR_SIZE === 0 && sector + bytes / SECTOR_SIZE <= this.backend.sectors;

    switch (type) {
      case VIRTIO_BLK_T_IN: {
        const bytes = statusAt;
        if (!inRange(bytes)) return { bytes: 0, work: () => finish(VIRTIO_BLK_S_IOERR) };
        return {
          bytes,
          work: () => {
            let data: Uint8Array;
            try {
              data = this.backend.read(sector, bytes / SECTOR_SIZE);
            } catch {
              return finish(VIRTIO_BLK_S_IOERR);
            }
            scatter(this.dma, chain.writable, 0, data);
            this.stats.reads++;
            this.stats.bytesRead += bytes;
            return finish(VIRTIO_BLK_S_OK, bytes);
          },
        };
      }
      case VIRTIO_BLK_T_OUT: {
        const bytes = chain.readableLength - VIRTIO_BLK_HDR_SIZE;
        if (this.readOnly || !inRange(bytes)) return { bytes: 0, work: () => finish(VIRTIO_BLK_S_IOERR) };
        return {
          bytes,
          work: () => {
            const data = gather(this.dma, chain.readable, VIRTIO_BLK_HDR_SIZE, bytes);
            try {
              // The data is in the backend before the driver can see the completion.
              this.backend.write(sector, data);
            } catch {
              return finish(VIRTIO_BLK_S_IOERR);
            }
            this.stats.writes++;
            this.stats.bytesWritten += bytes;
            return finish(VIRTIO_BLK_S_OK);
          },
        };
      }
      case VIRTIO_BLK_T_FLUSH:
        return {
          bytes: 0,
          work: () => {
            try {
              this.backend.flush();
            } catch {
              return finish(VIRTIO_BLK_S_IOERR);
            }
            this.stats.flushes++;
            return finish(VIRTIO_BLK_S_OK);
          },
        };
      case VIRTIO_BLK_T_GET_ID:
        return {
          bytes: 0,
          work: () => {
            const n = Math.min(VIRTIO_BLK_ID_BYTES, statusAt);
            const written = scatter(this.dma, chain.writable, 0, this.id.subarray(0, n));
            this.stats.getIds++;
            return finish(VIRTIO_BLK_S_OK, written);
          },
        };
      default:
        return { bytes: 0, work: () => finish(VIRTIO_BLK_S_UNSUPP) };
    }
  }
}
