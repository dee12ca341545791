/**
 * The whole machine as the hypervisor sees it: VMs, their vCPUs, the
 * deterministic scheduler and virtual time, hypercall dispatch, the PVIO
 * services (grant table, event channels, registry), fault detection and
 * containment, the restart policy, fault injection and the trace.
 * docs/hypervisor.md describes the design; docs/abi.md the guest interface.
 *
 * Time: `now` (cycles) advances by the instructions a vCPU retires, the traps
 * it takes, the modelled cost of hypercalls and world switches, and jumps
 * ahead when every vCPU waits. Slices end exactly at the next due event
 * (timer, device completion, injection, restart, watchdog check).
 */
import type { HartHost } from '../cpu/hart';
import { StopReason } from '../cpu/hart';
import { Cause, Priv, MSTATUS, describeCause } from '../cpu/constants';
import type { DmaFault } from '../devices/dma';
import type { DeviceTimers } from '../devices/virtio/timers';
import { PVIO_EVTCHN_PORT_WATCH, PVIO_KEY_RING_REF, PVIO_KEY_STATE, PVIO_PAGE_SIZE, PVIO_STATE_CONNECTED, PVIO_STATE_INITWAIT, SBI_ERR_FAILED } from './abi.generated';
import { containVm, reprovisionVm } from './containment';
import { HOST } from './domid';
import { EventChannels } from './event-channels';
import { EventQueue } from './event-queue';
import { type FaultKind, type FaultRecord, type InjectionLink, TRAP_LOOP_LIMIT } from './faults';
import { GrantTable, type GrantMapping } from './grant-table';
import { canFetchPc, emulateAmo, reflectException } from './guest-traps';
import type { HypercallHost } from './hypercalls/context';
import { HypercallDispatcher, type DispatchResult } from './hypercalls/dispatcher';
import { applyInjection, type InjectionHost, type InjectionRecord, type InjectionRequest, isInjectionKind } from './injector';
import type { DeviceFactory } from './passthrough';
import { Prng } from './prng';
import { Registry, type RegistryChange } from './registry';
import { joinPath, parseState } from './registry-paths';
import { provisionSplitDevice, splitDeviceDirs } from './registry-provision';
import { decideRestart } from './restart-policy';
import { Scheduler } from './scheduler';
import type { SbiResult } from './sbi-errors';
import {
  CYCLES_PER_MS,
  EMULATED_ACCESS_CYCLES,
  HYPERCALL_CYCLES,
  VCPU_SWITCH_CYCLES,
  VM_SWITCH_CYCLES,
  cyclesToTicks,
  msToCycles,
  ticksToCycles,
} from './time';
import { Trace, type TraceEntry } from './trace';
import type { VCpu } from './vcpu';
import { Vm, VmBuildError, type VmSpec, type VmState } from './vm';
import { Watchdog } from './watchdog';
import { hex32 as hex } from '../util/hex';

export interface ConnectionSpec {
  /** Device kind in the registry (PVIO_KIND_BLK, PVIO_KIND_NET). */
  readonly kind: string;
  readonly frontend: number;
  readonly backend: number;
  /** Index among connections of this kind between the same two VMs. */
  readonly idx: number;
}

export interface HypervisorSpec {
  readonly vms: readonly VmSpec[];
  readonly connections?: readonly ConnectionSpec[];
  /** Instructions per scheduling quantum. */
  readonly quantum: number;
  /** Seed of the fault-injection PRNG. */
  readonly seed?: number;
  readonly traceCapacity?: number;
  readonly deviceFactory?: DeviceFactory;
}

export type HvStop =
  /** The requested virtual time was reached. */
  | { readonly kind: 'until'; readonly time: number }
  /** The instruction budget of this call was used. */
  | { readonly kind: 'limit'; readonly time: number }
  | { readonly kind: 'breakpoint'; readonly time: number; readonly vm: string; readonly vcpu: number; readonly pc: number }
  /** A stop filter (hypercall, guest trap, VM fault, restart, IOMMU) or `requestStop`. */
  | { readonly kind: 'requested'; readonly time: number; readonly why: string; readonly vm?: string; readonly vcpu?: number }
  /** Every vCPU waits and no event will ever wake one. */
  | { readonly kind: 'idle'; readonly time: number }
  /** Every VM has shut down or is down for good. */
  | { readonly kind: 'all-stopped'; readonly time: number };

export interface RunLimit {
  /** Stop when virtual time reaches this (cycles). */
  readonly until?: number;
  /** Stop after about this many instructions (all vCPUs together). */
  readonly instructions?: number;
}

export interface HypervisorBug {
  readonly time: number;
  readonly vm: string;
  readonly vcpu: number;
  readonly call: string;
  readonly message: string;
  readonly stack?: string;
}

/** Callbacks for the runtime (events); all optional. */
export interface HypervisorObserver {
  onTrace?(e: TraceEntry): void;
  onFault?(f: FaultRecord): void;
  onRestart?(vm: Vm, fault: FaultRecord | undefined): void;
  onVmState?(vm: Vm, state: VmState): void;
  onConsoleLine?(vm: Vm, line: string, time: number): void;
  onBug?(bug: HypervisorBug): void;
}

/** Which events stop the run (the debugger's exception breakpoints). */
export interface StopFilters {
  hypercall: boolean;
  guestTrap: boolean;
  vmFault: boolean;
  vmRestart: boolean;
  iommu: boolean;
}

type Containment = { readonly vm: Vm; readonly reason: 'fault' | 'shutdown' | 'reboot' };

export class Hypervisor implements HypercallHost, InjectionHost {
  readonly vms: Vm[] = [];
  /** Every vCPU of the machine, in scheduling order (VM order, then hart order); index = vcpu.key. */
  readonly vcpus: VCpu[] = [];
  readonly grants: GrantTable;
  readonly events: EventChannels;
  readonly registry: Registry;
  readonly dispatcher = new HypercallDispatcher();
  readonly trace: Trace;
  readonly queue: EventQueue;
  readonly scheduler: Scheduler;
  readonly watchdog: Watchdog;
  readonly prng: Prng;
  readonly numVms: number;
  readonly connections: readonly ConnectionSpec[];
  readonly faults: FaultRecord[] = [];
  readonly injections: InjectionRecord[] = [];
  readonly bugs: HypervisorBug[] = [];
  readonly stats = {
    hypercalls: 0, vmSwitches: 0, vcpuSwitches: 0, slices: 0, idleCycles: 0, emulatedAccesses: 0, reflectedTraps: 0,
  };
  readonly stopOn: StopFilters = { hypercall: false, guestTrap: false, vmFault: false, vmRestart: false, iommu: false };
  observer: HypervisorObserver = {};

  private now = 0;
  private running: VCpu | undefined;
  private sliceBase = 0;
  private sliceRetired = 0;
  private sliceTraps = 0;
  private sliceExtra = 0;
  private sliceEnd = 0;
  private lastRun: VCpu | undefined;
  private stopRequest: HvStop | undefined;
  private skipBreakpoint: VCpu | undefined;
  private readonly pendingContainment: Containment[] = [];
  private readonly byDomid = new Map<number, Vm>();
  private readonly vmOfKey: Vm[] = [];
  private readonly pendingInjection = new Map<number, InjectionLink>();
  private readonly currentFault = new Map<number, FaultRecord>();

  constructor(readonly spec: HypervisorSpec) {
    if (spec.vms.length === 0) throw new VmBuildError('a system needs at least one VM');
    this.numVms = spec.vms.length;
    this.connections = spec.connections ?? [];
    this.prng = new Prng(spec.seed ?? 1);
    this.trace = new Trace(spec.traceCapacity);
    this.trace.onRecord = (e) => this.observer.onTrace?.(e);
    this.queue = new EventQueue(() => this.nowCycles());
    this.grants = new GrantTable({ isGrantableGfn: (d, gfn) => this.byDomid.get(d)?.memory.hasPage(gfn) ?? false });
    this.events = new EventChannels({ notify: (d) => this.notify(d) });
    this.registry = new Registry({
      onWatchEvent: (d) => this.events.raise(d, PVIO_EVTCHN_PORT_WATCH),
      onChange: (c) => this.traceRegistry(c),
    });
    let key = 0;
    for (const s of spec.vms) {
      if (this.byDomid.has(s.domid)) throw new VmBuildError(`two VMs have domid ${s.domid}`);
      let vm: Vm;
      try {
        vm = new Vm(s, {
          numVms: this.numVms,
          grants: this.grants,
          busOf: (d) => this.byDomid.get(d)?.bus,
          hartHost: (get) => this.hartHost(get),
          firstVcpuKey: key,
          timers: this.timersFor(s.domid),
          deviceFactory: spec.deviceFactory,
          onIommuViolation: (f) => this.onIommuViolation(s.domid, f),
        });
      } catch (e) {
        throw new VmBuildError(`VM '${s.name}': ${(e as Error).message}`);
      }
      key += vm.vcpus.length;
      this.vms.push(vm);
      this.byDomid.set(vm.domid, vm);
      for (const v of vm.vcpus) {
        this.vcpus.push(v);
        this.vmOfKey.push(vm);
      }
      vm.console.onLine = (line) => this.observer.onConsoleLine?.(vm, line, this.nowCycles());
    }
    for (const vm of this.vms) {
      must(this.grants.addVm(vm.domid), `grant table for VM '${vm.name}'`);
      must(this.events.addVm(vm.domid, vm.sharedInfo.bitmaps), `event channels for VM '${vm.name}'`);
      must(this.registry.addVm(vm.domid), `registry for VM '${vm.name}'`);
    }
    for (const c of this.connections) {
      const fe = this.byDomid.get(c.frontend);
      const be = this.byDomid.get(c.backend);
      if (!fe || !be) throw new VmBuildError(`connection ${c.kind}/${c.idx}: unknown VM`);
      must(provisionSplitDevice(this.registry, c), `connection ${c.kind} ${fe.name} -> ${be.name}`);
    }
    this.scheduler = new Scheduler(this.vcpus, spec.quantum, (v) => this.vmOfKey[v.key].state === 'running' && v.runnable);
    this.watchdog = new Watchdog(this.queue, this.events, (vm, detail) => this.failVm(vm, 'watchdog', detail), (t) => this.replanIfBefore(t));
    for (const vm of this.vms) this.watchdog.started(vm, () => this.missingHandshakes(vm));
  }

  // ---- time ------------------------------------------------------------------------

  /** Current virtual time in cycles (exact, also in the middle of a slice). */
  nowCycles(): number {
    const v = this.running;
    return v === undefined ? this.now : this.sliceBase + (v.hart.retired - this.sliceRetired) + this.sliceTraps + this.sliceExtra;
  }

  nowTicks(): number {
    return cyclesToTicks(this.nowCycles());
  }

  nowMs(): number {
    return this.nowCycles() / CYCLES_PER_MS;
  }

  /** Charges modelled hypervisor work to virtual time. */
  private charge(cycles: number): void {
    if (!this.running) {
      this.now += cycles;
      return;
    }
    this.sliceExtra += cycles;
    // Modelled costs move time too: end the slice once it reaches the planned end (the next event).
    if (this.nowCycles() >= this.sliceEnd) this.running.hart.requestStop('replan');
  }

  /** Asks the running slice to end so the loop re-plans (something is due before the slice's end). */
  private replanIfBefore(time: number): void {
    if (this.running && time < this.sliceEnd) this.running.hart.requestStop('replan');
  }

  private hartHost(get: () => VCpu): HartHost {
    return {
      time: () => cyclesToTicks(this.nowCycles()),
      onMachineTrap: (_h, mcause, tval) => this.onGuestTrap(get(), mcause, tval),
    };
  }

  private timersFor(domid: number): DeviceTimers {
    return {
      now: () => this.nowCycles(),
      at: (time: number, fn: () => void) => {
        const e = this.queue.at(time, fn, 'device', domid);
        this.replanIfBefore(e.time);
      },
    };
  }

  // ---- lookups ---------------------------------------------------------------------

  vmByDomid(domid: number): Vm | undefined {
    return this.byDomid.get(domid);
  }

  vmByName(name: string): Vm | undefined {
    return this.vms.find((v) => v.name === name);
  }

  vmOf(v: VCpu): Vm {
    return this.vmOfKey[v.key];
  }

  // ---- running ---------------------------------------------------------------------

  /** Runs until a limit or a stop; never throws on guest behaviour. */
  run(limit: RunLimit = {}): HvStop {
    const until = limit.until ?? Infinity;
    let left = limit.instructions ?? Infinity;
    this.stopRequest = undefined;
    for (;;) {
      this.processEvents();
      if (this.stopRequest) return this.takeStop();
      if (!this.vms.some((vm) => vm.state !== 'halted' && vm.state !== 'down')) return { kind: 'all-stopped', time: this.now };
      if (this.now >= until) return { kind: 'until', time: this.now };
      if (left <= 0) return { kind: 'limit', time: this.now };
      const v = this.scheduler.pick();
      if (!v) {
        const t = this.nextEventTime();
        if (t === undefined && until === Infinity) return { kind: 'idle', time: this.now };
        this.skipTo(Math.min(t ?? Infinity, until));
        continue;
      }
      this.switchTo(v);
      let n = Math.min(this.scheduler.quantumLeft, left);
      const next = this.nextEventTime();
      if (next !== undefined) n = Math.min(n, Math.max(1, next - this.now));
      if (until !== Infinity) n = Math.min(n, Math.max(1, until - this.now));
      left -= Math.max(1, this.runSlice(v, Math.max(1, Math.floor(n)), false));
    }
  }

  /** Executes one instruction (or takes one trap) on a vCPU, ignoring breakpoints (debugger step). */
  step(v: VCpu): HvStop | undefined {
    this.stopRequest = undefined;
    this.processEvents();
    if (this.vmOf(v).state === 'running' && v.hsm !== 'stopped' && (v.hsm !== 'suspended' || v.runnable)) {
      this.switchTo(v);
      this.runSlice(v, 1, true);
    }
    this.processEvents();
    return this.stopRequest ? this.takeStop() : undefined;
  }

  /** Asks the machine to stop as soon as possible (after the running instruction). */
  requestStop(why: string): void {
    this.stopRequest = { kind: 'requested', time: this.nowCycles(), why };
    this.running?.hart.requestStop(why);
  }

  private takeStop(): HvStop {
    const s = this.stopRequest!;
    this.stopRequest = undefined;
    return s;
  }

  private skipTo(t: number): void {
    if (t > this.now) {
      this.stats.idleCycles += t - this.now;
      this.now = t;
    }
  }

  private switchTo(v: VCpu): void {
    if (this.lastRun === v) return;
    if (this.lastRun !== undefined) {
      if (this.vmOf(this.lastRun) === this.vmOf(v)) {
        this.now += VCPU_SWITCH_CYCLES;
        this.stats.vcpuSwitches++;
      } else {
        this.now += VM_SWITCH_CYCLES;
        this.stats.vmSwitches++;
      }
    }
    this.lastRun = v;
  }

  /** Earliest due event: queue or a vCPU timer of a running VM (cycles). */
  nextEventTime(): number | undefined {
    let t = this.queue.nextTime() ?? Infinity;
    for (const v of this.vcpus) {
      if (v.timerTicks !== Infinity && this.vmOfKey[v.key].state === 'running') t = Math.min(t, ticksToCycles(v.timerTicks));
    }
    return t === Infinity ? undefined : t;
  }

  private processEvents(): void {
    this.fireTimers();
    this.queue.runDue();
    this.settle();
  }

  private fireTimers(): void {
    const ticks = this.nowTicks();
    for (const v of this.vcpus) {
      if (v.timerTicks <= ticks) {
        v.timerTicks = Infinity;
        v.stip.set(true);
      }
    }
  }

  /** Runs one vCPU for up to `n` instructions; returns instructions + traps used. */
  private runSlice(v: VCpu, n: number, step: boolean): number {
    const h = v.hart;
    const vm = this.vmOf(v);
    if (v.hsm === 'suspended') this.wake(v);
    if (v.hung) {
      // An injected hang: the vCPU spins, using its quantum without doing anything.
      this.now += n;
      this.scheduler.charge(n);
      this.trace.hashSlice(v.key, 0, h.pc, this.now);
      return n;
    }
    this.running = v;
    this.sliceBase = this.now;
    this.sliceRetired = h.retired;
    this.sliceTraps = 0;
    this.sliceExtra = 0;
    this.sliceEnd = this.now + n;
    try {
      if (step) h.step();
      else {
        let budget = n;
        let blocked = false;
        if (this.skipBreakpoint === v) {
          // Resuming from a breakpoint: execute that instruction first, or it would stop again at once.
          this.skipBreakpoint = undefined;
          if (h.breakpoints.has(h.pc)) {
            h.step();
            budget--;
            blocked = h.stopReason !== StopReason.Limit || vm.state !== 'running';
          }
        }
        if (budget > 0 && !blocked) h.run(budget);
      }
    } catch (e) {
      // The CPU core itself failed on this guest: contain it as a fault of the VM, keep the machine.
      this.reportBug(vm, v, 'execution', e);
      this.failVm(vm, 'internal', `emulator error while running the guest: ${(e as Error).message}`, v);
    }
    const retired = h.retired - this.sliceRetired;
    const used = retired + this.sliceTraps;
    this.now = this.sliceBase + used + this.sliceExtra;
    this.running = undefined;
    this.stats.slices++;
    this.trace.hashSlice(v.key, retired, h.pc, this.now);
    this.scheduler.charge(Math.max(1, used));
    if (h.stopReason === StopReason.Wfi || vm.state !== 'running' || v.hsm !== 'started') this.scheduler.yield();
    if (h.stopReason === StopReason.Breakpoint && !step) {
      this.skipBreakpoint = v;
      this.stopRequest ??= { kind: 'breakpoint', time: this.now, vm: vm.name, vcpu: v.index, pc: h.pc >>> 0 };
    }
    return used;
  }

  /** A suspended vCPU that an interrupt woke: retentive suspends continue, non-retentive ones restart at resume_addr. */
  private wake(v: VCpu): void {
    const s = v.suspend;
    v.hsm = 'started';
    v.suspend = undefined;
    if (s?.nonRetentive) {
      const h = v.hart;
      h.pc = s.resumeAddr >>> 0;
      h.priv = Priv.S;
      h.x[10] = v.index;
      h.x[11] = s.opaque | 0;
      h.csr.satp = 0;
      h.csr.mstatus &= ~MSTATUS.SIE;
      h.waiting = false;
      h.mmu.refresh();
    }
  }

  // ---- guest traps and hypercalls -----------------------------------------------------

  /** Every exception of a guest (medeleg = 0). Returns true: the hart never enters M-mode. */
  private onGuestTrap(v: VCpu, mcause: number, tval: number): boolean {
    const vm = this.vmOf(v);
    if (this.running === v) this.sliceTraps++;
    if (vm.state !== 'running') {
      v.hart.requestStop('VM stopped');
      return true;
    }
    try {
      if (mcause === Cause.EcallS) {
        this.serveEcall(vm, v);
        return true;
      }
      if (mcause >= 0x80000000 || mcause < 0) {
        this.failVm(vm, 'internal', `${describeCause(mcause)} would enter the guest's M-mode`, v);
        return true;
      }
      if (mcause === Cause.StoreAccessFault && emulateAmo(v.hart)) {
        this.stats.emulatedAccesses++;
        this.charge(EMULATED_ACCESS_CYCLES);
        return true;
      }
      this.reflect(vm, v, mcause, tval);
    } catch (e) {
      this.reportBug(vm, v, `trap ${describeCause(mcause)}`, e);
      this.failVm(vm, 'internal', `hypervisor error while handling ${describeCause(mcause)}`, v);
    }
    return true;
  }

  /** Reflects an exception into the guest's S-mode, detecting trap loops and missing handlers. */
  private reflect(vm: Vm, v: VCpu, cause: number, tval: number): void {
    const h = v.hart;
    v.trapStreak = h.retired === v.lastTrapRetired ? v.trapStreak + 1 : 1;
    v.lastTrapRetired = h.retired;
    const what = `${describeCause(cause)} at pc ${hex(h.pc)} (stval ${hex(tval)})`;
    if (v.trapStreak >= TRAP_LOOP_LIMIT) {
      this.failVm(vm, 'trap-loop', `${TRAP_LOOP_LIMIT} exceptions in a row without progress; the last: ${what}`, v);
      return;
    }
    reflectException(h, cause, tval);
    this.stats.reflectedTraps++;
    if (!canFetchPc(h)) {
      this.failVm(vm, 'unhandled-trap', `${what}: no handler (stvec ${hex(h.csr.stvec)} cannot be fetched)`, v);
      return;
    }
    if (this.stopOn.guestTrap) this.requestStop(`guest trap in VM '${vm.name}': ${what}`);
  }

  private serveEcall(vm: Vm, v: VCpu): void {
    const h = v.hart;
    const x = h.x;
    const r = this.hypercall(vm, v, x[17] >>> 0, x[16] >>> 0, [x[10] >>> 0, x[11] >>> 0, x[12] >>> 0, x[13] >>> 0, x[14] >>> 0, x[15] >>> 0]);
    if (!r.resume) {
      h.requestStop('vCPU does not return from the call');
      return;
    }
    if (r.legacy) x[10] = (r.error !== 0 ? r.error : r.value) | 0;
    else {
      x[10] = r.error | 0;
      x[11] = r.value | 0;
    }
    h.pc = (h.pc + 4) >>> 0;
  }

  /**
   * One hypercall from vCPU `v` of `vm` (what an ecall does, without touching
   * registers): dispatch, cost, trace. Public so tests and the fuzzer can drive
   * the dispatcher directly. Never throws.
   */
  hypercall(vm: Vm, v: VCpu, eid: number, fid: number, args: readonly number[]): DispatchResult {
    const time = this.nowCycles();
    if (vm.state !== 'running') {
      // Only a caller outside the machine (a test) can get here: a stopped VM executes nothing.
      const { name } = this.dispatcher.describe(eid >>> 0, fid >>> 0);
      return { name, args: [], error: SBI_ERR_FAILED, value: 0, legacy: false, resume: false };
    }
    const r = this.dispatcher.dispatch({ vm, vcpu: v, host: this }, eid, fid, args);
    this.stats.hypercalls++;
    this.charge(HYPERCALL_CYCLES);
    this.trace.record({
      time, kind: 'hypercall', domid: vm.domid, vm: vm.name, vcpu: v.index, name: r.name, args: r.args, error: r.error, value: r.value,
    });
    if (r.bug) this.reportBug(vm, v, r.name, r.bug);
    if (this.stopOn.hypercall) this.requestStop(`hypercall ${r.name} from VM '${vm.name}'`);
    if (!this.running) this.settle();
    return r;
  }

  private reportBug(vm: Vm, v: VCpu, call: string, e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    const bug: HypervisorBug = { time: this.nowCycles(), vm: vm.name, vcpu: v.index, call, message: err.message, stack: err.stack };
    this.bugs.push(bug);
    this.trace.record({ time: bug.time, kind: 'bug', domid: vm.domid, vm: vm.name, vcpu: v.index, name: call, detail: err.message });
    this.observer.onBug?.(bug);
  }

  // ---- HypercallHost ---------------------------------------------------------------------

  setTimer(v: VCpu, ticks: number): void {
    if (ticks <= this.nowTicks()) {
      v.timerTicks = Infinity;
      v.stip.set(true);
      return;
    }
    v.timerTicks = ticks;
    v.stip.set(false);
    if (this.running === v) this.replanIfBefore(ticksToCycles(ticks));
  }

  hasExtension(eid: number): boolean {
    return this.dispatcher.hasExtension(eid);
  }

  startVcpu(v: VCpu, addr: number, opaque: number): void {
    v.boot(addr, v.index, opaque);
    v.hsm = 'started';
  }

  stopVcpu(v: VCpu): void {
    v.hsm = 'stopped';
    v.hart.waiting = false;
    v.timerTicks = Infinity;
    v.stip.set(false);
  }

  systemReset(vm: Vm, v: VCpu, kind: 'shutdown' | 'reboot' | 'failure', detail: string): void {
    if (kind === 'failure') this.failVm(vm, 'panic', detail, v);
    else this.stopVm(vm, kind, detail);
  }

  grantMapped(mapper: Vm, m: GrantMapping): void {
    const granter = this.byDomid.get(m.granter);
    if (granter) mapper.mapGrantForDma(m, granter.bus);
  }

  grantUnmapped(mapper: Vm, slot: number): void {
    mapper.unmapGrantForDma(slot);
  }

  // ---- events ------------------------------------------------------------------------

  /** EventChannels: a port of `domid` became pending and is not masked: SSIP on its vCPU 0. */
  private notify(domid: number): void {
    const vm = this.byDomid.get(domid);
    if (!vm) return;
    vm.vcpus[0].raiseSoftwareInterrupt();
    this.trace.record({ time: this.nowCycles(), kind: 'event', domid, vm: vm.name, vcpu: 0, name: 'SSIP' });
    this.watchdog.notify(vm);
  }

  private traceRegistry(c: RegistryChange): void {
    const vm = this.byDomid.get(c.by);
    this.trace.record({ time: this.nowCycles(), kind: 'registry', domid: c.by, vm: vm?.name ?? 'host', name: c.kind, detail: c.path });
    if (vm && c.kind === 'write' && c.path.endsWith('/' + PVIO_KEY_STATE)) this.watchdog.handshake(vm, () => this.missingHandshakes(vm));
  }

  /** The split devices `vm` serves whose backend state is not InitWait..Connected yet, e.g. "blk/0 for client"; '' when none. */
  private missingHandshakes(vm: Vm): string {
    const missing: string[] = [];
    for (const c of this.connections) {
      if (c.backend !== vm.domid) continue;
      const r = this.registry.read(HOST, joinPath(splitDeviceDirs(c).backendDir, PVIO_KEY_STATE));
      const state = parseState(r.error === 0 ? r.value : undefined);
      if (state < PVIO_STATE_INITWAIT || state > PVIO_STATE_CONNECTED) missing.push(`${c.kind}/${c.idx} for ${this.byDomid.get(c.frontend)?.name ?? c.frontend}`);
    }
    return missing.join(', ');
  }

  // ---- faults, containment, restart -------------------------------------------------------

  private onIommuViolation(domid: number, f: DmaFault): void {
    const vm = this.byDomid.get(domid);
    if (!vm) return;
    this.failVm(vm, 'iommu', f.message);
    if (this.stopOn.iommu) this.requestStop(`IOMMU violation in VM '${vm.name}': ${f.message}`);
  }

  /** A fault of `vm`: stop it now; containment and the restart decision follow outside the running slice. */
  failVm(vm: Vm, kind: FaultKind, detail: string, v?: VCpu): void {
    if (vm.state !== 'running') return;
    const injection = this.pendingInjection.get(vm.domid);
    this.pendingInjection.delete(vm.domid);
    const f: FaultRecord = {
      id: this.faults.length + 1, domid: vm.domid, vm: vm.name, kind, detail, vcpu: v?.index,
      detectedAt: this.nowCycles(), injection, outcome: 'restarting',
    };
    this.faults.push(f);
    this.currentFault.set(vm.domid, f);
    this.trace.record({ time: f.detectedAt, kind: 'fault', domid: vm.domid, vm: vm.name, vcpu: v?.index, name: kind, detail });
    this.setState(vm, 'failed');
    this.observer.onFault?.(f);
    this.pendingContainment.push({ vm, reason: 'fault' });
    if (this.running && this.vmOf(this.running) === vm) this.running.hart.requestStop('VM failed');
    if (this.stopOn.vmFault) this.requestStop(`fault in VM '${vm.name}': ${kind}: ${detail}`);
  }

  /** SRST shutdown or reboot (orderly, not a fault). */
  private stopVm(vm: Vm, kind: 'shutdown' | 'reboot', detail: string): void {
    if (vm.state !== 'running') return;
    this.trace.record({ time: this.nowCycles(), kind: 'vm-state', domid: vm.domid, vm: vm.name, name: kind, detail });
    this.setState(vm, kind === 'shutdown' ? 'halted' : 'restarting');
    this.pendingContainment.push({ vm, reason: kind });
    if (this.running && this.vmOf(this.running) === vm) this.running.hart.requestStop(detail);
  }

  /** Contains the VMs that stopped and applies the restart policy (never during a slice). */
  settle(): void {
    if (this.running) return;
    while (this.pendingContainment.length) {
      const { vm, reason } = this.pendingContainment.shift()!;
      containVm(this, vm);
      this.watchdog.disarm(vm);
      if (reason === 'shutdown') continue;
      if (reason === 'reboot') {
        this.restartVm(vm, undefined);
        continue;
      }
      const f = this.currentFault.get(vm.domid)!;
      const d = decideRestart(vm.spec.restart, vm.restarts);
      if (!d.restart) {
        f.outcome = 'down';
        this.setState(vm, 'down');
        this.trace.record({ time: this.now, kind: 'restart', domid: vm.domid, vm: vm.name, name: 'down', detail: d.reason });
        continue;
      }
      this.setState(vm, 'restarting');
      if (d.delayMs === 0) this.restartVm(vm, f);
      else this.queue.at(this.now + msToCycles(d.delayMs), () => this.restartVm(vm, f), 'restart', 0);
    }
  }

  private restartVm(vm: Vm, f: FaultRecord | undefined): void {
    if (vm.state !== 'restarting') return;
    vm.reset();
    reprovisionVm(this, vm);
    this.pendingInjection.delete(vm.domid);
    this.currentFault.delete(vm.domid);
    if (f) {
      vm.restarts++;
      f.recoveredAt = this.nowCycles();
      f.outcome = 'restarted';
    }
    this.setState(vm, 'running');
    this.watchdog.started(vm, () => this.missingHandshakes(vm));
    this.trace.record({
      time: this.nowCycles(), kind: 'restart', domid: vm.domid, vm: vm.name, name: f ? 'restart' : 'reboot',
      detail: f ? `restart ${vm.restarts} after ${f.kind}` : 'started again from its initial snapshot (not a fault)',
    });
    this.observer.onRestart?.(vm, f);
    if (this.stopOn.vmRestart) this.requestStop(`VM '${vm.name}' restarted`);
  }

  // ---- VM control (debugger, tests) ----------------------------------------------------

  /** Shuts a running VM down as SRST shutdown would (its peers see it Closed). */
  shutdownVm(vm: Vm, why = 'shut down by the user'): void {
    this.stopVm(vm, 'shutdown', why);
    this.settle();
  }

  /** Reboots a running VM from its initial snapshot (not a fault). */
  rebootVm(vm: Vm, why = 'rebooted by the user'): void {
    this.stopVm(vm, 'reboot', why);
    this.settle();
  }

  /** Starts a halted or down VM again from its initial snapshot (restart counts are kept). */
  startVm(vm: Vm): void {
    if (vm.state !== 'halted' && vm.state !== 'down') return;
    this.setState(vm, 'restarting');
    this.restartVm(vm, undefined);
  }

  private setState(vm: Vm, s: VmState): void {
    if (vm.state === s) return;
    vm.state = s;
    this.trace.record({ time: this.nowCycles(), kind: 'vm-state', domid: vm.domid, vm: vm.name, name: s });
    this.observer.onVmState?.(vm, s);
  }

  // ---- fault injection -----------------------------------------------------------------

  /**
   * Schedules an injection (now when `at` is absent or past). While the machine
   * is not running an injection due now is applied at once. Returns its record
   * (an input of the run: replaying the records reproduces the run).
   */
  inject(req: InjectionRequest): InjectionRecord {
    const vm = typeof req.vm === 'number' ? this.byDomid.get(req.vm) : this.vmByName(req.vm);
    if (!vm) throw new RangeError(`no VM '${req.vm}'`);
    if (!isInjectionKind(req.kind)) throw new RangeError(`unknown injection kind '${req.kind}'`);
    const now = this.nowCycles();
    const at = Math.max(now, Math.round(req.at ?? now));
    const rec: InjectionRecord = {
      id: this.injections.length + 1, vm: vm.name, domid: vm.domid, kind: req.kind, at, source: req.source ?? 'api',
      ...(req.params ? { params: { ...req.params } } : {}),
    };
    this.injections.push(rec);
    if (at <= now && !this.running) {
      this.applyInjection(rec, req.params);
      this.settle();
    } else {
      const e = this.queue.at(at, () => this.applyInjection(rec, req.params), 'inject', 0);
      this.replanIfBefore(e.time);
    }
    return rec;
  }

  private applyInjection(rec: InjectionRecord, params: InjectionRequest['params']): void {
    const vm = this.byDomid.get(rec.domid)!;
    const now = this.nowCycles();
    rec.appliedAt = now;
    if (vm.state !== 'running') {
      rec.detail = `not applied: the VM is ${vm.state}`;
    } else {
      this.pendingInjection.set(vm.domid, { id: rec.id, kind: rec.kind, at: now });
      const r = applyInjection(this, vm, rec.kind, params);
      rec.params = r.params;
      rec.detail = r.detail;
    }
    this.trace.record({ time: now, kind: 'inject', domid: vm.domid, vm: vm.name, name: rec.kind, detail: rec.detail });
  }

  /** InjectionHost: an exception on a vCPU as if its current instruction raised it. */
  deliverException(v: VCpu, cause: number, tval: number): void {
    const vm = this.vmOf(v);
    if (vm.state !== 'running' || v.hsm === 'stopped') return;
    if (v.hsm === 'suspended') {
      v.hsm = 'started';
      v.suspend = undefined;
    }
    v.hart.waiting = false;
    this.reflect(vm, v, cause, tval);
  }

  /** InjectionHost: the ring pages of the connections `vm` is part of (through each device dir's ring-ref). */
  ringPages(vm: Vm): { bus: Vm['bus']; pa: number; path: string; kind: string }[] {
    const out: { bus: Vm['bus']; pa: number; path: string; kind: string }[] = [];
    for (const c of this.connections) {
      if (c.backend !== vm.domid && c.frontend !== vm.domid) continue;
      const { deviceDir } = splitDeviceDirs(c);
      const ref = this.registry.read(HOST, joinPath(deviceDir, PVIO_KEY_RING_REF));
      if (ref.error !== 0 || !/^[0-9]+$/.test(ref.value)) continue;
      const gref = Number(ref.value);
      const fe = this.byDomid.get(c.frontend);
      const g = this.grants.grantsOf(c.frontend).find((x) => x.gref === gref);
      if (fe && g) out.push({ bus: fe.bus, pa: g.gfn * PVIO_PAGE_SIZE, path: deviceDir, kind: c.kind });
    }
    return out;
  }
}

function must(r: SbiResult<unknown>, what: string): void {
  if (r.error !== 0) throw new VmBuildError(`${what}: setup failed (SBI error ${r.error})`);
}

