/** SBI TIME: the calling vCPU's virtual timer (STIP when `time` reaches the deadline). */
import { SBI_ERR_NOT_SUPPORTED, SBI_EXT_TIME, SBI_TIME_SET_TIMER } from '../abi.generated';
import { fail, ok } from '../sbi-errors';
import type { SbiExtension } from './context';

export const sbiTime: SbiExtension = {
  eid: SBI_EXT_TIME,
  call(env, fid, a) {
    if (fid !== SBI_TIME_SET_TIMER) return fail(SBI_ERR_NOT_SUPPORTED);
    // A 64-bit deadline from two halves; beyond 2^53 ticks it never fires.
    const ticks = a[1] * 0x100000000 + a[0];
    env.host.setTimer(env.vcpu, ticks > Number.MAX_SAFE_INTEGER ? Infinity : ticks);
    return ok(0);
  },
};
