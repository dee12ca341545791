/**
 * PVIO registry calls: paths and values are copied from the caller's RAM
 * (checked), results copied back only when they fit (docs/abi.md, "Registry calls").
 */
import { SBI_ERR_INVALID_ADDRESS, SBI_ERR_INVALID_PARAM } from '../abi.generated';
import { encodeList, registryBytes, registryString } from '../registry-paths';
import { fail, ok, type SbiFailureCode, type SbiResult } from '../sbi-errors';
import type { HypercallEnv } from './context';

type Failure = { readonly error: SbiFailureCode; readonly value?: undefined };

/** The path string a guest passed, or the failure to return. */
function readPath(env: HypercallEnv, addr: number, len: number): string | Failure {
  if (len === 0 || len > env.host.registry.limits.maxPath) return fail(SBI_ERR_INVALID_PARAM);
  const bytes = env.vm.memory.read(addr, len);
  return bytes ? registryString(bytes) : fail(SBI_ERR_INVALID_ADDRESS);
}

/** Returns the full length, copying the bytes to `buf` only if they fit in `bufLen`. */
function copyOut(env: HypercallEnv, bytes: Uint8Array, buf: number, bufLen: number): SbiResult {
  if (bytes.length <= bufLen && !env.vm.memory.write(buf, bytes)) return fail(SBI_ERR_INVALID_ADDRESS);
  return ok(bytes.length);
}

export function regRead(env: HypercallEnv, path: number, pathLen: number, buf: number, bufLen: number): SbiResult {
  const p = readPath(env, path, pathLen);
  if (typeof p !== 'string') return p;
  const r = env.host.registry.read(env.vm.domid, p);
  return r.error !== 0 ? fail(r.error) : copyOut(env, registryBytes(r.value), buf, bufLen);
}

export function regWrite(env: HypercallEnv, path: number, pathLen: number, value: number, valueLen: number): SbiResult {
  const p = readPath(env, path, pathLen);
  if (typeof p !== 'string') return p;
  if (valueLen > env.host.registry.limits.maxValue) return fail(SBI_ERR_INVALID_PARAM);
  const bytes = valueLen === 0 ? new Uint8Array(0) : env.vm.memory.read(value, valueLen);
  if (!bytes) return fail(SBI_ERR_INVALID_ADDRESS);
  return env.host.registry.write(env.vm.domid, p, registryString(bytes));
}

export function regMkdir(env: HypercallEnv, path: number, pathLen: number): SbiResult {
  const p = readPath(env, path, pathLen);
  return typeof p !== 'string' ? p : env.host.registry.mkdir(env.vm.domid, p);
}

export function regRemove(env: HypercallEnv, path: number, pathLen: number): SbiResult {
  const p = readPath(env, path, pathLen);
  return typeof p !== 'string' ? p : env.host.registry.remove(env.vm.domid, p);
}

export function regList(env: HypercallEnv, path: number, pathLen: number, buf: number, bufLen: number): SbiResult {
  const p = readPath(env, path, pathLen);
  if (typeof p !== 'string') return p;
  const r = env.host.registry.list(env.vm.domid, p);
  return r.error !== 0 ? fail(r.error) : copyOut(env, encodeList(r.value), buf, bufLen);
}

export function regWatch(env: HypercallEnv, path: number, pathLen: number, token: number): SbiResult {
  const p = readPath(env, path, pathLen);
  return typeof p !== 'string' ? p : env.host.registry.watch(env.vm.domid, p, token);
}

export function regUnwatch(env: HypercallEnv, path: number, pathLen: number, token: number): SbiResult {
  const p = readPath(env, path, pathLen);
  return typeof p !== 'string' ? p : env.host.registry.unwatch(env.vm.domid, p, token);
}

/** Takes the oldest watch event; the buffer is checked before anything is dequeued, so no event is lost. */
export function regReadWatch(env: HypercallEnv, buf: number, bufLen: number): SbiResult {
  const reg = env.host.registry;
  const peek = reg.readWatch(env.vm.domid, 0);
  if (peek.error !== 0) return fail(peek.error);
  const length = peek.value.length;
  if (length === 0 || length > bufLen) return ok(length);
  if (!env.vm.memory.contains(buf, length)) return fail(SBI_ERR_INVALID_ADDRESS);
  const r = reg.readWatch(env.vm.domid, bufLen);
  if (r.error !== 0) return fail(r.error);
  if (r.value.record) env.vm.memory.write(buf, r.value.record);
  return ok(r.value.length);
}
