/**
 * The hypervisor's trace: every hypercall, event notification, fault, restart
 * and VM state change, with its virtual time, in a bounded ring buffer. Each
 * record also feeds a running hash (together with the schedule: which vCPU
 * ran, how many instructions, where it stopped), so two runs can be compared
 * instruction for instruction by comparing one number.
 * Format: docs/hypervisor.md, "Trace".
 */

export type TraceKind =
  | 'hypercall'
  | 'event'
  | 'fault'
  | 'restart'
  | 'vm-state'
  | 'inject'
  | 'registry'
  | 'bug';

export interface TraceEntry {
  /** 0, 1, 2 … over the whole run (also counts entries that fell out of the buffer). */
  readonly seq: number;
  /** Virtual time, cycles. */
  readonly time: number;
  readonly kind: TraceKind;
  /** Domain the entry is about (0: the hypervisor itself). */
  readonly domid: number;
  readonly vm: string;
  readonly vcpu?: number;
  /** Hypercall name (SBI_… / PVIO_FID_…), fault kind, new state, … */
  readonly name: string;
  /** Hypercall: a0..a5 as unsigned values (only those the function takes, all six if unknown). */
  readonly args?: readonly number[];
  /** Hypercall: the SBI error code returned (a0). */
  readonly error?: number;
  /** Hypercall: the value returned (a1). */
  readonly value?: number;
  readonly detail?: string;
}

export type TraceInput = Omit<TraceEntry, 'seq'>;

export interface TraceQuery {
  readonly kind?: TraceKind | readonly TraceKind[];
  readonly domid?: number;
  /** Only entries with seq >= since (a mark). */
  readonly since?: number;
  /** At most this many (the newest). */
  readonly limit?: number;
}

const KIND_CODE: Record<TraceKind, number> = {
  hypercall: 1, event: 2, fault: 3, restart: 4, 'vm-state': 5, inject: 6, registry: 7, bug: 8,
};

export const DEFAULT_TRACE_CAPACITY = 16384;

export class Trace {
  private readonly ring: (TraceEntry | undefined)[];
  private nextSeq = 0;
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;
  private readonly names = new Map<string, number>();
  /** Called with each new entry (the runtime turns them into events). */
  onRecord: ((e: TraceEntry) => void) | undefined;

  constructor(readonly capacity = DEFAULT_TRACE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`trace capacity ${capacity}`);
    this.ring = new Array(capacity).fill(undefined);
  }

  /** Sequence number the next entry will get: pass it to `since` later. */
  mark(): number {
    return this.nextSeq;
  }

  /** Entries recorded so far (including those no longer in the buffer). */
  get total(): number {
    return this.nextSeq;
  }

  record(input: TraceInput): TraceEntry {
    // One object shape for every entry keeps this path monomorphic (it runs for every hypercall).
    const e: TraceEntry = {
      seq: this.nextSeq, time: input.time, kind: input.kind, domid: input.domid, vm: input.vm, vcpu: input.vcpu,
      name: input.name, args: input.args, error: input.error, value: input.value, detail: input.detail,
    };
    this.ring[this.nextSeq % this.capacity] = e;
    this.nextSeq++;
    this.hashEntry(e);
    this.onRecord?.(e);
    return e;
  }

  /** Mixes one scheduling step into the hash (not stored): vCPU, instructions retired, pc after. */
  hashSlice(vcpuKey: number, retired: number, pc: number, time: number): void {
    this.mix(0x5c1ce);
    this.mix(vcpuKey);
    this.mixNumber(retired);
    this.mix(pc);
    this.mixNumber(time);
  }

  /** The running hash of everything recorded and scheduled, as 16 hex digits. */
  hash(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }

  /** Entries still in the buffer, oldest first, filtered. */
  query(q: TraceQuery = {}): TraceEntry[] {
    const first = Math.max(q.since ?? 0, this.nextSeq - this.capacity, 0);
    const kinds = q.kind === undefined ? undefined : new Set(typeof q.kind === 'string' ? [q.kind] : q.kind);
    const out: TraceEntry[] = [];
    for (let s = first; s < this.nextSeq; s++) {
      const e = this.ring[s % this.capacity]!;
      if (kinds && !kinds.has(e.kind)) continue;
      if (q.domid !== undefined && e.domid !== q.domid) continue;
      out.push(e);
    }
    return q.limit !== undefined && out.length > q.limit ? out.slice(out.length - q.limit) : out;
  }

  /** Entries since a mark (what the debugger asks after a stop). */
  since(mark: number): TraceEntry[] {
    return this.query({ since: mark });
  }

  private hashEntry(e: TraceEntry): void {
    this.mix(KIND_CODE[e.kind]);
    this.mixNumber(e.time);
    this.mix(e.domid);
    this.mix(e.vcpu ?? 0xffff);
    this.mix(this.nameHash(e.name));
    if (e.args) for (const a of e.args) this.mix(a);
    this.mix(e.error ?? 0x7fff);
    this.mix(e.value ?? 0);
    if (e.detail !== undefined) this.mixString(e.detail);
  }

  /** Names repeat (hypercall and fault names): their hashes are cached. */
  private nameHash(name: string): number {
    let h = this.names.get(name);
    if (h === undefined) {
      h = 0x811c9dc5;
      for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
      h = (h ^ name.length) >>> 0;
      if (this.names.size < 4096) this.names.set(name, h);
    }
    return h;
  }

  private mix(v: number): void {
    this.h1 = Math.imul(this.h1 ^ (v >>> 0), 0x01000193);
    this.h2 = Math.imul(this.h2 ^ ((v >>> 0) + 0x9e3779b9), 0x85ebca6b);
    this.h2 ^= this.h2 >>> 15;
  }

  private mixNumber(n: number): void {
    this.mix(n % 0x100000000);
    this.mix(Math.floor(n / 0x100000000));
  }

  private mixString(s: string): void {
    this.mix(s.length);
    for (let i = 0; i < s.length; i++) this.mix(s.charCodeAt(i));
  }
}
