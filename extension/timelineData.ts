/**
 * Turns what is known about a session into the one shape the timeline webview
 * draws (TimelineView): lanes of coloured state intervals, marks (faults,
 * restarts, stops) and an optional line (I/O throughput, or retired
 * instructions for bare metal). No `vscode` import.
 */
import type { SessionState } from './model';
import type { TimelineResponse } from './protocol';

export interface TimelineLane {
  name: string;
  /** Shown after the name: "client", "driver", "hart". */
  role?: string;
  segments: { start: number; end: number; state: string }[];
}

export interface TimelineMark {
  x: number;
  lane: string;
  kind: 'fault' | 'restart' | 'stop';
  label: string;
}

export interface TimelineView {
  title: string;
  subtitle: string;
  xLabel: string;
  lanes: TimelineLane[];
  marks: TimelineMark[];
  line?: { label: string; unit: string; points: [number, number][] };
  /** Right end of the x axis. */
  end: number;
  /** When set, there is nothing to plot and this says why. */
  empty?: string;
}

export const NO_SESSION =
  'No pvlab session has run in this window yet. Start one (F5 on a system file or a program), and the timeline fills as it runs.';

export function emptyView(message = NO_SESSION): TimelineView {
  return { title: 'pvlab timeline', subtitle: '', xLabel: '', lanes: [], marks: [], end: 0, empty: message };
}

/** Picks the view for a session: the adapter's pvlab.timeline answer when it has one, else what the extension saw. */
export function timelineView(s: SessionState, r: TimelineResponse | undefined, now: number): TimelineView {
  if (s.kind === 'system') return systemView(s, r);
  if (r && (r.vms.length || r.instructions?.points.length)) return adapterBareMetalView(s, r);
  return bareMetalView(s, r, now);
}

/** A bare-metal session whose adapter answers pvlab.timeline: its machine as one VM over virtual time, and retired instructions. */
export function adapterBareMetalView(s: SessionState, r: TimelineResponse): TimelineView {
  const view = systemView(s, r);
  view.subtitle = `bare metal · ${basename(s.target)} · ${r.faults.length} faults${s.ended ? ' · session ended' : ''}`;
  if (!view.line && r.instructions?.points.length) {
    view.line = { label: 'instructions retired', unit: 'instructions', points: r.instructions.points };
  }
  if (view.empty && view.line) delete view.empty;
  return view;
}

/** A system session, from the adapter's pvlab.timeline answer or, without one, from the events seen. */
export function systemView(s: SessionState, r: TimelineResponse | undefined): TimelineView {
  const end = Math.max(r?.nowMs ?? 0, s.nowMs, 1e-3);
  const lanes: TimelineLane[] = [];
  const roles = new Map([...s.vms.values()].map((v) => [v.name, v.role]));
  if (r && r.vms.length) {
    for (const vm of r.vms) {
      lanes.push({
        name: vm.name,
        role: vm.role ?? roles.get(vm.name),
        segments: vm.segments.map((g) => ({ start: g.startMs, end: g.endMs ?? end, state: g.state })),
      });
    }
  } else {
    for (const vm of s.vmList()) {
      const segs = s.vmSegments.get(vm.name) ?? [];
      lanes.push({ name: vm.name, role: vm.role, segments: segs.map((g) => ({ start: g.startMs, end: g.endMs ?? end, state: g.state })) });
    }
  }
  const faults = r?.faults.length ? r.faults : s.faults;
  const restarts = r?.restarts.length ? r.restarts : s.restarts;
  const marks: TimelineMark[] = [
    ...faults.map((f) => ({ x: f.timeMs, lane: f.vm, kind: 'fault' as const, label: `${f.vm}: ${f.kind}${f.message ? ` — ${f.message}` : ''}` })),
    ...restarts.map((x) => ({
      x: x.timeMs,
      lane: x.vm,
      kind: 'restart' as const,
      label: x.gaveUp ? `${x.vm}: restart policy gave up` : `${x.vm}: restart #${x.restarts}${x.delayMs ? ` after ${x.delayMs} ms back-off` : ''}`,
    })),
  ];
  const view: TimelineView = {
    title: s.name,
    subtitle: `${s.vms.size} VMs · ${faults.length} faults · ${restarts.length} restarts${s.ended ? ' · session ended' : ''}`,
    xLabel: 'virtual time (ms)',
    lanes,
    marks,
    end,
  };
  if (r?.throughput && r.throughput.points.length) {
    view.line = { label: r.throughput.label ?? 'client I/O throughput', unit: r.throughput.unit, points: r.throughput.points };
  }
  if (!lanes.length) {
    view.empty = s.ended
      ? 'The session ended before the debug adapter reported any VM.'
      : 'Waiting for the debug adapter to report VMs (pvlab.vmState events or a pvlab.timeline answer).';
  }
  return view;
}

/**
 * A bare-metal session whose adapter does not answer pvlab.timeline: the hart's
 * run/stop intervals over wall-clock time with the stops marked, plus retired
 * instructions sampled at stops when the adapter evaluates `minstret`.
 */
export function bareMetalView(s: SessionState, _r: TimelineResponse | undefined, now: number): TimelineView {
  const end = Math.max((s.endedAt ?? now) - s.startedAt, 1) / 1000;
  const segs = s.runSegments.map((g) => ({ start: g.start / 1000, end: (g.end ?? end * 1000) / 1000, state: g.state }));
  const view: TimelineView = {
    title: s.name,
    subtitle: `bare metal · ${basename(s.target)} · ${s.stops.length} stops${s.ended ? ' · session ended' : ''}`,
    xLabel: 'wall-clock time since launch (s)',
    lanes: [{ name: 'hart0', role: 'hart', segments: segs }],
    marks: s.stops.map((x) => ({ x: x.t / 1000, lane: 'hart0', kind: 'stop' as const, label: `stopped: ${x.reason}` })),
    end,
  };
  if (s.instructions.length) {
    view.line = { label: 'instructions retired (sampled at stops)', unit: 'instructions', points: s.instructions.map(([t, n]) => [t / 1000, n]) };
  }
  if (!segs.length && !view.line) view.empty = 'The program has not run yet: the timeline fills as you continue and step.';
  return view;
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}
