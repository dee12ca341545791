/**
 * What the extension knows about pvlab debug sessions, fed by the session glue
 * (sessions.ts) from DAP traffic and custom events, read by the views, the
 * status bar, the timeline and the commands. No `vscode` import: tested with
 * mocha outside VS Code (test/e2e/model.test.ts).
 */
import {
  EVENTS,
  type FaultEvent,
  type HypercallRecord,
  type RestartEvent,
  type TimelineSegment,
  type VmInfo,
  parseFaultEvent,
  parseHypercallsEvent,
  parseRestartEvent,
  parseVmStateEvent,
} from './protocol';

export type SessionKind = 'system' | 'bareMetal';

/** The one hart of a bare-metal session, as seen from DAP traffic. */
export interface HartStatus {
  state: 'starting' | 'running' | 'stopped' | 'exited';
  /** Stop reason ("entry", "breakpoint", "step", …) or exit text. */
  reason?: string;
  /** Top frame when stopped: "main (hello.c:45)". */
  location?: string;
  exitCode?: number;
}

/** Run/stop interval of a bare-metal hart, wall-clock ms since the session started. */
export interface RunSegment {
  start: number;
  end?: number;
  state: 'running' | 'stopped';
}

export const MAX_HYPERCALLS = 5000;

export class SessionState {
  readonly vms = new Map<string, VmInfo>();
  readonly hypercalls: HypercallRecord[] = [];
  droppedHypercalls = 0;
  readonly faults: FaultEvent[] = [];
  readonly restarts: RestartEvent[] = [];
  /** VM state intervals built from pvlab.vmState events (virtual ms). */
  readonly vmSegments = new Map<string, TimelineSegment[]>();
  /** Latest virtual time seen in an event. */
  nowMs = 0;
  /** The adapter has sent at least one pvlab.* event. */
  sawPvlabEvents = false;
  hart: HartStatus = { state: 'starting' };
  readonly runSegments: RunSegment[] = [];
  readonly stops: { t: number; reason: string }[] = [];
  /** Retired instructions sampled at stops: [wall-clock ms since start, count]. */
  readonly instructions: [number, number][] = [];
  ended = false;
  endedAt: number | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: SessionKind,
    /** Program or system file path. */
    readonly target: string,
    readonly startedAt: number,
  ) {}

  /** VMs in boot order (domid), then by name. */
  vmList(): VmInfo[] {
    return [...this.vms.values()].sort((a, b) => (a.domid ?? 1e9) - (b.domid ?? 1e9) || a.name.localeCompare(b.name));
  }

  /** Counts for the status bar. */
  vmCounts(): { total: number; up: number; restarting: string[]; down: string[] } {
    let up = 0;
    const restarting: string[] = [];
    const down: string[] = [];
    for (const vm of this.vms.values()) {
      if (vm.state === 'running' || vm.state === 'paused' || vm.state === 'booting') up++;
      else if (vm.state === 'restarting' || vm.state === 'crashed') restarting.push(vm.name);
      else down.push(vm.name);
    }
    return { total: this.vms.size, up, restarting, down };
  }
}

type Listener = () => void;

export class PvlabModel {
  private readonly sessions = new Map<string, SessionState>();
  private readonly order: string[] = [];
  private focusedId: string | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly clock: () => number = Date.now) {}

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // a broken listener must not stop the others
      }
    }
  }

  get(id: string): SessionState | undefined {
    return this.sessions.get(id);
  }

  /** The session the views show: the focused one if live, else the newest live one. */
  current(): SessionState | undefined {
    const f = this.focusedId && this.sessions.get(this.focusedId);
    if (f && !f.ended) return f;
    for (let i = this.order.length - 1; i >= 0; i--) {
      const s = this.sessions.get(this.order[i]);
      if (s && !s.ended) return s;
    }
    return undefined;
  }

  /** The current session, or the last one that ran (the timeline keeps showing it). */
  latest(): SessionState | undefined {
    const c = this.current();
    if (c) return c;
    const last = this.order[this.order.length - 1];
    return last ? this.sessions.get(last) : undefined;
  }

  liveSessions(): SessionState[] {
    return this.order.map((id) => this.sessions.get(id)).filter((s): s is SessionState => !!s && !s.ended);
  }

  focus(id: string | undefined): void {
    if (this.focusedId === id) return;
    this.focusedId = id;
    this.changed();
  }

  start(id: string, name: string, kind: SessionKind, target: string): SessionState {
    const s = new SessionState(id, name, kind, target, this.clock());
    this.sessions.set(id, s);
    this.order.push(id);
    // Keep the last few ended sessions only.
    while (this.order.length > 8) {
      const old = this.order[0];
      const os = this.sessions.get(old);
      if (os && !os.ended) break;
      this.order.shift();
      this.sessions.delete(old);
    }
    this.changed();
    return s;
  }

  end(id: string): void {
    const s = this.sessions.get(id);
    if (!s || s.ended) return;
    const t = this.rel(s);
    closeRun(s, t);
    if (s.hart.state !== 'exited') s.hart = { ...s.hart, state: 'exited', reason: s.hart.reason ?? 'session ended' };
    for (const segs of s.vmSegments.values()) {
      const last = segs[segs.length - 1];
      if (last && last.endMs === undefined) last.endMs = s.nowMs;
    }
    s.ended = true;
    s.endedAt = this.clock();
    this.changed();
  }

  private rel(s: SessionState): number {
    return Math.max(0, this.clock() - s.startedAt);
  }

  // ---- bare-metal hart (from standard DAP traffic) -------------------------

  hartRunning(id: string): void {
    const s = this.sessions.get(id);
    if (!s || s.ended || s.hart.state === 'running') return;
    const t = this.rel(s);
    closeRun(s, t);
    s.runSegments.push({ start: t, state: 'running' });
    s.hart = { state: 'running' };
    this.changed();
  }

  hartStopped(id: string, reason: string, description?: string): void {
    const s = this.sessions.get(id);
    if (!s || s.ended) return;
    const t = this.rel(s);
    closeRun(s, t);
    s.runSegments.push({ start: t, state: 'stopped' });
    s.stops.push({ t, reason: description || reason });
    s.hart = { state: 'stopped', reason: description || reason };
    this.changed();
  }

  hartExited(id: string, exitCode?: number): void {
    const s = this.sessions.get(id);
    if (!s || s.ended) return;
    closeRun(s, this.rel(s));
    s.hart = { state: 'exited', exitCode, reason: exitCode === undefined ? 'exited' : `exited with status ${exitCode}` };
    this.changed();
  }

  hartLocation(id: string, location: string): void {
    const s = this.sessions.get(id);
    if (!s || s.hart.state !== 'stopped' || s.hart.location === location) return;
    s.hart = { ...s.hart, location };
    this.changed();
  }

  instructionSample(id: string, count: number): void {
    const s = this.sessions.get(id);
    if (!s) return;
    s.instructions.push([this.rel(s), count]);
    this.changed();
  }

  // ---- pvlab.* custom events -----------------------------------------------

  /** Applies a custom event; returns false (and changes nothing) for unknown or malformed ones. */
  applyEvent(id: string, event: string, body: unknown): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    switch (event) {
      case EVENTS.vmState: {
        const e = parseVmStateEvent(body);
        if (!e) return false;
        const { timeMs, ...info } = e;
        const prev = s.vms.get(info.name);
        s.vms.set(info.name, { ...prev, ...info });
        addSegment(s, info.name, timeMs, info.state);
        this.advance(s, timeMs);
        break;
      }
      case EVENTS.hypercalls: {
        const e = parseHypercallsEvent(body);
        if (!e) return false;
        s.hypercalls.push(...e.calls);
        if (s.hypercalls.length > MAX_HYPERCALLS) {
          const drop = s.hypercalls.length - MAX_HYPERCALLS;
          s.hypercalls.splice(0, drop);
          s.droppedHypercalls += drop;
        }
        s.droppedHypercalls += e.dropped ?? 0;
        for (const c of e.calls) this.advance(s, c.timeMs);
        break;
      }
      case EVENTS.fault: {
        const e = parseFaultEvent(body);
        if (!e) return false;
        s.faults.push(e);
        this.advance(s, e.timeMs);
        break;
      }
      case EVENTS.restart: {
        const e = parseRestartEvent(body);
        if (!e) return false;
        s.restarts.push(e);
        const vm = s.vms.get(e.vm);
        if (vm) s.vms.set(e.vm, { ...vm, restarts: e.restarts });
        this.advance(s, e.timeMs);
        break;
      }
      default:
        return false;
    }
    s.sawPvlabEvents = true;
    this.changed();
    return true;
  }

  /** Replaces the VM list (pvlab.listVms response). */
  setVms(id: string, vms: VmInfo[]): void {
    const s = this.sessions.get(id);
    if (!s) return;
    s.vms.clear();
    for (const vm of vms) s.vms.set(vm.name, vm);
    this.changed();
  }

  private advance(s: SessionState, timeMs: number): void {
    if (timeMs > s.nowMs) s.nowMs = timeMs;
  }
}

function closeRun(s: SessionState, t: number): void {
  const last = s.runSegments[s.runSegments.length - 1];
  if (last && last.end === undefined) last.end = t;
}

function addSegment(s: SessionState, vm: string, timeMs: number, state: TimelineSegment['state']): void {
  let segs = s.vmSegments.get(vm);
  if (!segs) s.vmSegments.set(vm, (segs = []));
  const last = segs[segs.length - 1];
  if (last && last.endMs === undefined) {
    if (last.state === state) return;
    last.endMs = Math.max(last.startMs, timeMs);
  }
  segs.push({ startMs: timeMs, state });
}
