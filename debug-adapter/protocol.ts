/**
 * pvlab's additions to DAP, in one place for both sides: the custom events the
 * adapter sends and the custom requests the extension makes (the extension
 * imports these names through extension/protocol.ts, which adds the guards for
 * the bodies); docs/debug-adapter.md describes the shapes.
 */

/** Custom events (adapter → client), sent by the parent (system) session. */
export const EVENTS = {
  /** A VM changed state: { name, state, restarts, vcpus, reason?, timeMs }. */
  vmState: 'pvlab.vmState',
  /** Hypercalls since the last batch: { calls: HypercallRecord[], dropped? }. */
  hypercalls: 'pvlab.hypercalls',
  /** A fault was injected or detected: { timeMs, vm, kind, message, pc, injected }. */
  fault: 'pvlab.fault',
  /** A VM was restarted by the hypervisor: { timeMs, vm, restarts, ... }. */
  restart: 'pvlab.restart',
} as const;

/** Custom requests (client → adapter). */
export const REQUESTS = {
  /** → { vms: VmInfo[] } */
  listVms: 'pvlab.listVms',
  /** { vm?, kind } or { vm?, fault: FaultSpec } → { description } */
  injectFault: 'pvlab.injectFault',
  /** { vm } → error on bare metal (a VM restart needs the hypervisor). */
  restartVm: 'pvlab.restartVm',
  /** → { nowMs, vms, faults, restarts, instructions } */
  timeline: 'pvlab.timeline',
  /** { filter? } → { symbols: { name, address, size, type }[] } */
  symbols: 'pvlab.symbols',
} as const;

/** States of a VM as the extension knows them. */
export const VM_STATES = ['booting', 'running', 'paused', 'crashed', 'restarting', 'stopped', 'failed'] as const;
export type VmStateName = (typeof VM_STATES)[number];

/** Exception-breakpoint filters, declared once in `initialize` (VS Code ignores later changes). */
export const FILTERS = {
  hypercall: 'hypercall',
  guestTrap: 'guestTrap',
  vmCrash: 'vmCrash',
  vmRestart: 'vmRestart',
  iommuViolation: 'iommuViolation',
  ebreak: 'ebreak',
} as const;
