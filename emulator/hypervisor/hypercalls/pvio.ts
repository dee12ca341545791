/** The PVIO extension (docs/abi.md): self-information, grant table, event channels, registry. */
import {
  PVIO_ABI_VERSION,
  PVIO_EVTCHN_MAX_PORTS,
  PVIO_FID_EVTCHN_ALLOC_UNBOUND,
  PVIO_FID_EVTCHN_BIND_INTERDOMAIN,
  PVIO_FID_EVTCHN_CLOSE,
  PVIO_FID_EVTCHN_MASK,
  PVIO_FID_EVTCHN_SEND,
  PVIO_FID_EVTCHN_UNMASK,
  PVIO_FID_GET_INFO,
  PVIO_FID_GRANT_ACCESS,
  PVIO_FID_GRANT_END,
  PVIO_FID_GRANT_MAP,
  PVIO_FID_GRANT_UNMAP,
  PVIO_FID_REG_LIST,
  PVIO_FID_REG_MKDIR,
  PVIO_FID_REG_READ,
  PVIO_FID_REG_READ_WATCH,
  PVIO_FID_REG_REMOVE,
  PVIO_FID_REG_UNWATCH,
  PVIO_FID_REG_WATCH,
  PVIO_FID_REG_WRITE,
  PVIO_GRANT_MAX_REFS,
  PVIO_GRANT_WINDOW_BASE,
  PVIO_GRANT_WINDOW_SLOTS,
  PVIO_INFO_ABI_VERSION,
  PVIO_INFO_DOMID,
  PVIO_INFO_EVTCHN_MAX_PORTS,
  PVIO_INFO_GRANT_MAX_REFS,
  PVIO_INFO_GRANT_WINDOW_BASE,
  PVIO_INFO_GRANT_WINDOW_SLOTS,
  PVIO_INFO_NUM_VMS,
  PVIO_INFO_SHARED_INFO_GPA,
  PVIO_SHARED_INFO_GPA,
  SBI_ERR_INVALID_PARAM,
  SBI_ERR_NOT_SUPPORTED,
  SBI_EXT_PVIO,
} from '../abi.generated';
import { fail, ok, type SbiResult } from '../sbi-errors';
import type { HypercallEnv, SbiExtension } from './context';
import { grantAccess, grantEnd, grantMap, grantUnmap } from './pvio-grants';
import { regList, regMkdir, regRead, regReadWatch, regRemove, regUnwatch, regWatch, regWrite } from './pvio-registry';

function getInfo(env: HypercallEnv, key: number): SbiResult {
  switch (key) {
    case PVIO_INFO_ABI_VERSION: return ok(PVIO_ABI_VERSION);
    case PVIO_INFO_DOMID: return ok(env.vm.domid);
    case PVIO_INFO_NUM_VMS: return ok(env.host.numVms);
    case PVIO_INFO_SHARED_INFO_GPA: return ok(PVIO_SHARED_INFO_GPA);
    case PVIO_INFO_GRANT_WINDOW_BASE: return ok(PVIO_GRANT_WINDOW_BASE);
    case PVIO_INFO_GRANT_WINDOW_SLOTS: return ok(PVIO_GRANT_WINDOW_SLOTS);
    case PVIO_INFO_GRANT_MAX_REFS: return ok(PVIO_GRANT_MAX_REFS);
    case PVIO_INFO_EVTCHN_MAX_PORTS: return ok(PVIO_EVTCHN_MAX_PORTS);
    default: return fail(SBI_ERR_INVALID_PARAM);
  }
}

export const pvio: SbiExtension = {
  eid: SBI_EXT_PVIO,
  call(env, fid, a) {
    const ev = env.host.events;
    const me = env.vm.domid;
    switch (fid) {
      case PVIO_FID_GET_INFO: return getInfo(env, a[0]);
      case PVIO_FID_GRANT_ACCESS: return grantAccess(env, a[0], a[1], a[2]);
      case PVIO_FID_GRANT_END: return grantEnd(env, a[0]);
      case PVIO_FID_GRANT_MAP: return grantMap(env, a[0], a[1], a[2], a[3]);
      case PVIO_FID_GRANT_UNMAP: return grantUnmap(env, a[0]);
      case PVIO_FID_EVTCHN_ALLOC_UNBOUND: return ev.allocUnbound(me, a[0]);
      case PVIO_FID_EVTCHN_BIND_INTERDOMAIN: return ev.bindInterdomain(me, a[0], a[1]);
      case PVIO_FID_EVTCHN_SEND: return ev.send(me, a[0]);
      case PVIO_FID_EVTCHN_CLOSE: return ev.close(me, a[0]);
      case PVIO_FID_EVTCHN_MASK: return ev.mask(me, a[0]);
      case PVIO_FID_EVTCHN_UNMASK: return ev.unmask(me, a[0]);
      case PVIO_FID_REG_READ: return regRead(env, a[0], a[1], a[2], a[3]);
      case PVIO_FID_REG_WRITE: return regWrite(env, a[0], a[1], a[2], a[3]);
      case PVIO_FID_REG_MKDIR: return regMkdir(env, a[0], a[1]);
      case PVIO_FID_REG_REMOVE: return regRemove(env, a[0], a[1]);
      case PVIO_FID_REG_LIST: return regList(env, a[0], a[1], a[2], a[3]);
      case PVIO_FID_REG_WATCH: return regWatch(env, a[0], a[1], a[2]);
      case PVIO_FID_REG_UNWATCH: return regUnwatch(env, a[0], a[1], a[2]);
      case PVIO_FID_REG_READ_WATCH: return regReadWatch(env, a[0], a[1]);
      default: return fail(SBI_ERR_NOT_SUPPORTED);
    }
  },
};
