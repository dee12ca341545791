/**
 * Host-side set-up of a split device's two registry directories, as laid out in
 * docs/abi.md ("Layout"): each side owns its directory, the peer may read it,
 * and the host-written identity keys cannot be changed by either VM.
 */
import {
  PVIO_KEY_BACKEND,
  PVIO_KEY_BACKEND_ID,
  PVIO_KEY_FRONTEND,
  PVIO_KEY_FRONTEND_ID,
  PVIO_KEY_STATE,
  PVIO_REG_BACKEND_DIR,
  PVIO_REG_DEVICE_DIR,
  PVIO_STATE_INITIALISING,
  SBI_ERR_INVALID_PARAM,
} from './abi.generated';
import { HOST } from './domid';
import type { Registry } from './registry';
import { expandPath, isValidComponent, joinPath } from './registry-paths';
import { fail, isU32, ok, type SbiResult } from './sbi-errors';

export interface SplitDeviceSpec {
  /** Device kind, e.g. PVIO_KIND_BLK. */
  readonly kind: string;
  /** Index among devices of this kind between the same two VMs. */
  readonly idx: number;
  readonly frontend: number;
  readonly backend: number;
}

export interface SplitDeviceDirs {
  readonly deviceDir: string;
  readonly backendDir: string;
}

export function splitDeviceDirs(spec: SplitDeviceSpec): SplitDeviceDirs {
  return {
    deviceDir: expandPath(PVIO_REG_DEVICE_DIR, { domid: spec.frontend, kind: spec.kind, idx: spec.idx }),
    backendDir: expandPath(PVIO_REG_BACKEND_DIR, { domid: spec.backend, kind: spec.kind, frontend: spec.frontend, idx: spec.idx }),
  };
}

/** Creates (or resets) both directories with `state` = Initialising. Both VMs must be registered. */
export function provisionSplitDevice(reg: Registry, spec: SplitDeviceSpec): SbiResult<SplitDeviceDirs> {
  const { kind, idx, frontend, backend } = spec;
  if (!isValidComponent(kind) || !isU32(idx) || frontend === backend || !reg.hasVm(frontend) || !reg.hasVm(backend)) {
    return fail(SBI_ERR_INVALID_PARAM);
  }
  const dirs = splitDeviceDirs(spec);
  const sides = [
    { dir: dirs.deviceDir, owner: frontend, peer: backend, keys: [[PVIO_KEY_BACKEND, dirs.backendDir], [PVIO_KEY_BACKEND_ID, String(backend)]] },
    { dir: dirs.backendDir, owner: backend, peer: frontend, keys: [[PVIO_KEY_FRONTEND, dirs.deviceDir], [PVIO_KEY_FRONTEND_ID, String(frontend)]] },
  ];
  for (const side of sides) {
    const steps: SbiResult[] = [
      reg.mkdir(HOST, side.dir),
      reg.setPerms(side.dir, { owner: side.owner, others: 'none', readers: [side.peer], writers: [] }),
    ];
    for (const [key, value] of side.keys) {
      const path = joinPath(side.dir, key);
      steps.push(reg.write(HOST, path, value), reg.setPerms(path, { owner: HOST, others: 'none', readers: [side.owner, side.peer], writers: [] }));
    }
    const state = joinPath(side.dir, PVIO_KEY_STATE);
    steps.push(reg.write(HOST, state, String(PVIO_STATE_INITIALISING)));
    steps.push(reg.setPerms(state, { owner: side.owner, others: 'none', readers: [side.peer], writers: [] }));
    for (const s of steps) if (s.error !== 0) return fail(s.error);
  }
  return ok(dirs);
}
