/**
 * What a hypercall handler sees: the calling VM and vCPU, and the hypervisor
 * services it may use. Handlers return an SbiResult (guest errors are values,
 * never exceptions) or NO_RETURN for calls after which the vCPU does not
 * continue after its ecall (hart stop, system reset).
 */
import type { EventChannels } from '../event-channels';
import type { GrantMapping, GrantTable } from '../grant-table';
import type { Registry } from '../registry';
import type { SbiResult } from '../sbi-errors';
import type { VCpu } from '../vcpu';
import type { Vm } from '../vm';

export const NO_RETURN = Object.freeze({ noReturn: true as const });
export type Outcome = SbiResult<number> | typeof NO_RETURN;

export interface HypercallHost {
  readonly grants: GrantTable;
  readonly events: EventChannels;
  readonly registry: Registry;
  readonly numVms: number;
  vmByDomid(domid: number): Vm | undefined;
  /** Current value of the `time` CSR. */
  nowTicks(): number;
  /** Arms (or with Infinity cancels) a vCPU's timer and updates its STIP line. */
  setTimer(vcpu: VCpu, ticks: number): void;
  /** Whether an extension is served (BASE probe). */
  hasExtension(eid: number): boolean;
  /** Starts a stopped vCPU in S-mode at `addr` with a0 = hart id, a1 = opaque. */
  startVcpu(vcpu: VCpu, addr: number, opaque: number): void;
  /** Stops the calling vCPU (HSM hart_stop). */
  stopVcpu(vcpu: VCpu): void;
  /** SRST for the calling VM: shutdown, reboot, or a failure report. */
  systemReset(vm: Vm, vcpu: VCpu, kind: 'shutdown' | 'reboot' | 'failure', detail: string): void;
  /** A grant was mapped into / removed from a VM's window (IOMMU upkeep). */
  grantMapped(mapper: Vm, mapping: GrantMapping): void;
  grantUnmapped(mapper: Vm, slot: number): void;
}

export interface HypercallEnv {
  readonly vm: Vm;
  readonly vcpu: VCpu;
  readonly host: HypercallHost;
}

export interface SbiExtension {
  readonly eid: number;
  /** Legacy (v0.1) calls: no FID, the result in a0 only. */
  readonly legacy?: boolean;
  /** `args` are a0..a5 as unsigned 32-bit values. */
  call(env: HypercallEnv, fid: number, args: readonly number[]): Outcome;
}
