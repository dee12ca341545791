/**
 * Fault injection (docs/hypervisor.md, "Fault injection"). An injection names
 * a VM, a kind and a virtual time; parameters left out (vCPU, register, bit,
 * address, value) are drawn from the hypervisor's seeded PRNG when the
 * injection is applied, and the record keeps the values used, so replaying
 * the records reproduces the run without the PRNG.
 */
import type { Bus } from '../bus/bus';
import { Cause } from '../cpu/constants';
import { DmaFault } from '../devices/dma';
import { PVIO_PAGE_SIZE } from './abi.generated';
import type { Prng } from './prng';
import type { VCpu } from './vcpu';
import type { Vm } from './vm';
import { hex32 as hex } from '../util/hex';

export const INJECTION_KINDS = [
  'crash', 'bad-pointer', 'hang', 'reg-flip', 'mem-flip', 'wild-write', 'bad-dma', 'ring-corrupt', 'panic',
] as const;
export type InjectionKind = (typeof INJECTION_KINDS)[number];

/** Names the system file uses, mapped to injection kinds. */
export const SYSTEM_FILE_FAULTS: Readonly<Record<string, InjectionKind>> = {
  trap: 'crash', panic: 'panic', hang: 'hang', dma: 'bad-dma',
};

export function isInjectionKind(k: string): k is InjectionKind {
  return (INJECTION_KINDS as readonly string[]).includes(k);
}

export interface InjectionParams {
  /** vCPU (hart id in the VM) for crash, bad-pointer, reg-flip, wild-write. */
  readonly vcpu?: number;
  /** reg-flip: register 1..31. */
  readonly reg?: number;
  /** reg-flip / mem-flip / ring-corrupt: bit number. */
  readonly bit?: number;
  /** bad-pointer / mem-flip / wild-write / bad-dma: guest-physical address. */
  readonly address?: number;
  /** wild-write: the word written. */
  readonly value?: number;
  /** ring-corrupt: bytes per ring slot (default 64). */
  readonly slotBytes?: number;
}

export interface InjectionRequest {
  /** VM name or domid. */
  readonly vm: string | number;
  readonly kind: InjectionKind;
  /** Virtual time (cycles); undefined or past: now. */
  readonly at?: number;
  readonly params?: InjectionParams;
  readonly source?: 'api' | 'system-file' | 'cli' | 'replay';
}

export interface InjectionRecord {
  readonly id: number;
  readonly vm: string;
  readonly domid: number;
  readonly kind: InjectionKind;
  /** Virtual time it was scheduled for, cycles. */
  readonly at: number;
  readonly source: string;
  /** When it was applied (cycles), and what exactly was done. */
  appliedAt?: number;
  params?: InjectionParams;
  detail?: string;
}

/** The hypervisor operations injections use. */
export interface InjectionHost {
  readonly prng: Prng;
  /** Delivers a synchronous exception to a vCPU as if its current instruction had raised it. */
  deliverException(vcpu: VCpu, cause: number, tval: number): void;
  failVm(vm: Vm, kind: 'panic', detail: string): void;
  /** The shared ring pages the VM serves or owns (through the registry's ring-ref). */
  ringPages(vm: Vm): { bus: Bus; pa: number; path: string; kind: string }[];
}

/** Slot size of the sample guests' rings by device kind (guests/include/pvlab/blkif.h, netif.h). */
const SLOT_BYTES_BY_KIND: Readonly<Record<string, number>> = { blk: 128, net: 64 };
const DEFAULT_SLOT_BYTES = 64;
/** Bytes before the first ring slot (req_prod, req_event, rsp_prod, rsp_event, padding). */
const RING_HEADER = 64;
const RSP_PROD = 8;

function chooseVcpu(vm: Vm, prng: Prng, want?: number): VCpu {
  if (want !== undefined && want >= 0 && want < vm.vcpus.length) return vm.vcpus[want];
  const started = vm.vcpus.filter((v) => v.hsm !== 'stopped');
  return started.length ? prng.pick(started) : vm.vcpus[0];
}

/** A guest-physical address that nothing is mapped at (for bad pointers and bad DMA). */
function unmappedAddress(prng: Prng): number {
  return (0x40000000 + prng.below(0x10000000)) & ~3;
}


/** Applies an injection to a running VM; returns the parameters used and what happened. */
export function applyInjection(host: InjectionHost, vm: Vm, kind: InjectionKind, p: InjectionParams = {}): { params: InjectionParams; detail: string } {
  const prng = host.prng;
  const ramBase = vm.bus.ramBase;
  const ramSize = vm.bus.ramSize;
  switch (kind) {
    case 'crash': {
      const v = chooseVcpu(vm, prng, p.vcpu);
      const detail = `illegal instruction on vCPU ${v.index} at pc ${hex(v.hart.pc)}`;
      host.deliverException(v, Cause.IllegalInsn, 0);
      return { params: { vcpu: v.index }, detail };
    }
    case 'bad-pointer': {
      const v = chooseVcpu(vm, prng, p.vcpu);
      const address = p.address ?? unmappedAddress(prng);
      const detail = `load through bad pointer ${hex(address)} on vCPU ${v.index} at pc ${hex(v.hart.pc)}`;
      host.deliverException(v, Cause.LoadAccessFault, address);
      return { params: { vcpu: v.index, address }, detail };
    }
    case 'hang':
      for (const v of vm.vcpus) v.hung = true;
      return { params: {}, detail: 'every vCPU stops making progress' };
    case 'reg-flip': {
      const v = chooseVcpu(vm, prng, p.vcpu);
      const reg = p.reg !== undefined && p.reg >= 1 && p.reg <= 31 ? p.reg : 1 + prng.below(31);
      const bit = p.bit !== undefined ? p.bit & 31 : prng.below(32);
      v.hart.x[reg] ^= 1 << bit;
      return { params: { vcpu: v.index, reg, bit }, detail: `x${reg} bit ${bit} flipped on vCPU ${v.index}` };
    }
    case 'mem-flip': {
      const address = p.address ?? ramBase + prng.below(ramSize);
      const bit = p.bit !== undefined ? p.bit & 7 : prng.below(8);
      const off = vm.bus.ramOffset(address, 1);
      if (off < 0) return { params: { address, bit }, detail: `${hex(address)} is not in the VM's RAM: nothing flipped` };
      vm.bus.loadBytes(address >>> 0, Uint8Array.of(vm.bus.ram[off] ^ (1 << bit)));
      return { params: { address, bit }, detail: `bit ${bit} of the byte at ${hex(address)} flipped` };
    }
    case 'wild-write': {
      const v = chooseVcpu(vm, prng, p.vcpu);
      const address = (p.address ?? (prng.chance(0.5) ? ramBase + prng.below(ramSize) : prng.u32())) & ~3;
      const value = p.value ?? prng.u32();
      const params = { vcpu: v.index, address, value };
      if (vm.bus.ramOffset(address, 4) >= 0) {
        vm.bus.write(address >>> 0, 4, value >>> 0);
        return { params, detail: `${hex(value)} written at ${hex(address)}` };
      }
      const detail = `store to ${hex(address)} outside the VM's RAM on vCPU ${v.index} at pc ${hex(v.hart.pc)}`;
      host.deliverException(v, Cause.StoreAccessFault, address);
      return { params, detail };
    }
    case 'bad-dma': {
      const address = p.address ?? unmappedAddress(prng);
      try {
        vm.iommu.write(address, new Uint8Array(4));
        return { params: { address }, detail: `DMA write at ${hex(address)} allowed (inside the VM's windows)` };
      } catch (e) {
        if (!(e instanceof DmaFault)) throw e;
        return { params: { address }, detail: `DMA write at ${hex(address)}` };
      }
    }
    case 'ring-corrupt': {
      const rings = host.ringPages(vm);
      const ring = rings[0];
      const valid = p.slotBytes !== undefined && p.slotBytes >= 8 && p.slotBytes <= PVIO_PAGE_SIZE - RING_HEADER;
      const slotBytes = valid ? p.slotBytes! : (ring && SLOT_BYTES_BY_KIND[ring.kind]) ?? DEFAULT_SLOT_BYTES;
      if (!ring) return { params: { slotBytes }, detail: 'no shared ring found in the registry: nothing corrupted' };
      const rspProd = ring.bus.read(ring.pa + RSP_PROD, 4);
      let slots = 1;
      while (slots * 2 * slotBytes <= PVIO_PAGE_SIZE - RING_HEADER) slots *= 2;
      const slot = (rspProd - 1) & (slots - 1);
      const bit = p.bit !== undefined ? p.bit % 64 : prng.below(64);
      const address = ring.pa + RING_HEADER + slot * slotBytes + (bit >>> 3);
      ring.bus.write(address, 1, ring.bus.read(address, 1) ^ (1 << (bit & 7)));
      return { params: { slotBytes, bit }, detail: `bit ${bit} of response slot ${slot} flipped in the ring at ${ring.path}` };
    }
    case 'panic':
      host.failVm(vm, 'panic', 'injected panic');
      return { params: {}, detail: 'panic reported' };
  }
}
