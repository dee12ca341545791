/**
 * readMemory / writeMemory over a VM's guest-physical address space. MMIO and
 * unmapped addresses are unreadable; a read reports the readable prefix and how
 * many bytes after it cannot be read, as DAP specifies, so a client can skip them.
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import { hex32 } from './format';
import type { TargetRuntime } from './system';

/** Largest read answered at once; clients ask again for the rest. */
export const MAX_READ = 1 << 20;
const TOP = 0x1_0000_0000;

export function readMemory(rt: TargetRuntime, start: number, count: number): DebugProtocol.ReadMemoryResponse['body'] {
  count = Math.max(0, Math.min(count, MAX_READ));
  if (count === 0) return { address: start >= 0 ? hex32(start) : String(start), data: '', unreadableBytes: 0 };
  if (start < 0 || start >= TOP) {
    // Below 0 or above 4 GiB: unreadable up to the first address that exists.
    const unreadable = start < 0 ? Math.min(count, -start) : count;
    return { address: start >= 0 ? '0x' + start.toString(16) : String(start), data: '', unreadableBytes: unreadable };
  }
  const avail = Math.min(count, TOP - start);
  const m = rt.readMemory(start, avail);
  let unreadable = 0;
  if (m.unreadable > 0) {
    // How far the unreadable run goes (it may end where RAM begins).
    let a = start + m.data.length;
    const end = start + count;
    while (a < end && (a >= TOP || !rt.isReadable(a))) {
      a++;
      unreadable++;
    }
  }
  return { address: hex32(start), data: Buffer.from(m.data).toString('base64'), unreadableBytes: unreadable };
}

/** Decodes base64 strictly (Buffer.from silently skips bad characters). */
export function decodeBase64(text: string): Uint8Array {
  const t = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || (t.length % 4 === 1)) throw new Error('data is not valid base64');
  return new Uint8Array(Buffer.from(t, 'base64'));
}

export function writeMemory(rt: TargetRuntime, start: number, bytes: Uint8Array, allowPartial: boolean): number {
  if (start < 0 || start + bytes.length > TOP) throw new Error(`${start < 0 ? String(start) : hex32(start)}: outside the 32-bit address space`);
  // Without allowPartial nothing is written unless everything can be.
  let writable = 0;
  while (writable < bytes.length && rt.isReadable(start + writable)) writable++;
  if (writable < bytes.length && !allowPartial) {
    throw new Error(`cannot write ${bytes.length} bytes at ${hex32(start)}: ${hex32(start + writable)} is not RAM`);
  }
  if (writable === 0) throw new Error(`cannot write at ${hex32(start)}: not RAM`);
  return rt.writeMemory(start, bytes.subarray(0, writable));
}
