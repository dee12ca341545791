/** SBI IPI: sets SSIP on vCPUs of the calling VM. */
import { SBI_ERR_INVALID_PARAM, SBI_ERR_NOT_SUPPORTED, SBI_EXT_IPI, SBI_IPI_SEND_IPI } from '../abi.generated';
import { fail, ok } from '../sbi-errors';
import type { SbiExtension } from './context';
import { selectHarts } from './hart-mask';

export const sbiIpi: SbiExtension = {
  eid: SBI_EXT_IPI,
  call(env, fid, a) {
    if (fid !== SBI_IPI_SEND_IPI) return fail(SBI_ERR_NOT_SUPPORTED);
    const harts = selectHarts(env.vm, a[0], a[1]);
    if (!harts) return fail(SBI_ERR_INVALID_PARAM);
    for (const v of harts) v.raiseSoftwareInterrupt();
    return ok(0);
  },
};
