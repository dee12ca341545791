/** SBI DBCN: the calling VM's console, with guest-physical buffers inside its RAM. */
import {
  SBI_DBCN_CONSOLE_READ,
  SBI_DBCN_CONSOLE_WRITE,
  SBI_DBCN_CONSOLE_WRITE_BYTE,
  SBI_ERR_INVALID_ADDRESS,
  SBI_ERR_NOT_SUPPORTED,
  SBI_EXT_DBCN,
} from '../abi.generated';
import { fail, ok } from '../sbi-errors';
import type { SbiExtension } from './context';

/** Most bytes one console write takes (the call returns how many it wrote, as SBI allows). */
export const DBCN_MAX_WRITE = 4096;

export const sbiDbcn: SbiExtension = {
  eid: SBI_EXT_DBCN,
  call(env, fid, a) {
    const { vm } = env;
    switch (fid) {
      case SBI_DBCN_CONSOLE_WRITE: {
        const [n, lo, hi] = a;
        if (n === 0) return ok(0);
        if (!vm.memory.contains(lo, n, hi)) return fail(SBI_ERR_INVALID_ADDRESS);
        const bytes = vm.memory.read(lo, Math.min(n, DBCN_MAX_WRITE))!;
        vm.console.writeBytes(bytes);
        return ok(bytes.length);
      }
      case SBI_DBCN_CONSOLE_READ: {
        const [n, lo, hi] = a;
        if (n === 0) return ok(0);
        if (!vm.memory.contains(lo, n, hi)) return fail(SBI_ERR_INVALID_ADDRESS);
        const count = Math.min(n, vm.console.inputAvailable);
        const bytes = new Uint8Array(count);
        for (let i = 0; i < count; i++) bytes[i] = vm.console.readByte();
        vm.memory.write(lo, bytes);
        return ok(count);
      }
      case SBI_DBCN_CONSOLE_WRITE_BYTE:
        vm.console.writeByte(a[0]);
        return ok(0);
      default:
        return fail(SBI_ERR_NOT_SUPPORTED);
    }
  },
};
