/**
 * Registry path syntax, the layout patterns of docs/abi.md, and the byte
 * encodings of what registry calls copy to guest memory. Pure functions.
 */
import {
  PVIO_REG_BACKEND_DIR,
  PVIO_REG_DEVICE_DIR,
  PVIO_REG_MAX_PATH,
  PVIO_REG_VM_DIR,
  PVIO_STATE_CLOSED,
  PVIO_STATE_UNKNOWN,
} from './abi.generated';
import { isVmDomid } from './domid';

const COMPONENT_RE = /^[A-Za-z0-9_.@-]+$/;

export function isValidComponent(c: string): boolean {
  return COMPONENT_RE.test(c) && c !== '.' && c !== '..';
}

/**
 * Makes a guest-supplied path absolute (relative paths are below /vm/<caller>)
 * and checks its syntax and length; undefined if it is not a valid path.
 */
export function resolvePath(caller: number, path: unknown, maxPath = PVIO_REG_MAX_PATH): string | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.length > maxPath) return undefined;
  let abs: string;
  if (path.startsWith('/')) abs = path;
  else if (!isVmDomid(caller)) return undefined; // the host (and anything else) has no directory
  else abs = `${expandPath(PVIO_REG_VM_DIR, { domid: caller })}/${path}`;
  if (abs.length > maxPath) return undefined;
  if (abs === '/') return abs;
  return abs.slice(1).split('/').every(isValidComponent) ? abs : undefined;
}

/** Components of an absolute path; [] for the root. */
export function splitPath(abs: string): string[] {
  return abs === '/' ? [] : abs.slice(1).split('/');
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Whether `path` is `prefix` or lies below it. */
export function isAtOrBelow(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

/** Fills a layout pattern's {placeholders}; throws on a missing one (host programming error, not guest input). */
export function expandPath(pattern: string, vars: Readonly<Record<string, string | number>>): string {
  return pattern.replace(/\{([a-z]+)\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`registry pattern ${pattern}: no value for {${name}}`);
    return String(v);
  });
}

function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split(/(\{[a-z]+\})/).map((part) => {
    if (part === '{domid}') return '(?<domid>[^/]+)';
    if (/^\{[a-z]+\}$/.test(part)) return '[^/]+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}$`);
}
const SPLIT_DIR_RES = [patternRegExp(PVIO_REG_DEVICE_DIR), patternRegExp(PVIO_REG_BACKEND_DIR)];

/** Whether `path` is a frontend device dir or a backend dir owned by `domid` (docs/abi.md, "Layout"). */
export function isSplitDeviceDir(path: string, domid: number): boolean {
  return SPLIT_DIR_RES.some((re) => re.exec(path)?.groups?.domid === String(domid));
}

/** Registry values and paths are byte strings: one char per byte (latin1). */
export function registryBytes(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

export function registryString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** LIST result: each child name followed by a NUL. */
export function encodeList(names: readonly string[]): Uint8Array {
  return registryBytes(names.map((n) => `${n}\0`).join(''));
}

/** READ_WATCH record: token (u32 little-endian), path bytes, NUL. */
export function encodeWatchEvent(token: number, path: string): Uint8Array {
  const out = new Uint8Array(4 + path.length + 1);
  new DataView(out.buffer).setUint32(0, token >>> 0, true);
  out.set(registryBytes(path), 4);
  return out;
}

/** A handshake state from a registry value; PVIO_STATE_UNKNOWN if missing or not a state. */
export function parseState(value: string | undefined): number {
  if (value === undefined || !/^[0-9]$/.test(value)) return PVIO_STATE_UNKNOWN;
  const n = Number(value);
  return n <= PVIO_STATE_CLOSED ? n : PVIO_STATE_UNKNOWN;
}
