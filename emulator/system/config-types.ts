/**
 * The resolved system description: what loadSystemFile returns after
 * validation, with defaults filled in and paths made absolute.
 */
import { VirtMap } from '../devices/virt-map';

export type VmRole = 'client' | 'driver';

export interface RestartPolicy {
  /** Restarts allowed before the VM stays stopped. */
  readonly maxRestarts: number;
  /** Wait before the second restart (the first is immediate), virtual ms. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
}

export type VmImage =
  | { readonly kind: 'elf'; readonly path: string }
  | { readonly kind: 'asm'; readonly sources: readonly string[] };

export interface VmConfig {
  readonly name: string;
  /** Domain id: 1 + position in the file (docs/abi.md, "Domains"). */
  readonly domid: number;
  readonly image: VmImage;
  readonly ramMiB: number;
  readonly ramBytes: number;
  readonly vcpus: number;
  readonly role: VmRole;
  readonly restart: RestartPolicy;
  /** Absent: no watchdog. */
  readonly watchdogMs?: number;
}

export interface DiskConfig {
  /** Absolute path of the raw image, if any. */
  readonly image?: string;
  /** Disk size: sizeKiB × 1024 when given, else the image's size. */
  readonly sizeBytes: number;
  readonly readOnly: boolean;
}

export type NetPeer =
  | { readonly kind: 'loopback' }
  | { readonly kind: 'echo' }
  | { readonly kind: 'device'; readonly device: string };

interface DeviceBase {
  readonly name: string;
  /** The VM the device is passed through to. */
  readonly owner: string;
}

export interface BlkDeviceConfig extends DeviceBase {
  readonly kind: 'virtio-blk';
  /** Machine virtio-mmio slot (0..7), given in declaration order. */
  readonly virtioSlot: number;
  readonly disk: DiskConfig;
}

export interface NetDeviceConfig extends DeviceBase {
  readonly kind: 'virtio-net';
  readonly virtioSlot: number;
  readonly peer: NetPeer;
}

export interface UartDeviceConfig extends DeviceBase {
  readonly kind: 'uart';
}

export type DeviceConfig = BlkDeviceConfig | NetDeviceConfig | UartDeviceConfig;

export interface ConnectionConfig {
  readonly kind: 'blk' | 'net';
  /** Client VM. */
  readonly frontend: string;
  /** Driver VM owning `device`. */
  readonly backend: string;
  readonly device: string;
}

export type FaultKind = 'trap' | 'panic' | 'hang' | 'dma';

export interface FaultConfig {
  readonly vm: string;
  readonly kind: FaultKind;
  readonly atMs: number;
}

export interface SystemConfig {
  readonly name: string;
  readonly description?: string;
  /** Absolute path of the system file, when loaded from one. */
  readonly sourcePath?: string;
  /** Folder relative paths were resolved against (absolute). */
  readonly baseDir: string;
  readonly vms: readonly VmConfig[];
  readonly devices: readonly DeviceConfig[];
  readonly connections: readonly ConnectionConfig[];
  readonly scheduler: { readonly quantum: number };
  readonly faults: readonly FaultConfig[];
}

/** Values used for what the file leaves out (the schema's `default`s say the same; a test checks). */
export const CONFIG_DEFAULTS = Object.freeze({
  vcpus: 1,
  restart: Object.freeze({ maxRestarts: 5, initialBackoffMs: 10, maxBackoffMs: 1000, multiplier: 2 }),
  quantum: 10_000,
  readOnly: false,
  peer: 'loopback',
});

/** virtio-mmio slots of the machine (QEMU virt: 0x10001000 + 0x1000 × slot, IRQ 1 + slot). */
export const VIRTIO_SLOTS = VirtMap.VIRTIO.count;

/** The connection kind that serves each device kind. */
export const CONNECTION_FOR_DEVICE = Object.freeze({ 'virtio-blk': 'blk', 'virtio-net': 'net' } as const);
