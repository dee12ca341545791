/**
 * The symbol table of one translation unit (one top-level source file with its
 * includes): labels, `.equ`/`.set` values, bindings and ELF type/size, and the
 * numbering of numeric local labels (`1:` … `1b` / `1f`).
 */
import type { SourceLoc } from './diagnostics';
import type { Expr, Val } from './expr';
import type { Anchor } from './sections';

export type SymbolType = 'notype' | 'func' | 'object' | 'tls';
export type Binding = 'local' | 'global' | 'weak';

export interface SymbolDef {
  readonly name: string;
  readonly unit: number;
  /** 'none': only mentioned (.globl, .type, a reference). */
  kind: 'none' | 'label' | 'equ';
  /** label: its position. */
  anchor?: Anchor;
  /** equ: the value when it was known at definition (absolute, or a position plus addend). */
  value?: Val;
  /** equ: the expression, evaluated when the program is linked, when `value` is not known. */
  expr?: Expr;
  /** The last of `.globl`/`.weak`/`.local` given wins (local by default). */
  bind: Binding;
  type: SymbolType;
  size?: Expr;
  defLoc?: SourceLoc;
  /** Link-time evaluation guard for `.equ` cycles. */
  evaluating?: boolean;
}

/** Internal names of numeric local labels; they start with .L so they never reach .symtab. */
function localName(n: number, instance: number): string {
  return `.L${n}\u0002${instance}`;
}

export class UnitSymbols {
  readonly map = new Map<string, SymbolDef>();
  private readonly localCount = new Map<number, number>();

  constructor(readonly unit: number) {}

  get(name: string): SymbolDef | undefined {
    return this.map.get(name);
  }

  /** The entry for `name`, created (kind 'none', local) if absent. */
  entry(name: string): SymbolDef {
    let s = this.map.get(name);
    if (!s) {
      s = { name, unit: this.unit, kind: 'none', bind: 'local', type: 'notype' };
      this.map.set(name, s);
    }
    return s;
  }

  /** Defines the next instance of numeric label `n`; returns its internal name. */
  defineNumeric(n: number): string {
    const k = (this.localCount.get(n) ?? 0) + 1;
    this.localCount.set(n, k);
    return localName(n, k);
  }

  /** `nf` names the next instance, `nb` the latest; undefined when there is no previous instance. */
  numericRef(n: number, forward: boolean): string | undefined {
    const k = this.localCount.get(n) ?? 0;
    if (forward) return localName(n, k + 1);
    return k === 0 ? undefined : localName(n, k);
  }
}

/** A user-facing spelling of an internal name (`1b` style names print as their number). */
export function displayName(name: string): string {
  const i = name.indexOf('\u0002');
  return i < 0 ? name : name.slice(2, i);
}
