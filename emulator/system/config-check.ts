/**
 * Consistency checks of a system file beyond what the schema can say: names
 * that must be unique or must exist, roles of connected VMs, files on disk,
 * machine limits. They read the raw JSON defensively (fields of the wrong type
 * are skipped; the schema reports those), so every problem is found in one pass.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONNECTION_FOR_DEVICE, VIRTIO_SLOTS } from './config-types';
import type { IssueList } from './config-error';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** Elements of an array field that are objects, with their index. */
const entries = (root: Obj, key: string): [number, Obj][] =>
  list(root[key]).flatMap((v, i): [number, Obj][] => {
    const o = obj(v);
    return o ? [[i, o]] : [];
  });

const SECTOR = 512;
const RESERVED_PEERS = new Set(['loopback', 'echo']);

/** Size of the regular file at `p`, or why there is none. */
function statFile(p: string): { size: number } | 'missing' | 'not-a-file' {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? { size: st.size } : 'not-a-file';
  } catch {
    return 'missing';
  }
}

/** Checks that `p` (relative to baseDir) is a file; returns its size when it is. */
function checkFile(issues: IssueList, at: string, p: string, baseDir: string): number | undefined {
  const abs = path.resolve(baseDir, p);
  const st = statFile(abs);
  if (st === 'missing') issues.add(at, `file '${p}' does not exist (looked for ${abs})`);
  else if (st === 'not-a-file') issues.add(at, `'${p}' is not a file (${abs})`);
  else return st.size;
  return undefined;
}

interface Named {
  index: number;
  entry: Obj;
}

/** Map of name → first entry; reports later duplicates. */
function indexByName(issues: IssueList, root: Obj, key: string, what: string, onDuplicate?: (first: Named, dup: Named) => string | undefined): Map<string, Named> {
  const byName = new Map<string, Named>();
  for (const [i, e] of entries(root, key)) {
    const name = str(e.name);
    if (name === undefined) continue;
    const first = byName.get(name);
    if (first) issues.add(`${key}[${i}].name`, onDuplicate?.(first, { index: i, entry: e }) ?? `duplicate ${what} name '${name}' (also ${key}[${first.index}])`);
    else byName.set(name, { index: i, entry: e });
  }
  return byName;
}

function checkVms(issues: IssueList, root: Obj, baseDir: string): void {
  for (const [i, vm] of entries(root, 'vms')) {
    const image = vm.image;
    if (typeof image === 'string') {
      if (/\.[Ss]$/.test(image)) issues.add(`vms[${i}].image`, `'${image}' is an assembly source: give sources as a list, e.g. ["${image}"]`);
      else checkFile(issues, `vms[${i}].image`, image, baseDir);
    } else {
      list(image).forEach((src, k) => {
        if (typeof src === 'string') checkFile(issues, `vms[${i}].image[${k}]`, src, baseDir);
      });
    }
    const r = obj(vm.restart);
    if (r && typeof r.initialBackoffMs === 'number' && typeof r.maxBackoffMs === 'number' && r.initialBackoffMs > r.maxBackoffMs) {
      issues.add(`vms[${i}].restart.initialBackoffMs`, `is larger than maxBackoffMs (${r.maxBackoffMs})`);
    }
  }
}

function checkDisk(issues: IssueList, at: string, disk: Obj, baseDir: string, images: Map<string, { at: string; readOnly: boolean }>): void {
  const image = str(disk.image);
  const sizeKiB = typeof disk.sizeKiB === 'number' ? disk.sizeKiB : undefined;
  const readOnly = disk.readOnly === true;
  if (!('image' in disk) && !('sizeKiB' in disk)) issues.add(at, 'needs an image, a sizeKiB, or both');
  if (image === undefined) return;
  const size = checkFile(issues, `${at}.image`, image, baseDir);
  if (size !== undefined && size % SECTOR !== 0) issues.add(`${at}.image`, `image size ${size} is not a multiple of ${SECTOR} bytes`);
  if (size !== undefined && sizeKiB !== undefined && size > sizeKiB * 1024) issues.add(`${at}.sizeKiB`, `is smaller than the image (${size} bytes)`);
  // Two writable devices on one image would see each other's writes through the same file.
  const abs = path.resolve(baseDir, image);
  const other = images.get(abs);
  if (other && !(other.readOnly && readOnly)) issues.add(`${at}.image`, `the same image is used by ${other.at}; share an image only between read-only disks`);
  if (!other) images.set(abs, { at, readOnly });
}

function checkDevices(issues: IssueList, root: Obj, vms: Map<string, Named>, baseDir: string): Map<string, Named> {
  const devices = indexByName(issues, root, 'devices', 'device', (first, dup) => {
    const [a, b] = [str(first.entry.owner), str(dup.entry.owner)];
    return a !== undefined && b !== undefined && a !== b
      ? `device '${String(dup.entry.name)}' is given to two VMs: '${a}' (devices[${first.index}]) and '${b}'`
      : undefined;
  });
  const images = new Map<string, { at: string; readOnly: boolean }>();
  let virtio = 0;
  let uart: number | undefined;
  for (const [i, d] of entries(root, 'devices')) {
    const at = `devices[${i}]`;
    const name = str(d.name);
    if (name !== undefined && RESERVED_PEERS.has(name)) issues.add(`${at}.name`, `'${name}' is reserved for network peers`);
    const owner = str(d.owner);
    if (owner !== undefined && !vms.has(owner)) issues.add(`${at}.owner`, `unknown VM '${owner}'`);
    const kind = str(d.kind);
    if (kind === 'virtio-blk' || kind === 'virtio-net') {
      if (++virtio > VIRTIO_SLOTS) issues.add(at, `no virtio-mmio slot left: the machine has ${VIRTIO_SLOTS}`);
    } else if (kind === 'uart') {
      if (uart !== undefined) issues.add(`${at}.kind`, `the machine has one UART, already given as devices[${uart}]`);
      uart ??= i;
    }
    const disk = obj(d.disk);
    if (kind === 'virtio-blk' && disk) checkDisk(issues, `${at}.disk`, disk, baseDir, images);
    const peer = str(d.peer);
    if (kind === 'virtio-net' && peer !== undefined && !RESERVED_PEERS.has(peer)) {
      const other = devices.get(peer);
      if (!other) issues.add(`${at}.peer`, `unknown device '${peer}'`);
      else if (peer === name) issues.add(`${at}.peer`, "a device cannot be its own peer (use \"loopback\")");
      else if (other.entry.kind !== 'virtio-net') issues.add(`${at}.peer`, `'${peer}' is not a virtio-net device`);
      else if (other.entry.peer !== name) issues.add(`${at}.peer`, `'${peer}' must name '${String(name)}' as its peer too`);
    }
  }
  return devices;
}

function checkConnections(issues: IssueList, root: Obj, vms: Map<string, Named>, devices: Map<string, Named>): void {
  const exported = new Map<string, number>();
  for (const [i, c] of entries(root, 'connections')) {
    const at = `connections[${i}]`;
    const front = str(c.frontend);
    const back = str(c.backend);
    const fvm = front !== undefined ? vms.get(front) : undefined;
    const bvm = back !== undefined ? vms.get(back) : undefined;
    if (front !== undefined && !fvm) issues.add(`${at}.frontend`, `unknown VM '${front}'`);
    else if (fvm && fvm.entry.role === 'driver') issues.add(`${at}.frontend`, `'${front}' is a driver VM; frontends run in client VMs`);
    if (back !== undefined && !bvm) issues.add(`${at}.backend`, `unknown VM '${back}'`);
    else if (bvm && bvm.entry.role === 'client') issues.add(`${at}.backend`, `'${back}' is a client VM; backends run in driver VMs`);
    const name = str(c.device);
    if (name === undefined) continue;
    const dev = devices.get(name);
    if (!dev) {
      issues.add(`${at}.device`, `unknown device '${name}'`);
      continue;
    }
    const devKind = str(dev.entry.kind);
    const wanted = devKind === 'virtio-blk' || devKind === 'virtio-net' ? CONNECTION_FOR_DEVICE[devKind] : undefined;
    // Kinds outside the schema's lists were reported where they are written.
    const kindsKnown = (c.kind === 'blk' || c.kind === 'net') && (wanted !== undefined || devKind === 'uart');
    if (kindsKnown && wanted !== c.kind) {
      issues.add(`${at}.device`, `'${name}' is a ${String(devKind)} device, which a ${c.kind} connection cannot export`);
    }
    const owner = str(dev.entry.owner);
    // An owner that is no VM was reported with the device already.
    if (bvm && owner !== undefined && vms.has(owner) && owner !== back) issues.add(`${at}.device`, `'${name}' belongs to '${owner}', not to the backend '${back}'`);
    const first = exported.get(name);
    if (first !== undefined) issues.add(`${at}.device`, `'${name}' is already exported by connections[${first}]`);
    else exported.set(name, i);
  }
}

function checkFaults(issues: IssueList, root: Obj, vms: Map<string, Named>, devices: Map<string, Named>): void {
  for (const [i, f] of entries(root, 'faults')) {
    const vm = str(f.vm);
    if (vm === undefined) continue;
    if (!vms.has(vm)) {
      issues.add(`faults[${i}].vm`, `unknown VM '${vm}'`);
      continue;
    }
    const hasDma = [...devices.values()].some((d) => d.entry.owner === vm && String(d.entry.kind).startsWith('virtio-'));
    if (f.kind === 'dma' && !hasDma) issues.add(`faults[${i}].kind`, `'dma' needs a virtio device owned by '${vm}'`);
  }
}

/** Adds every consistency problem of the raw system file to `issues`. */
export function checkSystemSemantics(issues: IssueList, raw: unknown, baseDir: string): void {
  const root = obj(raw);
  if (!root) return;
  const vms = indexByName(issues, root, 'vms', 'VM');
  checkVms(issues, root, baseDir);
  const devices = checkDevices(issues, root, vms, baseDir);
  checkConnections(issues, root, vms, devices);
  checkFaults(issues, root, vms, devices);
}
