/**
 * Where generated WebAssembly finds a hart's state in its bus's memory, and code
 * made before those numbers are known: a template whose layout numbers are 5-byte
 * placeholders, listed as relocations and patched in per layout (`relocate`). The
 * interpreter is built that way once, at build time (wasm/interpreter.generated.ts),
 * because generating it on a cold start cost more than running the first million
 * instructions.
 */
import { writeFixedLeb128 } from '../../util/leb128';

/** Where a hart's state is in its bus's memory (RAM at offset 0). */
export interface WasmLayout {
  readonly ramBase: number;
  readonly ramSize: number;
  readonly memoryPages: number;
  /** Byte offset of the hart's state block (hart-state.ts). */
  readonly state: number;
  /** Byte offset of the hart's watch flags per line (Mmu.watchLines). */
  readonly watchLines: number;
  readonly codeLines: number;
}

/** Where the interpreter finds a hart's fetch TLB, besides the region layout. */
export interface InterpreterLayout extends WasmLayout {
  readonly fetchTlb: number;
}

/** The layout numbers code is made with (the memory's size is the module's, not the code's). */
export const LAYOUT_FIELDS = ['ramBase', 'ramSize', 'state', 'watchLines', 'codeLines', 'fetchTlb'] as const;
export type LayoutField = (typeof LAYOUT_FIELDS)[number];

/** How a layout number is written: an `i32.const` (signed) or a load's or store's offset (unsigned). */
export const enum LayoutUse {
  Const = 0,
  Offset = 1,
}

/** A placeholder for `(layout[field] + add) >>> shift`, 5 bytes at `at`. */
export interface Relocation {
  readonly at: number;
  readonly field: LayoutField;
  readonly add: number;
  readonly shift: number;
  readonly use: LayoutUse;
}

/** Code with its layout numbers still to patch in. */
export interface Template {
  readonly bytes: Uint8Array;
  readonly relocations: readonly Relocation[];
}

/**
 * A template as a generated file holds it: the bytes in base64 (in lines), and the
 * relocations grouped by what they stand for: [field's index, add, shift, use, offsets].
 */
export interface PrebuiltTemplate {
  readonly base64: readonly string[];
  readonly relocations: ReadonlyArray<readonly [number, number, number, LayoutUse, readonly number[]]>;
}

export function unpackTemplate(p: PrebuiltTemplate): Template {
  const bytes = new Uint8Array(Buffer.from(p.base64.join(''), 'base64'));
  const relocations = p.relocations.flatMap(([field, add, shift, use, at]) => at.map((a) => ({ at: a, field: LAYOUT_FIELDS[field], add, shift, use })));
  return { bytes, relocations };
}

/** The number a relocation stands for, under `layout`. */
export function layoutNumber(layout: Partial<InterpreterLayout>, field: LayoutField, add: number, shift: number, use: LayoutUse): number {
  const base = layout[field];
  if (base === undefined) throw new Error(`wasm: the layout has no ${field}`);
  const v = (base + add) >>> shift;
  return use === LayoutUse.Const ? v | 0 : v;
}

/** A copy of the template's code with the layout's numbers in place. */
export function relocate(template: Template, layout: InterpreterLayout): Uint8Array {
  const out = template.bytes.slice();
  for (const r of template.relocations) writeFixedLeb128(out, r.at, layoutNumber(layout, r.field, r.add, r.shift, r.use), r.use === LayoutUse.Const);
  return out;
}
