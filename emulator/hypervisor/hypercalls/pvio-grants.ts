/** PVIO grant-table calls: bookkeeping in GrantTable, IOMMU windows kept in step. */
import { SBI_ERR_FAILED } from '../abi.generated';
import { grantSlotGpa } from '../grant-window';
import { fail, ok, type SbiResult } from '../sbi-errors';
import type { HypercallEnv } from './context';

export function grantAccess(env: HypercallEnv, domid: number, gfn: number, readonly: number): SbiResult {
  return env.host.grants.grantAccess(env.vm.domid, domid, gfn, readonly !== 0);
}

export function grantEnd(env: HypercallEnv, gref: number): SbiResult {
  return env.host.grants.endAccess(env.vm.domid, gref);
}

export function grantMap(env: HypercallEnv, granter: number, gref: number, slot: number, writable: number): SbiResult {
  const r = env.host.grants.map(env.vm.domid, granter, gref, slot, writable !== 0);
  if (r.error !== 0) return r;
  const mapping = env.host.grants.mappingAt(env.vm.domid, slot);
  if (!mapping) return fail(SBI_ERR_FAILED);
  env.host.grantMapped(env.vm, mapping);
  return ok(grantSlotGpa(slot));
}

export function grantUnmap(env: HypercallEnv, slot: number): SbiResult {
  const r = env.host.grants.unmap(env.vm.domid, slot);
  if (r.error === 0) env.host.grantUnmapped(env.vm, slot);
  else if (env.vm.orphanedSlots.has(slot)) {
    // The granter failed while this slot was mapped: unmapping the orphan succeeds.
    env.host.grantUnmapped(env.vm, slot);
    return { error: 0, value: 0 };
  }
  return r;
}
