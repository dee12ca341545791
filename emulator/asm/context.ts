/**
 * What instruction and directive handlers see of the assembler: the statement's
 * tokens, location helpers, pass-1 evaluation and emission into the current
 * section. Implemented by the unit assembler.
 */
import type { InsnDef } from '../isa/table';
import type { SourceLoc } from './diagnostics';
import type { Expr, ParseContext, Val } from './expr';
import type { Token } from './lexer';
import type { FixupKind } from './sections';
import type { LineOrigin } from './source';

/** One comma-separated operand: tokens [start, end) of the statement. */
export interface Operand {
  readonly start: number;
  readonly end: number;
  /** Line offset of its first character. */
  readonly pos: number;
}

export interface Ctx {
  readonly line: string;
  readonly origin: LineOrigin;
  readonly toks: readonly Token[];
  readonly parse: ParseContext;
  loc(pos: number): SourceLoc;
  fail(pos: number, message: string): never;
  warn(pos: number, message: string): void;
  /** Pass-1 value: known constants and positions; undefined when not known yet. */
  evalNow(e: Expr): Val | undefined;
  /** Appends an instruction word (with a line-table row). */
  emit(word: number): void;
  /** Appends an instruction word (or a pair, for the auipc-based kinds) completed at link time. */
  emitFixup(words: number[], kind: FixupKind, e: Expr, pos: number): void;
  /** Appends a conditional branch, relaxed to branch-over-jal when its target may be out of reach. */
  emitBranch(d: InsnDef, rs1: number, rs2: number, target: Expr, pos: number): void;
}
