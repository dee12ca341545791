/** The legacy (SBI v0.1) console calls Linux 6.1's SBI console uses: the argument and the result in a0 only. */
import { SBI_EXT_LEGACY_CONSOLE_GETCHAR, SBI_EXT_LEGACY_CONSOLE_PUTCHAR } from '../abi.generated';
import { ok } from '../sbi-errors';
import type { SbiExtension } from './context';

export const sbiLegacyPutchar: SbiExtension = {
  eid: SBI_EXT_LEGACY_CONSOLE_PUTCHAR,
  legacy: true,
  call(env, _fid, a) {
    env.vm.console.writeByte(a[0]);
    return ok(0);
  },
};

export const sbiLegacyGetchar: SbiExtension = {
  eid: SBI_EXT_LEGACY_CONSOLE_GETCHAR,
  legacy: true,
  call(env) {
    return ok(env.vm.console.readByte() >>> 0);
  },
};
