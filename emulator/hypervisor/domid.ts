/** Domain ids: 0 is the hypervisor itself, VMs are 1..PVIO_MAX_VMS (see docs/abi.md, "Domains"). */
import { PVIO_DOMID_FIRST_VM, PVIO_DOMID_HOST, PVIO_MAX_VMS } from './abi.generated';

export const HOST = PVIO_DOMID_HOST;

/** True for a number that can be a VM's domid (whether or not that VM exists). */
export function isVmDomid(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= PVIO_DOMID_FIRST_VM && x < PVIO_DOMID_FIRST_VM + PVIO_MAX_VMS;
}
