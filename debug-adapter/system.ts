/**
 * What one launch debugs: a system of VMs ("targets"), each with N harts, and
 * all-stop run control over all of them. Today the only system is the
 * bare-metal machine: one VM ("virt") with one hart, driven by BareMetalRuntime.
 * When the hypervisor lands, a system holds several VMs and the sessions keep
 * working in terms of (vm, hart).
 *
 * Sessions subscribe to the system's events; the system keeps the state the
 * sessions need to answer queries (the last stop, the timeline samples).
 * No DAP types here.
 */
import { EventEmitter } from 'events';
import type { BareMetalRuntime, FaultRecord, RuntimeStop } from '../emulator/system/runtime';
import { CYCLES_PER_TICK, TIMEBASE_HZ } from '../emulator/system/virt-machine';
import type { VmStateName } from './protocol';

/** The runtime API a VM target offers (BareMetalRuntime today; the hypervisor's VM runtime later). */
export type TargetRuntime = BareMetalRuntime;

export interface VmTarget {
  /** Index in the system's VM list. */
  readonly index: number;
  readonly name: string;
  readonly runtime: TargetRuntime;
  readonly harts: number;
  state: VmStateName;
  reason?: string;
}

export type StepKind = 'in' | 'over' | 'out' | 'instruction';

export type SystemState = 'configuring' | 'running' | 'stopped' | 'exited' | 'crashed';

/**
 * Events: 'stopped' (vm, stop), 'continued' (), 'exited' (code), 'output' (vm, text),
 * 'log' (vm, text), 'trace' (vm, text), 'fault' (vm, record), 'vmState' (vm).
 */
export class DebugSystem extends EventEmitter {
  readonly vms: VmTarget[];
  state: SystemState = 'configuring';
  lastStop: RuntimeStop | undefined;
  /** The hart whose event caused the last stop. */
  lastStopHart = 0;
  exitCode: number | undefined;
  readonly faults: { timeMs: number; vm: string; record: FaultRecord }[] = [];
  private readonly samples: [number, number][] = [[0, 0]];
  private readonly segments: { startMs: number; endMs?: number; state: VmStateName }[] = [];

  constructor(runtime: TargetRuntime, readonly programName: string) {
    super();
    const vm: VmTarget = { index: 0, name: 'virt', runtime, harts: runtime.hartCount, state: 'booting' };
    this.vms = [vm];
    runtime.on('output', (text: string) => this.emit('output', vm, text));
    runtime.on('log', (text: string) => this.emit('log', vm, text));
    runtime.on('trace', (text: string) => this.emit('trace', vm, text));
    runtime.on('fault', (rec: FaultRecord) => {
      this.faults.push({ timeMs: this.nowMs(), vm: vm.name, record: rec });
      this.emit('fault', vm, rec);
    });
    runtime.on('stopped', (stop: RuntimeStop) => this.onStopped(vm, stop));
    runtime.on('exited', (code: number) => this.onExited(vm, code));
    this.setVmState(vm, 'booting');
  }

  get runtime(): TargetRuntime {
    return this.vms[0].runtime;
  }

  /** Virtual time in milliseconds (cycles at the nominal 100 MHz). */
  nowMs(): number {
    const cycles = this.runtime.machine.cycles;
    return (cycles / CYCLES_PER_TICK / TIMEBASE_HZ) * 1000;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  get ended(): boolean {
    return this.state === 'exited' || this.state === 'crashed';
  }

  vm(name: string | undefined): VmTarget | undefined {
    if (name === undefined) return this.vms[0];
    return this.vms.find((v) => v.name === name);
  }

  /** Reports the initial stop (stopOnEntry). */
  stopOnEntry(): void {
    this.state = 'stopped';
    this.lastStop = { kind: 'step' };
    this.lastStopHart = 0;
    for (const vm of this.vms) this.setVmState(vm, 'paused', 'stopped on entry');
  }

  private begin(): void {
    if (this.ended) throw new Error('the program has ended');
    if (this.state === 'running') throw new Error('the program is already running');
    this.state = 'running';
    for (const vm of this.vms) this.setVmState(vm, 'running');
    this.emit('continued');
  }

  private report(p: Promise<unknown>): void {
    p.catch((e: Error) => {
      // The runtime could not do it (for example, stepping out with no caller): say so and stay stopped.
      this.state = 'stopped';
      this.emit('log', this.vms[0], `pvlab: ${e.message}`);
      this.onStopped(this.vms[0], { kind: 'step' });
    });
  }

  continue(): void {
    this.begin();
    this.report(this.runtime.run());
  }

  /** Steps one hart; in an all-stop system the others run along as the scheduler lets them. */
  step(vm: VmTarget, _hart: number, kind: StepKind, granularity: 'line' | 'instruction'): void {
    this.begin();
    const rt = vm.runtime;
    switch (kind) {
      case 'in':
        this.report(rt.stepIn(granularity));
        break;
      case 'over':
        this.report(rt.stepOver(granularity));
        break;
      case 'out':
        this.report(rt.stepOut());
        break;
      case 'instruction':
        this.report(Promise.resolve().then(() => rt.stepInstruction()));
        break;
    }
  }

  pause(): void {
    if (this.state === 'running') this.runtime.pause();
  }

  /** Ends the run (terminate/disconnect): a running machine is paused and the system counts as exited. */
  terminate(): void {
    this.runtime.pause();
    this.removeAllListeners('stopped');
    this.state = 'exited';
  }

  private onStopped(vm: VmTarget, stop: RuntimeStop): void {
    this.lastStop = stop;
    this.lastStopHart = 0;
    this.sample();
    if (stop.kind === 'deadlock' || stop.kind === 'error' || stop.kind === 'requested' || stop.kind === 'limit') {
      this.state = 'crashed';
      this.setVmState(vm, 'crashed', crashReason(stop));
    } else {
      this.state = 'stopped';
      this.setVmState(vm, 'paused', stop.kind);
    }
    this.emit('stopped', vm, stop);
  }

  private onExited(vm: VmTarget, code: number): void {
    this.exitCode = code;
    this.state = 'exited';
    this.sample();
    this.setVmState(vm, 'stopped', `exit code ${code}`);
    this.emit('exited', code);
  }

  setVmState(vm: VmTarget, state: VmStateName, reason?: string): void {
    vm.state = state;
    vm.reason = reason;
    const now = this.nowMs();
    const last = this.segments[this.segments.length - 1];
    if (!last || last.state !== state) {
      if (last) last.endMs = now;
      this.segments.push({ startMs: now, state });
    }
    this.emit('vmState', vm);
  }

  private sample(): void {
    const now = this.nowMs();
    const last = this.samples[this.samples.length - 1];
    const retired = this.runtime.hart.retired;
    if (last[0] !== now || last[1] !== retired) this.samples.push([now, retired]);
    if (this.samples.length > 10_000) this.samples.splice(1, this.samples.length - 5_000);
  }

  /** The pvlab.timeline answer for a bare-metal system: VM states over virtual time and instruction samples. */
  timeline(): Record<string, unknown> {
    return {
      nowMs: this.nowMs(),
      vms: this.vms.map((vm) => ({ name: vm.name, segments: this.segments.map((s) => ({ ...s })) })),
      faults: this.faults.map((f) => ({ timeMs: f.timeMs, vm: f.vm, kind: f.record.fault.kind, message: f.record.description, pc: '0x' + f.record.pc.toString(16).padStart(8, '0'), injected: true })),
      restarts: [],
      instructions: { points: this.samples.map((p) => [p[0], p[1]]) },
    };
  }
}

export function crashReason(stop: RuntimeStop): string {
  switch (stop.kind) {
    case 'deadlock':
      return `the hart waits for an interrupt (wfi at 0x${stop.pc.toString(16).padStart(8, '0')}) that no timer or device will raise`;
    case 'error':
      return stop.message;
    case 'requested':
      return stop.why;
    case 'limit':
      return 'the instruction limit was reached';
    default:
      return stop.kind;
  }
}
