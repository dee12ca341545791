/** Number formatting and parsing shared by the adapter's modules. */

import { hex32 } from '../emulator/util/hex';

/** `0x` and eight hex digits: the form memory references and addresses take everywhere. */
export { hex32 };

/** A memory reference or address as clients send it: `0x…` hex or decimal. Undefined when it is neither. */
export function parseAddress(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^[0-9]+$/.test(t)) v = parseInt(t, 10);
  else return undefined;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** An integer argument; undefined when absent, an Error message when present but not an integer. */
export function intArg(args: Record<string, unknown>, name: string): number | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`'${name}' must be an integer`);
  return v;
}

/** The base name of a path (either separator). */
export function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

/**
 * A stack frame's name: the function, with its offset (`name+0x10`) only when
 * no source line places the frame; the pc when no symbol covers it.
 */
export function frameName(f: { readonly pc: number; readonly functionName?: string; readonly source?: unknown }): string {
  if (!f.functionName) return hex32(f.pc);
  return f.source ? f.functionName.replace(/\+0x[0-9a-f]+$/, '') : f.functionName;
}
