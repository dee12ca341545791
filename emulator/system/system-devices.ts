/**
 * The device models behind a system file's `devices`: virtio-blk over an
 * in-memory copy of the disk image (writes stay in memory, docs/system-file.md),
 * virtio-net with its host-side peer. Disks and links belong to the machine:
 * they survive a restart of the VM that owns the device (only the device is
 * reset). The UART is built by the hypervisor.
 */
import * as fs from 'node:fs';
import type { DeviceFactory, PassthroughDevice } from '../hypervisor/passthrough';
import { EchoPeer, LoopbackPeer, MemoryBlockBackend, VirtioBlk, VirtioNet, linkPeers, type NetPeer } from '../devices/virtio';
import type { DeviceConfig } from './config-types';

/** Reads a disk image and pads it with zeros to the configured size. */
export function loadDiskImage(image: string | undefined, sizeBytes: number): Uint8Array {
  const data = new Uint8Array(sizeBytes);
  if (image !== undefined) {
    const bytes = fs.readFileSync(image);
    data.set(bytes.subarray(0, Math.min(bytes.length, sizeBytes)));
  }
  return data;
}

/** A factory for the hypervisor that knows every device of the system by name. */
export function systemDeviceFactory(devices: readonly DeviceConfig[]): DeviceFactory {
  const byName = new Map(devices.map((d) => [d.name, d]));
  const linked = new Map<string, NetPeer>();
  const peerFor = (name: string, peer: { kind: string; device?: string }): NetPeer => {
    if (peer.kind === 'echo') return new EchoPeer();
    if (peer.kind === 'loopback' || peer.device === undefined) return new LoopbackPeer();
    const mine = linked.get(name);
    if (mine) return mine;
    const [a, b] = linkPeers();
    linked.set(peer.device, b);
    return a;
  };
  return (spec, ctx): PassthroughDevice | undefined => {
    const cfg = byName.get(spec.name);
    if (!cfg) return undefined;
    if (cfg.kind === 'virtio-blk') {
      const backend = new MemoryBlockBackend(loadDiskImage(cfg.disk.image, cfg.disk.sizeBytes), { readOnly: cfg.disk.readOnly });
      const dev = new VirtioBlk({ dma: ctx.dma, timers: ctx.timers, irq: ctx.irq, name: ctx.label, backend, readOnly: cfg.disk.readOnly });
      return { spec, mmio: dev, reset: () => dev.reset(), describe: () => ({ stats: dev.stats, transport: dev.transportStats, lastError: dev.lastError }) };
    }
    if (cfg.kind === 'virtio-net') {
      const dev = new VirtioNet({ dma: ctx.dma, timers: ctx.timers, irq: ctx.irq, name: ctx.label, peer: peerFor(cfg.name, cfg.peer) });
      return { spec, mmio: dev, reset: () => dev.reset(), describe: () => ({ stats: dev.stats, transport: dev.transportStats, lastError: dev.lastError }) };
    }
    return undefined;
  };
}
