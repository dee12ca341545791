/**
 * The virtio-mmio transport, modern interface (Version 2) only, as a base
 * class for pvlab's virtio devices. The device does DMA through a `DmaPort`
 * (plain RAM or an IOMMU), raises one level-triggered `IrqLine` while
 * InterruptStatus is non-zero, and models latency with virtual-time timers.
 *
 * Nothing the guest writes makes the device throw: a malformed ring, a
 * refused DMA or a broken handshake sets DEVICE_NEEDS_RESET (with a
 * configuration-change interrupt once DRIVER_OK is set) and the device stops
 * processing until the driver resets it (Status = 0) or the host calls
 * `reset()` (a VM restart: the device comes back in its initial state).
 */
import type { MmioDevice } from '../../bus/bus';
import { DmaFault, type DmaPort } from '../dma';
import { NO_IRQ, type IrqLine } from '../irq';
import {
  INT_CONFIG_CHANGE,
  INT_USED_BUFFER,
  MMIO,
  PVLAB_VENDOR_ID,
  STATUS,
  VIRTIO_F_VERSION_1,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_VERSION,
} from './constants';
import type { DeviceTimers } from './timers';
import { SplitVirtqueue, VirtqueueError, type DescriptorChain, type VirtqueueState } from './virtqueue';

/** What the machine or hypervisor gives every virtio-mmio device. */
export interface VirtioMmioOptions {
  /** Memory the device may reach (busDma(bus) on bare metal, an IommuDma for a driver VM). */
  dma: DmaPort;
  /** Virtual-time callbacks (cycles). */
  timers: DeviceTimers;
  /** The interrupt wire (a PLIC source); high while InterruptStatus != 0. */
  irq?: IrqLine;
  name?: string;
  /** QueueNumMax of every queue: a power of two up to 32768 (default 128). */
  queueSize?: number;
  vendorId?: number;
  /** Called once each time the device enters DEVICE_NEEDS_RESET, with the reason. */
  onError?: (message: string) => void;
}

/** Fixed facts of a device type, given by the subclass. */
export interface VirtioDeviceSpec {
  readonly deviceId: number;
  /** Offered features; VIRTIO_F_VERSION_1 is always added. */
  readonly features: bigint;
  readonly queues: number;
  /** Size of the device-specific configuration space in bytes. */
  readonly configSize: number;
}

export interface VirtioTransportStats {
  notifies: number;
  /** Notifications ignored: before DRIVER_OK, after NEEDS_RESET, or for a queue that is not ready. */
  ignoredNotifies: number;
  /** Used-buffer interrupts raised (not suppressed by VIRTQ_AVAIL_F_NO_INTERRUPT). */
  interrupts: number;
  suppressedInterrupts: number;
  configInterrupts: number;
  /** Times the device entered DEVICE_NEEDS_RESET. */
  errors: number;
  /** Refused DMA accesses seen by the device. */
  dmaFaults: number;
  /** Resets (Status = 0 or host `reset()`). */
  resets: number;
  /** Narrow or misaligned writes to control registers (ignored). */
  badAccesses: number;
}

/** A queue as the debugger shows it. */
export interface VirtioQueueSnapshot extends VirtqueueState {
  /** avail.idx in guest memory (undefined when not ready or not readable without a fault). */
  readonly availIdx: number | undefined;
  /** Requests taken from the ring whose completion is still pending in virtual time. */
  readonly inFlight: number;
}

/** Linear latency: `baseCycles + cyclesPerByte × bytes`. */
export function linearLatency(baseCycles: number, cyclesPerByte: number): (bytes: number) => number {
  return (bytes) => baseCycles + cyclesPerByte * bytes;
}

/** A latency value as a non-negative whole number of cycles (NaN, negative and infinite count as 0). */
export function latencyCycles(latency: number): number {
  return Number.isFinite(latency) && latency > 0 ? Math.ceil(latency) : 0;
}

function statusNames(s: number): string {
  const names: string[] = [];
  for (const [k, v] of Object.entries(STATUS)) if (s & v) names.push(k);
  return names.join('|') || '0';
}

export abstract class VirtioMmioDevice implements MmioDevice {
  readonly name: string;
  readonly deviceId: number;
  readonly vendorId: number;
  /** Offered features (64-bit mask). */
  readonly deviceFeatures: bigint;
  readonly queues: readonly SplitVirtqueue[];
  readonly transportStats: VirtioTransportStats = {
    notifies: 0,
    ignoredNotifies: 0,
    interrupts: 0,
    suppressedInterrupts: 0,
    configInterrupts: 0,
    errors: 0,
    dmaFaults: 0,
    resets: 0,
    badAccesses: 0,
  };
  /** Why the device last entered DEVICE_NEEDS_RESET (cleared by reset). */
  lastError: string | undefined;

  protected readonly dma: DmaPort;
  protected readonly timers: DeviceTimers;
  /** Device-specific configuration space (little-endian), read at 0x100+. */
  protected readonly config: Uint8Array;

  private readonly irq: IrqLine;
  private readonly onError: ((message: string) => void) | undefined;
  private status = 0;
  private isr = 0;
  private irqLevel = false;
  private driverFeatures = 0n;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private queueSel = 0;
  private shmSel = 0;
  private generation = 0;
  /** Bumped per queue to drop completions scheduled before a reset or a queue stop. */
  private readonly epochs: number[];
  private readonly inFlight: number[];

  constructor(options: VirtioMmioOptions, spec: VirtioDeviceSpec) {
    this.name = options.name ?? `virtio-mmio(${spec.deviceId})`;
    this.deviceId = spec.deviceId;
    this.vendorId = (options.vendorId ?? PVLAB_VENDOR_ID) >>> 0;
    this.deviceFeatures = (spec.features | VIRTIO_F_VERSION_1) & 0xffff_ffff_ffff_ffffn;
    this.dma = options.dma;
    this.timers = options.timers;
    this.irq = options.irq ?? NO_IRQ;
    this.onError = options.onError;
    const qsize = options.queueSize ?? 128;
    this.queues = Array.from({ length: spec.queues }, (_, i) => new SplitVirtqueue(i, qsize));
    this.epochs = new Array<number>(spec.queues).fill(0);
    this.inFlight = new Array<number>(spec.queues).fill(0);
    this.config = new Uint8Array(spec.configSize);
  }

  // ---- state for the host and the debugger ----

  /** The Status register. */
  get deviceStatus(): number {
    return this.status;
  }

  get deviceStatusText(): string {
    return statusNames(this.status);
  }

  get interruptStatus(): number {
    return this.isr;
  }

  /** Features the driver accepted (meaningful once FEATURES_OK is set). */
  get negotiatedFeatures(): bigint {
    return this.status & STATUS.FEATURES_OK ? this.driverFeatures : 0n;
  }

  get configGeneration(): number {
    return this.generation;
  }

  /** DRIVER_OK set, and neither DEVICE_NEEDS_RESET nor FAILED: the device processes queues. */
  get live(): boolean {
    return (this.status & (STATUS.DRIVER_OK | STATUS.DEVICE_NEEDS_RESET | STATUS.FAILED)) === STATUS.DRIVER_OK;
  }

  get needsReset(): boolean {
    return (this.status & STATUS.DEVICE_NEEDS_RESET) !== 0;
  }

  /** Ring indices and in-flight counts of every queue. Never faults: unreadable rings show availIdx undefined. */
  queueState(): VirtioQueueSnapshot[] {
    return this.queues.map((q) => {
      let availIdx: number | undefined;
      if (q.ready && this.dma.allows?.(q.driverAddr + 2, 2, 'read')) {
        try {
          availIdx = q.availIdx(this.dma);
        } catch {
          availIdx = undefined;
        }
      }
      return { ...q.state(), availIdx, inFlight: this.inFlight[q.index] };
    });
  }

  /** Device reset: the state after power-on (host side of a VM restart, or the driver writing Status = 0). */
  reset(): void {
    this.transportStats.resets++;
    this.status = 0;
    this.isr = 0;
    this.driverFeatures = 0n;
    this.deviceFeaturesSel = 0;
    this.driverFeaturesSel = 0;
    this.queueSel = 0;
    this.shmSel = 0;
    this.lastError = undefined;
    this.dropInFlight();
    for (const q of this.queues) q.reset();
    this.onDeviceReset();
    this.updateIrq();
  }

  // ---- MmioDevice ----

  read(offset: number, size: number): number {
    if (offset >= MMIO.CONFIG) return this.readConfig(offset - MMIO.CONFIG, size);
    const word = this.readRegister(offset & ~3);
    const shift = (offset & 3) * 8;
    const v = word >>> shift;
    return size >= 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1);
  }

  write(offset: number, size: number, value: number): void {
    if (offset >= MMIO.CONFIG) {
      this.guard(() => this.writeConfig(offset - MMIO.CONFIG, size, value >>> 0));
      return;
    }
    if (size !== 4 || offset & 3) {
      this.transportStats.badAccesses++;
      return;
    }
    this.writeRegister(offset, value >>> 0);
  }

  // ---- for subclasses ----

  /** Called for QueueNotify of a ready queue while the device is live. */
  protected abstract onNotify(queue: SplitVirtqueue): void;

  /** Called when the driver sets DRIVER_OK (buffers may already be available). */
  protected onDriverOk(): void {
    /* nothing by default */
  }

  /** Device-specific part of a reset. */
  protected onDeviceReset(): void {
    /* nothing by default */
  }

  /** Driver write to the configuration space; ignored by default (read-only configuration). */
  protected writeConfig(_offset: number, _size: number, _value: number): void {
    /* read-only */
  }

  /** Extra feature checks at FEATURES_OK (the accepted set is already a subset of the offer with VERSION_1). */
  protected acceptFeatures(_features: bigint): boolean {
    return true;
  }

  /** The configuration space changed: new generation, and a configuration-change interrupt once DRIVER_OK. */
  protected configChanged(): void {
    this.generation = (this.generation + 1) >>> 0;
    if (this.status & STATUS.DRIVER_OK) this.raise(INT_CONFIG_CHANGE);
  }

  /** Runs `fn`; any error (malformed ring, refused DMA, bug) puts the device in DEVICE_NEEDS_RESET. Returns whether it succeeded. */
  protected guard(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (e instanceof DmaFault) {
        this.transportStats.dmaFaults++;
        this.fail(e.message);
      } else if (e instanceof VirtqueueError) {
        this.fail(e.message);
      } else {
        this.fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
      }
      return false;
    }
  }

  /** Enters DEVICE_NEEDS_RESET (once): stops processing and drops in-flight work. */
  protected fail(reason: string): void {
    if (this.status & STATUS.DEVICE_NEEDS_RESET) return;
    this.transportStats.errors++;
    this.lastError = reason;
    this.status |= STATUS.DEVICE_NEEDS_RESET;
    this.dropInFlight();
    if (this.status & STATUS.DRIVER_OK) this.raise(INT_CONFIG_CHANGE);
    try {
      this.onError?.(reason);
    } catch {
      /* an observer's failure is not the device's */
    }
  }

  /**
   * Completes `chain` of `queue` at virtual `time`: runs `work` (the data
   * transfer; returns the bytes written into the chain's writable buffers),
   * then publishes the used element and interrupts unless suppressed. Dropped
   * if the device or queue is reset, or the device fails, before then.
   */
  protected complete(queue: SplitVirtqueue, chain: DescriptorChain, time: number, work: () => number): void {
    const qi = queue.index;
    const epoch = this.epochs[qi];
    this.inFlight[qi]++;
    this.timers.at(time, () => {
      if (this.epochs[qi] !== epoch) return;
      this.inFlight[qi]--;
      if (!this.live || !queue.ready) return;
      this.guard(() => {
        const len = work();
        queue.pushUsed(this.dma, chain.head, len);
        this.usedBufferNotification(queue);
      });
    });
  }

  /** Raises the used-buffer interrupt unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT. */
  protected usedBufferNotification(queue: SplitVirtqueue): void {
    if (queue.wantsInterrupt(this.dma)) {
      this.transportStats.interrupts++;
      this.raise(INT_USED_BUFFER);
    } else {
      this.transportStats.suppressedInterrupts++;
    }
  }

  // ---- registers ----

  private readRegister(offset: number): number {
    const q = this.queues[this.queueSel] as SplitVirtqueue | undefined;
    switch (offset) {
      case MMIO.MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
      case MMIO.VERSION:
        return VIRTIO_MMIO_VERSION;
      case MMIO.DEVICE_ID:
        return this.deviceId;
      case MMIO.VENDOR_ID:
        return this.vendorId;
      case MMIO.DEVICE_FEATURES:
        return this.deviceFeaturesSel > 1 ? 0 : Number((this.deviceFeatures >> BigInt(32 * this.deviceFeaturesSel)) & 0xffffffffn);
      case MMIO.QUEUE_NUM_MAX:
        return q ? q.maxSize : 0;
      case MMIO.QUEUE_READY:
        return q?.ready ? 1 : 0;
      case MMIO.INTERRUPT_STATUS:
        return this.isr;
      case MMIO.STATUS:
        return this.status;
      case MMIO.SHM_LEN_LOW:
      case MMIO.SHM_LEN_HIGH:
      case MMIO.SHM_BASE_LOW:
      case MMIO.SHM_BASE_HIGH:
        // No shared memory regions: length -1 and base all-ones for every id.
        return 0xffffffff;
      case MMIO.QUEUE_RESET:
        return 0;
      case MMIO.CONFIG_GENERATION:
        return this.generation;
      default:
        // Write-only and unassigned registers read as 0.
        return 0;
    }
  }

  private writeRegister(offset: number, value: number): void {
    const q = this.queues[this.queueSel] as SplitVirtqueue | undefined;
    switch (offset) {
      case MMIO.DEVICE_FEATURES_SEL:
        this.deviceFeaturesSel = value;
        return;
      case MMIO.DRIVER_FEATURES_SEL:
        this.driverFeaturesSel = value;
        return;
      case MMIO.DRIVER_FEATURES: {
        // Features are fixed once FEATURES_OK is set; words above 1 hold nothing.
        if (this.status & STATUS.FEATURES_OK || this.driverFeaturesSel > 1) return;
        const shift = BigInt(32 * this.driverFeaturesSel);
        this.driverFeatures = (this.driverFeatures & ~(0xffffffffn << shift)) | (BigInt(value) << shift);
        return;
      }
      case MMIO.QUEUE_SEL:
        this.queueSel = value;
        return;
      case MMIO.QUEUE_NUM:
        if (q && !q.ready) q.size = value;
        return;
      case MMIO.QUEUE_READY:
        if (q) this.setQueueReady(q, value !== 0);
        return;
      case MMIO.QUEUE_DESC_LOW:
      case MMIO.QUEUE_DESC_HIGH:
        if (q && !q.ready) q.descAddr = setHalf(q.descAddr, offset === MMIO.QUEUE_DESC_HIGH, value);
        return;
      case MMIO.QUEUE_DRIVER_LOW:
      case MMIO.QUEUE_DRIVER_HIGH:
        if (q && !q.ready) q.driverAddr = setHalf(q.driverAddr, offset === MMIO.QUEUE_DRIVER_HIGH, value);
        return;
      case MMIO.QUEUE_DEVICE_LOW:
      case MMIO.QUEUE_DEVICE_HIGH:
        if (q && !q.ready) q.deviceAddr = setHalf(q.deviceAddr, offset === MMIO.QUEUE_DEVICE_HIGH, value);
        return;
      case MMIO.QUEUE_NOTIFY:
        this.notify(value & 0xffff);
        return;
      case MMIO.INTERRUPT_ACK:
        this.isr &= ~value;
        this.updateIrq();
        return;
      case MMIO.STATUS:
        this.writeStatus(value & 0xff);
        return;
      case MMIO.SHM_SEL:
        this.shmSel = value;
        return;
      default:
        // Read-only and unassigned registers ignore writes.
        return;
    }
  }

  private setQueueReady(q: SplitVirtqueue, ready: boolean): void {
    if (ready === q.ready) return;
    if (!ready) {
      q.ready = false;
      this.epochs[q.index]++;
      this.inFlight[q.index] = 0;
      return;
    }
    const err = q.configError();
    if (err) {
      this.fail(err);
      return;
    }
    q.start();
  }

  private notify(index: number): void {
    this.transportStats.notifies++;
    const q = this.queues[index] as SplitVirtqueue | undefined;
    if (!this.live || !q || !q.ready) {
      this.transportStats.ignoredNotifies++;
      return;
    }
    this.guard(() => this.onNotify(q));
  }

  private writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    const old = this.status;
    // DEVICE_NEEDS_RESET belongs to the device: the driver can neither set nor clear it.
    let s = (value & ~STATUS.DEVICE_NEEDS_RESET) | (old & STATUS.DEVICE_NEEDS_RESET);
    if (s & STATUS.FEATURES_OK && !(old & STATUS.FEATURES_OK) && !this.featuresAcceptable()) s &= ~STATUS.FEATURES_OK;
    const driverOkNow = (s & STATUS.DRIVER_OK) !== 0 && !(old & STATUS.DRIVER_OK);
    this.status = s;
    if (driverOkNow && !(s & STATUS.FEATURES_OK)) {
      this.fail('DRIVER_OK set without FEATURES_OK');
      return;
    }
    if (driverOkNow && s & STATUS.DEVICE_NEEDS_RESET) {
      // The driver must learn that the device needs a reset.
      this.raise(INT_CONFIG_CHANGE);
      return;
    }
    if (driverOkNow && this.live) this.guard(() => this.onDriverOk());
  }

  private featuresAcceptable(): boolean {
    const f = this.driverFeatures;
    if ((f & ~this.deviceFeatures) !== 0n) return false;
    if ((f & VIRTIO_F_VERSION_1) === 0n) return false;
    return this.acceptFeatures(f);
  }

  private readConfig(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const o = offset + i;
      v = v * 256 + (o < this.config.length ? this.config[o] : 0);
    }
    return v >>> 0;
  }

  private raise(bit: number): void {
    if (bit === INT_CONFIG_CHANGE) this.transportStats.configInterrupts++;
    this.isr |= bit;
    this.updateIrq();
  }

  private updateIrq(): void {
    const level = this.isr !== 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq.set(level);
  }

  private dropInFlight(): void {
    for (let i = 0; i < this.epochs.length; i++) {
      this.epochs[i]++;
      this.inFlight[i] = 0;
    }
  }
}

function setHalf(addr: number, high: boolean, value: number): number {
  const lo = addr % 2 ** 32;
  const hi = Math.floor(addr / 2 ** 32);
  return high ? lo + value * 2 ** 32 : value + hi * 2 ** 32;
}
