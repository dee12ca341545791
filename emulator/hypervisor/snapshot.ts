/**
 * Snapshots of a VM's RAM and vCPU state. The hypervisor takes one when it
 * creates a VM (after loading the image and the DTB) and restores it when the
 * VM restarts, so drivers come back in their initial state. Restoring is one
 * RAM copy plus a decode-cache flush of the VM's pages.
 */
import type { Bus } from '../bus/bus';
import type { Hart } from '../cpu/hart';
import type { Priv } from '../cpu/constants';
import type { HsmState, VCpu } from './vcpu';

export interface HartState {
  readonly x: Int32Array;
  readonly pc: number;
  readonly priv: Priv;
  readonly waiting: boolean;
  readonly csr: Readonly<Record<(typeof CSR_FIELDS)[number], number>>;
  readonly pmpcfg: Uint32Array;
  readonly pmpaddr: Uint32Array;
}

export interface VcpuState {
  readonly hart: HartState;
  readonly hsm: HsmState;
}

export interface VmSnapshot {
  readonly ram: Uint8Array;
  readonly vcpus: readonly VcpuState[];
}

const CSR_FIELDS = [
  'mstatus', 'medeleg', 'mideleg', 'mie', 'mipSoft', 'mtvec', 'stvec', 'mepc', 'sepc', 'mcause', 'scause',
  'mtval', 'stval', 'mscratch', 'sscratch', 'satp', 'mcounteren', 'scounteren',
] as const;

export function captureHart(h: Hart): HartState {
  const csr = {} as Record<(typeof CSR_FIELDS)[number], number>;
  for (const f of CSR_FIELDS) csr[f] = h.csr[f];
  return {
    x: h.x.slice(),
    pc: h.pc,
    priv: h.priv,
    waiting: h.waiting,
    csr,
    pmpcfg: h.csr.pmpcfg.slice(),
    pmpaddr: h.csr.pmpaddr.slice(),
  };
}

/**
 * Puts a hart back into a captured state. The performance counters restart
 * from zero (as at power-on) and no LR reservation survives.
 */
export function restoreHart(h: Hart, s: HartState): void {
  h.x.set(s.x);
  h.pc = s.pc;
  h.priv = s.priv;
  h.waiting = s.waiting;
  for (const f of CSR_FIELDS) h.csr[f] = s.csr[f];
  h.csr.pmpcfg.set(s.pmpcfg);
  h.csr.pmpaddr.set(s.pmpaddr);
  h.csr.cycleAdjust = -(h.retired + h.idleCycles);
  h.csr.instretAdjust = -h.retired;
  h.mmu.reservation = -1;
  h.mmu.refresh();
}

export function captureVm(bus: Bus, vcpus: readonly VCpu[]): VmSnapshot {
  return {
    ram: bus.ram.slice(),
    vcpus: vcpus.map((v) => ({ hart: captureHart(v.hart), hsm: v.hsm })),
  };
}

/** Restores RAM (keeping decode caches coherent) and every vCPU. */
export function restoreVm(bus: Bus, vcpus: readonly VCpu[], snap: VmSnapshot): void {
  bus.loadBytes(bus.ramBase, snap.ram);
  vcpus.forEach((v, i) => {
    const s = snap.vcpus[i];
    restoreHart(v.hart, s.hart);
    v.hsm = s.hsm;
    v.timerTicks = Infinity;
    v.stip.set(false);
    v.suspend = undefined;
    v.hung = false;
    v.lastTrapRetired = -1;
    v.trapStreak = 0;
  });
}
