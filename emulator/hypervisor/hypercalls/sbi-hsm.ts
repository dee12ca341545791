/** SBI HSM over the calling VM's vCPUs (docs/hypervisor.md, "HSM"). */
import {
  SBI_ERR_ALREADY_STARTED,
  SBI_ERR_INVALID_ADDRESS,
  SBI_ERR_INVALID_PARAM,
  SBI_ERR_NOT_SUPPORTED,
  SBI_EXT_HSM,
  SBI_HSM_HART_GET_STATUS,
  SBI_HSM_HART_START,
  SBI_HSM_HART_STOP,
  SBI_HSM_HART_SUSPEND,
  SBI_HSM_STATE_STARTED,
  SBI_HSM_STATE_STOPPED,
  SBI_HSM_STATE_SUSPENDED,
  SBI_HSM_SUSPEND_NON_RET_DEFAULT,
  SBI_HSM_SUSPEND_RET_DEFAULT,
} from '../abi.generated';
import { fail, ok } from '../sbi-errors';
import { NO_RETURN, type Outcome, type SbiExtension } from './context';

/** SBI 2.0 suspend-type ranges: reserved (invalid) or platform-specific (not supported here). */
function unsupportedSuspend(type: number): Outcome {
  const platform = (type >= 0x10000000 && type <= 0x7fffffff) || type >= 0x90000000;
  return fail(platform ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM);
}

export const sbiHsm: SbiExtension = {
  eid: SBI_EXT_HSM,
  call(env, fid, a) {
    const { vm, vcpu, host } = env;
    switch (fid) {
      case SBI_HSM_HART_START: {
        const target = a[0] < vm.vcpus.length ? vm.vcpus[a[0]] : undefined;
        if (!target) return fail(SBI_ERR_INVALID_PARAM);
        if (!vm.memory.contains(a[1], 4)) return fail(SBI_ERR_INVALID_ADDRESS);
        if (target.hsm !== 'stopped') return fail(SBI_ERR_ALREADY_STARTED);
        host.startVcpu(target, a[1], a[2]);
        return ok(0);
      }
      case SBI_HSM_HART_STOP:
        host.stopVcpu(vcpu);
        return NO_RETURN;
      case SBI_HSM_HART_GET_STATUS: {
        const target = a[0] < vm.vcpus.length ? vm.vcpus[a[0]] : undefined;
        if (!target) return fail(SBI_ERR_INVALID_PARAM);
        const s = target.hsm === 'started' ? SBI_HSM_STATE_STARTED : target.hsm === 'stopped' ? SBI_HSM_STATE_STOPPED : SBI_HSM_STATE_SUSPENDED;
        return ok(s);
      }
      case SBI_HSM_HART_SUSPEND: {
        const type = a[0];
        if (type === SBI_HSM_SUSPEND_RET_DEFAULT) {
          // Retentive: like wfi; the call returns 0 once an interrupt wakes the vCPU.
          vcpu.hsm = 'suspended';
          vcpu.suspend = { nonRetentive: false, resumeAddr: 0, opaque: 0 };
          vcpu.hart.waiting = true;
          return ok(0);
        }
        if (type === SBI_HSM_SUSPEND_NON_RET_DEFAULT) {
          if (!vm.memory.contains(a[1], 4)) return fail(SBI_ERR_INVALID_ADDRESS);
          vcpu.hsm = 'suspended';
          vcpu.suspend = { nonRetentive: true, resumeAddr: a[1], opaque: a[2] };
          vcpu.hart.waiting = true;
          return NO_RETURN;
        }
        return unsupportedSuspend(type);
      }
      default:
        return fail(SBI_ERR_NOT_SUPPORTED);
    }
  },
};
