/**
 * Virtual-time callbacks for devices with modelled latency. Time is in
 * virtual cycles supplied by the machine (never wall-clock time). Callbacks
 * due at the same time run in the order they were scheduled, so a run is
 * reproducible.
 */

/** What a device needs from the machine to model latency. */
export interface DeviceTimers {
  /** Current virtual time (cycles). */
  now(): number;
  /** Runs `fn` once virtual time reaches `time` (at the next opportunity if already past). */
  at(time: number, fn: () => void): void;
}

interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A deterministic timer queue. With a `clock` it follows the machine's time
 * (the run loop calls `runDue()` after each slice and uses `nextDeadline()` to
 * end slices and to skip idle time); without one it keeps its own clock,
 * moved by `advanceTo`/`runAll` (tests).
 */
export class TimerQueue implements DeviceTimers {
  private readonly entries: Entry[] = [];
  private seq = 0;
  private manualTime = 0;

  constructor(private readonly clock?: () => number) {}

  now(): number {
    return this.clock ? this.clock() : this.manualTime;
  }

  at(time: number, fn: () => void): void {
    const t = Number.isFinite(time) ? time : this.now();
    const e: Entry = { time: t, seq: this.seq++, fn };
    // Insert keeping (time, seq) order; later entries with equal time stay behind.
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].time <= t) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, e);
  }

  /** Time of the earliest pending callback. */
  nextDeadline(): number | undefined {
    return this.entries.length ? this.entries[0].time : undefined;
  }

  get pending(): number {
    return this.entries.length;
  }

  /** Runs every callback due at the current time (including ones they schedule for now); returns how many ran. */
  runDue(): number {
    let n = 0;
    while (this.entries.length && this.entries[0].time <= this.now()) {
      this.entries.shift()!.fn();
      n++;
    }
    return n;
  }

  /** Own clock only: moves time forward to `time`, running callbacks at their deadlines on the way. */
  advanceTo(time: number): number {
    if (this.clock) throw new Error('TimerQueue.advanceTo: this queue follows an external clock');
    let n = 0;
    while (this.entries.length && this.entries[0].time <= time) {
      const e = this.entries.shift()!;
      if (e.time > this.manualTime) this.manualTime = e.time;
      e.fn();
      n++;
    }
    if (time > this.manualTime) this.manualTime = time;
    return n;
  }

  /** Own clock only: runs callbacks (advancing time) until none are left or `limit` ran; returns how many ran. */
  runAll(limit = 1_000_000): number {
    if (this.clock) throw new Error('TimerQueue.runAll: this queue follows an external clock');
    let n = 0;
    while (this.entries.length && n < limit) {
      const e = this.entries.shift()!;
      if (e.time > this.manualTime) this.manualTime = e.time;
      e.fn();
      n++;
    }
    return n;
  }

  /** Drops every pending callback. */
  clear(): void {
    this.entries.length = 0;
  }
}
