/**
 * The runtime API for a whole system (hypervisor + VMs), the seam the CLI
 * and the debug adapter drive: build from a system file, run in slices
 * (never blocking the host event loop for long), inject faults, and answer
 * queries about VMs, vCPUs, guest-physical memory, grants, event channels,
 * the registry and the trace. It knows nothing of DAP.
 *
 * Events:
 *   'output'   (text: string, vmName: string)   console bytes of one VM
 *   'vm-state' ({ vm, state, timeMs })
 *   'hypercall'(entry: TraceEntry)                every hypercall
 *   'event'    (entry: TraceEntry)                event-channel notifications
 *   'trace'    (entry: TraceEntry)                every trace entry
 *   'fault'    (fault: FaultRecord)
 *   'restart'  ({ vm, restarts, fault?, timeMs })
 *   'verdict'  (v: VerdictLine)
 *   'bug'      (bug: HypervisorBug)               a hypervisor bug, contained
 *   'stopped'  (stop: SystemStop)                 run() ended without the system ending
 *   'exited'   (code: number)                     every VM stopped, or nothing can run any more
 */
import { EventEmitter } from 'node:events';
import './process-options';
import { Access } from '../cpu/constants';
import type { HartHost } from '../cpu/hart';
import { WATCH_LOAD, WATCH_STORE } from '../cpu/mmu';
import { PVIO_GRANT_WINDOW_BASE, PVIO_PAGE_SIZE, PVIO_SHARED_INFO_GPA } from '../hypervisor/abi.generated';
import type { PortInfo } from '../hypervisor/event-channels';
import type { FaultRecord } from '../hypervisor/faults';
import type { GrantInfo, GrantMapping } from '../hypervisor/grant-table';
import { GRANT_WINDOW_SIZE } from '../hypervisor/grant-window';
import type { HvStop, HypervisorBug, StopFilters } from '../hypervisor/hypervisor';
import type { Hypervisor } from '../hypervisor/hypervisor';
import { SYSTEM_FILE_FAULTS, type InjectionKind, type InjectionParams, type InjectionRecord } from '../hypervisor/injector';
import type { RegistryDump, WatchEvent, WatchInfo } from '../hypervisor/registry';
import { CYCLES_PER_MS, msToCycles } from '../hypervisor/time';
import type { TraceEntry, TraceQuery } from '../hypervisor/trace';
import type { VCpu } from '../hypervisor/vcpu';
import type { Vm, VmState } from '../hypervisor/vm';
import { csrNumber } from '../isa/csr-names';
import { disassembleText } from '../isa/disasm';
import { ABI_NAMES } from '../isa/registers';
import { LineTable, SymbolTable } from '../loader';
import { loadSystemFile } from './config';
import type { SystemConfig } from './config-types';
import { buildSystem, type BuildOptions, type LoadedImage } from './system-build';
import { buildReport, type SystemReport } from './system-report';
import { captureMachine, restoreMachine, type MachineSnapshot } from './system-snapshot';

export type SystemStop = HvStop | { readonly kind: 'paused'; readonly time: number };

/** A whole-system snapshot of one runtime (captureSnapshot / restoreSnapshot). */
export interface SystemSnapshot {
  readonly machine: MachineSnapshot;
  readonly verdicts: readonly VerdictLine[];
  readonly lastStop: SystemStop | undefined;
  readonly seed: number;
}

export interface SystemRuntimeOptions extends BuildOptions {
  /** Schedule the system file's `faults` (default true; a replay passes false and brings them as records). */
  readonly systemFaults?: boolean;
}

export interface RunOptions {
  /** Stop when virtual time reaches this many ms. */
  readonly untilMs?: number;
  /** Stop after about this many instructions (all vCPUs). */
  readonly maxInstructions?: number;
}

/** A console line starting with `VERDICT` (docs/hypervisor.md, "Verdict lines"). */
export interface VerdictLine {
  readonly vm: string;
  readonly line: string;
  readonly timeMs: number;
  /** PASS → true, FAIL → false, anything else → undefined. */
  readonly passed: boolean | undefined;
}

export interface VmInfo {
  readonly name: string;
  readonly domid: number;
  readonly role: string;
  readonly state: VmState;
  readonly restarts: number;
  readonly vcpus: number;
  readonly ramBase: number;
  readonly ramBytes: number;
  readonly dtbAddress: number;
  readonly devices: readonly { name: string; kind: string; base: number; size: number; irq: number; state?: unknown }[];
}

export interface VcpuInfo {
  readonly vm: string;
  readonly index: number;
  readonly hsm: string;
  readonly pc: number;
  /** 'S' or 'U'. */
  readonly priv: string;
  readonly waiting: boolean;
  readonly hung: boolean;
  readonly retired: number;
  /** Deadline of its SBI timer in `time` ticks, or null. */
  readonly timerTicks: number | null;
}

export interface MemoryRead {
  readonly data: Uint8Array;
  /** Bytes past `data` that could not be read (unmapped, empty grant slot, device registers). */
  readonly unreadable: number;
}

/** A data watchpoint on a VM's guest-physical RAM (the debugger's data breakpoints). */
export interface SystemWatchpoint {
  readonly id: number;
  readonly address: number;
  readonly size: number;
  readonly access: 'read' | 'write' | 'readWrite';
}

export interface SystemWatchHit {
  readonly id: number;
  readonly vm: string;
  readonly vcpu: number;
  readonly address: number;
  readonly size: number;
  readonly access: 'read' | 'write';
  readonly value: number;
}

/** Instructions per host slice: the async run yields to the event loop between slices. */
const SLICE_INSTRUCTIONS = 1_000_000;

export class SystemRuntime extends EventEmitter {
  readonly hypervisor: Hypervisor;
  readonly images: ReadonlyMap<string, LoadedImage>;
  readonly verdicts: VerdictLine[] = [];
  /** The seed of the fault-injection PRNG (a restored snapshot may bring another). */
  get seed(): number {
    return this.seedValue;
  }
  private seedValue: number;
  private pauseRequested = false;
  private readonly symbolTables = new Map<string, SymbolTable>();
  private readonly lineTables = new Map<string, LineTable | undefined>();
  private lastStop: SystemStop | undefined;
  private readonly watchRemovers = new Map<string, (() => void)[]>();
  private readonly watchSpecs = new Map<string, readonly SystemWatchpoint[]>();
  /** The watchpoint hits of the last stop (a 'requested' stop whose why starts with "watchpoint"). */
  watchHits: SystemWatchHit[] = [];

  constructor(readonly config: SystemConfig, options: SystemRuntimeOptions = {}) {
    super();
    this.seedValue = options.seed ?? 1;
    const built = buildSystem(config, { ...options, seed: this.seedValue });
    this.hypervisor = built.hypervisor;
    this.images = built.images;
    const hv = this.hypervisor;
    hv.observer = {
      onTrace: (e) => {
        if (e.kind === 'hypercall') this.emit('hypercall', e);
        else if (e.kind === 'event') this.emit('event', e);
        this.emit('trace', e);
      },
      onFault: (f) => this.emit('fault', f),
      onRestart: (vm, f) => this.emit('restart', { vm: vm.name, restarts: vm.restarts, fault: f, timeMs: hv.nowMs() }),
      onVmState: (vm, state) => this.emit('vm-state', { vm: vm.name, state, timeMs: hv.nowMs() }),
      onConsoleLine: (vm, line, time) => this.onLine(vm, line, time),
      onBug: (bug: HypervisorBug) => this.emit('bug', bug),
    };
    // The system file's faults are inputs of every run of it (unless a replay brings them with their parameters).
    if (options.systemFaults !== false) {
      for (const f of config.faults) this.inject(f.vm, SYSTEM_FILE_FAULTS[f.kind], f.atMs, undefined, 'system-file');
    }
  }

  /** Loads, validates and builds a system file (ConfigError / SystemBuildError on bad input). */
  static fromFile(file: string, options: SystemRuntimeOptions = {}): SystemRuntime {
    return new SystemRuntime(loadSystemFile(file), options);
  }

  private onLine(vm: Vm, line: string, time: number): void {
    if (!line.startsWith('VERDICT')) return;
    const word = line.slice('VERDICT'.length).trim().split(/\s+/)[0]?.toUpperCase();
    const v: VerdictLine = { vm: vm.name, line, timeMs: time / CYCLES_PER_MS, passed: word === 'PASS' ? true : word === 'FAIL' ? false : undefined };
    this.verdicts.push(v);
    this.emit('verdict', v);
  }

  // ---- running -----------------------------------------------------------------

  get nowMs(): number {
    return this.hypervisor.nowMs();
  }

  /** Delivers buffered console output as 'output' events. */
  flushOutput(): void {
    for (const vm of this.hypervisor.vms) {
      const text = vm.console.takeOutput();
      if (text) this.emit('output', text, vm.name);
    }
  }

  /** Runs synchronously until a stop, `untilMs` or `maxInstructions` (CLI, tests). */
  runSync(options: RunOptions = {}): SystemStop {
    const until = options.untilMs === undefined ? undefined : msToCycles(options.untilMs);
    let left = options.maxInstructions ?? Infinity;
    for (;;) {
      const stop = this.hypervisor.run({ until, instructions: Math.min(left, SLICE_INSTRUCTIONS) });
      left -= SLICE_INSTRUCTIONS;
      this.flushOutput();
      if (stop.kind !== 'limit' || left <= 0) return this.finish(stop);
    }
  }

  /** Runs in slices, yielding to the event loop between them, until a stop, a pause or a limit. */
  async run(options: RunOptions = {}): Promise<SystemStop> {
    this.pauseRequested = false;
    this.watchHits = [];
    const until = options.untilMs === undefined ? undefined : msToCycles(options.untilMs);
    let left = options.maxInstructions ?? Infinity;
    for (;;) {
      const stop = this.hypervisor.run({ until, instructions: Math.min(left, SLICE_INSTRUCTIONS) });
      left -= SLICE_INSTRUCTIONS;
      this.flushOutput();
      if (stop.kind !== 'limit' || left <= 0) return this.finish(stop);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pauseRequested) return this.finish({ kind: 'paused', time: this.hypervisor.nowCycles() });
    }
  }

  pause(): void {
    this.pauseRequested = true;
  }

  /** One instruction of one vCPU (all other vCPUs stay still). */
  stepInstruction(vm: string, vcpu = 0): SystemStop {
    this.watchHits = [];
    const s = this.hypervisor.step(this.vcpu(vm, vcpu));
    this.flushOutput();
    return this.finish(s ?? { kind: 'requested', time: this.hypervisor.nowCycles(), why: 'step', vm, vcpu });
  }

  get stop(): SystemStop | undefined {
    return this.lastStop;
  }

  /** 0 when no VM is down and no verdict failed, else 1. */
  exitCode(): number {
    const down = this.hypervisor.vms.some((v) => v.state === 'down');
    return down || this.verdicts.some((v) => v.passed === false) ? 1 : 0;
  }

  private finish<T extends SystemStop>(stop: T): T {
    this.lastStop = stop;
    if (stop.kind === 'all-stopped' || stop.kind === 'idle') this.emit('exited', this.exitCode());
    else this.emit('stopped', stop);
    return stop;
  }

  /** Which events stop a run (the debugger's exception breakpoints). */
  setStopFilters(filters: Partial<StopFilters>): void {
    Object.assign(this.hypervisor.stopOn, filters);
  }

  // ---- fault injection ----------------------------------------------------------

  /** Injects a fault into a VM now or at virtual time `atMs`. */
  inject(vm: string, kind: InjectionKind, atMs?: number, params?: InjectionParams, source: 'api' | 'cli' | 'system-file' | 'replay' = 'api'): InjectionRecord {
    return this.hypervisor.inject({ vm, kind, at: atMs === undefined ? undefined : msToCycles(atMs), params, source });
  }

  /** Schedules recorded injections again (replay of a run). */
  replay(records: readonly Pick<InjectionRecord, 'vm' | 'kind' | 'at' | 'params'>[]): InjectionRecord[] {
    // Every recorded input is scheduled before the run, as in the run recorded (the system file's too).
    return records.map((r) => this.hypervisor.inject({ vm: r.vm, kind: r.kind, at: r.at, params: r.params, source: 'replay' }));
  }

  injections(): readonly InjectionRecord[] {
    return this.hypervisor.injections;
  }

  faults(): readonly FaultRecord[] {
    return this.hypervisor.faults;
  }

  /** VM control: shut down, reboot (from the initial snapshot), or start a halted/down VM again. */
  vmControl(name: string, action: 'shutdown' | 'reboot' | 'start'): void {
    const vm = this.vm(name);
    if (action === 'shutdown') this.hypervisor.shutdownVm(vm);
    else if (action === 'reboot') this.hypervisor.rebootVm(vm);
    else this.hypervisor.startVm(vm);
  }

  // ---- queries --------------------------------------------------------------------

  vm(name: string): Vm {
    const vm = this.hypervisor.vmByName(name);
    if (!vm) throw new RangeError(`no VM '${name}'`);
    return vm;
  }

  vcpu(vmName: string, index: number): VCpu {
    const v = this.vm(vmName).vcpus[index];
    if (!v) throw new RangeError(`VM '${vmName}' has no vCPU ${index}`);
    return v;
  }

  vms(): VmInfo[] {
    return this.hypervisor.vms.map((vm) => ({
      name: vm.name,
      domid: vm.domid,
      role: vm.spec.role,
      state: vm.state,
      restarts: vm.restarts,
      vcpus: vm.vcpus.length,
      ramBase: vm.bus.ramBase,
      ramBytes: vm.bus.ramSize,
      dtbAddress: vm.dtbAddress,
      devices: vm.devices.map((d) => ({ ...d.spec, state: d.describe?.() })),
    }));
  }

  vcpus(vmName: string): VcpuInfo[] {
    return this.vm(vmName).vcpus.map((v) => ({
      vm: vmName,
      index: v.index,
      hsm: v.hsm,
      pc: v.hart.pc >>> 0,
      priv: v.hart.priv === 0 ? 'U' : v.hart.priv === 1 ? 'S' : 'M',
      waiting: v.hart.waiting,
      hung: v.hung,
      retired: v.hart.retired,
      timerTicks: v.timerTicks === Infinity ? null : v.timerTicks,
    }));
  }

  registers(vmName: string, vcpu = 0): { name: string; value: number }[] {
    const h = this.vcpu(vmName, vcpu).hart;
    const regs = ABI_NAMES.map((name, i) => ({ name, value: h.x[i] >>> 0 }));
    regs.push({ name: 'pc', value: h.pc >>> 0 });
    return regs;
  }

  setRegister(vmName: string, vcpu: number, nameOrIndex: string | number, value: number): void {
    const h = this.vcpu(vmName, vcpu).hart;
    if (nameOrIndex === 'pc') {
      h.pc = (value >>> 0) & ~3;
      return;
    }
    const i = typeof nameOrIndex === 'number' ? nameOrIndex : ABI_NAMES.indexOf(nameOrIndex);
    if (i < 0 || i > 31) throw new RangeError(`no register ${nameOrIndex}`);
    if (i !== 0) h.x[i] = value | 0;
  }

  readCsr(vmName: string, vcpu: number, nameOrNumber: string | number): number | undefined {
    const num = typeof nameOrNumber === 'number' ? nameOrNumber : csrNumber(nameOrNumber);
    return num === undefined ? undefined : this.vcpu(vmName, vcpu).hart.csr.read(num);
  }

  writeCsr(vmName: string, vcpu: number, nameOrNumber: string | number, value: number): void {
    const h = this.vcpu(vmName, vcpu).hart;
    const num = typeof nameOrNumber === 'number' ? nameOrNumber : csrNumber(nameOrNumber);
    if (num === undefined || !h.csr.exists(num)) throw new RangeError(`no CSR ${nameOrNumber}`);
    h.csr.write(num, value);
  }

  /** The byte at guest-physical `gpa` of a VM, read without side effects; undefined if unreadable. */
  private peekByte(vm: Vm, gpa: number): number | undefined {
    const off = vm.bus.ramOffset(gpa, 1);
    if (off >= 0) return vm.bus.ram[off];
    if (gpa >= PVIO_SHARED_INFO_GPA && gpa < PVIO_SHARED_INFO_GPA + PVIO_PAGE_SIZE) return vm.sharedInfo.bytes[gpa - PVIO_SHARED_INFO_GPA];
    if (gpa >= PVIO_GRANT_WINDOW_BASE && gpa < PVIO_GRANT_WINDOW_BASE + GRANT_WINDOW_SIZE) {
      const m = this.hypervisor.grants.mappingAt(vm.domid, Math.floor((gpa - PVIO_GRANT_WINDOW_BASE) / PVIO_PAGE_SIZE));
      const g = m && this.hypervisor.vmByDomid(m.granter);
      if (!m || !g) return undefined;
      const o = g.bus.ramOffset(m.gfn * PVIO_PAGE_SIZE + ((gpa - PVIO_GRANT_WINDOW_BASE) % PVIO_PAGE_SIZE), 1);
      return o >= 0 ? g.bus.ram[o] : undefined;
    }
    return undefined;
  }

  /**
   * Reads a VM's memory: guest-physical addresses (RAM, the shared-info page,
   * mapped grant slots), or virtual ones translated as vCPU `vcpu` would now.
   * Device registers are never read (that could change them).
   */
  readMemory(vmName: string, address: number, length: number, virtual?: { vcpu: number }): MemoryRead {
    const vm = this.vm(vmName);
    const mmu = virtual ? this.vcpu(vmName, virtual.vcpu).hart.mmu : undefined;
    const data: number[] = [];
    for (let i = 0; i < length; i++) {
      const a = (address + i) >>> 0;
      const pa = mmu ? mmu.peekTranslate(a, Access.Load) : a;
      const b = pa === undefined ? undefined : this.peekByte(vm, pa);
      if (b === undefined) return { data: Uint8Array.from(data), unreadable: length - i };
      data.push(b);
    }
    return { data: Uint8Array.from(data), unreadable: 0 };
  }

  /** Writes a VM's RAM (guest-physical); returns the bytes written (stops at the first byte outside RAM). */
  writeMemory(vmName: string, address: number, bytes: Uint8Array): number {
    const vm = this.vm(vmName);
    for (let i = 0; i < bytes.length; i++) {
      const a = (address + i) >>> 0;
      if (vm.bus.ramOffset(a, 1) < 0) return i;
      vm.bus.loadBytes(a, bytes.subarray(i, i + 1));
    }
    return bytes.length;
  }

  /** Grants issued by a VM, and the slots of its grant window in use. */
  grants(vmName: string): { issued: GrantInfo[]; mapped: GrantMapping[] } {
    const d = this.vm(vmName).domid;
    return { issued: this.hypervisor.grants.grantsOf(d), mapped: this.hypervisor.grants.mappingsOf(d) };
  }

  eventChannels(vmName: string): PortInfo[] {
    return this.hypervisor.events.ports(this.vm(vmName).domid);
  }

  registryDump(path = '/'): RegistryDump | undefined {
    return this.hypervisor.registry.dump(path);
  }

  watches(vmName: string): { watches: WatchInfo[]; queued: WatchEvent[] } {
    const d = this.vm(vmName).domid;
    return { watches: this.hypervisor.registry.watchesOf(d), queued: this.hypervisor.registry.queuedEvents(d) };
  }

  /** A mark for traceSince. */
  traceMark(): number {
    return this.hypervisor.trace.mark();
  }

  traceSince(mark: number): TraceEntry[] {
    return this.hypervisor.trace.since(mark);
  }

  traceQuery(q: TraceQuery & { vm?: string } = {}): TraceEntry[] {
    const domid = q.vm === undefined ? q.domid : this.vm(q.vm).domid;
    return this.hypervisor.trace.query({ ...q, domid });
  }

  /** Hash of the trace and the schedule so far: equal hashes, identical runs. */
  traceHash(): string {
    return this.hypervisor.trace.hash();
  }

  sendInput(vmName: string, text: string): void {
    this.vm(vmName).console.feed(text);
  }

  // ---- debugging helpers ----------------------------------------------------------

  setInstructionBreakpoints(vmName: string, addresses: Iterable<number>, vcpu?: number): void {
    const targets = vcpu === undefined ? this.vm(vmName).vcpus : [this.vcpu(vmName, vcpu)];
    const list = [...addresses].map((a) => a >>> 0);
    for (const v of targets) {
      v.hart.breakpoints.clear();
      for (const a of list) v.hart.breakpoints.add(a);
    }
  }

  /**
   * Replaces a VM's data watchpoints (guest-physical RAM). An access stops the
   * run after the accessing instruction: a 'requested' stop whose `why` is
   * "watchpoint in VM 'name': …"; `watchHits` tells which.
   */
  setWatchpoints(vmName: string, specs: readonly SystemWatchpoint[]): void {
    const vm = this.vm(vmName);
    for (const r of this.watchRemovers.get(vmName) ?? []) r();
    const removers: (() => void)[] = [];
    for (const spec of specs) {
      if (vm.bus.ramOffset(spec.address >>> 0, spec.size) < 0) throw new RangeError(`0x${(spec.address >>> 0).toString(16)}: only RAM of VM '${vmName}' can be watched`);
      const flags = (spec.access !== 'write' ? WATCH_LOAD : 0) | (spec.access !== 'read' ? WATCH_STORE : 0);
      for (const v of vm.vcpus) removers.push(v.hart.mmu.addWatch(spec.address >>> 0, spec.size, flags));
    }
    this.watchRemovers.set(vmName, removers);
    this.watchSpecs.set(vmName, specs);
    for (const v of vm.vcpus) {
      const host = (v.hart as unknown as { host: HartHost }).host;
      if (host.onWatch) continue;
      host.onWatch = (_h, pa, size, access, value) => this.watchHit(vmName, v.index, pa, size, access, value);
    }
  }

  private watchHit(vmName: string, vcpu: number, pa: number, size: number, access: Access, value: number): void {
    const kind = access === Access.Store ? 'write' : 'read';
    for (const s of this.watchSpecs.get(vmName) ?? []) {
      if (s.access !== 'readWrite' && s.access !== kind) continue;
      if (!(pa < s.address + s.size && s.address < pa + size)) continue;
      if (this.watchHits.some((h) => h.id === s.id)) continue;
      this.watchHits.push({ id: s.id, vm: vmName, vcpu, address: pa >>> 0, size, access: kind, value: value >>> 0 });
      const what = `${kind === 'write' ? 'Write' : 'Read'} of ${size} bytes at 0x${(pa >>> 0).toString(16).padStart(8, '0')} (value 0x${(value >>> 0).toString(16).padStart(8, '0')})`;
      this.hypervisor.requestStop(`watchpoint in VM '${vmName}': ${what}`);
    }
  }

  symbols(vmName: string): SymbolTable | undefined {
    if (!this.symbolTables.has(vmName)) {
      const elf = this.images.get(vmName)?.elf;
      if (!elf) return undefined;
      this.symbolTables.set(vmName, new SymbolTable(elf.symbols));
    }
    return this.symbolTables.get(vmName);
  }

  lineTable(vmName: string): LineTable | undefined {
    if (!this.lineTables.has(vmName)) {
      const elf = this.images.get(vmName)?.elf;
      let t: LineTable | undefined;
      try {
        t = elf ? LineTable.fromElf(elf) : undefined;
      } catch {
        t = undefined; // broken debug info loses source lines only
      }
      this.lineTables.set(vmName, t);
    }
    return this.lineTables.get(vmName);
  }

  symbolize(vmName: string, address: number): string | undefined {
    const s = this.symbols(vmName)?.lookup(address);
    if (!s) return undefined;
    return s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name;
  }

  disassemble(vmName: string, address: number, count: number, virtual?: { vcpu: number }): { address: number; word?: number; text: string }[] {
    const out: { address: number; word?: number; text: string }[] = [];
    for (let i = 0; i < count; i++) {
      const a = (address + 4 * i) >>> 0;
      const m = this.readMemory(vmName, a, 4, virtual);
      if (m.unreadable) {
        out.push({ address: a, text: '<unreadable>' });
        continue;
      }
      const word = (m.data[0] | (m.data[1] << 8) | (m.data[2] << 16) | (m.data[3] << 24)) >>> 0;
      out.push({ address: a, word, text: disassembleText(word, a, (t) => this.symbolize(vmName, t)) });
    }
    return out;
  }

  // ---- whole-system snapshots (emulator/system/system-snapshot.ts) ------------------------

  /**
   * Captures the whole system between runs; `restoreSnapshot` puts this runtime
   * (and only this one) back into it. `like`: an earlier snapshot of this
   * runtime, whose unchanged RAM and disk pages the new one shares.
   */
  captureSnapshot(like?: SystemSnapshot): SystemSnapshot {
    return { machine: captureMachine(this.hypervisor, like?.machine), verdicts: this.verdicts.slice(), lastStop: this.lastStop, seed: this.seed };
  }

  /**
   * Restores a snapshot of this runtime. `seed`: the system then behaves as one
   * built with that seed (the snapshot must precede every injection).
   */
  restoreSnapshot(s: SystemSnapshot, options: { seed?: number } = {}): void {
    restoreMachine(this.hypervisor, s.machine, options.seed);
    this.verdicts.length = 0;
    this.verdicts.push(...s.verdicts);
    this.lastStop = s.lastStop;
    this.pauseRequested = false;
    this.watchHits = [];
    this.seedValue = options.seed ?? s.seed;
  }

  /** The run report (docs/hypervisor.md, "Report"). */
  report(extra: { untilMs?: number } = {}): SystemReport {
    return buildReport(this, extra);
  }
}
