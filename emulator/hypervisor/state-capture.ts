/**
 * In-place state capture for whole-system snapshots (docs/campaigns.md,
 * "Throughput"). A capture walks an object graph from its roots and records
 * the contents of every container it owns: plain objects, arrays, Maps, Sets,
 * typed arrays, and the class instances the caller names as state owners.
 * Other class instances and functions are kept by reference and not entered.
 *
 * Restoring writes the recorded contents back **into the same objects**: no
 * object is replaced, so every reference to one (a closure in the event queue
 * holding a fault record, a Map holding a queued event) sees the restored
 * state. Objects created after the capture are simply no longer referenced.
 * A capture therefore only restores onto the very system it was taken from.
 */

/** How a class instance met during the walk is treated. */
export interface OwnerRule {
  /** Own properties left alone (configuration, caches, buffers handled elsewhere). */
  readonly skip?: readonly string[];
  /** Own properties holding arrays of immutable objects: the array is captured, its elements are not entered. */
  readonly shallow?: readonly string[];
}

/** Typed arrays larger than this are refused unless passed by reference (RAM and disks are restored page by page). */
export const MAX_CAPTURED_BUFFER = 256 * 1024;

type AnyObj = Record<string, unknown>;

const enum Kind {
  Obj,
  Arr,
  Map,
  Set,
  Typed,
}

interface Entry {
  readonly kind: Kind;
  readonly ref: object;
  /** Obj: own keys; Arr/Set: values; Map: [key, value] pairs; Typed: a copy. */
  readonly keys?: readonly string[];
  readonly vals: unknown;
  readonly skip?: readonly string[];
}

const NONE: readonly string[] = [];

export class StateCaptureError extends Error {}

/** The recorded contents of an object graph; `restore` puts them back. */
export class CapturedState {
  /** Classes (constructors) of the instances kept by reference (not entered), for review and tests. */
  readonly byReference = new Set<unknown>();
  /** Bytes of typed arrays copied. */
  bytes = 0;
  private readonly entries: Entry[] = [];
  private readonly seen = new Set<object>();

  constructor(
    /** The rule for a class instance, or undefined to keep it by reference. */
    private readonly ownerRule: (o: object) => OwnerRule | undefined,
    /** Objects never entered (large buffers restored elsewhere, shared configuration). */
    private readonly excluded: ReadonlySet<object> = new Set(),
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Captures `o` (and what it owns) as a state owner whatever its class. */
  own(o: object, rule: OwnerRule = {}): void {
    if (this.seen.has(o)) return;
    this.seen.add(o);
    this.captureObject(o as AnyObj, rule);
  }

  /** Captures what `v` refers to, following the rules. */
  visit(v: unknown): void {
    if (typeof v !== 'object' || v === null) return;
    if (this.seen.has(v) || this.excluded.has(v)) return;
    if (ArrayBuffer.isView(v)) {
      this.seen.add(v);
      if (v.byteLength > MAX_CAPTURED_BUFFER) throw new StateCaptureError(`a ${v.byteLength}-byte buffer is part of the state (not supported)`);
      const t = v as unknown as Uint8Array;
      this.entries.push({ kind: Kind.Typed, ref: t, vals: t.slice() });
      this.bytes += v.byteLength;
      return;
    }
    if (Array.isArray(v)) {
      this.seen.add(v);
      const vals = v.slice();
      this.entries.push({ kind: Kind.Arr, ref: v, vals });
      for (const x of vals) this.visit(x);
      return;
    }
    if (v instanceof Map) {
      this.seen.add(v);
      const vals = [...v.entries()];
      this.entries.push({ kind: Kind.Map, ref: v, vals });
      for (const [k, x] of vals) {
        this.visit(k);
        this.visit(x);
      }
      return;
    }
    if (v instanceof Set) {
      this.seen.add(v);
      const vals = [...v.values()];
      this.entries.push({ kind: Kind.Set, ref: v, vals });
      for (const x of vals) this.visit(x);
      return;
    }
    if (Object.isFrozen(v)) return;
    const proto = Object.getPrototypeOf(v) as unknown;
    let rule: OwnerRule | undefined;
    if (proto === Object.prototype || proto === null) rule = {};
    else {
      rule = this.ownerRule(v);
      if (!rule) {
        this.byReference.add((v as { constructor?: unknown }).constructor);
        return;
      }
    }
    this.seen.add(v);
    this.captureObject(v as AnyObj, rule);
  }

  private captureObject(o: AnyObj, rule: OwnerRule): void {
    const skip = rule.skip ?? NONE;
    const shallow = rule.shallow ?? NONE;
    const keys = Object.keys(o).filter((k) => !skip.includes(k));
    const vals = keys.map((k) => o[k]);
    this.entries.push({ kind: Kind.Obj, ref: o, keys, vals, skip });
    keys.forEach((k, i) => {
      const x = vals[i];
      if (shallow.includes(k) && Array.isArray(x)) {
        if (!this.seen.has(x)) {
          this.seen.add(x);
          this.entries.push({ kind: Kind.Arr, ref: x, vals: x.slice() });
        }
      } else this.visit(x);
    });
  }

  /** Writes every recorded content back into its object. */
  restore(): void {
    for (const e of this.entries) {
      switch (e.kind) {
        case Kind.Obj: {
          const o = e.ref as AnyObj;
          const keys = e.keys!;
          const vals = e.vals as unknown[];
          const now = Object.keys(o);
          if (now.length !== keys.length + countPresent(o, e.skip!)) {
            for (const k of now) if (!keys.includes(k) && !e.skip!.includes(k)) delete o[k];
          }
          for (let i = 0; i < keys.length; i++) o[keys[i]] = vals[i];
          break;
        }
        case Kind.Arr: {
          const a = e.ref as unknown[];
          const vals = e.vals as unknown[];
          a.length = vals.length;
          for (let i = 0; i < vals.length; i++) a[i] = vals[i];
          break;
        }
        case Kind.Map: {
          const m = e.ref as Map<unknown, unknown>;
          m.clear();
          for (const [k, v] of e.vals as [unknown, unknown][]) m.set(k, v);
          break;
        }
        case Kind.Set: {
          const s = e.ref as Set<unknown>;
          s.clear();
          for (const v of e.vals as unknown[]) s.add(v);
          break;
        }
        case Kind.Typed:
          (e.ref as Uint8Array).set(e.vals as Uint8Array);
          break;
      }
    }
  }
}

function countPresent(o: AnyObj, skip: readonly string[]): number {
  let n = 0;
  for (const k of skip) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return n;
}
