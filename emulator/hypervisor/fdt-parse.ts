/**
 * DTB reader: validates the header, the block layout and the token stream of a
 * flattened device tree and rebuilds the tree. Any malformation is an
 * FdtError with a one-line message; the walk is iterative and every step
 * consumes input, so hostile input can neither overflow the stack nor hang.
 */
import {
  DeviceTree, FdtError, FdtNode, FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_HEADER_SIZE, FDT_MAGIC,
  FDT_MAX_DEPTH, FDT_NOP, FDT_PROP,
} from './fdt';

const hex = (v: number): string => `0x${v.toString(16)}`;
const decoder = new TextDecoder('utf-8', { fatal: false });

interface Header {
  totalSize: number;
  structOff: number;
  stringsOff: number;
  rsvOff: number;
  version: number;
  bootCpuidPhys: number;
  stringsSize: number;
  structSize: number;
}

function readHeader(dv: DataView): Header {
  if (dv.byteLength < FDT_HEADER_SIZE) throw new FdtError(`truncated header: ${dv.byteLength} bytes, need ${FDT_HEADER_SIZE}`);
  const u = (i: number): number => dv.getUint32(i * 4);
  if (u(0) !== FDT_MAGIC) throw new FdtError(`bad magic ${hex(u(0))} (expected ${hex(FDT_MAGIC)})`);
  const h: Header = {
    totalSize: u(1), structOff: u(2), stringsOff: u(3), rsvOff: u(4), version: u(5),
    bootCpuidPhys: u(7), stringsSize: u(8), structSize: u(9),
  };
  const lastComp = u(6);
  // Version 16 lacks size_dt_struct; both 16 and 17 readers can read a v17 tree.
  if (h.version < 16 || lastComp > 17) throw new FdtError(`unsupported version ${h.version} (last compatible ${lastComp})`);
  if (h.totalSize < FDT_HEADER_SIZE || h.totalSize > dv.byteLength) {
    throw new FdtError(`totalsize ${h.totalSize} outside ${FDT_HEADER_SIZE}..${dv.byteLength} (bytes available)`);
  }
  if (h.version < 17) h.structSize = h.totalSize - Math.min(h.structOff, h.totalSize);
  return h;
}

/** Checks that [off, off+size) lies after the header and inside totalsize. */
function checkBlock(what: string, off: number, size: number, total: number): void {
  if (off < FDT_HEADER_SIZE || off > total || size > total - off) {
    throw new FdtError(`${what} block (offset ${off}, size ${size}) lies outside ${FDT_HEADER_SIZE}..${total}`);
  }
}

const overlaps = (a: number, an: number, b: number, bn: number): boolean => an > 0 && bn > 0 && a < b + bn && b < a + an;

function readMemReserve(dv: DataView, h: Header, tree: DeviceTree): number {
  if (h.rsvOff % 8 !== 0) throw new FdtError(`memory reservation block offset ${h.rsvOff} is not 8-byte aligned`);
  checkBlock('memory reservation', h.rsvOff, 0, h.totalSize);
  for (let at = h.rsvOff; ; at += 16) {
    if (at + 16 > h.totalSize) throw new FdtError('memory reservation block has no terminating entry');
    const address = dv.getBigUint64(at);
    const size = dv.getBigUint64(at + 8);
    if (address === 0n && size === 0n) return at + 16 - h.rsvOff;
    tree.memReserve.push({ address, size });
  }
}

/** A NUL-terminated string starting at `at` and ending before `end`, or undefined when unterminated. */
function cString(bytes: Uint8Array, at: number, end: number): string | undefined {
  const nul = bytes.subarray(at, end).indexOf(0);
  return nul < 0 ? undefined : decoder.decode(bytes.subarray(at, at + nul));
}

// Readers accept any printable ASCII; '/' separates path components and so cannot appear in a node name.
const isPropName = (s: string): boolean => /^[\x21-\x7e]+$/.test(s);
const isNodeName = (s: string): boolean => isPropName(s) && !s.includes('/');

function nodePath(stack: readonly FdtNode[]): string {
  return stack.length <= 1 ? '/' : stack.slice(1).map((n) => `/${n.name}`).join('');
}

/** Walks the structure block; returns the root node. */
function readStructure(bytes: Uint8Array, dv: DataView, h: Header): FdtNode {
  const end = h.structOff + h.structSize;
  const strEnd = h.stringsOff + h.stringsSize;
  const stack: FdtNode[] = [];
  const hasChild: boolean[] = [];
  let root: FdtNode | undefined;
  const phandles = new Map<number, string>();
  let at = h.structOff;
  for (;;) {
    if (at + 4 > end) throw new FdtError(`structure block ends at offset ${end} without FDT_END`);
    const token = dv.getUint32(at);
    const tokenAt = at;
    at += 4;
    switch (token) {
      case FDT_BEGIN_NODE: {
        const name = cString(bytes, at, end);
        if (name === undefined) throw new FdtError(`unterminated node name at offset ${at}`);
        at += (name.length + 1 + 3) & ~3;
        if (at > end) throw new FdtError(`node name at offset ${tokenAt + 4} runs past the structure block`);
        const node = new FdtNode(name);
        if (stack.length === 0) {
          if (root) throw new FdtError(`second root node at offset ${tokenAt}`);
          if (name !== '') throw new FdtError(`root node has a name ('${name}')`);
          root = node;
        } else {
          if (stack.length > FDT_MAX_DEPTH) throw new FdtError(`nodes nested deeper than ${FDT_MAX_DEPTH} levels at offset ${tokenAt}`);
          if (!isNodeName(name)) throw new FdtError(`invalid node name at offset ${tokenAt + 4} in ${nodePath(stack)}`);
          stack[stack.length - 1].attach(node);
          hasChild[hasChild.length - 1] = true;
        }
        stack.push(node);
        hasChild.push(false);
        break;
      }
      case FDT_END_NODE:
        if (stack.length === 0) throw new FdtError(`FDT_END_NODE without an open node at offset ${tokenAt}`);
        stack.pop();
        hasChild.pop();
        break;
      case FDT_PROP: {
        if (stack.length === 0) throw new FdtError(`property outside any node at offset ${tokenAt}`);
        if (at + 8 > end) throw new FdtError(`property header at offset ${tokenAt} runs past the structure block`);
        const len = dv.getUint32(at);
        const nameOff = dv.getUint32(at + 4);
        at += 8;
        if (len > end - at) throw new FdtError(`property value at offset ${at} (${len} bytes) runs past the structure block`);
        if (nameOff >= h.stringsSize) throw new FdtError(`property name offset ${nameOff} outside the strings block (${h.stringsSize} bytes)`);
        const name = cString(bytes, h.stringsOff + nameOff, strEnd);
        if (name === undefined) throw new FdtError(`unterminated property name at strings offset ${nameOff}`);
        if (!isPropName(name)) throw new FdtError(`invalid property name at strings offset ${nameOff}`);
        const path = nodePath(stack);
        if (hasChild[hasChild.length - 1]) throw new FdtError(`property '${name}' follows a subnode in ${path}`);
        const value = bytes.slice(at, at + len);
        at += (len + 3) & ~3;
        if (name === 'phandle' || name === 'linux,phandle') checkPhandle(name, value, path, phandles);
        stack[stack.length - 1].setParsed(name, value);
        break;
      }
      case FDT_NOP:
        break;
      case FDT_END:
        if (!root) throw new FdtError('structure block has no root node');
        if (stack.length !== 0) throw new FdtError(`FDT_END at offset ${tokenAt} inside open node ${nodePath(stack)}`);
        if (h.version >= 17 && at !== end) throw new FdtError(`${end - at} bytes after FDT_END in the structure block`);
        return root;
      default:
        throw new FdtError(`unknown token ${hex(token)} at offset ${tokenAt}`);
    }
  }
}

function checkPhandle(name: string, value: Uint8Array, path: string, seen: Map<number, string>): void {
  if (value.length !== 4) throw new FdtError(`${path}: '${name}' is ${value.length} bytes, not 4`);
  const ph = new DataView(value.buffer, value.byteOffset, 4).getUint32(0);
  if (ph === 0 || ph === 0xffffffff) throw new FdtError(`${path}: invalid phandle ${hex(ph)}`);
  const other = seen.get(ph);
  // A node may carry both 'phandle' and 'linux,phandle' with the same value.
  if (other !== undefined && other !== path) throw new FdtError(`${path}: phandle ${ph} already used by ${other}`);
  seen.set(ph, path);
}

function parse(bytes: Uint8Array): DeviceTree {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = readHeader(dv);
  if (h.structOff % 4 !== 0) throw new FdtError(`structure block offset ${h.structOff} is not 4-byte aligned`);
  if (h.structSize % 4 !== 0) throw new FdtError(`structure block size ${h.structSize} is not a multiple of 4`);
  checkBlock('structure', h.structOff, h.structSize, h.totalSize);
  checkBlock('strings', h.stringsOff, h.stringsSize, h.totalSize);
  if (overlaps(h.structOff, h.structSize, h.stringsOff, h.stringsSize)) throw new FdtError('structure and strings blocks overlap');
  const tree = new DeviceTree();
  const rsvSize = readMemReserve(dv, h, tree);
  if (overlaps(h.rsvOff, rsvSize, h.structOff, h.structSize) || overlaps(h.rsvOff, rsvSize, h.stringsOff, h.stringsSize)) {
    throw new FdtError('memory reservation block overlaps another block');
  }
  tree.bootCpuidPhys = h.bootCpuidPhys;
  const root = readStructure(bytes, dv, h);
  for (const p of root.properties) tree.root.setParsed(p.name, p.value);
  for (const c of root.children) tree.root.attach(c);
  return tree;
}

/**
 * Parses and validates a DTB. Throws FdtError (and nothing else) when the
 * input is not a well-formed version 16/17 flattened device tree.
 */
export function parseDtb(bytes: Uint8Array): DeviceTree {
  if (!(bytes instanceof Uint8Array)) throw new FdtError('input is not a Uint8Array');
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof FdtError) throw e;
    // Safety net: a check missing above must still surface as FdtError; tests look for this prefix.
    throw new FdtError(`internal error while parsing DTB: ${e instanceof Error ? e.message : String(e)}`);
  }
}
