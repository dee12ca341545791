/**
 * A virtual CPU: one Hart of a VM plus what the hypervisor keeps about it
 * (HSM state, its virtual timer, trap bookkeeping for fault detection).
 *
 * vCPUs run the guest kernel in S-mode. There is no guest M-mode: medeleg is
 * 0, so every exception reaches the hypervisor (HartHost.onMachineTrap), which
 * serves S-mode ecalls as hypercalls and reflects everything else into the
 * guest's S-mode exactly as hardware delegation would (guest-traps.ts);
 * mideleg delegates the three supervisor interrupts in hardware.
 */
import type { Bus } from '../bus/bus';
import { Hart, type HartHost } from '../cpu/hart';
import { Irq, Priv } from '../cpu/constants';
import type { IrqLine } from '../devices/irq';

/** SSIP | STIP | SEIP: the interrupts a guest kernel owns. */
export const GUEST_MIDELEG = (1 << Irq.SSI) | (1 << Irq.STI) | (1 << Irq.SEI);
/** cycle, time, instret readable from S-mode (Linux reads `time`). */
export const GUEST_MCOUNTEREN = 0x7;

export type HsmState = 'started' | 'stopped' | 'suspended';

export interface SuspendState {
  readonly nonRetentive: boolean;
  readonly resumeAddr: number;
  readonly opaque: number;
}

export class VCpu {
  readonly hart: Hart;
  readonly stip: IrqLine;
  hsm: HsmState = 'stopped';
  /** Deadline of the virtual timer in `time` ticks (Infinity: none). */
  timerTicks = Infinity;
  suspend: SuspendState | undefined;
  /** An injected hang: the vCPU burns its quanta without executing. */
  hung = false;
  /** Fault detection: `hart.retired` at the last reflected exception, and how many came in a row without progress. */
  lastTrapRetired = -1;
  trapStreak = 0;

  constructor(
    bus: Bus,
    /** Hart id inside the VM (0..n-1). */
    readonly index: number,
    /** Position among all vCPUs of the machine (scheduler order, trace). */
    readonly key: number,
    host: HartHost,
  ) {
    this.hart = new Hart(bus, index, host);
    this.stip = this.hart.irqLine(Irq.STI);
  }

  /** Puts the hart in S-mode at `entry` with a0/a1, as at boot or after HSM start. */
  boot(entry: number, a0: number, a1: number): void {
    const h = this.hart;
    h.reset(entry);
    h.priv = Priv.S;
    h.x[10] = a0 | 0;
    h.x[11] = a1 | 0;
    h.csr.medeleg = 0;
    h.csr.mideleg = GUEST_MIDELEG;
    h.csr.mcounteren = GUEST_MCOUNTEREN;
    h.csr.mipSoft = 0;
    h.mmu.refresh();
    this.timerTicks = Infinity;
    this.stip.set(false);
    this.suspend = undefined;
    this.lastTrapRetired = -1;
    this.trapStreak = 0;
  }

  /** Sets the supervisor software interrupt (IPI, event channel). The guest clears it through `sip`. */
  raiseSoftwareInterrupt(): void {
    this.hart.csr.mipSoft |= 1 << Irq.SSI;
  }

  /** Whether an enabled interrupt is pending (wakes a `wfi`). */
  get interruptPending(): boolean {
    return (this.hart.csr.mip & this.hart.csr.mie) !== 0;
  }

  /** Whether the scheduler may give this vCPU the machine (its VM's state aside). */
  get runnable(): boolean {
    if (this.hsm === 'stopped') return false;
    if (this.hung) return true;
    if (this.hsm === 'suspended' || this.hart.waiting) return this.interruptPending;
    return true;
  }
}
