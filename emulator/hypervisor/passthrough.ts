/**
 * Devices passed through to a VM: their MMIO window in the VM's bus, their
 * interrupt into the VM's PLIC, and their DMA through the VM's IOMMU. The
 * hypervisor knows devices only through this interface; the system layer
 * supplies a factory for the device models (virtio-blk, virtio-net), and the
 * hypervisor builds the UART itself.
 */
import type { MmioDevice } from '../bus/bus';
import type { DmaPort } from '../devices/dma';
import type { IrqLine } from '../devices/irq';
import { Ns16550a } from '../devices/uart';
import type { DeviceTimers } from '../devices/virtio/timers';
import type { VmConsole } from './console';

export type PassthroughKind = 'virtio-blk' | 'virtio-net' | 'uart';

export interface PassthroughSpec {
  readonly name: string;
  readonly kind: PassthroughKind;
  /** MMIO window in the VM's guest-physical space. */
  readonly base: number;
  readonly size: number;
  /** PLIC source id in the VM's PLIC. */
  readonly irq: number;
}

/** What a device model gets from the hypervisor. */
export interface PassthroughContext {
  /** DMA confined to the owner VM's RAM and the grant pages mapped in its window. */
  readonly dma: DmaPort;
  readonly irq: IrqLine;
  /** Virtual-time callbacks, cancelled when the VM is reset. */
  readonly timers: DeviceTimers;
  /** The owner VM's console (a passed-through UART writes there). */
  readonly console: VmConsole;
  /** e.g. "blkdrv/disk0". */
  readonly label: string;
}

export interface PassthroughDevice {
  readonly spec: PassthroughSpec;
  readonly mmio: MmioDevice;
  /** Back to the power-on state (the owner VM restarts). */
  reset(): void;
  /** State for the debugger. */
  describe?(): unknown;
}

/** Builds the device model for a spec; undefined lets the hypervisor use its default for the kind. */
export type DeviceFactory = (spec: PassthroughSpec, ctx: PassthroughContext) => PassthroughDevice | undefined;

/** The UART, writing to the owner VM's console. */
export function createUart(spec: PassthroughSpec, ctx: PassthroughContext): PassthroughDevice {
  const uart = new Ns16550a({ onTransmit: (b) => ctx.console.writeByte(b), irq: ctx.irq });
  return { spec, mmio: uart, reset: () => uart.reset() };
}

/**
 * A virtio-mmio slot with DeviceID 0 ("no device", which drivers must ignore),
 * for a virtio device when no device model is available.
 */
export function createVirtioPlaceholder(spec: PassthroughSpec): PassthroughDevice {
  const mmio: MmioDevice = {
    name: `${spec.name} (placeholder)`,
    read(offset: number): number {
      if (offset === 0) return 0x74726976; // "virt"
      if (offset === 4) return 2;
      return 0;
    },
    write(): void {
      /* nothing to configure */
    },
  };
  return { spec, mmio, reset: () => undefined, describe: () => ({ placeholder: true }) };
}

export function createPassthrough(spec: PassthroughSpec, ctx: PassthroughContext, factory?: DeviceFactory): PassthroughDevice {
  const made = factory?.(spec, ctx);
  if (made) return made;
  return spec.kind === 'uart' ? createUart(spec, ctx) : createVirtioPlaceholder(spec);
}
