/**
 * virtio-net (device id 1) over virtio-mmio: receive queue 0, transmit queue
 * 1, a MAC address and link status in the configuration space. Every buffer
 * starts with the 12-byte virtio_net_hdr (num_buffers present, as with
 * VIRTIO_F_VERSION_1); no offloads are offered, so the header is ignored on
 * transmit and all-zero (num_buffers = 1) on receive.
 *
 * The wire is a host-side `NetPeer`. Frames arriving while no receive buffer
 * is posted wait in a bounded backlog (drops beyond it are counted). Each
 * direction serves one frame at a time, each taking `latency(bytes)` virtual
 * cycles (default 10 000 + 1 × bytes, header included).
 */
import { VIRTIO_ID_NET } from './constants';
import { latencyCycles, linearLatency, VirtioMmioDevice, type VirtioMmioOptions } from './mmio';
import { gather, scatter, type SplitVirtqueue } from './virtqueue';

export const VIRTIO_NET_F_MAC = 1n << 5n;
export const VIRTIO_NET_F_STATUS = 1n << 16n;
export const VIRTIO_NET_S_LINK_UP = 1;

/** Bytes of struct virtio_net_hdr with num_buffers. */
export const VIRTIO_NET_HDR_SIZE = 12;
/** Largest frame without an FCS and without offloads (Ethernet header + 1500). */
export const VIRTIO_NET_MAX_FRAME = 1514;
/** Configuration space: mac[6], status (le16). */
export const VIRTIO_NET_CONFIG_SIZE = 8;
export const NET_RX_QUEUE = 0;
export const NET_TX_QUEUE = 1;

export const DEFAULT_NET_LATENCY = Object.freeze({ baseCycles: 10_000, cyclesPerByte: 1 });
export const DEFAULT_NET_BACKLOG = 64;
/** Locally administered unicast address ("pv"). */
export const DEFAULT_MAC = '02:70:76:00:00:01';

/** The other end of the wire, on the host. */
export interface NetPeer {
  /** Called once by the device: `deliver` hands a frame to the device's receive side. */
  attach(deliver: (frame: Uint8Array) => void): void;
  /** A frame the device transmitted. */
  send(frame: Uint8Array): void;
}

/** Transmitted frames come straight back on receive. */
export class LoopbackPeer implements NetPeer {
  private deliver: ((frame: Uint8Array) => void) | undefined;

  attach(deliver: (frame: Uint8Array) => void): void {
    this.deliver = deliver;
  }

  send(frame: Uint8Array): void {
    this.deliver?.(frame.slice());
  }
}

/** An echo server on the wire: answers each frame with destination and source MAC swapped. */
export class EchoPeer implements NetPeer {
  echoed = 0;
  /** Frames too short to hold two MAC addresses. */
  ignored = 0;
  private deliver: ((frame: Uint8Array) => void) | undefined;

  attach(deliver: (frame: Uint8Array) => void): void {
    this.deliver = deliver;
  }

  send(frame: Uint8Array): void {
    if (frame.length < 12) {
      this.ignored++;
      return;
    }
    const reply = frame.slice();
    reply.set(frame.subarray(6, 12), 0);
    reply.set(frame.subarray(0, 6), 6);
    this.echoed++;
    this.deliver?.(reply);
  }
}

/** Two connected ends: what one device sends, the other receives. */
export function linkPeers(): [NetPeer, NetPeer] {
  const deliver: [((f: Uint8Array) => void) | undefined, ((f: Uint8Array) => void) | undefined] = [undefined, undefined];
  const end = (me: 0 | 1): NetPeer => ({
    attach(d) {
      deliver[me] = d;
    },
    send(frame) {
      deliver[1 - me]?.(frame.slice());
    },
  });
  return [end(0), end(1)];
}

/** Parses "aa:bb:cc:dd:ee:ff" (or "-" separated). */
export function parseMac(mac: string | Uint8Array): Uint8Array {
  if (typeof mac !== 'string') {
    if (mac.length !== 6) throw new RangeError(`a MAC address has 6 bytes, got ${mac.length}`);
    return mac.slice();
  }
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new RangeError(`bad MAC address "${mac}"`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface VirtioNetOptions extends VirtioMmioOptions {
  /** The wire (default: none; transmitted frames are dropped and counted). */
  peer?: NetPeer;
  mac?: string | Uint8Array;
  /** Cycles to move one frame of `bytes` (header included), per direction (default 10 000 + 1 × bytes). */
  latency?: (bytes: number) => number;
  /** Frames waiting for a receive buffer before arrivals are dropped (default 64). */
  backlog?: number;
  /** Initial link state (default up). */
  linkUp?: boolean;
}

export interface VirtioNetStats {
  txFrames: number;
  txBytes: number;
  /** Malformed transmit buffers (shorter than the header, or a frame over 1514 bytes). */
  txErrors: number;
  /** Frames transmitted while the link was down or with no peer. */
  txDropped: number;
  rxFrames: number;
  rxBytes: number;
  /** Arrivals dropped because the backlog was full. */
  rxDropped: number;
  /** Arrivals dropped because the driver was not running (no DRIVER_OK, NEEDS_RESET) or the link was down. */
  rxDroppedNotReady: number;
  /** Arrivals dropped for size: over 1514 bytes or larger than the posted buffer. */
  rxOversize: number;
}

export class VirtioNet extends VirtioMmioDevice {
  readonly mac: Uint8Array;
  readonly stats: VirtioNetStats = {
    txFrames: 0,
    txBytes: 0,
    txErrors: 0,
    txDropped: 0,
    rxFrames: 0,
    rxBytes: 0,
    rxDropped: 0,
    rxDroppedNotReady: 0,
    rxOversize: 0,
  };
  private readonly peer: NetPeer | undefined;
  private readonly latency: (bytes: number) => number;
  private readonly backlogLimit: number;
  private readonly rxBacklog: Uint8Array[] = [];
  private linkIsUp: boolean;
  private txBusyUntil = 0;
  private rxBusyUntil = 0;

  constructor(options: VirtioNetOptions) {
    super({ name: 'virtio-net', ...options }, {
      deviceId: VIRTIO_ID_NET,
      features: VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
      queues: 2,
      configSize: VIRTIO_NET_CONFIG_SIZE,
    });
    this.mac = parseMac(options.mac ?? DEFAULT_MAC);
    this.latency = options.latency ?? linearLatency(DEFAULT_NET_LATENCY.baseCycles, DEFAULT_NET_LATENCY.cyclesPerByte);
    this.backlogLimit = Math.max(0, Math.floor(options.backlog ?? DEFAULT_NET_BACKLOG));
    this.linkIsUp = options.linkUp ?? true;
    this.config.set(this.mac, 0);
    this.writeLinkStatus();
    this.peer = options.peer;
    this.peer?.attach((frame) => this.receive(frame));
  }

  get linkUp(): boolean {
    return this.linkIsUp;
  }

  /** Frames waiting for a receive buffer. */
  get backlog(): number {
    return this.rxBacklog.length;
  }

  /** Changes the link state (a configuration-change interrupt for the driver). */
  setLinkUp(up: boolean): void {
    if (up === this.linkIsUp) return;
    this.linkIsUp = up;
    this.writeLinkStatus();
    this.configChanged();
  }

  /** A frame arrives from the wire (what a peer's `deliver` calls). */
  receive(frame: Uint8Array): void {
    if (!this.live || !this.linkIsUp) {
      this.stats.rxDroppedNotReady++;
      return;
    }
    if (frame.length > VIRTIO_NET_MAX_FRAME) {
      this.stats.rxOversize++;
      return;
    }
    if (this.rxBacklog.length >= this.backlogLimit) {
      this.stats.rxDropped++;
      return;
    }
    this.rxBacklog.push(frame.slice());
    this.guard(() => this.pumpRx());
  }

  protected override onNotify(queue: SplitVirtqueue): void {
    if (queue.index === NET_TX_QUEUE) this.drainTx(queue);
    else this.pumpRx();
  }

  protected override onDriverOk(): void {
    // Buffers posted before DRIVER_OK.
    if (this.queues[NET_TX_QUEUE].ready) this.drainTx(this.queues[NET_TX_QUEUE]);
    this.pumpRx();
  }

  protected override onDeviceReset(): void {
    this.rxBacklog.length = 0;
    this.txBusyUntil = 0;
    this.rxBusyUntil = 0;
  }

  private writeLinkStatus(): void {
    const s = this.linkIsUp ? VIRTIO_NET_S_LINK_UP : 0;
    this.config[6] = s & 0xff;
    this.config[7] = s >>> 8;
  }

  private drainTx(queue: SplitVirtqueue): void {
    for (let n = 0; n < queue.size; n++) {
      const chain = queue.pop(this.dma);
      if (!chain) return;
      const bytes = chain.readableLength;
      const start = Math.max(this.timers.now(), this.txBusyUntil);
      this.txBusyUntil = start + latencyCycles(this.latency(Math.min(bytes, VIRTIO_NET_HDR_SIZE + VIRTIO_NET_MAX_FRAME)));
      this.complete(queue, chain, this.txBusyUntil, () => {
        const frameLength = bytes - VIRTIO_NET_HDR_SIZE;
        if (frameLength < 0 || frameLength > VIRTIO_NET_MAX_FRAME) {
          this.stats.txErrors++;
          return 0;
        }
        const frame = gather(this.dma, chain.readable, VIRTIO_NET_HDR_SIZE, frameLength);
        if (!this.linkIsUp || !this.peer) {
          this.stats.txDropped++;
          return 0;
        }
        this.stats.txFrames++;
        this.stats.txBytes += frameLength;
        try {
          this.peer.send(frame);
        } catch {
          /* the host side's failure does not reach the guest */
        }
        return 0; // nothing written into a transmit buffer
      });
    }
  }

  /** Matches waiting frames with posted receive buffers. */
  private pumpRx(): void {
    const queue = this.queues[NET_RX_QUEUE];
    if (!this.live || !queue.ready) return;
    const bound = queue.size + this.rxBacklog.length;
    for (let n = 0; n < bound && this.rxBacklog.length; n++) {
      const chain = queue.peek(this.dma);
      if (!chain) return;
      const frame = this.rxBacklog[0];
      const total = VIRTIO_NET_HDR_SIZE + frame.length;
      this.rxBacklog.shift();
      if (chain.writableLength < total) {
        // The buffer stays posted for the next frame.
        this.stats.rxOversize++;
        continue;
      }
      queue.pop(this.dma);
      const start = Math.max(this.timers.now(), this.rxBusyUntil);
      this.rxBusyUntil = start + latencyCycles(this.latency(total));
      this.complete(queue, chain, this.rxBusyUntil, () => {
        const packet = new Uint8Array(total);
        packet[10] = 1; // num_buffers = 1 (no VIRTIO_NET_F_MRG_RXBUF)
        packet.set(frame, VIRTIO_NET_HDR_SIZE);
        scatter(this.dma, chain.writable, 0, packet);
        this.stats.rxFrames++;
        this.stats.rxBytes += frame.length;
        return total;
      });
    }
  }
}
