/**
 * Containing a VM that stopped (fault, shutdown or reboot): in the order
 * docs/abi.md gives, its grants are revoked and the address mappings they
 * backed torn down, its event channels closed, its registry presence removed
 * (peers see its state nodes go to Closed); then its devices are reset and
 * its timers cancelled. Other VMs are touched only where they shared
 * something with it.
 */
import { PVIO_STATE_INITIALISING } from './abi.generated';
import { HOST } from './domid';
import type { EventChannels } from './event-channels';
import type { EventQueue } from './event-queue';
import type { GrantTable } from './grant-table';
import type { Registry } from './registry';
import type { Vm } from './vm';

export interface ContainmentServices {
  readonly grants: GrantTable;
  readonly events: EventChannels;
  readonly registry: Registry;
  readonly queue: EventQueue;
  vmByDomid(domid: number): Vm | undefined;
}

export interface ContainmentReport {
  readonly unmapped: number;
  readonly grantsDropped: number;
  readonly peerPortsUnbound: number;
  readonly closedStates: readonly string[];
  readonly removedNodes: number;
}

export function containVm(s: ContainmentServices, vm: Vm): ContainmentReport {
  const d = vm.domid;
  let unmapped = 0;
  let grantsDropped = 0;
  const g = s.grants.revokeVm(d);
  if (g.error === 0) {
    for (const m of g.value.unmapped) {
      const mapper = s.vmByDomid(m.mapper);
      // The failed VM's own mappings simply go; a peer that mapped its pages keeps an orphaned slot.
      if (m.mapper === d) mapper?.unmapGrantForDma(m.slot);
      else mapper?.orphanGrant(m.slot);
    }
    unmapped = g.value.unmapped.length;
    grantsDropped = g.value.grantsDropped;
  }
  const e = s.events.closeVm(d);
  const r = s.registry.removeVm(d);
  vm.closedStatePaths = r.error === 0 ? [...r.value.closed] : [];
  s.queue.cancelOwner(d);
  for (const dev of vm.devices) dev.reset();
  vm.plic.reset();
  for (const v of vm.vcpus) {
    v.timerTicks = Infinity;
    v.stip.set(false);
    v.hung = false;
  }
  return {
    unmapped,
    grantsDropped,
    peerPortsUnbound: e.error === 0 ? e.value.length : 0,
    closedStates: vm.closedStatePaths,
    removedNodes: r.error === 0 ? r.value.removed.length : 0,
  };
}

/**
 * At restart: the host provisions the VM's own device and backend dirs
 * again, i.e. sets the state nodes it had closed back to Initialising.
 */
export function reprovisionVm(s: ContainmentServices, vm: Vm): void {
  for (const p of vm.closedStatePaths) s.registry.write(HOST, p, String(PVIO_STATE_INITIALISING));
  vm.closedStatePaths = [];
}
