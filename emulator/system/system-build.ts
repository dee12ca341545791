/**
 * From a validated SystemConfig to a running Hypervisor: loads every VM image
 * (ELF, or assembly sources through the assembler when it is available),
 * lays out passthrough devices, and builds the machine. Every problem is
 * collected first and reported together with the place it comes from; no
 * machine is built unless everything loaded (nothing starts half-built).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VirtMap, virtioSlot } from '../devices/virt-map';
import { PVIO_KIND_BLK, PVIO_KIND_NET } from '../hypervisor/abi.generated';
import { Hypervisor, type ConnectionSpec, type HypervisorSpec } from '../hypervisor/hypervisor';
import type { PassthroughSpec } from '../hypervisor/passthrough';
import { VmBuildError, type VmImage, type VmSpec } from '../hypervisor/vm';
import { parseElf, type ElfFile } from '../loader';
import type { SystemConfig, VmConfig } from './config-types';
import { systemDeviceFactory } from './system-devices';

export interface BuildIssue {
  /** JSON path in the system file (e.g. "vms[1].image"), as in ConfigError. */
  readonly path: string;
  readonly message: string;
}

export class SystemBuildError extends Error {
  constructor(readonly issues: readonly BuildIssue[], readonly source: string) {
    super(`cannot build system ${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` +
      issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'SystemBuildError';
  }
}

/** A VM image as loaded, with its ELF when there is one (symbols and lines for the debugger). */
export interface LoadedImage {
  readonly image: VmImage;
  readonly elf?: ElfFile;
  /** Files it came from. */
  readonly files: readonly string[];
}

export interface BuildOptions {
  readonly seed?: number;
  readonly traceCapacity?: number;
}

export interface BuiltSystem {
  readonly hypervisor: Hypervisor;
  readonly images: ReadonlyMap<string, LoadedImage>;
}

type AsmModule = typeof import('../asm/index') & typeof import('../asm/node-resolver');

/** The assembler (emulator/asm), when this build has one that exports `assemble`. */
function findAssembler(): AsmModule | undefined {
  try {
    // Loaded lazily: a system of ELF images never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('../asm/index') as Partial<AsmModule>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const node = require('../asm/node-resolver') as Partial<AsmModule>;
    return typeof api.assemble === 'function' && typeof node.readSources === 'function' ? ({ ...api, ...node } as AsmModule) : undefined;
  } catch {
    return undefined;
  }
}

function imageFromElf(elf: ElfFile): VmImage {
  return { entry: elf.entry >>> 0, segments: elf.segments.map((s) => ({ paddr: s.paddr >>> 0, data: s.data, memsz: s.memsz })) };
}

function loadImage(vm: VmConfig): LoadedImage {
  if (vm.image.kind === 'elf') {
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(vm.image.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`${vm.image.path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? (e as Error).message})`}`, { cause: e });
    }
    let elf: ElfFile;
    try {
      elf = parseElf(bytes);
    } catch (e) {
      throw new Error(`${vm.image.path}: ${(e as Error).message}`, { cause: e });
    }
    return { image: imageFromElf(elf), elf, files: [vm.image.path] };
  }
  const asm = findAssembler();
  if (!asm) {
    throw new Error('assembly-source images need the assembler, which is not available in this build (emulator/asm/index.ts does not export assemble); give an ELF file instead');
  }
  let sources;
  try {
    sources = asm.readSources(vm.image.sources);
  } catch (e) {
    throw new Error(`cannot read the assembly sources: ${(e as Error).message}`, { cause: e });
  }
  const includeDirs = [...new Set(vm.image.sources.map((f) => path.dirname(f)))];
  const r = asm.assemble(sources, { resolveInclude: asm.nodeIncludeResolver(includeDirs), compDir: includeDirs[0] });
  if (!r.ok || !r.elf) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    const shown = errors.slice(0, 5).map((d) => asm.formatDiagnostic(d)).join('; ');
    throw new Error(`the assembly sources do not assemble: ${shown}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`);
  }
  const elf = parseElf(r.elf);
  return { image: imageFromElf(elf), elf, files: vm.image.sources };
}

/** Passthrough windows of a VM: virtio devices at their slot, the UART at its QEMU address. */
function devicesOf(config: SystemConfig, vm: VmConfig): PassthroughSpec[] {
  const out: PassthroughSpec[] = [];
  for (const d of config.devices) {
    if (d.owner !== vm.name) continue;
    if (d.kind === 'uart') out.push({ name: d.name, kind: 'uart', base: VirtMap.UART0.base, size: VirtMap.UART0.size, irq: VirtMap.UART0.irq });
    else {
      const w = virtioSlot(d.virtioSlot);
      out.push({ name: d.name, kind: d.kind, base: w.base, size: w.size, irq: w.irq });
    }
  }
  return out;
}

function connectionsOf(config: SystemConfig): ConnectionSpec[] {
  const domid = new Map(config.vms.map((v) => [v.name, v.domid]));
  const count = new Map<string, number>();
  return config.connections.map((c) => {
    const frontend = domid.get(c.frontend)!;
    const backend = domid.get(c.backend)!;
    const kind = c.kind === 'blk' ? PVIO_KIND_BLK : PVIO_KIND_NET;
    const key = `${kind}/${frontend}/${backend}`;
    const idx = count.get(key) ?? 0;
    count.set(key, idx + 1);
    return { kind, frontend, backend, idx };
  });
}

/** Builds the machine described by a validated system file. Throws SystemBuildError. */
export function buildSystem(config: SystemConfig, options: BuildOptions = {}): BuiltSystem {
  const source = config.sourcePath ?? config.name;
  const issues: BuildIssue[] = [];
  const images = new Map<string, LoadedImage>();
  config.vms.forEach((vm, i) => {
    try {
      images.set(vm.name, loadImage(vm));
    } catch (e) {
      issues.push({ path: `vms[${i}].image`, message: (e as Error).message });
    }
  });
  config.devices.forEach((d, i) => {
    if (d.kind === 'virtio-blk' && d.disk.image !== undefined && !fs.existsSync(d.disk.image)) {
      issues.push({ path: `devices[${i}].disk.image`, message: `${d.disk.image}: no such file` });
    }
  });
  if (issues.length) throw new SystemBuildError(issues, source);

  const vms: VmSpec[] = config.vms.map((vm) => ({
    name: vm.name,
    domid: vm.domid,
    role: vm.role,
    ramBytes: vm.ramBytes,
    vcpus: vm.vcpus,
    image: images.get(vm.name)!.image,
    restart: vm.restart,
    watchdogMs: vm.watchdogMs,
    devices: devicesOf(config, vm),
  }));
  const spec: HypervisorSpec = {
    vms,
    connections: connectionsOf(config),
    quantum: config.scheduler.quantum,
    seed: options.seed,
    traceCapacity: options.traceCapacity,
    deviceFactory: systemDeviceFactory(config.devices),
  };
  try {
    return { hypervisor: new Hypervisor(spec), images };
  } catch (e) {
    if (!(e instanceof VmBuildError)) throw e;
    const m = /^VM '([^']+)': (.*)$/s.exec(e.message);
    const i = m ? config.vms.findIndex((v) => v.name === m[1]) : -1;
    throw new SystemBuildError([{ path: i >= 0 ? `vms[${i}]` : '', message: m && i >= 0 ? m[2] : e.message }], source);
  }
}
