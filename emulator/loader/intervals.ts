/** Sorted interval index: finds the innermost [start, end) range containing an address, in O(log n) typically. */

export interface Interval<T> {
  readonly start: number;
  readonly end: number;
  readonly value: T;
}

export class IntervalIndex<T> {
  private readonly items: Interval<T>[];
  private readonly starts: number[];
  /** maxEnd[i] = largest end among items[0..i]; lets a backward scan stop early. */
  private readonly maxEnd: number[];

  /** Items must have start < end; for equal starts, earlier items win. */
  constructor(items: readonly Interval<T>[]) {
    this.items = items.map((it, i) => ({ it, i }))
      .sort((a, b) => a.it.start - b.it.start || a.i - b.i)
      .map((x) => x.it);
    this.starts = this.items.map((it) => it.start);
    this.maxEnd = [];
    let m = -Infinity;
    for (const it of this.items) {
      m = Math.max(m, it.end);
      this.maxEnd.push(m);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** The containing interval with the greatest start (ties: the first given). */
  find(addr: number): Interval<T> | undefined {
    let i = upperBound(this.starts, addr) - 1;
    // Walk back over a run of equal starts so that ties go to the first item given.
    let best: Interval<T> | undefined;
    for (; i >= 0 && this.maxEnd[i] > addr; i--) {
      const it = this.items[i];
      if (best && it.start !== best.start) break;
      if (addr < it.end) best = it;
    }
    return best;
  }
}

/** Index of the first element of ascending `sorted` that is greater than `value`. */
export function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
