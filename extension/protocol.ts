/**
 * The contract between the pvlab debug adapter and this extension, beyond plain
 * DAP: custom events the adapter sends and custom requests the extension makes.
 * The names come from debug-adapter/protocol.ts; docs/extension.md describes the shapes.
 *
 * Everything here is plain data and guards; nothing imports `vscode`, so the
 * model can be tested outside VS Code. Guards are lenient about extra fields and
 * strict about the fields the views need: a malformed event is dropped, never
 * allowed to break a view.
 */

// The names (events, requests, VM states) are the adapter's: one contract for both sides.
import { VM_STATES, type VmStateName } from '../debug-adapter/protocol';
export { EVENTS, REQUESTS, VM_STATES, type VmStateName } from '../debug-adapter/protocol';

/** A VM as the adapter describes it (pvlab.vmState body without timeMs; pvlab.listVms items). */
export interface VmInfo {
  name: string;
  state: VmStateName;
  /** Restarts so far. */
  restarts: number;
  domid?: number;
  role?: 'client' | 'driver';
  vcpus?: number;
  /** Names of devices passed through to this VM. */
  devices?: string[];
  /** Why the VM is in this state ("illegal instruction at 0x80001234", "back-off 20 ms"). */
  reason?: string;
}

export interface VmStateEvent extends VmInfo {
  /** Virtual time of the change, in milliseconds. */
  timeMs: number;
}

export interface HypercallRecord {
  timeMs: number;
  vm: string;
  vcpu?: number;
  /** SBI extension id (a7) and function id (a6). */
  eid: number;
  fid: number;
  /** e.g. "grant.map", "evtchn.send", "DBCN.write". */
  name?: string;
  /** a0..a5 as unsigned 32-bit numbers. */
  args?: number[];
  /** SBI error (a0 on return) and value (a1). */
  error?: number;
  value?: number;
}

export interface HypercallsEvent {
  calls: HypercallRecord[];
  /** Calls the adapter left out of this batch (rate limit). */
  dropped?: number;
}

export interface FaultEvent {
  timeMs: number;
  vm: string;
  /** trap | panic | hang | dma | iommu | … */
  kind: string;
  message?: string;
  /** Guest pc at the fault, a "0x…" string. */
  pc?: string;
  /** True when the fault was injected (from the system file or a pvlab.injectFault request). */
  injected?: boolean;
}

export interface RestartEvent {
  timeMs: number;
  vm: string;
  /** The VM's restart count after this restart. */
  restarts: number;
  /** Back-off waited before this restart. */
  delayMs?: number;
  /** The restart policy gave up: the VM stays stopped. */
  gaveUp?: boolean;
}

export interface TimelineSegment {
  startMs: number;
  /** Absent while the segment lasts. */
  endMs?: number;
  state: VmStateName;
}

/** Response body of pvlab.timeline. */
export interface TimelineResponse {
  /** Current virtual time. */
  nowMs: number;
  vms: { name: string; role?: 'client' | 'driver'; segments: TimelineSegment[] }[];
  faults: FaultEvent[];
  restarts: RestartEvent[];
  /** The client's I/O throughput, sampled. */
  throughput?: { label?: string; unit: string; points: [number, number][] };
  /** Retired instructions (cumulative) over virtual time; bare-metal sessions may answer with this alone. */
  instructions?: { points: [number, number][] };
}

/** Fault kinds offered by Inject Fault…; the same as the system file's faults[].kind. */
export const FAULT_KINDS: { kind: string; label: string; detail: string }[] = [
  { kind: 'trap', label: 'Unhandled trap', detail: 'The VM takes a trap it does not handle (an illegal instruction).' },
  { kind: 'panic', label: 'Kernel panic', detail: 'The guest reports a failure through SBI SRST.' },
  { kind: 'hang', label: 'Hang', detail: 'The VM stops making progress; the watchdog notices while requests are pending.' },
  { kind: 'dma', label: 'Wild DMA', detail: "A device of the VM writes outside the VM's memory; the IOMMU stops it." },
];

/** Fault kinds for a bare-metal session (its machine is the one VM the adapter reports). */
export const BARE_METAL_FAULT_KINDS: { kind: string; label: string; detail: string }[] = [
  { kind: 'trap', label: 'Trap', detail: 'The hart takes an illegal-instruction trap at its current pc, as if the program had executed one.' },
];

// ---- guards ------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function isVmState(v: unknown): v is VmStateName {
  return typeof v === 'string' && (VM_STATES as readonly string[]).includes(v);
}

export function parseVmInfo(v: unknown): VmInfo | undefined {
  if (!isObj(v)) return undefined;
  const name = str(v.name);
  if (!name || !isVmState(v.state)) return undefined;
  const info: VmInfo = { name, state: v.state, restarts: num(v.restarts) ?? 0 };
  const domid = num(v.domid);
  if (domid !== undefined) info.domid = domid;
  if (v.role === 'client' || v.role === 'driver') info.role = v.role;
  const vcpus = num(v.vcpus);
  if (vcpus !== undefined) info.vcpus = vcpus;
  if (Array.isArray(v.devices)) info.devices = v.devices.filter((d): d is string => typeof d === 'string');
  const reason = str(v.reason);
  if (reason) info.reason = reason;
  return info;
}

export function parseVmStateEvent(v: unknown): VmStateEvent | undefined {
  const info = parseVmInfo(v);
  if (!info || !isObj(v)) return undefined;
  return { ...info, timeMs: num(v.timeMs) ?? 0 };
}

export function parseHypercall(v: unknown): HypercallRecord | undefined {
  if (!isObj(v)) return undefined;
  const vm = str(v.vm);
  const eid = num(v.eid);
  const fid = num(v.fid);
  if (!vm || eid === undefined || fid === undefined) return undefined;
  const rec: HypercallRecord = { timeMs: num(v.timeMs) ?? 0, vm, eid, fid };
  const vcpu = num(v.vcpu);
  if (vcpu !== undefined) rec.vcpu = vcpu;
  const name = str(v.name);
  if (name) rec.name = name;
  if (Array.isArray(v.args)) rec.args = v.args.filter((a): a is number => typeof a === 'number');
  const error = num(v.error);
  if (error !== undefined) rec.error = error;
  const value = num(v.value);
  if (value !== undefined) rec.value = value;
  return rec;
}

export function parseHypercallsEvent(v: unknown): HypercallsEvent | undefined {
  if (!isObj(v) || !Array.isArray(v.calls)) return undefined;
  const calls = v.calls.map(parseHypercall).filter((c): c is HypercallRecord => c !== undefined);
  const dropped = num(v.dropped);
  return dropped === undefined ? { calls } : { calls, dropped };
}

export function parseFaultEvent(v: unknown): FaultEvent | undefined {
  if (!isObj(v)) return undefined;
  const vm = str(v.vm);
  const kind = str(v.kind);
  if (!vm || !kind) return undefined;
  const f: FaultEvent = { timeMs: num(v.timeMs) ?? 0, vm, kind };
  const message = str(v.message);
  if (message) f.message = message;
  const pc = str(v.pc);
  if (pc) f.pc = pc;
  if (typeof v.injected === 'boolean') f.injected = v.injected;
  return f;
}

export function parseRestartEvent(v: unknown): RestartEvent | undefined {
  if (!isObj(v)) return undefined;
  const vm = str(v.vm);
  const restarts = num(v.restarts);
  if (!vm || restarts === undefined) return undefined;
  const r: RestartEvent = { timeMs: num(v.timeMs) ?? 0, vm, restarts };
  const delayMs = num(v.delayMs);
  if (delayMs !== undefined) r.delayMs = delayMs;
  if (typeof v.gaveUp === 'boolean') r.gaveUp = v.gaveUp;
  return r;
}

function parsePoints(v: unknown): [number, number][] {
  if (!Array.isArray(v)) return [];
  return v.filter((p): p is [number, number] => Array.isArray(p) && p.length >= 2 && num(p[0]) !== undefined && num(p[1]) !== undefined)
    .map((p) => [p[0], p[1]]);
}

export function parseTimelineResponse(v: unknown): TimelineResponse | undefined {
  if (!isObj(v)) return undefined;
  const vms: TimelineResponse['vms'] = [];
  if (Array.isArray(v.vms)) {
    for (const vm of v.vms) {
      if (!isObj(vm) || !str(vm.name) || !Array.isArray(vm.segments)) continue;
      const segments: TimelineSegment[] = [];
      for (const s of vm.segments) {
        if (!isObj(s) || num(s.startMs) === undefined || !isVmState(s.state)) continue;
        const seg: TimelineSegment = { startMs: s.startMs as number, state: s.state };
        const end = num(s.endMs);
        if (end !== undefined) seg.endMs = end;
        segments.push(seg);
      }
      vms.push({ name: vm.name as string, role: vm.role === 'client' || vm.role === 'driver' ? vm.role : undefined, segments });
    }
  }
  const faults = Array.isArray(v.faults) ? v.faults.map(parseFaultEvent).filter((f): f is FaultEvent => !!f) : [];
  const restarts = Array.isArray(v.restarts) ? v.restarts.map(parseRestartEvent).filter((r): r is RestartEvent => !!r) : [];
  const out: TimelineResponse = { nowMs: num(v.nowMs) ?? 0, vms, faults, restarts };
  if (isObj(v.throughput)) {
    out.throughput = { label: str(v.throughput.label), unit: str(v.throughput.unit) ?? '', points: parsePoints(v.throughput.points) };
  }
  if (isObj(v.instructions)) out.instructions = { points: parsePoints(v.instructions.points) };
  return out;
}
