/**
 * pvlab's additions to DAP: custom requests the extension sends and custom events
 * the adapter sends. The extension keeps the same names in extension/protocol.ts;
 * docs/debug-adapter.md describes the shapes.
 */

/** Custom events (adapter → client). */
export const EVENTS = {
  /** A VM changed state: { name, state, restarts, vcpus, reason?, timeMs }. */
  vmState: 'pvlab.vmState',
  /** A fault was injected or detected: { timeMs, vm, kind, message, pc, injected }. */
  fault: 'pvlab.fault',
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
export type VmStateName = 'booting' | 'running' | 'paused' | 'crashed' | 'restarting' | 'stopped' | 'failed';

/** Exception-breakpoint filters, declared once in `initialize` (VS Code ignores later changes). */
export const FILTERS = {
  hypercall: 'hypercall',
  guestTrap: 'guestTrap',
  vmCrash: 'vmCrash',
  vmRestart: 'vmRestart',
  iommuViolation: 'iommuViolation',
  ebreak: 'ebreak',
} as const;
