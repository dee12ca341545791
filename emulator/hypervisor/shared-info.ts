/**
 * The shared-info page of one VM (docs/abi.md, "Shared-info page"): a page
 * outside RAM at PVIO_SHARED_INFO_GPA that the guest reads and writes like
 * memory. The event-channel service keeps its pending and mask bitmaps in
 * views of this same buffer, so a guest clearing a pending bit and the
 * hypervisor setting one act on one copy.
 *
 * Because the page is not RAM, a guest AMO on it traps; the hypervisor
 * emulates the AMO through `read`/`write` (guest-traps.ts).
 */
import type { MmioDevice } from '../bus/bus';
import {
  PVIO_ABI_VERSION,
  PVIO_EVTCHN_MAX_PORTS,
  PVIO_PAGE_SIZE,
  PVIO_SHARED_INFO_MAGIC,
  PVIO_SI_ABI_VERSION,
  PVIO_SI_DOMID,
  PVIO_SI_EVTCHN_MASK,
  PVIO_SI_EVTCHN_MASK_WORDS,
  PVIO_SI_EVTCHN_MAX_PORTS,
  PVIO_SI_EVTCHN_PENDING,
  PVIO_SI_EVTCHN_PENDING_WORDS,
  PVIO_SI_MAGIC,
  PVIO_SI_NUM_VMS,
} from './abi.generated';
import type { PortBitmaps } from './event-channels';

export class SharedInfoPage implements MmioDevice {
  readonly name: string;
  readonly bytes = new Uint8Array(PVIO_PAGE_SIZE);
  private readonly words = new Uint32Array(this.bytes.buffer);
  readonly bitmaps: PortBitmaps;
  /** Guest writes that cleared at least one pending bit (watchdog progress). */
  pendingClears = 0;

  constructor(readonly domid: number, private readonly numVms: number) {
    this.name = `shared-info(${domid})`;
    this.bitmaps = {
      pending: new Uint32Array(this.bytes.buffer, PVIO_SI_EVTCHN_PENDING, PVIO_SI_EVTCHN_PENDING_WORDS),
      mask: new Uint32Array(this.bytes.buffer, PVIO_SI_EVTCHN_MASK, PVIO_SI_EVTCHN_MASK_WORDS),
    };
    this.reset();
  }

  /** Zeroes the page and fills in the header (VM start and restart). */
  reset(): void {
    this.bytes.fill(0);
    this.words[PVIO_SI_MAGIC >>> 2] = PVIO_SHARED_INFO_MAGIC;
    this.words[PVIO_SI_ABI_VERSION >>> 2] = PVIO_ABI_VERSION;
    this.words[PVIO_SI_DOMID >>> 2] = this.domid;
    this.words[PVIO_SI_NUM_VMS >>> 2] = this.numVms;
    this.words[PVIO_SI_EVTCHN_MAX_PORTS >>> 2] = PVIO_EVTCHN_MAX_PORTS;
    this.pendingClears = 0;
  }

  read(offset: number, size: number): number {
    const b = this.bytes;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | (offset + i < b.length ? b[offset + i] : 0);
    return v >>> 0;
  }

  write(offset: number, size: number, value: number): void {
    const pendingEnd = PVIO_SI_EVTCHN_PENDING + 4 * PVIO_SI_EVTCHN_PENDING_WORDS;
    let cleared = false;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      if (o >= this.bytes.length) break;
      const byte = (value >>> (8 * i)) & 0xff;
      if (o >= PVIO_SI_EVTCHN_PENDING && o < pendingEnd && (this.bytes[o] & ~byte) !== 0) cleared = true;
      this.bytes[o] = byte;
    }
    if (cleared) this.pendingClears++;
  }
}
