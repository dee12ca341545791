/** Public types of the assembler API. */
import type { Diagnostic } from './diagnostics';

export interface AsmSource {
  /** Path as it should appear in diagnostics and the line table (absolute paths work best for debuggers). */
  readonly path: string;
  readonly text: string;
}

/**
 * Finds the file an `.include "request"` in `fromFile` names. Returns its
 * source, or `{ error }` with a message when it cannot be read.
 */
export type IncludeResolver = (request: string, fromFile: string) => AsmSource | { readonly error: string };

export interface AssembleOptions {
  /** Address of the first output section (.text). Default 0x80000000 (RAM of the QEMU virt machine). */
  readonly base?: number;
  /** Entry symbol. Default `_start`; without it the entry is the start of .text. */
  readonly entry?: string;
  /** Resolves `.include`; without one, `.include` is an error. */
  readonly resolveInclude?: IncludeResolver;
  /** Stop after this many errors. Default 100. */
  readonly maxErrors?: number;
  /** DWARF compilation directory (DW_AT_comp_dir; relative source paths are relative to it). Default ".". */
  readonly compDir?: string;
}

export type SectionKind = 'text' | 'rodata' | 'data' | 'bss';

export interface ImageSection {
  readonly name: string;
  readonly kind: SectionKind;
  readonly address: number;
  readonly size: number;
  /** Contents (`size` bytes); empty for .bss, whose memory is zero. */
  readonly data: Uint8Array;
  readonly align: number;
  readonly flags: { readonly read: true; readonly write: boolean; readonly exec: boolean };
}

export interface ImageSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly type: 'notype' | 'func' | 'object' | 'tls';
  readonly bind: 'local' | 'global' | 'weak';
  /** Output section name, or undefined for an absolute symbol (.equ). */
  readonly section: string | undefined;
  /** Source file (translation unit) that defines it. */
  readonly file: string;
}

/** One row per instruction (each instruction of a pseudo-instruction or macro expansion has its own). */
export interface LineEntry {
  readonly address: number;
  readonly file: string;
  readonly line: number;
  /** 1-based column of the statement's mnemonic (or of the macro invocation). */
  readonly column: number;
}

export interface AsmImage {
  readonly entry: number;
  /** Non-empty output sections in address order. */
  readonly sections: readonly ImageSection[];
  /** Named symbols (no .L locals): per file its locals, then all globals. */
  readonly symbols: readonly ImageSymbol[];
  /** Sorted by address. */
  readonly lines: readonly LineEntry[];
  /** Every source file that contributed lines (top-level files and includes). */
  readonly files: readonly string[];
}

export interface AssembleResult {
  /** True when there are no errors (warnings allowed). */
  readonly ok: boolean;
  /** Errors and warnings in the order found, each with file, line and column. */
  readonly diagnostics: readonly Diagnostic[];
  /** The ELF32 executable, when ok. */
  readonly elf?: Uint8Array;
  /** The laid-out program, when ok. */
  readonly image?: AsmImage;
}
