/**
 * The QEMU `virt` physical memory map and interrupt numbers that pvlab's
 * bare-metal machine reproduces (as the machine's device tree describes it).
 */

export interface MmioWindow {
  readonly base: number;
  readonly size: number;
}

export const VirtMap = Object.freeze({
  TEST: Object.freeze({ base: 0x0010_0000, size: 0x1000 }),
  CLINT: Object.freeze({ base: 0x0200_0000, size: 0x10000 }),
  /** 0x600000 covers 1024 contexts; QEMU reserves up to 0x4000000 but the window used is this one. */
  PLIC: Object.freeze({ base: 0x0c00_0000, size: 0x60_0000 }),
  UART0: Object.freeze({ base: 0x1000_0000, size: 0x100, irq: 10 }),
  VIRTIO: Object.freeze({ base: 0x1000_1000, stride: 0x1000, size: 0x1000, count: 8, firstIrq: 1 }),
  RAM: Object.freeze({ base: 0x8000_0000 }),
  /** PLIC source ids 1..95 (id 0 is reserved). */
  PLIC_SOURCES: 96,
});

/** MMIO window of virtio-mmio slot `i` (0..7). */
export function virtioSlot(i: number): MmioWindow & { readonly irq: number } {
  const v = VirtMap.VIRTIO;
  if (!Number.isInteger(i) || i < 0 || i >= v.count) throw new RangeError(`no virtio slot ${i}`);
  return { base: v.base + v.stride * i, size: v.size, irq: v.firstIrq + i };
}

/** PLIC context of a hart's M-mode (2h) or S-mode (2h+1) external interrupt. */
export function plicContext(hart: number, mode: 'M' | 'S'): number {
  return 2 * hart + (mode === 'S' ? 1 : 0);
}
