/** Helpers for assembling small in-memory programs in tests. */
import { type AssembleOptions, type AssembleResult, assemble, formatDiagnostic } from '../../../emulator/asm';

/** Assembles one in-memory file named `t.S`. */
export function asm(text: string, options: AssembleOptions = {}): AssembleResult {
  return assemble([{ path: 't.S', text }], options);
}

/** Formatted diagnostics of assembling `text` as `t.S`. */
export function diags(text: string, options: AssembleOptions = {}): string[] {
  return asm(text, options).diagnostics.map(formatDiagnostic);
}

/** The .text words of a program that must assemble cleanly. */
export function words(text: string, options: AssembleOptions = {}): number[] {
  const r = asm(text, options);
  if (!r.ok || !r.image) throw new Error(`assembly failed:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  const t = r.image.sections.find((s) => s.name === '.text');
  if (!t) return [];
  const v = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out: number[] = [];
  for (let k = 0; k + 4 <= t.data.length; k += 4) out.push(v.getUint32(k, true));
  return out;
}

/** Hex strings, for readable assertion output. */
export const hexWords = (w: number[]) => w.map((x) => x.toString(16).padStart(8, '0'));
