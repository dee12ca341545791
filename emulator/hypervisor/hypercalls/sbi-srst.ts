/**
 * SBI SRST for the calling VM only: shutdown stops it, a reboot restarts it
 * from its initial snapshot, and reason SYSTEM_FAILURE (a guest panic) is a
 * fault handled by the VM's restart policy.
 */
import {
  SBI_ERR_INVALID_PARAM,
  SBI_ERR_NOT_SUPPORTED,
  SBI_EXT_SRST,
  SBI_SRST_REASON_NONE,
  SBI_SRST_REASON_SYSTEM_FAILURE,
  SBI_SRST_SYSTEM_RESET,
  SBI_SRST_TYPE_COLD_REBOOT,
  SBI_SRST_TYPE_SHUTDOWN,
  SBI_SRST_TYPE_WARM_REBOOT,
} from '../abi.generated';
import { fail } from '../sbi-errors';
import { NO_RETURN, type SbiExtension } from './context';

/** Reset reasons from here up are SBI-implementation or vendor specific: treated as orderly. */
const SPECIFIC_REASONS = 0xe0000000;
const VENDOR_TYPES = 0xf0000000;

export const sbiSrst: SbiExtension = {
  eid: SBI_EXT_SRST,
  call(env, fid, a) {
    if (fid !== SBI_SRST_SYSTEM_RESET) return fail(SBI_ERR_NOT_SUPPORTED);
    const [type, reason] = a;
    if (type >= VENDOR_TYPES) return fail(SBI_ERR_NOT_SUPPORTED);
    if (type !== SBI_SRST_TYPE_SHUTDOWN && type !== SBI_SRST_TYPE_COLD_REBOOT && type !== SBI_SRST_TYPE_WARM_REBOOT) {
      return fail(SBI_ERR_INVALID_PARAM);
    }
    if (reason !== SBI_SRST_REASON_NONE && reason !== SBI_SRST_REASON_SYSTEM_FAILURE && reason < SPECIFIC_REASONS) {
      return fail(SBI_ERR_INVALID_PARAM);
    }
    const typeName = type === SBI_SRST_TYPE_SHUTDOWN ? 'shutdown' : type === SBI_SRST_TYPE_COLD_REBOOT ? 'cold reboot' : 'warm reboot';
    if (reason === SBI_SRST_REASON_SYSTEM_FAILURE) {
      env.host.systemReset(env.vm, env.vcpu, 'failure', `guest reported a system failure (SRST ${typeName})`);
    } else {
      env.host.systemReset(env.vm, env.vcpu, type === SBI_SRST_TYPE_SHUTDOWN ? 'shutdown' : 'reboot', `SRST ${typeName}`);
    }
    return NO_RETURN;
  },
};
