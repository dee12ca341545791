/**
 * Flattened device tree (Devicetree Specification v0.4, chapter 5): an
 * in-memory tree of nodes and properties, and its serialization to a DTB.
 * The reader lives in fdt-parse.ts and produces the same tree type.
 */

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
export const FDT_HEADER_SIZE = 40;

export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Deepest nesting accepted by the writer and the reader (the root is depth 0). */
export const FDT_MAX_DEPTH = 64;

/** Every problem with a device tree, built or parsed, is reported as this (one line). */
export class FdtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FdtError';
  }
}

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
}

export interface MemReserveEntry {
  readonly address: bigint;
  readonly size: bigint;
}

// Spec 2.2.1 / 2.2.4: node names and property names, 1..31 characters.
const NODE_NAME = /^[0-9A-Za-z,._+-]{1,31}(@[0-9A-Za-z,._+-]+)?$/;
const PROP_NAME = /^[0-9A-Za-z,._+?#-]{1,31}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

function checkU32(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new FdtError(`property '${name}': ${v} is not a 32-bit unsigned value`);
  return v;
}

function toU64(name: string, v: number | bigint): bigint {
  const b = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v) : -1n;
  if (b < 0n || b > 0xffff_ffff_ffff_ffffn) throw new FdtError(`property '${name}': ${v} is not a 64-bit unsigned value`);
  return b;
}

function checkText(name: string, s: string): Uint8Array {
  if (s.includes('\0')) throw new FdtError(`property '${name}': strings may not contain NUL`);
  return encoder.encode(s);
}

/** A node: ordered properties (names unique) and ordered children (names unique). */
export class FdtNode {
  private readonly props = new Map<string, Uint8Array>();
  private readonly kids = new Map<string, FdtNode>();

  /** `name` includes the unit address (e.g. "cpu@0"); the root's name is "". */
  constructor(readonly name: string) {}

  get properties(): FdtProperty[] {
    return [...this.props].map(([name, value]) => ({ name, value }));
  }

  get children(): FdtNode[] {
    return [...this.kids.values()];
  }

  /** Adds a child; names are checked against the specification's character set. */
  addNode(name: string): FdtNode {
    if (!NODE_NAME.test(name)) throw new FdtError(`invalid node name '${name}'`);
    return this.attach(new FdtNode(name));
  }

  /** Attaches an already-built child (the reader uses this with its own, looser, name check). */
  attach(node: FdtNode): FdtNode {
    if (this.kids.has(node.name)) throw new FdtError(`duplicate node '${node.name}' in '${this.name || '/'}'`);
    this.kids.set(node.name, node);
    return node;
  }

  child(name: string): FdtNode | undefined {
    return this.kids.get(name);
  }

  /** Sets raw bytes (copied); replaces a property of the same name, keeping its position. */
  setBytes(name: string, value: Uint8Array): this {
    if (!PROP_NAME.test(name)) throw new FdtError(`invalid property name '${name}'`);
    this.props.set(name, value.slice());
    return this;
  }

  /** Adds a property read from a DTB without the writer's name check. */
  setParsed(name: string, value: Uint8Array): void {
    if (this.props.has(name)) throw new FdtError(`duplicate property '${name}' in '${this.name || '/'}'`);
    this.props.set(name, value);
  }

  /** A property with no value (a boolean such as `interrupt-controller` or `ranges`). */
  setEmpty(name: string): this {
    return this.setBytes(name, new Uint8Array(0));
  }

  setU32(name: string, value: number): this {
    return this.setU32s(name, [value]);
  }

  /** A list of big-endian cells (also used for phandle references such as `interrupts-extended`). */
  setU32s(name: string, values: readonly number[]): this {
    const out = new Uint8Array(values.length * 4);
    const dv = new DataView(out.buffer);
    values.forEach((v, i) => dv.setUint32(i * 4, checkU32(name, v)));
    return this.setBytes(name, out);
  }

  setU64(name: string, value: number | bigint): this {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, toU64(name, value));
    return this.setBytes(name, out);
  }

  setString(name: string, value: string): this {
    return this.setStrings(name, [value]);
  }

  /** A string list: each string NUL-terminated, concatenated (e.g. `compatible`). */
  setStrings(name: string, values: readonly string[]): this {
    if (values.length === 0) throw new FdtError(`property '${name}': empty string list`);
    const parts = values.map((s) => checkText(name, s));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length + 1;
    }
    return this.setBytes(name, out);
  }

  has(name: string): boolean {
    return this.props.has(name);
  }

  get(name: string): Uint8Array | undefined {
    return this.props.get(name);
  }

  deleteProperty(name: string): boolean {
    return this.props.delete(name);
  }

  /** The cells of a property, or undefined when absent or not a multiple of 4 bytes long. */
  getU32s(name: string): number[] | undefined {
    const v = this.props.get(name);
    if (!v || v.length % 4 !== 0) return undefined;
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(i * 4));
  }

  getU32(name: string): number | undefined {
    const cells = this.getU32s(name);
    return cells && cells.length === 1 ? cells[0] : undefined;
  }

  getU64(name: string): bigint | undefined {
    const v = this.props.get(name);
    if (!v || v.length !== 8) return undefined;
    return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0);
  }

  /** The strings of a NUL-terminated string list, or undefined when it is not one. */
  getStrings(name: string): string[] | undefined {
    const v = this.props.get(name);
    if (!v || v.length === 0 || v[v.length - 1] !== 0) return undefined;
    return decoder.decode(v.subarray(0, v.length - 1)).split('\0');
  }

  getString(name: string): string | undefined {
    const list = this.getStrings(name);
    return list && list.length === 1 ? list[0] : undefined;
  }
}

/** A whole device tree: root node, memory reservations and the boot CPU. */
export class DeviceTree {
  readonly root = new FdtNode('');
  readonly memReserve: MemReserveEntry[] = [];
  bootCpuidPhys = 0;

  /** The node at an absolute path such as "/soc/plic@c000000", or undefined. */
  find(path: string): FdtNode | undefined {
    if (!path.startsWith('/')) return undefined;
    let node: FdtNode | undefined = this.root;
    for (const part of path.split('/').filter((p) => p !== '')) {
      node = node.child(part);
      if (!node) return undefined;
    }
    return node;
  }

  /** Returns the node's phandle, giving it the next free one (max + 1) if it has none. */
  phandle(node: FdtNode): number {
    const own = node.getU32('phandle');
    if (own !== undefined) return own;
    let max = 0;
    const stack = [this.root];
    for (let n = stack.pop(); n; n = stack.pop()) {
      max = Math.max(max, n.getU32('phandle') ?? 0);
      stack.push(...n.children);
    }
    if (max >= 0xfffffffe) throw new FdtError('no free phandle');
    node.setU32('phandle', max + 1);
    return max + 1;
  }

  addMemReserve(address: number | bigint, size: number | bigint): void {
    this.memReserve.push({ address: toU64('memreserve', address), size: toU64('memreserve', size) });
  }

  /** Serializes to a version-17 DTB. */
  toDtb(): Uint8Array {
    return serialize(this);
  }
}

/** Strings block with exact-match deduplication of property names. */
class StringTable {
  private readonly offsets = new Map<string, number>();
  private readonly chunks: Uint8Array[] = [];
  size = 0;

  offsetOf(name: string): number {
    let off = this.offsets.get(name);
    if (off === undefined) {
      off = this.size;
      const bytes = encoder.encode(name);
      this.chunks.push(bytes, new Uint8Array(1));
      this.size += bytes.length + 1;
      this.offsets.set(name, off);
    }
    return off;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Growable big-endian byte sink for the structure block. */
class StructWriter {
  private buf = new Uint8Array(1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u32(v: number): void {
    this.reserve(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0);
    this.length += 4;
  }

  /** Bytes followed by zero padding to the next 4-byte boundary (the buffer is zero-filled). */
  padded(bytes: Uint8Array, extraZeros = 0): void {
    const n = (bytes.length + extraZeros + 3) & ~3;
    this.reserve(n);
    this.buf.set(bytes, this.length);
    this.length += n;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function writeNode(node: FdtNode, depth: number, out: StructWriter, strings: StringTable): void {
  if (depth > FDT_MAX_DEPTH) throw new FdtError(`tree nested deeper than ${FDT_MAX_DEPTH} levels`);
  out.u32(FDT_BEGIN_NODE);
  out.padded(encoder.encode(node.name), 1);
  // Spec 5.4.2: all properties of a node precede its subnodes.
  for (const p of node.properties) {
    out.u32(FDT_PROP);
    out.u32(p.value.length);
    out.u32(strings.offsetOf(p.name));
    out.padded(p.value);
  }
  for (const c of node.children) writeNode(c, depth + 1, out, strings);
  out.u32(FDT_END_NODE);
}

function serialize(tree: DeviceTree): Uint8Array {
  const strings = new StringTable();
  const struct = new StructWriter();
  writeNode(tree.root, 0, struct, strings);
  struct.u32(FDT_END);
  const structBytes = struct.bytes();
  const stringBytes = strings.bytes();

  // Layout: header, reservation map (8-aligned, right after the 40-byte header), structure, strings.
  const rsvOff = FDT_HEADER_SIZE;
  const structOff = rsvOff + 16 * (tree.memReserve.length + 1);
  const stringsOff = structOff + structBytes.length;
  const total = stringsOff + stringBytes.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const header = [FDT_MAGIC, total, structOff, stringsOff, rsvOff, FDT_VERSION, FDT_LAST_COMP_VERSION,
    checkU32('boot_cpuid_phys', tree.bootCpuidPhys), stringBytes.length, structBytes.length];
  header.forEach((v, i) => dv.setUint32(i * 4, v));
  tree.memReserve.forEach((r, i) => {
    dv.setBigUint64(rsvOff + 16 * i, r.address);
    dv.setBigUint64(rsvOff + 16 * i + 8, r.size);
  });
  out.set(structBytes, structOff);
  out.set(stringBytes, stringsOff);
  return out;
}
