/**
 * SBI RFENCE on vCPUs of the calling VM. Decode caches are coherent with every
 * store, so a remote fence.i has nothing to do; a remote sfence.vma flushes
 * the targets' TLBs (the whole TLB: ranges and ASIDs only narrow what must go).
 */
import {
  SBI_ERR_INVALID_PARAM,
  SBI_ERR_NOT_SUPPORTED,
  SBI_EXT_RFENCE,
  SBI_RFENCE_REMOTE_FENCE_I,
  SBI_RFENCE_REMOTE_SFENCE_VMA,
  SBI_RFENCE_REMOTE_SFENCE_VMA_ASID,
} from '../abi.generated';
import { fail, ok } from '../sbi-errors';
import type { SbiExtension } from './context';
import { selectHarts } from './hart-mask';

export const sbiRfence: SbiExtension = {
  eid: SBI_EXT_RFENCE,
  call(env, fid, a) {
    if (fid !== SBI_RFENCE_REMOTE_FENCE_I && fid !== SBI_RFENCE_REMOTE_SFENCE_VMA && fid !== SBI_RFENCE_REMOTE_SFENCE_VMA_ASID) {
      return fail(SBI_ERR_NOT_SUPPORTED);
    }
    const harts = selectHarts(env.vm, a[0], a[1]);
    if (!harts) return fail(SBI_ERR_INVALID_PARAM);
    if (fid !== SBI_RFENCE_REMOTE_FENCE_I) for (const v of harts) v.hart.mmu.refresh();
    return ok(0);
  },
};
