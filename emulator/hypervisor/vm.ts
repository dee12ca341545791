/**
 * One virtual machine: its guest-physical address space (RAM at 0x80000000,
 * the MMIO windows of its passthrough devices, its PLIC, the shared-info page
 * and the grant window), its vCPUs, its console, its IOMMU context, and the
 * snapshot it restarts from. Nothing outside these windows is mapped, so a
 * guest access anywhere else is an access fault of this VM only.
 */
import { Bus } from '../bus/bus';
import type { HartHost } from '../cpu/hart';
import { Irq } from '../cpu/constants';
import { IommuDma, ramWindow, type DmaFault } from '../devices/dma';
import { Plic } from '../devices/plic';
import { VirtMap } from '../devices/virt-map';
import type { DeviceTimers } from '../devices/virtio/timers';
import {
  PVIO_GRANT_WINDOW_BASE,
  PVIO_PAGE_SIZE,
  PVIO_SHARED_INFO_GPA,
  SBI_EXT_PVIO,
} from './abi.generated';
import { VmConsole } from './console';
import type { GrantMapping, GrantTable } from './grant-table';
import { GRANT_WINDOW_SIZE, GrantWindow, grantSlotGpa } from './grant-window';
import { GuestMemory } from './guest-memory';
import { createPassthrough, type DeviceFactory, type PassthroughDevice, type PassthroughSpec } from './passthrough';
import { SharedInfoPage } from './shared-info';
import { captureVm, restoreVm, type VmSnapshot } from './snapshot';
import { VCpu } from './vcpu';
import { PVLAB_TIMEBASE_HZ, buildVmDeviceTree } from './vm-devicetree';

export const VM_RAM_BASE = VirtMap.RAM.base;
export const VM_ISA = 'rv32ima_zicsr_zifencei';
/** PLIC sources of a VM's PLIC (ids 1..95), as on QEMU virt. */
export const VM_PLIC_SOURCES = VirtMap.PLIC_SOURCES;

export type VmRole = 'client' | 'driver';

/**
 * running: vCPUs scheduled; halted: shut down by the guest (SRST shutdown);
 * failed: a fault was detected and containment is under way; restarting:
 * waiting for its restart (back-off); down: out of restarts, stays stopped.
 */
export type VmState = 'running' | 'halted' | 'failed' | 'restarting' | 'down';

export interface RestartPolicySpec {
  readonly maxRestarts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
}

/** A loadable image: entry point and segments at guest-physical addresses. */
export interface VmImage {
  readonly entry: number;
  readonly segments: readonly { readonly paddr: number; readonly data: Uint8Array; readonly memsz: number }[];
}

export interface VmSpec {
  readonly name: string;
  readonly domid: number;
  readonly role: VmRole;
  readonly ramBytes: number;
  readonly vcpus: number;
  readonly image: VmImage;
  readonly restart: RestartPolicySpec;
  readonly watchdogMs?: number;
  readonly devices: readonly PassthroughSpec[];
  readonly bootargs?: string;
}

/** What a VM needs from the hypervisor that builds it. */
export interface VmDeps {
  readonly numVms: number;
  readonly grants: GrantTable;
  readonly busOf: (domid: number) => Bus | undefined;
  readonly hartHost: (vcpu: () => VCpu) => HartHost;
  /** Global vCPU key of this VM's first vCPU. */
  readonly firstVcpuKey: number;
  readonly timers: DeviceTimers;
  readonly deviceFactory?: DeviceFactory;
  readonly onIommuViolation: (fault: DmaFault) => void;
}

/** A build problem with the VM's description (bad layout, image outside RAM…). */
export class VmBuildError extends Error {}

export class Vm {
  readonly name: string;
  readonly domid: number;
  readonly bus: Bus;
  readonly memory: GuestMemory;
  readonly vcpus: VCpu[] = [];
  readonly plic: Plic;
  readonly sharedInfo: SharedInfoPage;
  readonly grantWindow: GrantWindow;
  readonly iommu: IommuDma;
  /** Grant-window slots whose granter failed while mapped (see orphanGrant). */
  readonly orphanedSlots = new Set<number>();
  readonly console = new VmConsole();
  readonly devices: PassthroughDevice[] = [];
  readonly dtb: Uint8Array;
  /** Guest-physical address of the DTB (a1 at boot): the top of RAM, 8-byte aligned. */
  readonly dtbAddress: number;
  readonly snapshot: VmSnapshot;
  state: VmState = 'running';
  /** Restarts done after faults. */
  restarts = 0;
  /** Registry state nodes the host set to Closed when the VM failed (set back to Initialising at restart). */
  closedStatePaths: string[] = [];

  constructor(readonly spec: VmSpec, deps: VmDeps) {
    this.name = spec.name;
    this.domid = spec.domid;
    if (!Number.isInteger(spec.ramBytes) || spec.ramBytes <= 0 || spec.ramBytes % PVIO_PAGE_SIZE !== 0) {
      throw new VmBuildError(`RAM size ${spec.ramBytes} is not a positive number of pages`);
    }
    if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1 || spec.vcpus > 32) throw new VmBuildError(`bad vCPU count ${spec.vcpus}`);
    this.bus = new Bus(spec.ramBytes, VM_RAM_BASE, spec.vcpus);
    this.memory = new GuestMemory(this.bus);
    for (let i = 0; i < spec.vcpus; i++) {
      const holder: { v?: VCpu } = {};
      const v = new VCpu(this.bus, i, deps.firstVcpuKey + i, deps.hartHost(() => holder.v!));
      holder.v = v;
      this.vcpus.push(v);
    }
    // Context N of the VM's PLIC is vCPU N's S-mode external interrupt (docs/devicetree.md).
    this.plic = new Plic({ contexts: this.vcpus.map((v) => v.hart.irqLine(Irq.SEI)), sources: VM_PLIC_SOURCES, name: `plic(${this.name})` });
    this.sharedInfo = new SharedInfoPage(this.domid, deps.numVms);
    this.grantWindow = new GrantWindow(this.domid, deps.grants, deps.busOf, this.orphanedSlots);
    this.iommu = new IommuDma({ name: `${this.name} IOMMU`, onViolation: deps.onIommuViolation });
    this.iommu.map(ramWindow(this.bus, { tag: 'ram' }));

    this.mapRegion(VirtMap.PLIC.base, VirtMap.PLIC.size, this.plic, 'PLIC');
    this.mapRegion(PVIO_SHARED_INFO_GPA, PVIO_PAGE_SIZE, this.sharedInfo, 'shared-info page');
    this.mapRegion(PVIO_GRANT_WINDOW_BASE, GRANT_WINDOW_SIZE, this.grantWindow, 'grant window');
    for (const d of spec.devices) {
      const dev = createPassthrough(d, {
        dma: this.iommu,
        irq: this.plic.source(d.irq),
        timers: deps.timers,
        console: this.console,
        label: `${this.name}/${d.name}`,
      }, deps.deviceFactory);
      this.mapRegion(d.base, d.size, dev.mmio, `device ${d.name}`);
      this.devices.push(dev);
    }

    const uart = spec.devices.find((d) => d.kind === 'uart');
    this.dtb = buildVmDeviceTree({
      vmName: this.name,
      domid: this.domid,
      ramBase: VM_RAM_BASE,
      ramSize: spec.ramBytes,
      harts: spec.vcpus,
      timebaseFrequency: PVLAB_TIMEBASE_HZ,
      isa: VM_ISA,
      plic: { base: VirtMap.PLIC.base, size: VirtMap.PLIC.size, ndev: VM_PLIC_SOURCES - 1 },
      uart: uart ? { base: uart.base, irq: uart.irq } : undefined,
      virtio: spec.devices.filter((d) => d.kind !== 'uart').map((d) => ({ base: d.base, size: d.size, irq: d.irq })),
      pvbus: { sharedInfo: PVIO_SHARED_INFO_GPA, grantWindow: { base: PVIO_GRANT_WINDOW_BASE, size: GRANT_WINDOW_SIZE }, hypercallEid: SBI_EXT_PVIO },
      bootargs: spec.bootargs,
    });
    const ramEnd = VM_RAM_BASE + spec.ramBytes;
    this.dtbAddress = ramEnd - this.dtb.length - ((ramEnd - this.dtb.length) % 8);
    if (this.dtbAddress < VM_RAM_BASE) throw new VmBuildError('RAM too small for the device tree');
    this.loadImage(spec.image);
    this.bus.loadBytes(this.dtbAddress, this.dtb);

    // vCPU 0 boots; the others wait for HSM hart_start (the SBI convention).
    this.vcpus[0].boot(spec.image.entry, 0, this.dtbAddress);
    this.vcpus[0].hsm = 'started';
    for (const v of this.vcpus.slice(1)) v.boot(spec.image.entry, v.index, 0);
    this.snapshot = captureVm(this.bus, this.vcpus);
  }

  private mapRegion(base: number, size: number, dev: Parameters<Bus['map']>[2], what: string): void {
    try {
      this.bus.map(base, size, dev);
    } catch (e) {
      throw new VmBuildError(`${what}: ${(e as Error).message}`);
    }
  }

  private loadImage(image: VmImage): void {
    const ramEnd = VM_RAM_BASE + this.spec.ramBytes;
    for (const seg of image.segments) {
      const end = seg.paddr + seg.memsz;
      if (seg.memsz === 0) continue;
      if (seg.paddr < VM_RAM_BASE || end > ramEnd) {
        throw new VmBuildError(`image segment 0x${hex(seg.paddr)}..0x${hex(end)} lies outside the VM's RAM 0x${hex(VM_RAM_BASE)}..0x${hex(ramEnd)}`);
      }
      if (end > this.dtbAddress) {
        throw new VmBuildError(`image segment 0x${hex(seg.paddr)}..0x${hex(end)} overlaps the device tree at the top of RAM (0x${hex(this.dtbAddress)}); give the VM more RAM`);
      }
    }
    if (!this.memory.contains(image.entry >>> 0, 4)) throw new VmBuildError(`entry point 0x${hex(image.entry)} is not in the VM's RAM`);
    for (const seg of image.segments) {
      if (seg.data.length) this.bus.loadBytes(seg.paddr, seg.data.subarray(0, Math.min(seg.data.length, seg.memsz)));
    }
  }

  /** Adds the IOMMU window for a grant mapped in slot `m.slot` of this VM's window. */
  mapGrantForDma(m: GrantMapping, granterBus: Bus): void {
    const gpa = grantSlotGpa(m.slot);
    this.orphanedSlots.delete(m.slot);
    this.iommu.unmap(gpa, PVIO_PAGE_SIZE);
    this.iommu.map(ramWindow(granterBus, { pa: m.gfn * PVIO_PAGE_SIZE, gpa, length: PVIO_PAGE_SIZE, writable: m.writable, tag: `grant ${m.granter}:${m.gref}` }));
  }

  unmapGrantForDma(slot: number): void {
    this.orphanedSlots.delete(slot);
    this.iommu.unmap(grantSlotGpa(slot), PVIO_PAGE_SIZE);
  }

  /**
   * The granter of a page this VM maps has failed and its grants were revoked. DMA
   * and CPU accesses still in flight to that slot must not make this innocent VM
   * fail, so until it unmaps or remaps the slot they reach a scratch page (reads
   * give zeros, writes are dropped) instead of faulting.
   */
  orphanGrant(slot: number): void {
    const gpa = grantSlotGpa(slot);
    this.iommu.unmap(gpa, PVIO_PAGE_SIZE);
    this.iommu.map({ gpa, length: PVIO_PAGE_SIZE, writable: true, memory: new Uint8Array(PVIO_PAGE_SIZE), offset: 0, tag: 'orphaned grant' });
    this.orphanedSlots.add(slot);
  }

  /** Back to the state at creation: RAM, vCPUs, devices, PLIC, shared-info page, IOMMU. */
  reset(): void {
    restoreVm(this.bus, this.vcpus, this.snapshot);
    for (const d of this.devices) d.reset();
    this.plic.reset();
    this.sharedInfo.reset();
    this.iommu.clear();
    this.orphanedSlots.clear();
    this.iommu.map(ramWindow(this.bus, { tag: 'ram' }));
  }

  /** Whether any vCPU of the VM can run. */
  get active(): boolean {
    return this.state === 'running';
  }
}

function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
