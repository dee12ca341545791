/**
 * The pvlab DAP session. It translates: DAP requests become runtime calls and
 * runtime events become DAP events. Emulation, stepping logic and expression
 * evaluation live in the runtime (emulator/system/runtime*.ts).
 *
 * Roles:
 *   single  every hart of every VM is a thread named `vm/cpuN` (clients without startDebugging)
 *   parent  the system session of `sessions: "multi"`: no threads of its own; one child per VM
 *   child   one VM; its harts are its threads (`cpuN`); attached through the parent's server
 *
 * Bad input (malformed, unknown or out-of-order requests, missing files) gets an
 * error response; the adapter keeps running.
 */
import * as net from 'net';
import {
  BreakpointEvent, DebugSession, Event, ExitedEvent, Handles, InitializedEvent, InvalidatedEvent, MemoryEvent, OutputEvent,
  Response, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { describeCause } from '../emulator/cpu/constants';
import type { FaultSpec, RuntimeFrame, RuntimeStop } from '../emulator/system/runtime';
import { BreakpointManager } from './breakpoints';
import { disassemble } from './disassembly';
import { evaluate } from './evaluate';
import { baseName, frameName, hex32, intArg, parseAddress } from './format';
import { LaunchError, LaunchOptions, loadProgram, parseFault, parseLaunchArgs } from './launch';
import { decodeBase64, readMemory, writeMemory } from './memory';
import { EVENTS, FILTERS, REQUESTS } from './protocol';
import { DebugSystem, StepKind, VmTarget, crashReason } from './system';
import { SourceResolver } from './sources';
import { VariableStore } from './variables';
import { SystemDebug, isSystemAttach, isSystemLaunch, launchSystem } from './system-session';

type Role = 'single' | 'parent' | 'child';

interface ThreadInfo {
  id: number;
  vm: VmTarget;
  hart: number;
  name: string;
}

interface FrameRef {
  vm: VmTarget;
  hart: number;
  depth: number;
  frame: RuntimeFrame;
}

type Args = Record<string, unknown>;

/** Systems launched in this process, by token, for child sessions that attach to them (server mode). */
const systems = new Map<string, { system: DebugSystem; parent: PvlabSession }>();
let tokenCounter = 0;

/** The standard DAP requests this adapter knows (others go to customRequest). */
const DAP_REQUESTS = new Set([
  'initialize', 'launch', 'attach', 'disconnect', 'terminate', 'restart', 'setBreakpoints', 'setFunctionBreakpoints',
  'setExceptionBreakpoints', 'configurationDone', 'continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue',
  'restartFrame', 'goto', 'pause', 'source', 'threads', 'terminateThreads', 'stackTrace', 'scopes', 'variables',
  'setVariable', 'setExpression', 'evaluate', 'stepInTargets', 'gotoTargets', 'completions', 'exceptionInfo',
  'loadedSources', 'dataBreakpointInfo', 'setDataBreakpoints', 'readMemory', 'writeMemory', 'disassemble', 'cancel',
  'breakpointLocations', 'setInstructionBreakpoints', 'modules',
]);

/** Requests that make sense before `launch`. */
const BEFORE_LAUNCH = new Set(['initialize', 'launch', 'attach', 'disconnect', 'terminate', 'setBreakpoints', 'setExceptionBreakpoints', 'threads', 'cancel']);

export class PvlabSession extends DebugSession {
  private client: DebugProtocol.InitializeRequestArguments = { adapterID: 'pvlab' };
  private initialized = false;
  private launched = false;
  private configured = false;
  private terminated = false;
  private role: Role = 'single';
  private system: DebugSystem | undefined;
  private options: LaunchOptions | undefined;
  private readonly breakpoints = new BreakpointManager();
  private variables: VariableStore | undefined;
  private frames = new Handles<FrameRef>();
  private threads: ThreadInfo[] = [];
  private filters = new Set<string>([FILTERS.vmCrash]);
  /** The VM a child session debugs. */
  private childVm: VmTarget | undefined;
  private server: net.Server | undefined;
  private token: string | undefined;
  private readonly children: PvlabSession[] = [];
  /** A system launch (or a VM session of one): every request goes to it (system-session.ts). */
  private systemDebug: SystemDebug | undefined;
  /** DWARF paths → files the client can open. */
  private sources: SourceResolver | undefined;

  constructor(obsoleteLinesAndColumnsStartAt1?: boolean, isServer?: boolean) {
    super(obsoleteLinesAndColumnsStartAt1, isServer);
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    // The base class shuts the process down on a protocol error (for example a
    // message that is not JSON). Report it instead and keep serving.
    this.removeAllListeners('error');
    this.on('error', (e: { body?: unknown }) => {
      const text = typeof e?.body === 'string' ? e.body : 'protocol error';
      this.sendEvent(new OutputEvent(`pvlab: ignored a message that could not be handled (${text})\n`, 'console'));
    });
  }

  // ---- plumbing --------------------------------------------------------------------

  /** Every request: shape checks and ordering, then the handler; an exception becomes an error response. */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response = new Response(request);
    if (typeof request.command !== 'string' || request.command === '') {
      this.fail(response, 'the request has no command');
      return;
    }
    if (request.arguments !== undefined && (typeof request.arguments !== 'object' || request.arguments === null || Array.isArray(request.arguments))) {
      this.fail(response, `${request.command}: "arguments" must be an object`);
      return;
    }
    if (request.command === 'initialize') {
      if (this.initialized) {
        this.fail(response, 'initialize: the session is already initialized');
        return;
      }
      // pathFormat is optional in DAP (default "path"); the base class insists on it.
      const args = (request.arguments ?? {}) as Args;
      request.arguments = { ...args, pathFormat: args.pathFormat ?? 'path' };
    } else if (!this.initialized) {
      this.fail(response, `${request.command}: send "initialize" first`);
      return;
    } else if (this.systemDebug) {
      this.systemDebug.handle(this, request, response);
      return;
    } else if (request.command === 'launch' && !this.launched && isSystemLaunch(request.arguments)) {
      this.systemDebug = launchSystem(this, this.client, request);
      this.launched = this.systemDebug !== undefined;
      return;
    } else if (request.command === 'attach' && !this.launched && isSystemAttach(request.arguments)) {
      this.systemDebug = SystemDebug.attach(this, request, response);
      this.launched = this.systemDebug !== undefined;
      return;
    } else if (!this.launched && DAP_REQUESTS.has(request.command) && !BEFORE_LAUNCH.has(request.command)) {
      this.fail(response, `${request.command}: no program is running (send "launch" first)`);
      return;
    }
    try {
      super.dispatchRequest(request);
    } catch (e) {
      this.fail(response, (e as Error).message);
    }
  }

  private fail(response: DebugProtocol.Response, e: unknown, showUser = true): void {
    const message = e instanceof Error ? e.message : String(e);
    response.success = false;
    response.message = message;
    response.body = { error: { id: 1001, format: message.replace(/[{}]/g, ''), showUser } };
    this.sendResponse(response);
  }

  /** Runs a handler; its exception becomes an error response. */
  private handle(response: DebugProtocol.Response, body: () => void, showUser = true): void {
    try {
      body();
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, e, showUser);
    }
  }

  private args(a: unknown): Args {
    return (a ?? {}) as Args;
  }

  private requireSystem(): DebugSystem {
    if (!this.system) throw new Error('no program is running');
    return this.system;
  }

  /** For continue and steps: stopped, and able to go on. */
  private requireResumable(what: string): DebugSystem {
    const s = this.requireStopped(what);
    if (s.state === 'crashed') throw new Error(`${what}: the VM has crashed and cannot go on (${s.vms[0].reason ?? 'crash'}); inspect it, or end the session`);
    return s;
  }

  private requireStopped(what: string): DebugSystem {
    const s = this.requireSystem();
    if (!this.configured) throw new Error(`${what}: the session is not configured yet (configurationDone)`);
    if (s.isRunning) throw new Error(`${what}: the program is running; pause it first`);
    if (s.state === 'exited') throw new Error(`${what}: the program has ended`);
    return s;
  }

  private thread(id: unknown): ThreadInfo {
    const t = this.threads.find((x) => x.id === id);
    if (!t) throw new Error(`no thread ${JSON.stringify(id)}`);
    return t;
  }

  /** The VM and hart for requests without a thread (memory, evaluate without a frame). */
  private defaultTarget(): { vm: VmTarget; hart: number } {
    const t = this.threads[0];
    if (t) return { vm: t.vm, hart: t.hart };
    const s = this.requireSystem();
    return { vm: this.childVm ?? s.vms[0], hart: 0 };
  }

  private targetOfFrame(frameId: unknown): { vm: VmTarget; hart: number; ref?: FrameRef } {
    if (frameId === undefined || frameId === null) return this.defaultTarget();
    const ref = this.frames.get(frameId as number);
    if (!ref) throw new Error(`no stack frame ${JSON.stringify(frameId)} (frames expire when the program runs)`);
    return { vm: ref.vm, hart: ref.hart, ref };
  }

  // ---- lifecycle -------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.client = args;
    this.initialized = true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsSteppingGranularity: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsBreakpointLocationsRequest: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      supportsDelayedStackTraceLoading: true,
      exceptionBreakpointFilters: [
        { filter: FILTERS.hypercall, label: 'Hypercall', description: 'Stop when a guest makes a hypercall (on a bare-metal machine: any ecall)', default: false },
        { filter: FILTERS.guestTrap, label: 'Guest trap', description: 'Stop when a guest takes an exception (before its trap handler runs)', default: false },
        { filter: FILTERS.vmCrash, label: 'VM crash', description: 'Stop when a VM cannot go on (unhandled fault, pc in unmapped memory, deadlock) instead of ending the session', default: true },
        { filter: FILTERS.vmRestart, label: 'VM restart', description: 'Stop when the hypervisor restarts a VM (systems only)', default: false },
        { filter: FILTERS.iommuViolation, label: 'IOMMU violation', description: 'Stop when a device DMAs outside its VM (systems only)', default: false },
        { filter: FILTERS.ebreak, label: 'Guest ebreak', description: "Stop at a guest's own ebreak instead of delivering it to the guest", default: false },
      ],
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, rawArgs: DebugProtocol.LaunchRequestArguments): void {
    if (this.launched) {
      this.fail(response, 'launch: a program is already running in this session');
      return;
    }
    let opts: LaunchOptions;
    try {
      opts = parseLaunchArgs(rawArgs ?? {});
      const runtime = loadProgram(opts);
      this.options = opts;
      this.system = new DebugSystem(runtime, baseName(opts.program ?? opts.system ?? ''));
    } catch (e) {
      this.fail(response, e instanceof LaunchError ? e.message : `launch failed: ${(e as Error).message}`);
      return;
    }
    const system = this.system;
    const rt = system.runtime;
    rt.setTrace(opts.trace);
    rt.scheduleFaults(opts.faults);
    this.applyFilters();
    this.launched = true;
    const multi = opts.sessions === 'multi' && this.client.supportsStartDebuggingRequest === true;
    if (opts.sessions === 'multi' && !multi) {
      this.sendEvent(new OutputEvent('pvlab: this client cannot start child sessions (no startDebugging); using one session with a thread per hart\n', 'console'));
    }
    this.role = multi ? 'parent' : 'single';
    this.useSources(opts);
    this.breakpoints.install = this.role === 'single';
    if (this.role === 'single') this.adopt(system, system.vms);
    this.variables = new VariableStore(system);
    this.subscribe(system);
    for (const bp of this.breakpoints.attach(rt)) this.sendEvent(new BreakpointEvent('changed', bp));
    if (rt.lineTableError) this.sendEvent(new OutputEvent(`pvlab: no source lines: ${rt.lineTableError}\n`, 'console'));
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  private useSources(opts: LaunchOptions): void {
    this.sources = new SourceResolver(opts.sourceRoots, opts.program, process.cwd());
    this.breakpoints.resolver = this.sources;
  }

  /** A DAP Source for a DWARF path, resolved to a file the client can open when one exists. */
  private sourceOf(file: string): DebugProtocol.Source {
    const s = this.sources ? this.sources.source(file) : { name: baseName(file), path: file };
    return { ...s, path: this.convertDebuggerPathToClient(s.path as string) };
  }

  /** Takes these VMs' harts as this session's threads. */
  private adopt(system: DebugSystem, vms: VmTarget[]): void {
    let id = 1;
    for (const vm of vms) {
      for (let h = 0; h < vm.harts; h++) {
        this.threads.push({ id: id++, vm, hart: h, name: this.role === 'child' ? `cpu${h}` : `${vm.name}/cpu${h}` });
      }
    }
    this.system = system;
  }

  private subscribe(system: DebugSystem): void {
    const mine = (vm: VmTarget) => this.role === 'single' || (this.role === 'child' && vm === this.childVm);
    const many = system.vms.length > 1;
    system.on('output', (vm: VmTarget, text: string) => {
      if (mine(vm)) this.sendEvent(new OutputEvent(many && this.role === 'single' ? prefixLines(`[${vm.name}] `, text) : text, 'stdout'));
    });
    system.on('log', (vm: VmTarget, text: string) => {
      if (mine(vm) || this.role === 'parent') this.sendEvent(new OutputEvent(text + '\n', 'console'));
    });
    system.on('trace', (vm: VmTarget, text: string) => {
      if (mine(vm)) this.sendEvent(new OutputEvent(text + '\n', 'console'));
    });
    system.on('fault', (vm: VmTarget, rec: { description: string; pc: number; retired: number; fault: FaultSpec }) => {
      if (this.role === 'child') return;
      this.sendEvent(new OutputEvent(`pvlab: fault injected into ${vm.name} after ${rec.retired} instructions: ${rec.description}\n`, 'console'));
      this.sendEvent(new Event(EVENTS.fault, { timeMs: system.nowMs(), vm: vm.name, kind: rec.fault.kind, message: rec.description, pc: hex32(rec.pc), injected: true }));
      this.invalidate();
    });
    system.on('vmState', (vm: VmTarget) => {
      if (this.role === 'child') return;
      this.sendEvent(new Event(EVENTS.vmState, { name: vm.name, state: vm.state, restarts: 0, vcpus: vm.harts, reason: vm.reason, timeMs: system.nowMs() }));
    });
    system.on('continued', () => {
      this.frames.reset();
      this.variables?.reset();
    });
    system.on('stopped', (vm: VmTarget, stop: RuntimeStop) => {
      if (mine(vm)) this.stopped(vm, stop);
    });
    system.on('exited', (code: number) => {
      this.sendEvent(new ExitedEvent(code));
      this.end();
    });
  }

  private end(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.sendEvent(new TerminatedEvent());
  }

  private stopped(vm: VmTarget, stop: RuntimeStop): void {
    this.frames.reset();
    this.variables?.reset();
    const thread = this.threads.find((t) => t.vm === vm && t.hart === (this.system?.lastStopHart ?? 0)) ?? this.threads[0];
    const tid = thread?.id ?? 1;
    let ev: DebugProtocol.StoppedEvent;
    switch (stop.kind) {
      case 'breakpoint': {
        const ids = stop.ids.filter((i) => i > 0);
        const kinds = new Set(ids.map((i) => this.breakpoints.kindOf(i)));
        const reason = kinds.has('source') ? 'breakpoint' : kinds.has('function') ? 'function breakpoint' : kinds.has('instruction') ? 'instruction breakpoint' : 'breakpoint';
        ev = new StoppedEvent(reason, tid);
        if (ids.length) ev.body.hitBreakpointIds = ids;
        break;
      }
      case 'watchpoint': {
        const h = stop.hits[0];
        ev = new StoppedEvent('data breakpoint', tid);
        ev.body.description = `${h.access === 'write' ? 'Write' : 'Read'} of ${h.size} byte${h.size === 1 ? '' : 's'} at ${hex32(h.address)} (value ${hex32(h.value)})`;
        ev.body.hitBreakpointIds = stop.hits.map((x) => x.id);
        break;
      }
      case 'trap':
        ev = new StoppedEvent('exception', tid, stop.trap.description);
        ev.body.description = `${stop.trap.category === 'ecall' ? 'Hypercall' : 'Guest trap'}: ${stop.trap.description}`;
        break;
      case 'step':
        ev = new StoppedEvent('step', tid);
        break;
      case 'paused':
        ev = new StoppedEvent('pause', tid);
        break;
      case 'exit':
        return;
      default: {
        const why = crashReason(stop);
        if (!this.filters.has(FILTERS.vmCrash)) {
          this.sendEvent(new OutputEvent(`pvlab: ${vm.name} crashed: ${why}\n`, 'stderr'));
          this.end();
          return;
        }
        ev = new StoppedEvent('exception', tid, why);
        ev.body.description = `VM crash: ${why}`;
      }
    }
    ev.body.allThreadsStopped = true;
    this.sendEvent(ev);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    if (this.role === 'child') {
      this.sendResponse(response);
      return;
    }
    if (this.configured) {
      this.fail(response, 'configurationDone: already done');
      return;
    }
    const system = this.requireSystem();
    this.configured = true;
    this.sendResponse(response);
    if (this.role === 'parent') {
      this.startChildren(system);
      return;
    }
    this.startRun(system);
  }

  private startRun(system: DebugSystem): void {
    if (this.options?.stopOnEntry) {
      system.stopOnEntry();
      for (const s of [this, ...this.children]) {
        const t = s.threads[0];
        if (!t) continue;
        const ev: DebugProtocol.StoppedEvent = new StoppedEvent('entry', t.id);
        ev.body.allThreadsStopped = true;
        s.sendEvent(ev);
      }
    } else {
      setImmediate(() => system.continue());
    }
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.system?.terminate();
    this.sendResponse(response);
    // All-stop: a system without one of its sessions does not go on; the others end too.
    const parent = this.role === 'child' ? this.parentEntry()?.parent : this.role === 'parent' ? this : undefined;
    if (parent) for (const s of [parent, ...parent.children]) if (s !== this) s.end();
    this.closeServer();
    if (this.role !== 'child') this.shutdown();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.system?.terminate();
    this.sendResponse(response);
    for (const c of this.children) c.end();
    this.end();
  }

  // ---- multi-session: parent and children (startDebugging) ---------------------------

  private startChildren(system: DebugSystem): void {
    this.token = `pvlab-${process.pid}-${++tokenCounter}`;
    systems.set(this.token, { system, parent: this });
    this.server = net.createServer((socket) => {
      const child = new PvlabSession(false, true);
      child.setRunAsServer(true);
      child.start(socket, socket);
      socket.on('error', () => socket.destroy());
    });
    this.server.listen(0, '127.0.0.1', () => {
      const port = (this.server?.address() as net.AddressInfo).port;
      for (const vm of system.vms) {
        const configuration = { type: 'pvlab', request: 'attach', name: vm.name, vm: vm.name, debugServer: port, pvlabSystem: this.token };
        this.sendRequest('startDebugging', { request: 'attach', configuration }, 10_000, (r) => {
          if (!r.success) this.sendEvent(new OutputEvent(`pvlab: the client did not start a session for ${vm.name}: ${r.message}\n`, 'stderr'));
        });
      }
    });
  }

  /** Called by a child session when it has attached: the run starts once every VM has its session. */
  private childAttached(child: PvlabSession): void {
    this.children.push(child);
    const system = this.system as DebugSystem;
    if (this.children.length === system.vms.length) this.startRun(system);
  }

  private closeServer(): void {
    if (this.token) systems.delete(this.token);
    this.server?.close();
    this.server = undefined;
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse, rawArgs: DebugProtocol.AttachRequestArguments): void {
    const args = this.args(rawArgs);
    const entry = typeof args.pvlabSystem === 'string' ? systems.get(args.pvlabSystem) : undefined;
    if (!entry) {
      this.fail(response, 'attach: pvlab sessions attach only as children of a running system session ("sessions": "multi")');
      return;
    }
    const vm = entry.system.vm(typeof args.vm === 'string' ? args.vm : undefined);
    if (!vm) {
      this.fail(response, `attach: the system has no VM ${JSON.stringify(args.vm)}`);
      return;
    }
    this.role = 'child';
    this.childVm = vm;
    this.launched = true;
    this.configured = true;
    this.options = entry.parent.options;
    if (this.options) this.useSources(this.options);
    this.filters = entry.parent.filters;
    this.adopt(entry.system, [vm]);
    this.variables = new VariableStore(entry.system);
    this.subscribe(entry.system);
    this.breakpoints.attach(vm.runtime);
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
    entry.parent.childAttached(this);
  }

  // ---- threads, stacks, variables -----------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.threads.map((t) => new Thread(t.id, t.name)) };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, rawArgs: DebugProtocol.StackTraceArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      this.requireStopped('stackTrace');
      const t = this.thread(args.threadId);
      const start = Math.max(0, intArg(args, 'startFrame') ?? 0);
      const levels = intArg(args, 'levels') ?? 0;
      const all = t.vm.runtime.stackFrames(t.hart);
      const slice = all.slice(start, levels > 0 ? start + levels : undefined);
      response.body = {
        totalFrames: all.length,
        stackFrames: slice.map((f, i) => {
          const depth = start + i;
          const frame: DebugProtocol.StackFrame = {
            id: this.frames.create({ vm: t.vm, hart: t.hart, depth, frame: f }),
            name: frameName(f),
            line: 0,
            column: 0,
            instructionPointerReference: hex32(f.pc),
          };
          if (f.source) {
            frame.source = this.sourceOf(f.source.file);
            frame.line = this.convertDebuggerLineToClient(f.source.line);
            frame.column = this.convertDebuggerColumnToClient(Math.max(1, f.source.column));
          } else {
            frame.presentationHint = 'subtle';
          }
          return frame;
        }),
      };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, rawArgs: DebugProtocol.ScopesArguments): void {
    this.handle(response, () => {
      const ref = this.frames.get(this.args(rawArgs).frameId as number);
      if (!ref) throw new Error('scopes: unknown frame (frames expire when the program runs)');
      response.body = { scopes: (this.variables as VariableStore).scopes(ref.vm, ref.hart, ref.depth, ref.frame) };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, rawArgs: DebugProtocol.VariablesArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      this.requireStopped('variables');
      let vars = (this.variables as VariableStore).variables(args.variablesReference as number);
      const start = intArg(args, 'start') ?? 0;
      const count = intArg(args, 'count') ?? 0;
      if (start > 0 || count > 0) vars = vars.slice(start, count > 0 ? start + count : undefined);
      response.body = { variables: vars };
    }, false);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, rawArgs: DebugProtocol.SetVariableArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      this.requireStopped('setVariable');
      if (typeof args.name !== 'string' || typeof args.value !== 'string') throw new Error('setVariable needs "name" and "value"');
      response.body = (this.variables as VariableStore).setVariable(args.variablesReference as number, args.name, args.value);
      if (args.name === 'pc' || /\((sp|s0|ra)\)$/.test(args.name)) this.invalidate(['stacks']);
    });
  }

  private invalidate(areas: DebugProtocol.InvalidatedAreas[] = ['variables']): void {
    if (this.client.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(areas));
  }

  // ---- breakpoints ----------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, rawArgs: DebugProtocol.SetBreakpointsArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      const source = args.source as DebugProtocol.Source | undefined;
      if (!source || typeof source !== 'object' || (typeof source.path !== 'string' && typeof source.name !== 'string')) {
        throw new Error('setBreakpoints needs a "source" with a "path"');
      }
      let bps = args.breakpoints as DebugProtocol.SourceBreakpoint[] | undefined;
      if (bps === undefined && Array.isArray(args.lines)) bps = (args.lines as number[]).map((line) => ({ line }));
      if (!Array.isArray(bps ?? [])) throw new Error('setBreakpoints: "breakpoints" must be an array');
      const list = (bps ?? []).map((b, i) => {
        if (!b || typeof b.line !== 'number' || !Number.isInteger(b.line)) throw new Error(`setBreakpoints: breakpoints[${i}] needs an integer "line"`);
        return { ...b, line: this.convertClientLineToDebugger(b.line) };
      });
      const src = { ...source, path: source.path ? this.convertClientPathToDebugger(source.path) : source.path };
      const result = this.breakpoints.setSourceBreakpoints(src, list);
      response.body = { breakpoints: result.map((b) => ({ ...b, source, line: b.line === undefined ? undefined : this.convertDebuggerLineToClient(b.line) })) };
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, rawArgs: DebugProtocol.BreakpointLocationsArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      const source = args.source as DebugProtocol.Source | undefined;
      if (!source?.path || typeof args.line !== 'number') throw new Error('breakpointLocations needs "source" and "line"');
      const line = this.convertClientLineToDebugger(args.line);
      const end = typeof args.endLine === 'number' ? this.convertClientLineToDebugger(args.endLine) : line;
      response.body = { breakpoints: this.breakpoints.locations(this.convertClientPathToDebugger(source.path), line, end).map((l) => ({ line: this.convertDebuggerLineToClient(l.line) })) };
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, rawArgs: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.handle(response, () => {
      const bps = this.args(rawArgs).breakpoints;
      if (!Array.isArray(bps) || bps.some((b) => !b || typeof b.name !== 'string')) throw new Error('setFunctionBreakpoints needs "breakpoints": [{ "name": … }]');
      response.body = { breakpoints: this.breakpoints.setFunctionBreakpoints(bps).map((b) => this.clientLines(b)) };
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, rawArgs: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.handle(response, () => {
      const bps = this.args(rawArgs).breakpoints;
      if (!Array.isArray(bps) || bps.some((b) => !b || typeof b.instructionReference !== 'string')) {
        throw new Error('setInstructionBreakpoints needs "breakpoints": [{ "instructionReference": "0x…" }]');
      }
      response.body = { breakpoints: this.breakpoints.setInstructionBreakpoints(bps).map((b) => this.clientLines(b)) };
    });
  }

  private clientLines(b: DebugProtocol.Breakpoint): DebugProtocol.Breakpoint {
    return b.line === undefined ? b : { ...b, line: this.convertDebuggerLineToClient(b.line), source: b.source?.path ? { ...b.source, path: this.convertDebuggerPathToClient(b.source.path) } : b.source };
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, rawArgs: DebugProtocol.DataBreakpointInfoArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      if (typeof args.name !== 'string') throw new Error('dataBreakpointInfo needs "name"');
      let name = args.name;
      const { hart } = this.targetOfFrame(args.frameId);
      // A variable of a scope: registers cannot be watched, memory can (its memoryReference).
      if (typeof args.variablesReference === 'number' && args.variablesReference > 0) {
        const vars = (this.variables as VariableStore).variables(args.variablesReference);
        const v = vars.find((x) => x.name === name);
        if (!v) throw new Error(`no variable ${name}`);
        if (!v.evaluateName || /^\$/.test(v.evaluateName) || /^x\d+ \(/.test(name) || name === 'pc') {
          response.body = { dataId: null, description: `${name} is a register, not memory: watch the memory it points to instead` };
          return;
        }
        name = v.evaluateName;
      }
      response.body = this.breakpoints.dataInfo(name, { asAddress: args.asAddress === true, bytes: intArg(args, 'bytes'), hart });
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, rawArgs: DebugProtocol.SetDataBreakpointsArguments): void {
    this.handle(response, () => {
      const bps = this.args(rawArgs).breakpoints;
      if (!Array.isArray(bps) || bps.some((b) => !b || typeof b.dataId !== 'string')) throw new Error('setDataBreakpoints needs "breakpoints": [{ "dataId": … }]');
      response.body = { breakpoints: this.breakpoints.setDataBreakpoints(bps) };
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, rawArgs: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      const filters = (args.filters ?? []) as unknown[];
      const options = (args.filterOptions ?? []) as { filterId?: unknown }[];
      if (!Array.isArray(filters) || !Array.isArray(options)) throw new Error('setExceptionBreakpoints: "filters" must be an array');
      const known = new Set<string>(Object.values(FILTERS));
      const all = [...filters, ...options.map((o) => o?.filterId)];
      this.filters.clear();
      const results: DebugProtocol.Breakpoint[] = all.map((f) => {
        if (typeof f !== 'string' || !known.has(f)) return { verified: false, message: `unknown exception filter ${JSON.stringify(f)}` };
        this.filters.add(f);
        if (f === FILTERS.vmRestart || f === FILTERS.iommuViolation) return { verified: true, message: 'a bare-metal machine has no hypervisor: this filter never fires' };
        return { verified: true };
      });
      this.applyFilters();
      response.body = { breakpoints: results };
    });
  }

  private applyFilters(): void {
    for (const vm of this.system?.vms ?? []) {
      vm.runtime.setTrapStops({
        ecall: this.filters.has(FILTERS.hypercall),
        exceptions: this.filters.has(FILTERS.guestTrap),
        ebreak: this.filters.has(FILTERS.ebreak) || this.filters.has(FILTERS.guestTrap),
      });
    }
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, rawArgs: DebugProtocol.ExceptionInfoArguments): void {
    this.handle(response, () => {
      this.thread(this.args(rawArgs).threadId);
      const stop = this.requireSystem().lastStop;
      if (stop?.kind === 'trap') {
        response.body = {
          exceptionId: stop.trap.category === 'ecall' ? FILTERS.hypercall : FILTERS.guestTrap,
          description: stop.trap.description,
          breakMode: 'always',
          details: { message: stop.trap.description, typeName: describeCause(stop.trap.cause) },
        };
      } else if (stop && ['deadlock', 'error', 'requested', 'limit'].includes(stop.kind)) {
        response.body = { exceptionId: FILTERS.vmCrash, description: crashReason(stop), breakMode: 'always' };
      } else {
        throw new Error('the program did not stop on an exception');
      }
    });
  }

  // ---- run control -----------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse, rawArgs: DebugProtocol.ContinueArguments): void {
    try {
      const system = this.requireResumable('continue');
      if (this.threads.length) this.thread(this.args(rawArgs).threadId);
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      this.broadcastContinued();
      system.continue();
    } catch (e) {
      this.fail(response, e);
    }
  }

  private broadcastContinued(): void {
    // Children of a multi-session system: tell the others that everything runs (all-stop).
    const parent = this.role === 'child' ? this.parentEntry()?.parent : this.role === 'parent' ? this : undefined;
    if (!parent) return;
    for (const c of parent.children) {
      if (c === this) continue;
      const t = c.threads[0];
      if (t) c.sendEvent(new Event('continued', { threadId: t.id, allThreadsContinued: true }));
    }
  }

  private parentEntry(): { system: DebugSystem; parent: PvlabSession } | undefined {
    for (const e of systems.values()) if (e.system === this.system) return e;
    return undefined;
  }

  private step(response: DebugProtocol.Response, rawArgs: unknown, kind: StepKind): void {
    try {
      const args = this.args(rawArgs);
      const system = this.requireResumable(response.command);
      const t = this.thread(args.threadId);
      const granularity = args.granularity === 'instruction' ? 'instruction' : 'line';
      if (kind === 'out') {
        const frames = t.vm.runtime.stackFrames(t.hart, 2);
        if (frames.length < 2 || frames[0].cfa === undefined) throw new Error(`stepOut: ${frames[0]?.functionName ?? 'this code'} has no known caller to return to`);
      }
      this.sendResponse(response);
      this.broadcastContinued();
      system.step(t.vm, t.hart, kind, granularity);
    } catch (e) {
      this.fail(response, e);
    }
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.step(response, args, 'over');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.step(response, args, 'in');
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.step(response, args, 'out');
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, rawArgs: DebugProtocol.PauseArguments): void {
    this.handle(response, () => {
      if (this.threads.length) this.thread(this.args(rawArgs).threadId);
      this.requireSystem().pause();
    });
  }

  // ---- memory, disassembly, evaluate -----------------------------------------------------

  /** A memory reference (`0x…`, decimal, or an expression such as a symbol) plus an offset. */
  private address(ref: unknown, offset: unknown, hart: number, vm: VmTarget): number {
    let base = parseAddress(ref);
    if (base === undefined) {
      if (typeof ref !== 'string' || ref.trim() === '') throw new Error('"memoryReference" is missing');
      base = vm.runtime.evaluate(ref, { hart }).value >>> 0;
    }
    if (offset !== undefined && (typeof offset !== 'number' || !Number.isInteger(offset))) throw new Error('"offset" must be an integer');
    return base + ((offset as number | undefined) ?? 0);
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, rawArgs: DebugProtocol.ReadMemoryArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      const { vm, hart } = this.defaultTarget();
      const count = intArg(args, 'count');
      if (count === undefined || count < 0) throw new Error('readMemory needs a non-negative "count"');
      response.body = readMemory(vm.runtime, this.address(args.memoryReference, args.offset, hart, vm), count);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, rawArgs: DebugProtocol.WriteMemoryArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      const { vm, hart } = this.defaultTarget();
      if (typeof args.data !== 'string') throw new Error('writeMemory needs "data" (base64)');
      const bytes = decodeBase64(args.data);
      const start = this.address(args.memoryReference, args.offset, hart, vm);
      const written = bytes.length === 0 ? 0 : writeMemory(vm.runtime, start, bytes, args.allowPartial === true);
      response.body = { bytesWritten: written };
      this.memoryChanged(start, written);
    });
  }

  private memoryChanged(address: number, count: number): void {
    if (count <= 0) return;
    if (this.client.supportsMemoryEvent) this.sendEvent(new MemoryEvent(hex32(address), 0, count));
    this.invalidate();
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, rawArgs: DebugProtocol.DisassembleArguments): void {
    this.handle(response, () => {
      const args = this.args(rawArgs);
      const { vm, hart } = this.defaultTarget();
      const count = intArg(args, 'instructionCount');
      if (count === undefined || count < 0) throw new Error('disassemble needs a non-negative "instructionCount"');
      const base = this.address(args.memoryReference, args.offset, hart, vm);
      response.body = { instructions: disassemble(vm.runtime, base, intArg(args, 'instructionOffset') ?? 0, count, args.resolveSymbols !== false, (f) => this.sourceOf(f)) };
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, rawArgs: DebugProtocol.EvaluateArguments): void {
    const args = this.args(rawArgs);
    const context = typeof args.context === 'string' ? args.context : undefined;
    this.handle(response, () => {
      if (typeof args.expression !== 'string') throw new Error('evaluate needs "expression"');
      const { vm, hart, ref } = this.targetOfFrame(args.frameId);
      const rt = vm.runtime;
      const answer = evaluate(rt, hart, args.expression, context, ref?.frame, ref?.depth ?? 0, () => rt.stackFrames(hart), (fault) => this.inject(vm, fault));
      response.body = { result: answer.result, type: answer.type, memoryReference: answer.memoryReference, variablesReference: 0 };
      if (answer.written) this.memoryChanged(answer.written.address, answer.written.size);
      else if (answer.changed) this.invalidate(['variables', 'stacks']);
    }, context === 'repl');
  }

  private inject(vm: VmTarget, fault: FaultSpec): string {
    const rt = vm.runtime;
    if (this.system?.isRunning) {
      rt.scheduleFault({ at: rt.hart.retired, fault });
      return 'the fault is injected at the next instruction boundary';
    }
    return rt.injectFault(fault).description;
  }

  // ---- custom requests (the extension) -----------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, rawArgs: unknown): void {
    const args = this.args(rawArgs);
    this.handle(response, () => {
      switch (command) {
        case REQUESTS.listVms: {
          const s = this.requireSystem();
          response.body = { vms: s.vms.map((vm) => ({ name: vm.name, state: vm.state, restarts: 0, vcpus: vm.harts, reason: vm.reason })) };
          return;
        }
        case REQUESTS.timeline:
          response.body = this.requireSystem().timeline();
          return;
        case REQUESTS.injectFault: {
          const s = this.requireSystem();
          const vm = s.vm(typeof args.vm === 'string' ? args.vm : undefined);
          if (!vm) throw new Error(`no VM ${JSON.stringify(args.vm)}`);
          if (s.ended) throw new Error('the program has ended');
          let fault: FaultSpec;
          if (args.fault !== undefined) fault = parseFault({ at: 0, ...(args.fault as object) }, 0).fault;
          else if (args.kind === 'trap') fault = { kind: 'trap', cause: 2, tval: 0 };
          else if (typeof args.kind === 'string' && ['flip-memory', 'write-memory', 'flip-register', 'set-register'].includes(args.kind)) fault = parseFault({ ...args, at: 0 }, 0).fault;
          else throw new Error(`fault kind ${JSON.stringify(args.kind)} needs the hypervisor; a bare-metal machine takes trap, flip-register, set-register, flip-memory or write-memory`);
          response.body = { description: this.inject(vm, fault) };
          return;
        }
        case REQUESTS.restartVm:
          throw new Error('restarting a VM needs the hypervisor; a bare-metal machine cannot be restarted (start a new session)');
        case REQUESTS.symbols: {
          const rt = this.defaultTarget().vm.runtime;
          const filter = typeof args.filter === 'string' ? args.filter : '';
          response.body = { symbols: rt.symbols.sorted.filter((s) => s.name.includes(filter)).map((s) => ({ name: s.name, address: hex32(s.value), size: s.size, type: s.type })) };
          return;
        }
        default:
          throw new Error(`unknown request '${command}'`);
      }
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse): void {
    this.fail(response, 'source: pvlab refers to sources by path only', false);
  }
}

function prefixLines(prefix: string, text: string): string {
  return text.replace(/(^|\n)(?=.)/g, `$1${prefix}`);
}
