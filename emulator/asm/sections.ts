/**
 * Input sections as one source file builds them: a list of fragments, each a
 * run of fixed bytes optionally followed by one variable-size tail (an
 * alignment gap or a relaxable branch), the model GNU as uses. Addresses are
 * given to fragments only when the program is laid out.
 */
import type { SourceLoc } from './diagnostics';
import type { Expr } from './expr';
import type { InsnDef } from '../isa/table';

/** A growable little-endian byte buffer. */
export class ByteBuf {
  data: Uint8Array;
  length = 0;

  /** A virtual buffer (nobits sections) only counts its length; every byte is zero. */
  constructor(readonly virtual = false) {
    this.data = new Uint8Array(virtual ? 0 : 64);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    if (this.virtual) throw new Error('data written to a nobits section');
    let size = this.data.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.data[this.length++] = v & 0xff;
  }

  /** Appends `size` bytes of `v` (a two's complement value), least significant first. */
  int(v: bigint, size: number): void {
    this.reserve(size);
    for (let k = 0; k < size; k++) this.data[this.length++] = Number((v >> BigInt(8 * k)) & 0xffn);
  }

  u32(v: number): void {
    this.reserve(4);
    const d = this.data;
    const n = this.length;
    d[n] = v & 0xff;
    d[n + 1] = (v >>> 8) & 0xff;
    d[n + 2] = (v >>> 16) & 0xff;
    d[n + 3] = (v >>> 24) & 0xff;
    this.length += 4;
  }

  bytes(b: ArrayLike<number>): void {
    this.reserve(b.length);
    for (let k = 0; k < b.length; k++) this.data[this.length++] = b[k] & 0xff;
  }

  fill(n: number, byte: number): void {
    if (this.virtual && byte === 0) {
      this.length += n;
      return;
    }
    this.reserve(n);
    this.data.fill(byte & 0xff, this.length, this.length + n);
    this.length += n;
  }

  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

export interface SectionFlags {
  readonly alloc: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  /** SHT_NOBITS: occupies memory, not file space (.bss). */
  readonly nobits: boolean;
}

const NONE: SectionFlags = { alloc: false, write: false, exec: false, nobits: false };
const CODE: SectionFlags = { alloc: true, write: false, exec: true, nobits: false };
const RODATA: SectionFlags = { alloc: true, write: false, exec: false, nobits: false };
const DATA: SectionFlags = { alloc: true, write: true, exec: false, nobits: false };
const BSS: SectionFlags = { alloc: true, write: true, exec: false, nobits: true };

/** Flags GNU as gives a section it knows by name (the name or name.suffix), when `.section` gives none. */
export function defaultFlags(name: string): SectionFlags {
  const is = (base: string) => name === base || name.startsWith(base + '.');
  if (is('.text') || name === '.init' || name === '.fini') return CODE;
  if (is('.rodata')) return RODATA;
  if (is('.data') || is('.tdata') || is('.init_array') || is('.fini_array')) return DATA;
  if (is('.bss') || is('.tbss')) return BSS;
  return NONE;
}

/** A position in a section: before byte `off` of the fixed part of fragment `frag`. */
export interface Anchor {
  readonly sec: InputSection;
  readonly frag: number;
  readonly off: number;
}

export interface AlignTail {
  readonly kind: 'align';
  /** Bytes (a power of two). */
  readonly alignment: number;
  /** Fill byte, or undefined for the default (code: nops; data: zeros). */
  readonly fill: number | undefined;
  readonly max: number | undefined;
  readonly code: boolean;
}

/** A conditional branch: 4 bytes, or 8 (inverted branch over a `jal`) when its target may be out of reach. */
export interface BranchTail {
  readonly kind: 'branch';
  readonly def: InsnDef;
  readonly rs1: number;
  readonly rs2: number;
  readonly target: Expr;
  readonly loc: SourceLoc;
  long: boolean;
  /** Resolved at the end of the file: a label of this section plus addend, or undefined (always long). */
  local?: { anchor: Anchor; addend: number };
}

export type Tail = AlignTail | BranchTail;

export class Frag {
  readonly buf: ByteBuf;
  tail: Tail | undefined;
  /** Assigned by layout. */
  address = 0;
  tailSize = 0;

  constructor(virtual: boolean) {
    this.buf = new ByteBuf(virtual);
  }
}

export type FixupKind =
  | 'i12' // I-type immediate (bits 31:20), signed
  | 's12' // S-type immediate, signed
  | 'u20' // U-type immediate as written (0..0xfffff)
  | 'shamt' // shift amount 0..31
  | 'hi20' // %hi(x) in a U-type
  | 'lo12i' // %lo(x) in an I-type
  | 'lo12s' // %lo(x) in an S-type
  | 'pcrel_hi20' // %pcrel_hi(x) in auipc
  | 'pcrel_lo12i' // %pcrel_lo(label) in an I-type; label names the auipc
  | 'pcrel_lo12s'
  | 'jal' // J-type pc-relative target
  | 'call' // auipc + jalr pair (call, tail, jump)
  | 'pair_i' // auipc + I-type pair (la, lla, load from a symbol)
  | 'pair_s' // auipc + S-type pair (store to a symbol)
  | 'data'; // `size` bytes of an absolute value

export interface Fixup {
  readonly kind: FixupKind;
  readonly frag: number;
  readonly off: number;
  readonly expr: Expr;
  readonly loc: SourceLoc;
  /** 'data': the value's size in bytes. */
  readonly size?: number;
}

/** One instruction's source position for the line table. */
export interface LineMark {
  readonly frag: number;
  readonly off: number;
  /** Index into the program's file list. */
  readonly file: number;
  readonly line: number;
  readonly column: number;
  /** The mark stands for a branch tail: one row per instruction of its final form. */
  readonly tail?: boolean;
}

export class InputSection {
  readonly frags: Frag[];
  readonly fixups: Fixup[] = [];
  readonly lines: LineMark[] = [];
  /** Alignment in bytes (power of two). */
  align = 1;
  /** Assigned by layout. */
  address = 0;
  size = 0;

  constructor(
    readonly name: string,
    readonly flags: SectionFlags,
    /** Index of the source file (translation unit) that built it. */
    readonly unit: number,
  ) {
    this.frags = [new Frag(flags.nobits)];
    // GNU as aligns .text to the instruction size (4 without RVC).
    if (name === '.text') this.align = 4;
  }

  get cur(): Frag {
    return this.frags[this.frags.length - 1];
  }

  here(): Anchor {
    return { sec: this, frag: this.frags.length - 1, off: this.cur.buf.length };
  }

  /** Ends the current fragment with a variable tail; later bytes go to a new fragment. */
  addTail(tail: Tail): void {
    this.cur.tail = tail;
    this.frags.push(new Frag(this.flags.nobits));
  }
}

export function anchorAddress(a: Anchor): number {
  return (a.sec.frags[a.frag].address + a.off) >>> 0;
}
