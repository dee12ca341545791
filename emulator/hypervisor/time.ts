/**
 * The hypervisor's time model (docs/hypervisor.md, "Time"). Time is virtual and
 * counted in cycles: a vCPU retires one instruction per cycle at a nominal
 * 100 MHz, the `time` CSR ticks at 10 MHz (the DTB's timebase-frequency), and
 * the hypervisor's own work is charged in modelled cycles. Nothing here reads
 * a host clock.
 */
import { PVLAB_TIMEBASE_HZ } from './vm-devicetree';

/** Nominal instruction rate: 1 instruction = 1 cycle. */
export const CYCLES_PER_SECOND = 100_000_000;
/** Cycles per tick of the `time` CSR (10 MHz timebase). */
export const CYCLES_PER_TICK = CYCLES_PER_SECOND / PVLAB_TIMEBASE_HZ;
export const CYCLES_PER_MS = CYCLES_PER_SECOND / 1000;

/** Modelled cost of one hypercall round trip (trap, dispatch, return), in cycles. */
export const HYPERCALL_CYCLES = 150;
/** Modelled cost of switching the machine from one VM to another (address-space and state switch). */
export const VM_SWITCH_CYCLES = 800;
/** Modelled cost of switching between two vCPUs of the same VM. */
export const VCPU_SWITCH_CYCLES = 200;
/** Modelled cost of an access the hypervisor emulates (an AMO on the shared-info page or the grant window). */
export const EMULATED_ACCESS_CYCLES = HYPERCALL_CYCLES;

export function msToCycles(ms: number): number {
  return Math.round(ms * CYCLES_PER_MS);
}

export function cyclesToMs(cycles: number): number {
  return cycles / CYCLES_PER_MS;
}

/** `time` CSR value at `cycles`. */
export function cyclesToTicks(cycles: number): number {
  return Math.floor(cycles / CYCLES_PER_TICK);
}

/** First cycle at which the `time` CSR reads at least `ticks`. */
export function ticksToCycles(ticks: number): number {
  return ticks * CYCLES_PER_TICK;
}
