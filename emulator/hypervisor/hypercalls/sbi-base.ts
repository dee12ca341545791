/** SBI BASE: spec version 2.0, implementation id, probing. */
import {
  SBI_BASE_GET_IMPL_ID,
  SBI_BASE_GET_IMPL_VERSION,
  SBI_BASE_GET_MARCHID,
  SBI_BASE_GET_MIMPID,
  SBI_BASE_GET_MVENDORID,
  SBI_BASE_GET_SPEC_VERSION,
  SBI_BASE_PROBE_EXTENSION,
  SBI_ERR_NOT_SUPPORTED,
  SBI_EXT_BASE,
  SBI_IMPL_ID_PVLAB,
  SBI_IMPL_VERSION_PVLAB,
  SBI_SPEC_VERSION,
} from '../abi.generated';
import { fail, ok } from '../sbi-errors';
import type { SbiExtension } from './context';

export const sbiBase: SbiExtension = {
  eid: SBI_EXT_BASE,
  call(env, fid, a) {
    switch (fid) {
      case SBI_BASE_GET_SPEC_VERSION: return ok(SBI_SPEC_VERSION);
      case SBI_BASE_GET_IMPL_ID: return ok(SBI_IMPL_ID_PVLAB);
      case SBI_BASE_GET_IMPL_VERSION: return ok(SBI_IMPL_VERSION_PVLAB);
      case SBI_BASE_PROBE_EXTENSION: return ok(env.host.hasExtension(a[0]) ? 1 : 0);
      case SBI_BASE_GET_MVENDORID:
      case SBI_BASE_GET_MARCHID:
      case SBI_BASE_GET_MIMPID:
        return ok(0);
      default:
        return fail(SBI_ERR_NOT_SUPPORTED);
    }
  },
};
