/**
 * The grant window of one VM: PVIO_GRANT_WINDOW_SLOTS page slots at
 * PVIO_GRANT_WINDOW_BASE where pages other VMs granted appear once mapped.
 * It is an MMIO region of the VM's bus whose accesses go, live, to the
 * granter's RAM page named by the grant table: an empty slot, or a store into
 * a read-only mapping, is an access fault for the guest (BusError), and an
 * unmap or a revocation takes effect on the very next access.
 */
import { Bus, BusError, type MmioDevice } from '../bus/bus';
import { PVIO_GRANT_WINDOW_BASE, PVIO_GRANT_WINDOW_SLOTS, PVIO_PAGE_SIZE } from './abi.generated';
import type { GrantTable } from './grant-table';

export const GRANT_WINDOW_SIZE = PVIO_GRANT_WINDOW_SLOTS * PVIO_PAGE_SIZE;

/** Guest-physical address of a window slot. */
export function grantSlotGpa(slot: number): number {
  return PVIO_GRANT_WINDOW_BASE + slot * PVIO_PAGE_SIZE;
}

export class GrantWindow implements MmioDevice {
  readonly name: string;

  constructor(
    private readonly mapper: number,
    private readonly grants: GrantTable,
    /** The bus (RAM) of a VM by domid. */
    private readonly busOf: (domid: number) => Bus | undefined,
    /** Slots whose granter failed while mapped: accesses read zeros and drop writes (Vm.orphanGrant). */
    private readonly orphaned: ReadonlySet<number> = new Set(),
  ) {
    this.name = `grant-window(${mapper})`;
  }

  /** Physical address in the granter's bus of window byte `offset`, or undefined (fault). */
  private target(offset: number, write: boolean): { bus: Bus; pa: number } | undefined {
    const slot = Math.floor(offset / PVIO_PAGE_SIZE);
    const m = this.grants.mappingAt(this.mapper, slot);
    if (!m || (write && !m.writable)) return undefined;
    const bus = this.busOf(m.granter);
    if (!bus) return undefined;
    const pa = m.gfn * PVIO_PAGE_SIZE + (offset % PVIO_PAGE_SIZE);
    return bus.ramOffset(pa, 1) >= 0 ? { bus, pa } : undefined;
  }

  private isOrphaned(offset: number): boolean {
    return this.orphaned.has(Math.floor(offset / PVIO_PAGE_SIZE)) && !this.grants.mappingAt(this.mapper, Math.floor(offset / PVIO_PAGE_SIZE));
  }

  read(offset: number, size: number): number {
    if (this.isOrphaned(offset)) return 0;
    // Accesses that stay in one slot go through at once; the rest byte by byte (each byte checked).
    if ((offset % PVIO_PAGE_SIZE) + size <= PVIO_PAGE_SIZE) {
      const t = this.target(offset, false);
      if (!t || t.bus.ramOffset(t.pa, size) < 0) throw new BusError(PVIO_GRANT_WINDOW_BASE + offset, false);
      return t.bus.read(t.pa, size);
    }
    const parts: { bus: Bus; pa: number }[] = [];
    for (let i = 0; i < size; i++) {
      const t = this.target(offset + i, false);
      if (!t) throw new BusError(PVIO_GRANT_WINDOW_BASE + offset + i, false);
      parts.push(t);
    }
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | parts[i].bus.read(parts[i].pa, 1);
    return v >>> 0;
  }

  write(offset: number, size: number, value: number): void {
    if (this.isOrphaned(offset)) return;
    if ((offset % PVIO_PAGE_SIZE) + size <= PVIO_PAGE_SIZE) {
      const t = this.target(offset, true);
      if (!t || t.bus.ramOffset(t.pa, size) < 0) throw new BusError(PVIO_GRANT_WINDOW_BASE + offset, true);
      t.bus.write(t.pa, size, value);
      return;
    }
    const parts: { bus: Bus; pa: number }[] = [];
    for (let i = 0; i < size; i++) {
      const t = this.target(offset + i, true);
      if (!t) throw new BusError(PVIO_GRANT_WINDOW_BASE + offset + i, true);
      parts.push(t);
    }
    parts.forEach((t, i) => t.bus.write(t.pa, 1, value >>> (8 * i)));
  }
}
