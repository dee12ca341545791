/**
 * Grant table: which VM may map which page of which other VM, and which grant
 * each grant-window slot holds. Pure bookkeeping; the hypervisor maps the
 * returned frames into address spaces and copies no memory here.
 * Rules and error codes: docs/abi.md, "Grant table".
 */
import {
  PVIO_GRANT_MAX_REFS,
  PVIO_GRANT_WINDOW_SLOTS,
  SBI_ERR_ALREADY_AVAILABLE,
  SBI_ERR_DENIED,
  SBI_ERR_FAILED,
  SBI_ERR_INVALID_ADDRESS,
  SBI_ERR_INVALID_PARAM,
} from './abi.generated';
import { isVmDomid } from './domid';
import { fail, isU32, ok, type SbiResult } from './sbi-errors';

/** One grant as the debugger sees it. */
export interface GrantInfo {
  readonly gref: number;
  readonly grantee: number;
  readonly gfn: number;
  readonly readonly: boolean;
  /** Number of grant-window slots (of the grantee) that currently map it. */
  readonly mapCount: number;
}

/** One occupied grant-window slot. */
export interface GrantMapping {
  /** The VM whose window holds the mapping. */
  readonly mapper: number;
  readonly slot: number;
  readonly granter: number;
  readonly gref: number;
  /** The granter's page frame (guest-physical address >> 12 in the granter's space). */
  readonly gfn: number;
  readonly writable: boolean;
}

export interface RevokeReport {
  /** Every mapping removed: other VMs' mappings of the revoked VM's pages, then its own mappings. */
  readonly unmapped: readonly GrantMapping[];
  /** Number of the revoked VM's grants that were dropped. */
  readonly grantsDropped: number;
}

export interface GrantTableOptions {
  /** Size of each VM's table; gref 0 is never used. */
  readonly maxRefs?: number;
  readonly windowSlots?: number;
  /**
   * Whether `gfn` is a page of the granter's RAM (the only pages it may grant).
   * Default: any frame of the 32-bit guest-physical space.
   */
  readonly isGrantableGfn?: (domid: number, gfn: number) => boolean;
}

interface Grant {
  grantee: number;
  gfn: number;
  readonly: boolean;
  mapCount: number;
}

interface VmGrants {
  readonly grants: (Grant | undefined)[];
  readonly slots: (GrantMapping | undefined)[];
}

export class GrantTable {
  private readonly vms = new Map<number, VmGrants>();
  private readonly maxRefs: number;
  private readonly windowSlots: number;
  private readonly isGrantableGfn: (domid: number, gfn: number) => boolean;

  constructor(options: GrantTableOptions = {}) {
    this.maxRefs = options.maxRefs ?? PVIO_GRANT_MAX_REFS;
    this.windowSlots = options.windowSlots ?? PVIO_GRANT_WINDOW_SLOTS;
    this.isGrantableGfn = options.isGrantableGfn ?? ((_d, gfn) => gfn <= 0xfffff);
  }

  addVm(domid: number): SbiResult {
    if (!isVmDomid(domid)) return fail(SBI_ERR_INVALID_PARAM);
    if (this.vms.has(domid)) return fail(SBI_ERR_ALREADY_AVAILABLE);
    this.vms.set(domid, { grants: new Array(this.maxRefs).fill(undefined), slots: new Array(this.windowSlots).fill(undefined) });
    return ok(0);
  }

  hasVm(domid: number): boolean {
    return this.vms.has(domid);
  }

  /** GRANT_ACCESS: lets `grantee` map page `gfn` of `granter`. Returns the gref. */
  grantAccess(granter: number, grantee: number, gfn: number, readonly: boolean | number): SbiResult {
    const g = this.vms.get(granter);
    if (!g || grantee === granter || !this.vms.has(grantee)) return fail(SBI_ERR_INVALID_PARAM);
    if (!isU32(gfn) || !this.isGrantableGfn(granter, gfn)) return fail(SBI_ERR_INVALID_ADDRESS);
    const gref = g.grants.indexOf(undefined, 1);
    if (gref < 0) return fail(SBI_ERR_FAILED);
    g.grants[gref] = { grantee, gfn, readonly: !!readonly, mapCount: 0 };
    return ok(gref);
  }

  /** GRANT_END: withdraws a grant; refused while the grantee maps it. */
  endAccess(granter: number, gref: number): SbiResult {
    const grant = this.grant(granter, gref);
    if (!grant) return fail(SBI_ERR_INVALID_PARAM);
    if (grant.mapCount > 0) return fail(SBI_ERR_DENIED);
    this.vms.get(granter)!.grants[gref] = undefined;
    return ok(0);
  }

  /** GRANT_MAP: puts grant `gref` of `granter` into slot `slot` of `mapper`'s window. Returns the granter's gfn. */
  map(mapper: number, granter: number, gref: number, slot: number, writable: boolean | number): SbiResult {
    const m = this.vms.get(mapper);
    if (!m) return fail(SBI_ERR_INVALID_PARAM);
    const grant = this.grant(granter, gref);
    if (!grant) return fail(SBI_ERR_INVALID_PARAM);
    if (grant.grantee !== mapper || (writable && grant.readonly)) return fail(SBI_ERR_DENIED);
    if (!isU32(slot) || slot >= this.windowSlots) return fail(SBI_ERR_INVALID_PARAM);
    if (m.slots[slot]) return fail(SBI_ERR_ALREADY_AVAILABLE);
    m.slots[slot] = { mapper, slot, granter, gref, gfn: grant.gfn, writable: !!writable };
    grant.mapCount++;
    return ok(grant.gfn);
  }

  /** GRANT_UNMAP: empties a slot of `mapper`'s window. */
  unmap(mapper: number, slot: number): SbiResult {
    const m = this.vms.get(mapper);
    if (!m || !isU32(slot) || slot >= this.windowSlots) return fail(SBI_ERR_INVALID_PARAM);
    const mapping = m.slots[slot];
    if (!mapping) return fail(SBI_ERR_INVALID_PARAM);
    m.slots[slot] = undefined;
    const grant = this.grant(mapping.granter, mapping.gref);
    if (grant) grant.mapCount--;
    return ok(0);
  }

  /**
   * On a VM's failure: drops its grants, removes other VMs' mappings of them,
   * and removes its own mappings (releasing the grants they held). The VM stays
   * registered, with empty tables, ready to restart.
   */
  revokeVm(domid: number): SbiResult<RevokeReport> {
    const victim = this.vms.get(domid);
    if (!victim) return fail(SBI_ERR_INVALID_PARAM);
    const unmapped: GrantMapping[] = [];
    for (const [other, vm] of this.vms) {
      if (other === domid) continue;
      vm.slots.forEach((mapping, slot) => {
        if (mapping?.granter === domid) {
          unmapped.push(mapping);
          vm.slots[slot] = undefined;
        }
      });
    }
    victim.slots.forEach((mapping, slot) => {
      if (!mapping) return;
      unmapped.push(mapping);
      victim.slots[slot] = undefined;
      const grant = this.grant(mapping.granter, mapping.gref);
      if (grant) grant.mapCount--;
    });
    let grantsDropped = 0;
    victim.grants.forEach((grant, gref) => {
      if (grant) grantsDropped++;
      victim.grants[gref] = undefined;
    });
    return ok({ unmapped, grantsDropped });
  }

  /** Forgets a VM for good (after revoking it). */
  destroyVm(domid: number): SbiResult<RevokeReport> {
    const r = this.revokeVm(domid);
    if (r.error === 0) this.vms.delete(domid);
    return r;
  }

  /** The mapping in one slot, for the MMU and the IOMMU. */
  mappingAt(mapper: number, slot: number): GrantMapping | undefined {
    return this.vms.get(mapper)?.slots[slot];
  }

  /** The grants a VM has issued (debugger). */
  grantsOf(domid: number): GrantInfo[] {
    const vm = this.vms.get(domid);
    if (!vm) return [];
    const out: GrantInfo[] = [];
    vm.grants.forEach((g, gref) => {
      if (g) out.push({ gref, grantee: g.grantee, gfn: g.gfn, readonly: g.readonly, mapCount: g.mapCount });
    });
    return out;
  }

  /** The occupied slots of a VM's grant window (debugger). */
  mappingsOf(domid: number): GrantMapping[] {
    return (this.vms.get(domid)?.slots ?? []).filter((m): m is GrantMapping => m !== undefined);
  }

  private grant(granter: number, gref: number): Grant | undefined {
    if (!isU32(gref) || gref === 0) return undefined;
    return this.vms.get(granter)?.grants[gref];
  }
}
