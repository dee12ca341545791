/**
 * Virtual-time events of the whole machine: fault injections, restarts after
 * back-off, watchdog checks and device latencies. Events due at the same time
 * run in the order they were scheduled, so a run is reproducible. The queue
 * never runs anything by itself: the run loop calls `runDue` between slices
 * and ends slices at `nextTime`.
 */

export interface QueuedEvent {
  readonly time: number;
  readonly seq: number;
  /** For the debugger and the trace. */
  readonly label: string;
  /** Domid the event belongs to (cancelled when that VM is reset), or 0 for the machine. */
  readonly owner: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class EventQueue {
  private readonly items: QueuedEvent[] = [];
  private seq = 0;

  constructor(private readonly clock: () => number) {}

  now(): number {
    return this.clock();
  }

  /** Schedules `fn` at virtual time `time` (cycles); a time in the past runs at the next opportunity. */
  at(time: number, fn: () => void, label = 'event', owner = 0): QueuedEvent {
    const t = Number.isFinite(time) ? Math.max(0, time) : this.clock();
    const e: QueuedEvent = { time: t, seq: this.seq++, label, owner, fn, cancelled: false };
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].time <= t) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, e);
    return e;
  }

  cancel(e: QueuedEvent): void {
    e.cancelled = true;
  }

  /** Cancels every event of one owner (a VM being reset). */
  cancelOwner(owner: number): void {
    for (const e of this.items) if (e.owner === owner) e.cancelled = true;
  }

  /** Time of the earliest live event, or undefined. */
  nextTime(): number | undefined {
    while (this.items.length && this.items[0].cancelled) this.items.shift();
    return this.items.length ? this.items[0].time : undefined;
  }

  /** Runs every event due at the current time (including ones they schedule for now); returns how many ran. */
  runDue(): number {
    let n = 0;
    for (;;) {
      const t = this.nextTime();
      if (t === undefined || t > this.clock()) return n;
      const e = this.items.shift()!;
      n++;
      e.fn();
    }
  }

  /** Live events, earliest first (debugger). */
  pending(): readonly QueuedEvent[] {
    return this.items.filter((e) => !e.cancelled);
  }
}
