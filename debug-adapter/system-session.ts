/**
 * Debugging a system (hypervisor + VMs): `{"type":"pvlab","request":"launch","system":"system.json"}`.
 *
 * A SystemDebug owns one SystemRuntime and the DAP endpoints that look at it:
 *   multi   (the client supports startDebugging, default for systems) the launch
 *           session is the system session (no threads; custom requests and
 *           events, every VM's console marked with its name); one child session
 *           per VM, started with startDebugging and attached through an
 *           in-process TCP server; its threads are the VM's vCPUs (`cpuN`).
 *   single  one session; every vCPU is a thread named `vm/cpuN`.
 * All-stop: any stop stops every vCPU; every endpoint hears it.
 *
 * Memory references are plain `0x…` guest-physical addresses of the endpoint's
 * VM. In single mode the VM is the one of the thread the client last asked
 * about (stackTrace, scopes, evaluate in a frame); `vm:0x…` names it explicitly.
 *
 * PvlabSession (session.ts) hands every request of such a session to
 * SystemDebug.handle; the runtime is reached only through VmRuntime views and
 * SystemRuntime, so DAP stays out of emulator/.
 */
import * as net from 'net';
import * as path from 'path';
import { DebugSession, Event, Handles, OutputEvent, Response, StoppedEvent, ContinuedEvent, ExitedEvent, TerminatedEvent, InitializedEvent } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { isInjectionKind, SYSTEM_FILE_FAULTS, type InjectionKind } from '../emulator/hypervisor/injector';
import type { FaultRecord } from '../emulator/hypervisor/faults';
import type { TraceEntry } from '../emulator/hypervisor/trace';
import { CYCLES_PER_MS } from '../emulator/hypervisor/time';
import type { VmState } from '../emulator/hypervisor/vm';
import { ABI_NAMES } from '../emulator/isa/registers';
import { BreakpointTable } from '../emulator/system/runtime-breakpoints';
import { ExprError, evaluateExpression, parseExpression, parseHitCondition, type ExprContext } from '../emulator/system/runtime-expr';
import type { BreakpointSpec } from '../emulator/system/runtime-types';
import { SystemRuntime, type SystemStop } from '../emulator/system/system-runtime';
import { onePerFunction } from './breakpoints';
import { frameName, hex32 as hex } from './format';
import { EVENTS, FILTERS, REQUESTS, type VmStateName } from './protocol';
import { SourceResolver, parseSourceRoots } from './sources';
import { VmRuntime } from './vm-runtime';

type Args = Record<string, unknown>;

interface ThreadRef {
  id: number;
  vm: string;
  vcpu: number;
  name: string;
}

interface Endpoint {
  session: DebugSession;
  /** The VM of a child session; undefined for the system (parent) or single session. */
  vm?: string;
  threads: ThreadRef[];
  /** Single mode: the VM plain memory references mean (the thread last asked about). */
  currentVm?: string;
  terminated?: boolean;
}

interface FrameRef {
  vm: string;
  vcpu: number;
  pc: number;
  /** 0 for the innermost frame. */
  depth: number;
  /** The frame's registers x0–x31 (outer frames: what unwinding recovered). */
  registers: readonly (number | undefined)[];
}

type VarRef =
  | { kind: 'registers'; vm: string; vcpu: number }
  /** An outer frame's registers, as far as unwinding recovered them. */
  | { kind: 'unwound'; vm: string; vcpu: number; pc: number; registers: readonly (number | undefined)[] }
  | { kind: 'csrs'; vm: string; vcpu: number }
  | { kind: 'value'; value: unknown };

/** What a DAP breakpoint may carry besides its place. */
interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

type BreakpointReason = 'breakpoint' | 'function breakpoint' | 'instruction breakpoint';

interface VmBreakpoints {
  lines: Map<string, ({ line: number; addresses: number[]; id: number } & BreakpointOptions)[]>;
  functions: ({ name: string; address?: number; id: number } & BreakpointOptions)[];
  instructions: ({ address: number; id: number } & BreakpointOptions)[];
}

function breakpointOptions(b: unknown): BreakpointOptions {
  const o = (b ?? {}) as Args;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  return { condition: str(o.condition), hitCondition: str(o.hitCondition), logMessage: typeof o.logMessage === 'string' ? o.logMessage : undefined };
}

/** Why a breakpoint's condition or hit condition cannot be used, or undefined. */
function conditionError(o: BreakpointOptions): string | undefined {
  try {
    if (o.condition) parseExpression(o.condition);
    if (o.hitCondition) parseHitCondition(o.hitCondition);
    return undefined;
  } catch (e) {
    return `bad condition: ${(e as Error).message}`;
  }
}

const CSRS = ['sstatus', 'sie', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'sip', 'satp', 'cycle', 'time', 'instret'];

const controllers = new Map<string, SystemDebug>();
let tokens = 0;

export function isSystemLaunch(args: unknown): boolean {
  return typeof args === 'object' && args !== null && typeof (args as Args).system === 'string' && (args as Args).program === undefined;
}

export function isSystemAttach(args: unknown): boolean {
  return typeof args === 'object' && args !== null && typeof (args as Args).pvlabSystem === 'string' && controllers.has((args as Args).pvlabSystem as string);
}

function vmStateName(s: VmState): VmStateName {
  switch (s) {
    case 'running':
      return 'running';
    case 'halted':
      return 'stopped';
    case 'failed':
      return 'crashed';
    case 'restarting':
      return 'restarting';
    default:
      return 'failed';
  }
}

function parseNumber(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(v)) return Number(v.trim());
  throw new Error(`${what} must be a number (got ${JSON.stringify(v)})`);
}

export class SystemDebug {
  readonly rt: SystemRuntime;
  readonly views = new Map<string, VmRuntime>();
  readonly vmNames: string[];
  /** DWARF paths → files the client can open (sourceRoots, then the system file's folder and its ancestors). */
  readonly sources: SourceResolver;
  private readonly parent: Endpoint;
  private readonly children: Endpoint[] = [];
  private readonly multi: boolean;
  private readonly stopOnEntry: boolean;
  private readonly name: string;
  private state: 'configuring' | 'running' | 'stopped' | 'exited' = 'configuring';
  private token: string | undefined;
  private server: net.Server | undefined;
  private frames = new Handles<FrameRef>();
  private vars = new Handles<VarRef>();
  private readonly bps = new Map<string, VmBreakpoints>();
  /** Per VM: its code breakpoints with their conditions, hit counts and log messages (shared with bare metal). */
  private readonly tables = new Map<string, BreakpointTable>();
  /** Breakpoint ids stay the same for the same place (hit counts survive the client re-sending a file's breakpoints). */
  private readonly bpIds = new Map<string, number>();
  private readonly bpReasons = new Map<number, BreakpointReason>();
  private nextBpId = 1000;
  /** A pause was asked for while the run goes on by itself (past log points and conditions that do not hold). */
  private pauseWanted = false;
  /**
   * Crashes and restarts the exception filters want to stop at that no stop
   * has reported yet, oldest first. The hypervisor keeps one stop request per
   * run, so a VM restarted at once replaces its crash's stop (and a crash or
   * restart while stopped, an injection applied at once, has none).
   */
  private unreported: SystemStop[] = [];
  /** Stops held back to report an earlier crash or restart first: reported at the next continue or step, before running. */
  private deferred: SystemStop[] = [];
  private filters = { hypercall: false, hypercallNames: [] as string[], guestTrap: false, vmCrash: true, vmRestart: false, iommu: false };
  private lastStop: { vm?: string; reason: string; description?: string } | undefined;
  private hypercallBatch: Record<string, unknown>[] = [];
  private dropped = 0;
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly segments = new Map<string, { startMs: number; endMs?: number; state: VmStateName }[]>();
  private readonly vmStates = new Map<string, { state: VmStateName; reason?: string }>();
  private readonly faultLog: Record<string, unknown>[] = [];
  private readonly restartLog: Record<string, unknown>[] = [];
  private readonly throughput: [number, number][] = [[0, 0]];
  private clientEvents = 0;
  private clientVm: string | undefined;
  private hypercallLog: TraceEntry[] = [];

  constructor(session: DebugSession, clientCaps: DebugProtocol.InitializeRequestArguments, raw: Args) {
    const cwd = typeof raw.cwd === 'string' && raw.cwd ? raw.cwd : process.cwd();
    const file = path.resolve(cwd, raw.system as string);
    this.sources = new SourceResolver(parseSourceRoots(raw.sourceRoots), file, cwd);
    this.rt = SystemRuntime.fromFile(file, typeof raw.seed === 'number' ? { seed: raw.seed } : {});
    this.name = typeof raw.name === 'string' ? raw.name : path.basename(file);
    this.vmNames = this.rt.vms().map((v) => v.name);
    for (const n of this.vmNames) {
      this.views.set(n, new VmRuntime(this.rt, n));
      this.bps.set(n, { lines: new Map(), functions: [], instructions: [] });
      this.tables.set(n, new BreakpointTable());
      this.segments.set(n, [{ startMs: 0, state: 'booting' }]);
      this.vmStates.set(n, { state: 'booting' });
    }
    this.clientVm = this.rt.vms().find((v) => v.role === 'client')?.name;
    this.stopOnEntry = raw.stopOnEntry === true;
    const wanted = raw.sessions === 'single' ? 'single' : 'multi';
    this.multi = wanted === 'multi' && clientCaps.supportsStartDebuggingRequest === true;
    this.parent = { session, threads: [] };
    if (wanted === 'multi' && !this.multi && raw.sessions === 'multi') {
      session.sendEvent(new OutputEvent('pvlab: this client cannot start child sessions (no startDebugging); using one session with a thread per vCPU\n', 'console'));
    }
    if (!this.multi) {
      let id = 1;
      for (const vm of this.vmNames) for (let c = 0; c < this.views.get(vm)!.vcpuCount; c++) this.parent.threads.push({ id: id++, vm, vcpu: c, name: `${vm}/cpu${c}` });
      this.parent.currentVm = this.vmNames[0];
    }
    this.scheduleFaults(raw.faults);
    this.applyFilters();
    this.subscribe();
  }

  private scheduleFaults(faults: unknown): void {
    if (faults === undefined) return;
    if (!Array.isArray(faults)) throw new Error('"faults" must be an array of { "vm", "kind", "atMs" }');
    faults.forEach((f: Args, i) => {
      const vm = typeof f?.vm === 'string' ? f.vm : undefined;
      if (!vm || !this.views.has(vm)) throw new Error(`faults[${i}].vm must name a VM of the system (${this.vmNames.join(', ')})`);
      const kind = this.kind(f.kind);
      const at = f.atMs ?? f.at;
      this.rt.inject(vm, kind, at === undefined ? undefined : parseNumber(at, `faults[${i}].atMs`));
    });
  }

  private kind(k: unknown): InjectionKind {
    if (typeof k === 'string' && SYSTEM_FILE_FAULTS[k]) return SYSTEM_FILE_FAULTS[k];
    if (typeof k === 'string' && isInjectionKind(k)) return k;
    throw new Error(`unknown fault kind ${JSON.stringify(k)} (trap, panic, hang, dma, or an injection kind: crash, bad-pointer, reg-flip, mem-flip, wild-write, bad-dma, ring-corrupt)`);
  }

  // ---- events -----------------------------------------------------------------------

  private get all(): Endpoint[] {
    return [this.parent, ...this.children].filter((e) => !e.terminated);
  }

  private toParent(ev: DebugProtocol.Event): void {
    if (!this.parent.terminated) this.parent.session.sendEvent(ev);
  }

  private subscribe(): void {
    const rt = this.rt;
    rt.on('output', (text: string, vm: string) => {
      const marked = text.replace(/([^\n]*\n|[^\n]+$)/g, (l) => `[${vm}] ${l}`);
      this.toParent(new OutputEvent(marked, 'stdout', { vm }));
    });
    rt.on('vm-state', (e: { vm: string; state: VmState; timeMs: number }) => this.setVmState(e.vm, vmStateName(e.state)));
    rt.on('hypercall', (e: TraceEntry) => {
      this.hypercallLog.push(e);
      if (this.hypercallLog.length > 20_000) this.hypercallLog.splice(0, 10_000);
      if (this.hypercallBatch.length >= 500) {
        this.dropped++;
      } else {
        this.hypercallBatch.push({ timeMs: e.time / CYCLES_PER_MS, vm: e.vm, vcpu: e.vcpu, eid: 0, fid: 0, name: e.name, args: e.args, error: e.error, value: e.value });
      }
      this.batchTimer ??= setTimeout(() => this.flushHypercalls(), 100);
    });
    rt.on('event', (e: TraceEntry) => {
      if (e.vm === this.clientVm) this.clientEvents++;
    });
    rt.on('fault', (f: FaultRecord) => {
      const body = { timeMs: f.detectedAt / CYCLES_PER_MS, vm: f.vm, kind: f.kind, message: f.detail, pc: undefined as string | undefined, injected: f.injection !== undefined };
      const m = /0x[0-9a-f]+/i.exec(f.detail);
      if (m) body.pc = m[0];
      this.faultLog.push(body);
      if (this.filters.vmCrash) this.unreported.push({ kind: 'requested', time: f.detectedAt, why: `fault in VM '${f.vm}': ${f.kind}: ${f.detail}` });
      this.toParent(new Event(EVENTS.fault, body));
      this.toParent(new OutputEvent(`pvlab: VM ${f.vm}: ${f.kind}: ${f.detail}${f.injection ? ' (injected)' : ''}\n`, 'console'));
    });
    rt.on('restart', (e: { vm: string; restarts: number; timeMs: number }) => {
      if (this.filters.vmRestart) this.unreported.push({ kind: 'requested', time: this.rt.hypervisor.nowCycles(), why: `VM '${e.vm}' restarted` });
      const body = { timeMs: e.timeMs, vm: e.vm, restarts: e.restarts };
      this.restartLog.push(body);
      this.toParent(new Event(EVENTS.restart, body));
      this.toParent(new OutputEvent(`pvlab: VM ${e.vm} restarted (restart ${e.restarts})\n`, 'console'));
    });
    rt.on('verdict', (v: { vm: string; line: string }) => this.toParent(new OutputEvent(`pvlab: ${v.vm}: ${v.line}\n`, 'console')));
  }

  private flushHypercalls(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (this.hypercallBatch.length === 0) return;
    this.toParent(new Event(EVENTS.hypercalls, { calls: this.hypercallBatch, dropped: this.dropped || undefined }));
    this.hypercallBatch = [];
    this.dropped = 0;
  }

  private nowMs(): number {
    return this.rt.nowMs;
  }

  private setVmState(vm: string, state: VmStateName, reason?: string): void {
    const prev = this.vmStates.get(vm);
    if (prev && prev.state === state && prev.reason === reason) return;
    this.vmStates.set(vm, { state, reason });
    const segs = this.segments.get(vm)!;
    const last = segs[segs.length - 1];
    const now = this.nowMs();
    if (last.state !== state) {
      last.endMs = now;
      segs.push({ startMs: now, state });
    }
    const info = this.rt.vms().find((v) => v.name === vm);
    this.toParent(new Event(EVENTS.vmState, { name: vm, state, restarts: info?.restarts ?? 0, vcpus: info?.vcpus, reason, timeMs: now }));
  }

  private sample(): void {
    const now = this.nowMs();
    const last = this.throughput[this.throughput.length - 1];
    if (now > last[0]) this.throughput.push([now, this.clientEvents]);
    if (this.throughput.length > 5000) this.throughput.splice(1, 2500);
  }

  // ---- sessions -------------------------------------------------------------------

  /** launch answered: the client sends breakpoints, then configurationDone. */
  launched(response: DebugProtocol.Response): void {
    this.parent.session.sendResponse(response);
    this.parent.session.sendEvent(new InitializedEvent());
  }

  private configurationDone(): void {
    if (this.multi) this.startChildren();
    else this.start();
  }

  private startChildren(): void {
    this.token = `pvlab-system-${process.pid}-${++tokens}`;
    controllers.set(this.token, this);
    this.server = net.createServer((socket) => {
      // A child session: a PvlabSession on this socket; its attach comes back here (attachChild).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PvlabSession } = require('./session') as typeof import('./session');
      const child = new PvlabSession(false, true);
      child.setRunAsServer(true);
      child.start(socket, socket);
      socket.on('error', () => socket.destroy());
    });
    this.server.listen(0, '127.0.0.1', () => {
      const port = (this.server?.address() as net.AddressInfo).port;
      for (const vm of this.vmNames) {
        const configuration = { type: 'pvlab', request: 'attach', name: vm, vm, debugServer: port, pvlabSystem: this.token };
        this.parent.session.sendRequest('startDebugging', { request: 'attach', configuration }, 10_000, (r) => {
          if (!r.success) this.toParent(new OutputEvent(`pvlab: the client did not start a session for ${vm}: ${r.message}\n`, 'stderr'));
        });
      }
    });
  }

  static attach(session: DebugSession, request: DebugProtocol.Request, response: DebugProtocol.Response): SystemDebug | undefined {
    const args = (request.arguments ?? {}) as Args;
    const sys = controllers.get(args.pvlabSystem as string);
    if (!sys) return undefined;
    const vm = typeof args.vm === 'string' ? args.vm : '';
    if (!sys.views.has(vm)) {
      response.success = false;
      response.message = `attach: the system has no VM ${JSON.stringify(args.vm)}`;
      session.sendResponse(response);
      return undefined;
    }
    const ep: Endpoint = { session, vm, threads: [] };
    for (let c = 0; c < sys.views.get(vm)!.vcpuCount; c++) ep.threads.push({ id: c + 1, vm, vcpu: c, name: `cpu${c}` });
    sys.children.push(ep);
    session.sendResponse(response);
    session.sendEvent(new InitializedEvent());
    if (sys.children.length === sys.vmNames.length) setImmediate(() => sys.start());
    return sys;
  }

  private endpointOf(session: DebugSession): Endpoint {
    return session === this.parent.session ? this.parent : this.children.find((c) => c.session === session)!;
  }

  private start(): void {
    if (this.state !== 'configuring') return;
    if (this.stopOnEntry) {
      this.state = 'stopped';
      for (const vm of this.vmNames) this.setVmState(vm, 'paused', 'stopped on entry');
      this.report(undefined, 0, 'entry', 'stopped on entry');
    } else {
      this.resume();
    }
  }

  // ---- run control -------------------------------------------------------------------

  private resume(from?: Endpoint): void {
    if (this.state === 'exited') throw new Error('the system has ended');
    if (this.state === 'running') throw new Error('the system is already running');
    this.state = 'running';
    this.pauseWanted = false;
    this.frames.reset();
    this.vars.reset();
    for (const vm of this.vmNames) {
      const info = this.rt.vm(vm);
      this.setVmState(vm, vmStateName(info.state));
    }
    for (const e of this.all) {
      if (e === from || (e.threads.length === 0 && e !== this.parent)) continue;
      e.session.sendEvent(new ContinuedEvent(e.threads[0]?.id ?? 0, true)); // the thread-less parent: all (none) continued
    }
    const deferred = this.nextDeferred();
    if (deferred) {
      // A stop that happened already (held back behind a crash reported first): no need to run.
      setImmediate(() => this.onStop(deferred));
      return;
    }
    void this.rt.run().then((stop) => this.onStop(stop), (err: Error) => {
      this.state = 'stopped';
      this.report(undefined, 0, 'exception', `pvlab: ${err.message}`);
    });
  }

  private onStop(stop: SystemStop): void {
    this.sample();
    this.flushHypercalls();
    if (this.state === 'exited') return;
    if (stop.kind === 'all-stopped' || stop.kind === 'idle') {
      this.exit(stop.kind === 'idle' ? 'every vCPU waits and nothing will wake one' : 'every VM has stopped');
      return;
    }
    if (stop.kind === 'requested') {
      const why = stop.why;
      const own = this.unreported.findIndex((u) => u.kind === 'requested' && u.why === why);
      if (own >= 0) this.unreported.splice(own, 1);
    }
    if (this.unreported.length) {
      // A crash or restart happened before this stop and hid behind it: it comes first, this stop at the next continue.
      this.deferred.push(...this.unreported.slice(1), stop);
      stop = this.unreported[0];
      this.unreported = [];
    }
    const hc = stop.kind === 'requested' ? /^hypercall (\S+) from/.exec(stop.why) : null;
    if (hc && this.filters.hypercallNames.length && !this.filters.hypercallNames.some((n) => hc[1].toLowerCase().includes(n.toLowerCase()))) {
      // Not a hypercall the filter names: go on without telling the client.
      this.goOn();
      return;
    }
    let hit: number[] = [];
    if (stop.kind === 'breakpoint') {
      // Conditions, hit counts and log points (the same code as bare metal), in the stopped vCPU.
      const ctx = this.views.get(stop.vm)!.exprContext(stop.vcpu);
      hit = this.tables.get(stop.vm)!.fire(stop.pc, ctx, (text) => this.logTo(stop.vm, text));
      if (hit.length === 0) {
        this.goOn();
        return;
      }
    }
    this.state = 'stopped';
    for (const vm of this.vmNames) if (this.vmStates.get(vm)?.state === 'running') this.setVmState(vm, 'paused', stop.kind);
    if (stop.kind === 'breakpoint') {
      const reasons = new Set(hit.map((id) => this.bpReasons.get(id)));
      const reason = reasons.has('breakpoint') ? 'breakpoint' : reasons.has('function breakpoint') ? 'function breakpoint' : reasons.has('instruction breakpoint') ? 'instruction breakpoint' : 'breakpoint';
      this.report(stop.vm, stop.vcpu, reason, undefined, hit);
      return;
    }
    if (stop.kind === 'requested' && stop.why.startsWith('watchpoint') && this.rt.watchHits.length) {
      const h = this.rt.watchHits[0];
      this.report(h.vm, h.vcpu, 'data breakpoint', stop.why.replace(/^watchpoint in VM '[^']+': /, ''), this.rt.watchHits.map((x) => x.id));
      return;
    }
    if (stop.kind === 'requested') {
      const vm = /VM '([^']+)'/.exec(stop.why)?.[1];
      this.report(vm, this.vcpuOf(vm), 'exception', this.describe(stop.why, vm));
      return;
    }
    this.report(undefined, 0, 'pause', stop.kind === 'paused' ? 'paused' : `stopped (${stop.kind})`);
  }

  /** The next held-back stop the filters still want (crashes and restarts that happened while stopped included). */
  private nextDeferred(): SystemStop | undefined {
    this.deferred.push(...this.unreported);
    this.unreported = [];
    this.deferred = this.deferred.filter((d) => {
      if (d.kind !== 'requested') return true;
      if (d.why.startsWith('fault in VM ')) return this.filters.vmCrash;
      if (/^VM '[^']+' restarted$/.test(d.why)) return this.filters.vmRestart;
      return true;
    });
    return this.deferred.shift();
  }

  /** Runs on without telling the client (a stop it does not want), unless a pause is pending. */
  private goOn(): void {
    if (this.pauseWanted) {
      this.onStop({ kind: 'paused', time: this.rt.hypervisor.nowCycles() });
      return;
    }
    void this.rt.run().then((s) => this.onStop(s), (err: Error) => {
      this.state = 'stopped';
      this.report(undefined, 0, 'exception', `pvlab: ${err.message}`);
    });
  }

  /** A log point's message: to the VM's session (single mode: the session, marked with the VM). */
  private logTo(vm: string, text: string): void {
    const child = this.children.find((c) => c.vm === vm && !c.terminated);
    if (child) child.session.sendEvent(new OutputEvent(`${text}\n`, 'console', { vm }));
    else if (this.parent.threads.length) this.toParent(new OutputEvent(`[${vm}] ${text}\n`, 'console', { vm }));
  }

  private vcpuOf(vm: string | undefined): number {
    if (!vm) return 0;
    const list = this.rt.vcpus(vm);
    return Math.max(0, list.findIndex((v) => !v.waiting));
  }

  /** "fault in VM 'blk': crash: illegal instruction at 0x…" → "VM blk crashed: illegal instruction at 0x…". */
  private describe(why: string, vm: string | undefined): string {
    const f = /^fault in VM '([^']+)': ([^:]+): (.*)$/.exec(why);
    if (f) return `VM ${f[1]} crashed: ${f[3]}`;
    const h = /^hypercall (\S+) from VM '([^']+)'/.exec(why);
    if (h) return `Hypercall ${h[1]} from VM ${h[2]}`;
    const g = /^guest trap in VM '([^']+)': (.*)$/.exec(why);
    if (g) return `Guest trap in VM ${g[1]}: ${g[2]}`;
    const r = /^VM '([^']+)' restarted/.exec(why);
    if (r) return `VM ${r[1]} restarted (restart ${this.rt.vm(r[1]).restarts})`;
    return vm ? why.replace(`VM '${vm}'`, `VM ${vm}`) : why;
  }

  /**
   * All-stop: every endpoint with threads hears the stop; the cause's VM gets the reason.
   * The others' events carry preserveFocusHint and go first, the cause's event last,
   * so the client focuses the VM that actually stopped.
   */
  private report(vm: string | undefined, vcpu: number, reason: string, description?: string, hitBreakpointIds?: number[]): void {
    this.frames.reset();
    this.vars.reset();
    this.lastStop = { vm, reason, description };
    this.pauseWanted = false;
    const cause = vm ?? this.vmNames[0];
    const events: { e: Endpoint; ev: DebugProtocol.StoppedEvent; mine: boolean }[] = [];
    for (const e of this.all) {
      if (e.threads.length === 0) {
        // The parent of the VM sessions has no threads; a thread-less stop still shows
        // the client that the system is paused, and why, instead of "Running".
        if (e !== this.parent) continue;
        const ev = new StoppedEvent(reason) as DebugProtocol.StoppedEvent;
        ev.body.allThreadsStopped = true;
        ev.body.preserveFocusHint = true;
        ev.body.description = description ?? `paused in VM ${cause} on ${reason}`;
        events.push({ e, ev, mine: false });
        continue;
      }
      const mine = e.vm === undefined || e.vm === cause;
      const t = (vm && e.threads.find((x) => x.vm === cause && x.vcpu === vcpu)) || e.threads.find((x) => x.vm === cause) || e.threads[0];
      const ev = new StoppedEvent(mine ? reason : 'pause', t.id) as DebugProtocol.StoppedEvent;
      ev.body.allThreadsStopped = true;
      if (mine) {
        if (description) ev.body.description = description;
        if (description && reason === 'exception') ev.body.text = description;
        if (hitBreakpointIds?.length) ev.body.hitBreakpointIds = hitBreakpointIds;
        if (e.vm === undefined) e.currentVm = cause;
      } else {
        ev.body.description = `stopped with VM ${cause}`;
        ev.body.preserveFocusHint = true;
      }
      events.push({ e, ev, mine });
    }
    for (const { e, ev } of events.filter((x) => !x.mine)) e.session.sendEvent(ev);
    for (const { e, ev } of events.filter((x) => x.mine)) e.session.sendEvent(ev);
    if (description && reason === 'exception') this.toParent(new OutputEvent(`pvlab: ${description}\n`, 'console'));
  }

  private exit(why: string): void {
    this.state = 'exited';
    this.flushHypercalls();
    const code = this.rt.exitCode();
    this.toParent(new OutputEvent(`pvlab: system ended at ${this.nowMs().toFixed(3)} ms (${why})\n`, 'console'));
    for (const e of this.all) {
      e.session.sendEvent(new ExitedEvent(code));
      this.end(e);
    }
  }

  private end(e: Endpoint): void {
    if (e.terminated) return;
    e.terminated = true;
    e.session.sendEvent(new TerminatedEvent());
  }

  private async step(ep: Endpoint, threadId: unknown, kind: 'in' | 'over' | 'out', granularity: unknown): Promise<void> {
    const t = this.thread(ep, threadId);
    const view = this.views.get(t.vm)!;
    this.state = 'running';
    const startPc = view.pc(t.vcpu);
    const startLine = view.location(startPc);
    const startSp = view.reg(t.vcpu, 'sp');
    const startFn = view.functionStart(startPc);
    // stepOut: to the caller's return address (from the unwinder) with the frame released.
    const outer = kind === 'out' ? view.stackFrames(t.vcpu, 2) : [];
    const returnTo = outer[1]?.pc ?? view.reg(t.vcpu, 'ra');
    const frameTop = outer[0]?.cfa ?? startSp + 1;
    const instruction = granularity === 'instruction' || !startLine;
    let stop: SystemStop | undefined;
    for (let i = 0; i < 200_000; i++) {
      if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
      stop = this.rt.stepInstruction(t.vm, t.vcpu);
      if (stop.kind !== 'requested' || stop.why !== 'step') break;
      stop = undefined;
      const pc = view.pc(t.vcpu);
      const sp = view.reg(t.vcpu, 'sp');
      if (kind === 'out') {
        if (pc === returnTo && sp >= frameTop) break;
        continue;
      }
      if (instruction) {
        if (kind === 'in' || view.functionStart(pc) === startFn || sp > startSp) break;
        continue;
      }
      const loc = view.location(pc);
      if (!loc || (loc.line === startLine.line && loc.file === startLine.file)) continue;
      if (kind === 'over' && view.functionStart(pc) !== startFn && sp < startSp) continue;
      break;
    }
    if (stop) {
      this.state = 'running';
      this.onStop(stop);
      return;
    }
    this.state = 'stopped';
    this.report(t.vm, t.vcpu, 'step');
  }

  // ---- requests ------------------------------------------------------------------------

  private thread(ep: Endpoint, id: unknown): ThreadRef {
    const t = ep.threads.find((x) => x.id === id) ?? (id === undefined ? ep.threads[0] : undefined);
    if (!t) throw new Error(ep.threads.length ? `no thread ${JSON.stringify(id)}` : 'the system session has no threads: use a VM session');
    if (ep.vm === undefined) ep.currentVm = t.vm;
    return t;
  }

  private frameTarget(ep: Endpoint, frameId: unknown): { vm: string; vcpu: number; frame?: FrameRef } | undefined {
    if (typeof frameId === 'number') {
      const f = this.frames.get(frameId);
      if (!f) throw new Error(`no frame ${frameId} (frames are valid while stopped)`);
      if (ep.vm === undefined) ep.currentVm = f.vm;
      return { vm: f.vm, vcpu: f.vcpu, frame: f.depth > 0 ? f : undefined };
    }
    return ep.vm ? { vm: ep.vm, vcpu: 0 } : ep.threads.length ? { vm: ep.currentVm ?? this.vmNames[0], vcpu: 0 } : undefined;
  }

  /** A memory reference: `0x…` of the endpoint's VM, or `vm:0x…`. */
  private memRef(ep: Endpoint, ref: unknown, offset: unknown): { vm: string; address: number } {
    if (typeof ref !== 'string') throw new Error('memoryReference must be a string');
    let vm = ep.vm ?? ep.currentVm ?? this.vmNames[0];
    let text = ref.trim();
    const m = /^([A-Za-z0-9_.-]+):(.*)$/.exec(text);
    if (m && this.views.has(m[1])) {
      vm = m[1];
      text = m[2];
    }
    const address = this.evalNumber(vm, 0, text);
    return { vm, address: (address + (typeof offset === 'number' ? offset : 0)) >>> 0 };
  }

  private requireStopped(what: string): void {
    if (this.state === 'running') throw new Error(`${what}: the system is running (pause it first)`);
    if (this.state === 'exited') throw new Error(`${what}: the system has ended`);
  }

  /** Handles one request of an endpoint of this system. */
  handle(session: DebugSession, request: DebugProtocol.Request, response: DebugProtocol.Response): void {
    const ep = this.endpointOf(session);
    const args = (request.arguments ?? {}) as Args;
    try {
      const body = this.dispatch(ep, request.command, args, response);
      if (body === null) return; // answered already
      if (body !== undefined) response.body = body;
      session.sendResponse(response);
    } catch (e) {
      response.success = false;
      response.message = (e as Error).message;
      (response as DebugProtocol.ErrorResponse).body = { error: { id: 1, format: (e as Error).message.replace(/[{}]/g, ''), showUser: true } };
      session.sendResponse(response);
    }
  }

  private dispatch(ep: Endpoint, command: string, args: Args, response: DebugProtocol.Response): unknown {
    switch (command) {
      case 'launch':
      case 'attach':
        throw new Error(`${command}: this session already debugs a system`);
      case 'configurationDone':
        if (ep === this.parent) setImmediate(() => this.configurationDone());
        return undefined;
      case 'threads':
        return { threads: ep.threads.map((t) => ({ id: t.id, name: t.name })) };
      case 'setExceptionBreakpoints':
        return this.setFilters(args);
      case 'setBreakpoints':
        return this.setBreakpoints(ep, args);
      case 'setFunctionBreakpoints':
        return this.setFunctionBreakpoints(ep, args);
      case 'setInstructionBreakpoints':
        return this.setInstructionBreakpoints(ep, args);
      case 'dataBreakpointInfo':
        return this.dataBreakpointInfo(ep, args);
      case 'setDataBreakpoints':
        return this.setDataBreakpoints(ep, args);
      case 'breakpointLocations':
        return { breakpoints: this.lineLocations(ep, args) };
      case 'continue':
        this.resume(ep);
        return { allThreadsContinued: true };
      case 'pause':
        if (this.state === 'running') {
          this.pauseWanted = true;
          this.rt.pause();
        }
        return undefined;
      case 'next':
      case 'stepIn':
      case 'stepOut': {
        this.requireStopped(command);
        const kind = command === 'next' ? 'over' : command === 'stepIn' ? 'in' : 'out';
        this.thread(ep, args.threadId);
        if (this.deferred.length || this.unreported.length) {
          // A stop is still to be reported (after a crash): it comes before any step.
          this.resume(ep);
          return undefined;
        }
        setImmediate(() => void this.step(ep, args.threadId, kind, args.granularity));
        return undefined;
      }
      case 'stackTrace':
        return this.stackTrace(ep, args);
      case 'scopes':
        return this.scopes(ep, args);
      case 'variables':
        return { variables: this.variables(args) };
      case 'setVariable':
        return this.setVariable(args);
      case 'readMemory': {
        // Reading is side-effect free and the run yields between slices: allowed while running too.
        const { vm, address } = this.memRef(ep, args.memoryReference, args.offset);
        const count = typeof args.count === 'number' ? Math.min(args.count, 1 << 20) : 0;
        const m = this.rt.readMemory(vm, address, count);
        return { address: hex(address), data: Buffer.from(m.data).toString('base64'), unreadableBytes: m.unreadable || undefined };
      }
      case 'writeMemory': {
        this.requireStopped('writeMemory');
        const { vm, address } = this.memRef(ep, args.memoryReference, args.offset);
        const bytes = Buffer.from(typeof args.data === 'string' ? args.data : '', 'base64');
        const n = this.rt.writeMemory(vm, address, bytes);
        if (n === 0 && bytes.length) throw new Error(`writeMemory: ${hex(address)} is not RAM of VM ${vm}`);
        ep.session.sendEvent(new Event('memory', { memoryReference: hex(address), offset: 0, count: n }));
        return { bytesWritten: n };
      }
      case 'disassemble': {
        const { vm, address } = this.memRef(ep, args.memoryReference, args.offset);
        const start = (address + 4 * (typeof args.instructionOffset === 'number' ? args.instructionOffset : 0)) >>> 0;
        const view = this.views.get(vm)!;
        const count = typeof args.instructionCount === 'number' ? Math.min(args.instructionCount, 4096) : 0;
        return {
          instructions: view.disassemble(start, count).map((i) => {
            const loc = view.location(i.address);
            const sym = view.symbolize(i.address);
            return {
              address: hex(i.address),
              instructionBytes: i.word === undefined ? undefined : i.word.toString(16).padStart(8, '0'),
              instruction: i.text,
              symbol: sym && !sym.includes('+') ? sym : undefined,
              location: loc ? this.sources.source(loc.file) : undefined,
              line: loc?.line,
            };
          }),
        };
      }
      case 'evaluate':
        return this.evaluate(ep, args);
      case 'exceptionInfo':
        return { exceptionId: this.lastStop?.reason ?? 'none', description: this.lastStop?.description, breakMode: 'always' };
      case 'source':
        throw new Error('source: sources are files on disk');
      case 'terminate':
        this.terminate();
        return undefined;
      case 'disconnect':
        if (ep === this.parent) {
          this.terminate();
          ep.session.sendResponse(response);
          this.parent.session.shutdown();
          return null;
        }
        ep.terminated = true;
        return undefined;
      case REQUESTS.listVms:
        return { vms: this.listVms() };
      case REQUESTS.injectFault: {
        const vm = typeof args.vm === 'string' ? args.vm : ep.vm;
        if (!vm || !this.views.has(vm)) throw new Error(`pvlab.injectFault: "vm" must name a VM (${this.vmNames.join(', ')})`);
        const rec = this.rt.inject(vm, this.kind(args.kind), typeof args.atMs === 'number' ? args.atMs : undefined);
        return { description: `${rec.kind} scheduled for VM ${vm} at ${(rec.at / CYCLES_PER_MS).toFixed(3)} ms`, id: rec.id };
      }
      case REQUESTS.restartVm: {
        const vm = typeof args.vm === 'string' ? args.vm : ep.vm;
        if (!vm || !this.views.has(vm)) throw new Error(`pvlab.restartVm: "vm" must name a VM (${this.vmNames.join(', ')})`);
        this.rt.vmControl(vm, 'reboot');
        return { description: `VM ${vm} reboots` };
      }
      case REQUESTS.timeline:
        return this.timeline();
      case 'pvlab.trace': {
        const mark = typeof args.mark === 'number' ? args.mark : 0;
        return { mark: this.rt.traceMark(), entries: this.rt.traceSince(mark).slice(-2000) };
      }
      default:
        throw new Error(`${command}: not supported in a system session`);
    }
  }

  private terminate(): void {
    if (this.state === 'running') this.rt.pause();
    this.state = 'exited';
    this.server?.close();
    if (this.token) controllers.delete(this.token);
    for (const e of this.all) this.end(e);
  }

  private listVms(): Record<string, unknown>[] {
    return this.rt.vms().map((v) => ({
      name: v.name,
      state: this.vmStates.get(v.name)?.state ?? vmStateName(v.state),
      restarts: v.restarts,
      domid: v.domid,
      role: v.role === 'client' ? 'client' : 'driver',
      vcpus: v.vcpus,
      devices: v.devices.map((d) => d.name),
      reason: this.vmStates.get(v.name)?.reason,
    }));
  }

  private timeline(): Record<string, unknown> {
    this.sample();
    const roles = new Map(this.rt.vms().map((v) => [v.name, v.role]));
    const pts = this.throughput;
    const rate: [number, number][] = [];
    for (let i = 1; i < pts.length; i++) {
      const dt = pts[i][0] - pts[i - 1][0];
      if (dt > 0) rate.push([pts[i][0], (pts[i][1] - pts[i - 1][1]) / dt]);
    }
    return {
      nowMs: this.nowMs(),
      vms: this.vmNames.map((n) => ({ name: n, role: roles.get(n) === 'client' ? 'client' : 'driver', segments: this.segments.get(n)!.map((s) => ({ ...s })) })),
      faults: this.faultLog,
      restarts: this.restartLog,
      throughput: { label: `${this.clientVm ?? 'client'} I/O notifications`, unit: 'events/ms', points: rate },
    };
  }

  // ---- breakpoints ----------------------------------------------------------------------

  private sessionVm(ep: Endpoint): string[] {
    return ep.vm ? [ep.vm] : ep.threads.length ? this.vmNames : [];
  }

  private bpId(key: string, reason: BreakpointReason): number {
    let id = this.bpIds.get(key);
    if (id === undefined) this.bpIds.set(key, (id = ++this.nextBpId));
    this.bpReasons.set(id, reason);
    return id;
  }

  /** Gives a VM's breakpoints, with their conditions, to its table and the table's addresses to the vCPUs. */
  private install(vm: string): void {
    const b = this.bps.get(vm)!;
    const table = this.tables.get(vm)!;
    const spec = (id: number, address: number, o: BreakpointOptions): BreakpointSpec => ({ id, address, condition: o.condition, hitCondition: o.hitCondition, logMessage: o.logMessage });
    table.set('source', [...b.lines.values()].flat().flatMap((l) => l.addresses.map((a) => spec(l.id, a, l))));
    table.set('function', b.functions.flatMap((f) => (f.address === undefined ? [] : [spec(f.id, f.address, f)])));
    table.set('instruction', b.instructions.filter((i) => (i.address & 3) === 0).map((i) => spec(i.id, i.address, i)));
    this.rt.setInstructionBreakpoints(vm, table.addresses());
  }

  /** A line's statement addresses in a VM's image, the first per function (as bare metal). */
  private lineAddresses(vm: string, file: string, line: number): { addresses: number[]; known: boolean } {
    const view = this.views.get(vm)!;
    const r = view.lineAddresses(file, line);
    return { addresses: onePerFunction(r.addresses.sort((a, b) => a - b), (a) => view.functionStart(a)), known: r.known };
  }

  private setBreakpoints(ep: Endpoint, args: Args): unknown {
    const source = (args.source ?? {}) as { path?: string };
    const file = source.path ?? '';
    const wanted = ((args.breakpoints as { line: number }[]) ?? []).map((b) => ({ line: b.line, options: breakpointOptions(b) }));
    const vms = this.sessionVm(ep);
    if (vms.length === 0) return { breakpoints: wanted.map((w) => ({ verified: true, line: w.line, message: 'set in the VM sessions' })) };
    const results = wanted.map((w) => {
      let found: { vm: string; addresses: number[] } | undefined;
      let known = false;
      for (const vm of vms) {
        const r = this.lineAddresses(vm, file, w.line);
        known ||= r.known;
        if (r.addresses.length && !found) found = { vm, addresses: r.addresses };
      }
      return { ...w, found, known, error: conditionError(w.options), id: this.bpId(`${ep.vm ?? '*'}:source:${file}:${w.line}`, 'breakpoint') };
    });
    for (const vm of vms) {
      const list = results.flatMap((r) => {
        const addresses = r.found ? this.lineAddresses(vm, file, r.line).addresses : [];
        return addresses.length ? [{ line: r.line, addresses, id: r.id, ...r.options }] : [];
      });
      this.bps.get(vm)!.lines.set(file, list);
      this.install(vm);
    }
    return {
      breakpoints: results.map((r) => {
        if (!r.found) return { id: r.id, verified: false, line: r.line, message: r.known ? `no code at line ${r.line} of ${path.basename(file)}` : `${path.basename(file)} is not part of ${vms.length === 1 ? `VM ${vms[0]}'s image` : 'any VM image'}` };
        if (r.error) return { id: r.id, verified: false, line: r.line, source, message: r.error };
        return { id: r.id, verified: true, line: r.line, source, instructionReference: hex(r.found.addresses[0]) };
      }),
    };
  }

  private lineLocations(ep: Endpoint, args: Args): unknown[] {
    const file = ((args.source ?? {}) as { path?: string }).path ?? '';
    const line = typeof args.line === 'number' ? args.line : 0;
    const end = typeof args.endLine === 'number' ? args.endLine : line;
    const out: { line: number }[] = [];
    for (let l = line; l <= end; l++) if (this.sessionVm(ep).some((vm) => this.views.get(vm)!.lineAddresses(file, l).addresses.length)) out.push({ line: l });
    return out;
  }

  private setFunctionBreakpoints(ep: Endpoint, args: Args): unknown {
    const wanted = ((args.breakpoints as { name: string }[]) ?? []).map((b) => ({ name: String(b.name ?? '').trim(), options: breakpointOptions(b) }));
    const vms = this.sessionVm(ep);
    if (vms.length === 0) return { breakpoints: wanted.map(() => ({ verified: true, message: 'set in the VM sessions' })) };
    const results = wanted.map((w) => ({ ...w, error: conditionError(w.options), id: this.bpId(`${ep.vm ?? '*'}:function:${w.name}`, 'function breakpoint'), where: [] as { vm: string; address: number }[] }));
    for (const vm of vms) {
      const view = this.views.get(vm)!;
      const list = results.map((r) => {
        const m = /^\*?(0x[0-9a-f]+)$/i.exec(r.name);
        const address = m ? Number(m[1]) >>> 0 : view.functionBreakAddress(r.name);
        if (address !== undefined) r.where.push({ vm, address });
        return { name: r.name, address, id: r.id, ...r.options };
      });
      this.bps.get(vm)!.functions = list;
      this.install(vm);
    }
    return {
      breakpoints: results.map((r) => {
        if (!r.where.length) return { id: r.id, verified: false, message: `no function ${r.name} in ${vms.length === 1 ? `VM ${vms[0]}'s image` : 'any VM image'}` };
        const loc = this.views.get(r.where[0].vm)!.location(r.where[0].address);
        return { id: r.id, verified: r.error === undefined, message: r.error, instructionReference: hex(r.where[0].address), line: loc?.line, source: loc ? this.sources.source(loc.file) : undefined };
      }),
    };
  }

  private setInstructionBreakpoints(ep: Endpoint, args: Args): unknown {
    const vm = ep.vm ?? ep.currentVm ?? this.vmNames[0];
    const list = ((args.breakpoints as { instructionReference: string; offset?: number }[]) ?? []).map((b) => {
      const { address } = this.memRef(ep, b.instructionReference, b.offset);
      const options = breakpointOptions(b);
      return { address, id: this.bpId(`${vm}:instruction:${address}`, 'instruction breakpoint'), error: conditionError(options), ...options };
    });
    this.bps.get(vm)!.instructions = list;
    this.install(vm);
    return {
      breakpoints: list.map((b) => {
        const message = b.address & 3 ? 'not 4-byte aligned' : b.error;
        return { id: b.id, verified: message === undefined, instructionReference: hex(b.address), message };
      }),
    };
  }

  /** dataId: `vm:0x…/SIZE` (single mode) or `0x…/SIZE` of the session's VM. */
  private dataBreakpointInfo(ep: Endpoint, args: Args): unknown {
    if (typeof args.variablesReference === 'number' && args.variablesReference > 0) {
      const ref = this.vars.get(args.variablesReference);
      if (ref?.kind === 'registers' || ref?.kind === 'csrs') return { dataId: null, description: 'registers cannot be watched: watch the memory it points to' };
    }
    const name = String(args.name ?? '').trim();
    const t = this.frameTarget(ep, args.frameId);
    const vm = ep.vm ?? t?.vm ?? ep.currentVm ?? this.vmNames[0];
    const ref = args.asAddress === true ? this.memRef(ep, name, 0) : { vm, address: this.evalAddress(vm, t?.vcpu ?? 0, name) };
    const size = typeof args.bytes === 'number' ? args.bytes : 4;
    const bus = this.rt.vm(ref.vm).bus;
    if (bus.ramOffset(ref.address, size) < 0) return { dataId: null, description: `${hex(ref.address)} is not RAM of VM ${ref.vm}` };
    return { dataId: `${ep.vm ? '' : ref.vm + ':'}${hex(ref.address)}/${size}`, description: `${size} bytes at ${hex(ref.address)} of VM ${ref.vm}`, accessTypes: ['read', 'write', 'readWrite'], canPersist: true };
  }

  /** A watch expression names memory: `*(u32*)0x…`, a symbol, `sym+8`, or an address. */
  private evalAddress(vm: string, vcpu: number, text: string): number {
    const deref = /^\*\s*(?:\([^)]*\))?\s*(.+)$/.exec(text);
    return this.evalNumber(vm, vcpu, deref ? deref[1] : text) >>> 0;
  }

  private setDataBreakpoints(ep: Endpoint, args: Args): unknown {
    const list = (Array.isArray(args.breakpoints) ? args.breakpoints : []) as { dataId: string; accessType?: string }[];
    const vms = ep.vm ? [ep.vm] : ep.threads.length ? this.vmNames : [];
    const specs = new Map<string, { id: number; address: number; size: number; access: 'read' | 'write' | 'readWrite' }[]>(vms.map((v) => [v, []]));
    const results = list.map((b) => {
      const m = /^(?:([A-Za-z0-9_.-]+):)?(0x[0-9a-f]+)\/(\d+)$/i.exec(String(b.dataId));
      const vm = m?.[1] ?? ep.vm ?? this.vmNames[0];
      if (!m || !specs.has(vm)) return { verified: false, message: `bad dataId ${JSON.stringify(b.dataId)}` };
      const id = ++this.nextBpId;
      const access = b.accessType === 'read' || b.accessType === 'readWrite' ? b.accessType : 'write';
      specs.get(vm)!.push({ id, address: Number(m[2]) >>> 0, size: Number(m[3]), access });
      return { id, verified: true };
    });
    for (const [vm, s] of specs) this.rt.setWatchpoints(vm, s);
    return { breakpoints: results };
  }

  private setFilters(args: Args): unknown {
    const filters = Array.isArray(args.filters) ? (args.filters as string[]) : [];
    const options = Array.isArray(args.filterOptions) ? (args.filterOptions as { filterId: string; condition?: string }[]) : [];
    const on = new Set([...filters, ...options.map((o) => o.filterId)]);
    const hc = options.find((o) => o.filterId === FILTERS.hypercall)?.condition ?? '';
    this.filters = {
      hypercall: on.has(FILTERS.hypercall),
      hypercallNames: hc.split(/[\s,]+/).filter(Boolean),
      guestTrap: on.has(FILTERS.guestTrap),
      vmCrash: on.has(FILTERS.vmCrash),
      vmRestart: on.has(FILTERS.vmRestart),
      iommu: on.has(FILTERS.iommuViolation),
    };
    this.applyFilters();
    return { breakpoints: [...on].map((f) => (Object.values(FILTERS) as string[]).includes(f) ? { verified: true } : { verified: false, message: `unknown exception filter ${JSON.stringify(f)}` }) };
  }

  private applyFilters(): void {
    const f = this.filters;
    this.rt.setStopFilters({ hypercall: f.hypercall, guestTrap: f.guestTrap, vmFault: f.vmCrash, vmRestart: f.vmRestart, iommu: f.iommu });
  }

  // ---- stacks and variables -------------------------------------------------------------

  private stackTrace(ep: Endpoint, args: Args): unknown {
    this.requireStopped('stackTrace');
    const t = this.thread(ep, args.threadId);
    const view = this.views.get(t.vm)!;
    const all = view.stackFrames(t.vcpu);
    const start = typeof args.startFrame === 'number' && args.startFrame > 0 ? Math.floor(args.startFrame) : 0;
    const levels = typeof args.levels === 'number' && args.levels > 0 ? Math.floor(args.levels) : all.length;
    return {
      totalFrames: all.length,
      stackFrames: all.slice(start, start + levels).map((f, k) => ({
        id: this.frames.create({ vm: t.vm, vcpu: t.vcpu, pc: f.pc, depth: start + k, registers: f.registers }),
        name: frameName(f) + (start + k === 0 && ep.vm === undefined ? ` [${t.vm}]` : ''),
        source: f.source ? this.sources.source(f.source.file) : undefined,
        line: f.source?.line ?? 0,
        column: f.source ? Math.max(1, f.source.column) : 0,
        instructionPointerReference: hex(f.pc),
        presentationHint: f.source ? 'normal' : 'subtle',
      })),
    };
  }

  private scopes(ep: Endpoint, args: Args): unknown {
    const t = this.frameTarget(ep, args.frameId);
    if (!t) throw new Error('scopes: no frame');
    const vmInfo = this.rt.vms().find((v) => v.name === t.vm)!;
    const grants = this.rt.grants(t.vm);
    let registry: unknown;
    try {
      registry = this.registryTree(`/vm/${vmInfo.domid}`);
    } catch {
      registry = undefined;
    }
    const vmScope = {
      name: vmInfo.name, state: this.vmStates.get(t.vm)?.state, hypervisorState: vmInfo.state, role: vmInfo.role, domid: vmInfo.domid, restarts: vmInfo.restarts,
      vcpus: this.rt.vcpus(t.vm), ram: { base: hex(vmInfo.ramBase), bytes: vmInfo.ramBytes }, devices: vmInfo.devices.map((d) => d.name),
      grants, eventChannels: this.rt.eventChannels(t.vm), registry,
    };
    const devices = Object.fromEntries(vmInfo.devices.map((d) => [d.name, { kind: d.kind, base: hex(d.base), size: d.size, irq: d.irq, state: d.state }]));
    return {
      scopes: [
        t.frame
          ? { name: 'Registers (unwound)', presentationHint: 'registers', variablesReference: this.vars.create({ kind: 'unwound', vm: t.vm, vcpu: t.vcpu, pc: t.frame.pc, registers: t.frame.registers }), expensive: false }
          : { name: 'Registers', presentationHint: 'registers', variablesReference: this.vars.create({ kind: 'registers', vm: t.vm, vcpu: t.vcpu }), expensive: false },
        { name: 'CSRs', presentationHint: 'registers', variablesReference: this.vars.create({ kind: 'csrs', vm: t.vm, vcpu: t.vcpu }), expensive: false },
        { name: `VM ${t.vm}`, variablesReference: this.vars.create({ kind: 'value', value: vmScope }), expensive: false },
        { name: 'Devices', variablesReference: this.vars.create({ kind: 'value', value: devices }), expensive: false },
      ],
    };
  }

  private registryTree(p: string): unknown {
    const d = this.rt.registryDump(p);
    if (!d) return undefined;
    const walk = (n: { path: string; value: string; children: readonly unknown[] }): unknown =>
      n.children.length ? Object.fromEntries([['(value)', n.value], ...(n.children as { path: string; value: string; children: readonly unknown[] }[]).map((c) => [c.path.split('/').pop(), walk(c)])]) : n.value;
    return walk(d);
  }

  private variables(args: Args): DebugProtocol.Variable[] {
    const ref = typeof args.variablesReference === 'number' ? this.vars.get(args.variablesReference) : undefined;
    if (!ref) throw new Error('variables: unknown reference (variables are valid while stopped)');
    if (ref.kind === 'registers') {
      return this.rt.registers(ref.vm, ref.vcpu).map((r) => ({ name: r.name, value: hex(r.value), variablesReference: 0, memoryReference: this.pointerLike(ref.vm, r.value) ? hex(r.value) : undefined }));
    }
    if (ref.kind === 'unwound') {
      const out = ABI_NAMES.map((name, i) => {
        const v = ref.registers[i];
        return v === undefined
          ? { name, value: '<not saved>', variablesReference: 0, presentationHint: { attributes: ['readOnly'] } }
          : { name, value: hex(v), variablesReference: 0, memoryReference: this.pointerLike(ref.vm, v) ? hex(v) : undefined };
      });
      out.push({ name: 'pc', value: hex(ref.pc), variablesReference: 0, memoryReference: hex(ref.pc) });
      return out;
    }
    if (ref.kind === 'csrs') {
      return CSRS.map((c) => {
        let v: number | undefined;
        try {
          v = this.rt.readCsr(ref.vm, ref.vcpu, c);
        } catch {
          v = undefined;
        }
        return { name: c, value: v === undefined ? '<unavailable>' : hex(v), variablesReference: 0 };
      });
    }
    const value = ref.value;
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value as object).filter(([, v]) => v !== undefined);
    return entries.map(([name, v]) => {
      if (v !== null && typeof v === 'object') {
        const n = Array.isArray(v) ? v.length : Object.keys(v).length;
        return { name, value: Array.isArray(v) ? `[${n}]` : `{${n}}`, variablesReference: n ? this.vars.create({ kind: 'value', value: v }) : 0 };
      }
      return { name, value: typeof v === 'string' ? v : String(v), variablesReference: 0 };
    });
  }

  private pointerLike(vm: string, value: number): boolean {
    const info = this.rt.vm(vm).bus;
    return value >= info.ramBase && value < info.ramBase + info.ramSize;
  }

  private setVariable(args: Args): unknown {
    const ref = typeof args.variablesReference === 'number' ? this.vars.get(args.variablesReference) : undefined;
    if (!ref || ref.kind === 'value') throw new Error('setVariable: only registers and CSRs can be set');
    if (ref.kind === 'unwound') throw new Error("setVariable: only the innermost frame's registers can be set");
    const value = this.evalNumber(ref.vm, ref.vcpu, String(args.value ?? '')) >>> 0;
    if (ref.kind === 'registers') this.rt.setRegister(ref.vm, ref.vcpu, String(args.name), value);
    else this.rt.writeCsr(ref.vm, ref.vcpu, String(args.name), value);
    return { value: hex(value) };
  }

  // ---- evaluate -------------------------------------------------------------------------

  /**
   * An expression of the bare-metal expression language (runtime-expr.ts) in
   * a vCPU of a VM: registers, pc, CSRs, symbols, memory as the vCPU sees it.
   * In an outer frame, its pc and the registers unwinding recovered.
   */
  private evalNumber(vm: string, vcpu: number, text: string, frame?: FrameRef): number {
    const base = this.views.get(vm)!.exprContext(vcpu);
    const ctx: ExprContext = !frame ? base : {
      ...base,
      pc: () => frame.pc,
      register: (i) => {
        const v = frame.registers[i];
        if (v === undefined) throw new ExprError(`${ABI_NAMES[i]} was not saved by the frames below: its value in this frame is not known`);
        return v | 0;
      },
    };
    return evaluateExpression(text, ctx).value >>> 0;
  }

  private evaluate(ep: Endpoint, args: Args): unknown {
    const text = String(args.expression ?? '').trim();
    const words = text.split(/\s+/);
    const out = (result: string) => ({ result, variablesReference: 0 });
    switch (words[0]) {
      case 'vms':
        return out(this.listVms().map((v) => `${String(v.name).padEnd(10)} ${String(v.state).padEnd(10)} domid ${v.domid} ${v.role} restarts ${v.restarts} devices ${(v.devices as string[]).join(',') || '-'}`).join('\n'));
      case 'hypercalls': {
        const vm = words[1] && !/^\d+$/.test(words[1]) ? words[1] : undefined;
        const n = Number(words.find((w, i) => i > 0 && /^\d+$/.test(w)) ?? 20);
        const list = this.hypercallLog.filter((e) => !vm || e.vm === vm).slice(-n);
        return out(list.map((e) => `${(e.time / CYCLES_PER_MS).toFixed(3)} ms ${e.vm}/cpu${e.vcpu ?? 0} ${e.name}(${(e.args ?? []).map((a) => hex(a)).join(', ')}) → ${e.error ?? 0}, ${e.value ?? 0}`).join('\n') || '(no hypercalls)');
      }
      case 'inject': {
        if (words.length < 3 || !this.views.has(words[1])) throw new Error(`usage: inject VM KIND (VMs: ${this.vmNames.join(', ')})`);
        const rec = this.rt.inject(words[1], this.kind(words[2]));
        return out(`${rec.kind} injected into ${words[1]} (applies when the system runs)`);
      }
      case 'restart':
        if (!words[1] || !this.views.has(words[1])) throw new Error(`usage: restart VM (VMs: ${this.vmNames.join(', ')})`);
        this.rt.vmControl(words[1], 'reboot');
        return out(`VM ${words[1]} reboots`);
      case 'registry':
        if (words[1] === 'ls') {
          const d = this.rt.registryDump(words[2] ?? '/');
          if (!d) throw new Error(`no registry node ${words[2] ?? '/'}`);
          return out(d.children.map((c) => `${c.path.split('/').pop()}${c.children.length ? '/' : ''}${c.value ? ` = ${c.value}` : ''}`).join('\n') || `${d.path} = ${d.value}`);
        }
        throw new Error('usage: registry ls PATH');
      default: {
        const t = this.frameTarget(ep, args.frameId);
        if (!t) throw new Error('evaluate: name a VM session, or use vms, hypercalls, inject, restart, registry ls');
        const v = this.evalNumber(t.vm, t.vcpu, text, t.frame) >>> 0;
        return { result: hex(v), variablesReference: 0, memoryReference: this.pointerLike(t.vm, v) ? hex(v) : undefined };
      }
    }
  }
}

/** Starts a system launch on `session`; the response is sent (error or success). */
export function launchSystem(session: DebugSession, caps: DebugProtocol.InitializeRequestArguments, request: DebugProtocol.Request): SystemDebug | undefined {
  const response: DebugProtocol.Response = new Response(request);
  try {
    const sys = new SystemDebug(session, caps, (request.arguments ?? {}) as Args);
    sys.launched(response);
    return sys;
  } catch (e) {
    response.success = false;
    const msg = `launch failed: ${(e as Error).message}`;
    response.message = msg;
    (response as DebugProtocol.ErrorResponse).body = { error: { id: 1, format: msg.replace(/[{}]/g, ''), showUser: true } };
    session.sendResponse(response);
    return undefined;
  }
}
