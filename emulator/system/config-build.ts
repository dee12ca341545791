/**
 * Turns a system file that passed the schema and the consistency checks into
 * a SystemConfig: defaults filled in, paths absolute, virtio slots assigned,
 * everything frozen.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CONFIG_DEFAULTS, type DeviceConfig, type FaultKind, type NetPeer, type SystemConfig, type VmConfig, type VmRole,
} from './config-types';

/** The shape the schema guarantees (optional members may be absent). */
export interface RawSystemFile {
  name: string;
  description?: string;
  vms: {
    name: string;
    image: string | string[];
    ramMiB: number;
    vcpus?: number;
    role: VmRole;
    restart?: { maxRestarts?: number; initialBackoffMs?: number; maxBackoffMs?: number; multiplier?: number };
    watchdogMs?: number;
  }[];
  devices?: {
    name: string;
    kind: DeviceConfig['kind'];
    owner: string;
    disk?: { image?: string; sizeKiB?: number; readOnly?: boolean };
    peer?: string;
  }[];
  connections?: { kind: 'blk' | 'net'; frontend: string; backend: string; device: string }[];
  scheduler?: { quantum?: number };
  faults?: { vm: string; kind: FaultKind; atMs: number }[];
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const inner of Object.values(v)) deepFreeze(inner);
  }
  return v;
}

function buildVm(vm: RawSystemFile['vms'][number], index: number, baseDir: string): VmConfig {
  const d = CONFIG_DEFAULTS.restart;
  const r = vm.restart ?? {};
  return {
    name: vm.name,
    domid: index + 1,
    image: typeof vm.image === 'string'
      ? { kind: 'elf', path: path.resolve(baseDir, vm.image) }
      : { kind: 'asm', sources: vm.image.map((s) => path.resolve(baseDir, s)) },
    ramMiB: vm.ramMiB,
    ramBytes: vm.ramMiB * 1024 * 1024,
    vcpus: vm.vcpus ?? CONFIG_DEFAULTS.vcpus,
    role: vm.role,
    restart: {
      maxRestarts: r.maxRestarts ?? d.maxRestarts,
      initialBackoffMs: r.initialBackoffMs ?? d.initialBackoffMs,
      maxBackoffMs: r.maxBackoffMs ?? d.maxBackoffMs,
      multiplier: r.multiplier ?? d.multiplier,
    },
    ...(vm.watchdogMs !== undefined ? { watchdogMs: vm.watchdogMs } : {}),
  };
}

function netPeer(peer: string): NetPeer {
  if (peer === 'loopback' || peer === 'echo') return { kind: peer };
  return { kind: 'device', device: peer };
}

function buildDevices(raw: NonNullable<RawSystemFile['devices']>, baseDir: string): DeviceConfig[] {
  let slot = 0;
  return raw.map((d): DeviceConfig => {
    const base = { name: d.name, owner: d.owner };
    if (d.kind === 'uart') return { ...base, kind: 'uart' };
    if (d.kind === 'virtio-net') return { ...base, kind: 'virtio-net', virtioSlot: slot++, peer: netPeer(d.peer ?? CONFIG_DEFAULTS.peer) };
    const disk = d.disk ?? {};
    const image = disk.image !== undefined ? path.resolve(baseDir, disk.image) : undefined;
    // The consistency checks have stat'ed the image already; it is read again here for its size.
    const sizeBytes = disk.sizeKiB !== undefined ? disk.sizeKiB * 1024 : image !== undefined ? fs.statSync(image).size : 0;
    return {
      ...base,
      kind: 'virtio-blk',
      virtioSlot: slot++,
      disk: { ...(image !== undefined ? { image } : {}), sizeBytes, readOnly: disk.readOnly ?? CONFIG_DEFAULTS.readOnly },
    };
  });
}

/** Builds the resolved configuration from a checked raw file. */
export function buildSystemConfig(raw: RawSystemFile, baseDir: string, sourcePath?: string): SystemConfig {
  const config: SystemConfig = {
    name: raw.name,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    ...(sourcePath !== undefined ? { sourcePath } : {}),
    baseDir,
    vms: raw.vms.map((vm, i) => buildVm(vm, i, baseDir)),
    devices: buildDevices(raw.devices ?? [], baseDir),
    connections: (raw.connections ?? []).map((c) => ({ kind: c.kind, frontend: c.frontend, backend: c.backend, device: c.device })),
    scheduler: { quantum: raw.scheduler?.quantum ?? CONFIG_DEFAULTS.quantum },
    faults: (raw.faults ?? []).map((f) => ({ vm: f.vm, kind: f.kind, atMs: f.atMs })),
  };
  return deepFreeze(config);
}
