/**
 * Whole-system snapshots (docs/campaigns.md, "Throughput"): the state of a
 * built machine between two runs — RAM of every VM, every vCPU and hart
 * (counters included), devices (registers, virtqueues, in-flight
 * completions, the in-memory disks), event channels, grants, the registry,
 * the event queue, virtual time, the scheduler, the watchdog, the trace, the
 * hypervisor's bookkeeping (faults, injections, restart state) — taken once
 * and restored any number of times **onto the same machine**.
 *
 * Restoring writes the captured contents back into the very objects they
 * came from (emulator/hypervisor/state-capture.ts), so closures the event
 * queue holds (a device completion, a restart) stay valid. RAM and disks are
 * restored by difference: only pages that changed are written, and only
 * their decoded/compiled code is dropped (through Bus.loadBytes, which keeps
 * the decode caches coherent); code that did not change stays warm.
 *
 * Not covered: disks backed by host files (their writes are in the file),
 * debugger state (breakpoints, watchpoints). `SnapshotUnsupported` says so.
 */
import { Bus } from '../bus/bus';
import { Hart } from '../cpu/hart';
import { ByteQueue } from '../devices/byte-queue';
import { IommuDma } from '../devices/dma';
import { Plic } from '../devices/plic';
import { Ns16550a } from '../devices/uart';
import { EchoPeer, LoopbackPeer, MemoryBlockBackend, SplitVirtqueue, VirtioBlk, VirtioMmioDevice } from '../devices/virtio';
import { VmConsole } from '../hypervisor/console';
import { EventChannels } from '../hypervisor/event-channels';
import { EventQueue } from '../hypervisor/event-queue';
import { GrantTable } from '../hypervisor/grant-table';
import { GrantWindow } from '../hypervisor/grant-window';
import { GuestMemory } from '../hypervisor/guest-memory';
import { HypercallDispatcher } from '../hypervisor/hypercalls/dispatcher';
import { Hypervisor } from '../hypervisor/hypervisor';
import { Prng } from '../hypervisor/prng';
import { Registry } from '../hypervisor/registry';
import { Scheduler } from '../hypervisor/scheduler';
import { SharedInfoPage } from '../hypervisor/shared-info';
import { capturePaged, captureHartFull, restoreDiff, restoreHartFull, restoreRam, type FullHartState, type PagedImage } from '../hypervisor/snapshot';
import { CapturedState, type OwnerRule } from '../hypervisor/state-capture';
import { Trace } from '../hypervisor/trace';
import { VCpu } from '../hypervisor/vcpu';
import { Vm } from '../hypervisor/vm';
import { Watchdog } from '../hypervisor/watchdog';

/** The machine cannot be snapshotted (a file-backed disk, a device model of unknown kind). */
export class SnapshotUnsupported extends Error {}

/**
 * Classes whose instances are kept by reference: they hold no state of a run
 * (or it is captured separately: harts, RAM). Anything else met by reference
 * makes the capture refuse the machine, so new state is never silently left out.
 */
export const STATELESS_CLASSES: readonly unknown[] = [Bus, Hart, GuestMemory];

export interface MachineSnapshot {
  readonly state: CapturedState;
  readonly harts: readonly { readonly hart: Hart; readonly state: FullHartState }[];
  readonly rams: readonly { readonly bus: Bus; readonly image: PagedImage }[];
  readonly disks: readonly { readonly data: Uint8Array; readonly image: PagedImage }[];
  /** Virtual time of the capture (cycles). */
  readonly time: number;
  /** Injections had been scheduled: reseeding the PRNG would not give a fresh machine's draws. */
  readonly injected: boolean;
}

const RULES: readonly [abstract new (...a: never[]) => object, OwnerRule][] = [
  [Hypervisor, { skip: ['spec'] }],
  [Trace, { skip: ['names'], shallow: ['ring'] }],
  [HypercallDispatcher, { skip: ['extensions', 'names'] }],
  [EventQueue, {}],
  [Scheduler, {}],
  [Watchdog, {}],
  [Prng, {}],
  [GrantTable, {}],
  [EventChannels, {}],
  [Registry, {}],
  [Vm, { skip: ['spec', 'snapshot', 'dtb'] }],
  [VCpu, { skip: ['hart'] }],
  [Plic, {}],
  [SharedInfoPage, {}],
  [GrantWindow, {}],
  [IommuDma, {}],
  [VmConsole, {}],
  [VirtioMmioDevice, {}],
  [SplitVirtqueue, {}],
  [MemoryBlockBackend, { skip: ['data'] }],
  [Ns16550a, {}],
  [ByteQueue, {}],
  [LoopbackPeer, {}],
  [EchoPeer, {}],
];

function ownerRule(o: object): OwnerRule | undefined {
  for (const [cls, rule] of RULES) if (o instanceof cls) return rule;
  return undefined;
}

/** Captures the machine; `like` (an earlier snapshot of it) lets unchanged RAM and disk pages share their copies. */
export function captureMachine(hv: Hypervisor, like?: MachineSnapshot): MachineSnapshot {
  if ((hv as unknown as { running?: unknown }).running !== undefined) throw new SnapshotUnsupported('the machine is in the middle of a slice');
  const excluded = new Set<object>();
  const disks: Uint8Array[] = [];
  for (const vm of hv.vms) {
    excluded.add(vm.bus.ram).add(vm.bus.ram32).add(vm.bus.ram16).add(vm.snapshot);
    for (const d of vm.devices) {
      if (d.mmio instanceof VirtioBlk) {
        if (!(d.mmio.backend instanceof MemoryBlockBackend)) throw new SnapshotUnsupported(`device ${d.spec.name} of VM '${vm.name}' has a file-backed disk`);
        disks.push(d.mmio.backend.data);
        excluded.add(d.mmio.backend.data);
      }
    }
  }
  const state = new CapturedState(ownerRule, excluded);
  state.visit(hv);
  const unknown = [...state.byReference].filter((n) => !STATELESS_CLASSES.includes(n));
  if (unknown.length) {
    const names = unknown.map((c) => (c as { name?: string } | undefined)?.name ?? String(c));
    throw new SnapshotUnsupported(`state of unknown kind in the machine: ${names.join(', ')}`);
  }
  const rams = hv.vms.map((vm, i) => ({ bus: vm.bus, image: capturePaged(vm.bus.ram, like?.rams[i]?.bus === vm.bus ? like.rams[i].image : undefined) }));
  return {
    state,
    harts: hv.vcpus.map((v) => ({ hart: v.hart, state: captureHartFull(v.hart) })),
    rams,
    disks: disks.map((data, i) => ({ data, image: capturePaged(data, like?.disks[i]?.data === data ? like.disks[i].image : undefined) })),
    time: hv.nowCycles(),
    injected: hv.injections.length > 0,
  };
}

/**
 * Puts the machine back into `snap` (taken from this very machine). With
 * `seed`, the fault-injection PRNG is the one a machine built with that seed
 * would have (only for snapshots taken before any injection: nothing else
 * draws from it).
 */
export function restoreMachine(hv: Hypervisor, snap: MachineSnapshot, seed?: number): void {
  if ((hv as unknown as { running?: unknown }).running !== undefined) throw new SnapshotUnsupported('the machine is in the middle of a slice');
  snap.state.restore();
  for (const h of snap.harts) restoreHartFull(h.hart, h.state);
  for (const r of snap.rams) restoreRam(r.bus, r.image);
  for (const d of snap.disks) restoreDiff(d.data, d.image, (off, bytes) => d.data.set(bytes, off));
  if (seed !== undefined) {
    if (snap.injected) throw new SnapshotUnsupported('cannot reseed a snapshot taken after injections were scheduled');
    Object.assign(hv.prng, new Prng(seed));
  }
}
