/**
 * Pass 1 over one translation unit (a top-level source file and what it
 * includes): reads statements through a stack of frames (files, macro and
 * repeat expansions), defines labels, runs directives and instructions, and
 * leaves input sections (fragments, fixups, line marks) and a symbol table for
 * the linker. Each unit is assembled as GNU as would assemble that file alone.
 */
import type { InsnDef } from '../isa/table';
import type { Ctx } from './context';
import { AsmError, type DiagnosticSink, type SourceLoc } from './diagnostics';
import { directive, isConditional, conditional } from './directives';
import { type EvalEnv, type Expr, type ParseContext, type Val, evaluate, symbolsOf } from './expr';
import { assembleInstruction } from './instructions';
import { type Token, tokenize } from './lexer';
import { type MacroDef, bindArgs, leadingDirective, substitute } from './macros';
import { exprIn } from './operands';
import { type Anchor, type FixupKind, InputSection, type SectionFlags, defaultFlags } from './sections';
import { type CommentProblem, type LineOrigin, type SourceLine, type Statement, locAt, readLines, splitStatements } from './source';
import { UnitSymbols, displayName } from './symbols';
import type { IncludeResolver } from './types';

/** What a unit needs from the whole program. */
export interface ProgramContext {
  readonly diags: DiagnosticSink;
  readonly resolveInclude?: IncludeResolver;
  /** Index of a source path in the program's file list (for the line table). */
  fileIndex(path: string): number;
}

interface Frame {
  readonly lines: readonly SourceLine[];
  pos: number;
  readonly kind: 'file' | 'macro' | 'repeat';
  /** file: its path (for include cycles). */
  readonly path?: string;
  /** Conditional nesting depth when the frame started. */
  readonly conds: number;
}

export interface Cond {
  active: boolean;
  /** Some branch of this .if chain was taken (or the chain sits in a skipped region). */
  done: boolean;
  elseSeen: boolean;
  readonly parentActive: boolean;
  readonly loc: SourceLoc;
}

const MAX_DEPTH = 100;

export class Unit implements Ctx, ParseContext {
  readonly sections: InputSection[] = [];
  private readonly byName = new Map<string, InputSection>();
  private current!: InputSection;
  private previousSection: InputSection | undefined;
  private readonly sectionStack: Array<[InputSection, InputSection | undefined]> = [];
  readonly symbols: UnitSymbols;
  readonly macros = new Map<string, MacroDef>();
  private readonly frames: Frame[] = [];
  readonly conds: Cond[] = [];
  private readonly optionStack: boolean[] = [];
  /** `.option relax`: accepted, but this assembler never relaxes (see docs/assembler.md). */
  relax = true;
  private macroCount = 0;

  // The statement being assembled (Ctx).
  line = '';
  origin!: LineOrigin;
  toks: readonly Token[] = [];
  private mnemonicPos = 0;
  readonly parse: ParseContext;
  private readonly env: EvalEnv;

  constructor(readonly prog: ProgramContext, readonly index: number, readonly path: string, text: string) {
    this.symbols = new UnitSymbols(index);
    // GNU as creates .text, .data and .bss up front, so they come first in their output sections.
    for (const name of ['.data', '.bss', '.text']) this.switchSection(name, undefined, 0);
    this.previousSection = undefined;
    this.parse = this;
    this.env = {
      symbol: (n) => {
        const s = this.symbols.get(n.name);
        if (!s) return undefined;
        if (s.kind === 'label') return { v: 0n, anchor: s.anchor };
        if (s.kind === 'equ') return s.value;
        return undefined;
      },
      anchor: (a) => ({ v: 0n, anchor: a }),
    };
    this.pushFile(path, text, undefined);
  }

  // --- the statement loop ---------------------------------------------------

  run(): void {
    while (this.frames.length > 0) {
      const f = this.frames[this.frames.length - 1];
      if (f.pos >= f.lines.length) {
        this.popFrame();
        continue;
      }
      this.processLine(f.lines[f.pos++], f);
    }
    this.finish();
  }

  private processLine(sl: SourceLine, frame: Frame): void {
    const stmts = splitStatements(sl.text);
    for (let k = 0; k < stmts.length; k++) {
      const depth = this.frames.length;
      try {
        this.statement(sl, stmts[k]);
      } catch (e) {
        this.prog.diags.report(e, locAt(sl.origin, stmts[k].start));
      }
      if (this.frames.length !== depth || this.frames[depth - 1] !== frame) {
        // A statement started a file or an expansion: the rest of this line comes after it.
        if (k + 1 < stmts.length && this.frames.length > depth) {
          const from = stmts[k + 1].start;
          const rest: SourceLine = { text: ' '.repeat(from) + sl.text.slice(from), origin: sl.origin };
          this.frames.splice(depth, 0, { lines: [rest], pos: 0, kind: 'repeat', conds: this.conds.length });
        }
        return;
      }
    }
  }

  private statement(sl: SourceLine, st: Statement): void {
    this.line = sl.text;
    this.origin = sl.origin;
    if (!this.active()) {
      // Skipped text is not parsed; only conditional directives are tracked.
      const d = leadingDirective(st.text);
      if (!d || !isConditional(d)) return;
    }
    const toks = tokenize(sl.text, st.start, st.start + st.text.length, sl.origin);
    this.toks = toks;
    if (toks.length === 0) return;
    let i = 0;
    const active = this.active();
    while (i + 1 < toks.length && toks[i + 1].kind === 'op' && toks[i + 1].text === ':' && (toks[i].kind === 'id' || toks[i].kind === 'num')) {
      if (active) this.defineLabel(toks[i]);
      i += 2;
    }
    if (i >= toks.length) return;
    const t = toks[i];
    if (t.kind !== 'id') this.fail(t.pos, `expected an instruction or directive, got '${t.text}'`);
    const name = t.text.toLowerCase();
    if (isConditional(name)) return conditional(this, name, t, i + 1);
    if (!active) return;
    const next = toks[i + 1];
    if (next && next.kind === 'op' && next.text === '=') {
      return this.defineEqu(t, i + 2, 'set');
    }
    this.mnemonicPos = t.pos;
    const macro = this.macros.get(t.text) ?? this.macros.get(name);
    if (macro) return this.invokeMacro(macro, t);
    if (name.startsWith('.')) return directive(this, name, t, i + 1);
    assembleInstruction(this, t, i + 1);
  }

  active(): boolean {
    return this.conds.length === 0 || this.conds[this.conds.length - 1].active;
  }

  // --- ParseContext ---------------------------------------------------------

  localRef(t: Token): string {
    const name = this.symbols.numericRef(t.label as number, t.forward as boolean);
    if (name === undefined) this.fail(t.pos, `backward reference to undefined local label '${t.label}'`);
    return name;
  }

  dot(): Anchor {
    return this.current.here();
  }

  // --- frames: files, macros, repeats ----------------------------------------

  private pushFile(path: string, text: string, pos: number | undefined): void {
    const problems: CommentProblem[] = [];
    const lines = readLines(text, path, problems);
    for (const p of problems) this.prog.diags.error({ file: path, line: p.line, column: p.column }, p.message);
    this.prog.fileIndex(path);
    if (pos !== undefined && this.frames.length >= MAX_DEPTH) this.fail(pos, '.include nested too deeply');
    this.frames.push({ lines, pos: 0, kind: 'file', path, conds: this.conds.length });
  }

  private popFrame(): void {
    const f = this.frames.pop() as Frame;
    if (f.kind !== 'file') return;
    // Conditionals must close in the file that opened them.
    while (this.conds.length > f.conds) {
      const c = this.conds.pop() as Cond;
      this.prog.diags.error(c.loc, 'unterminated .if (missing .endif)');
    }
  }

  /** `.include "file"`. */
  include(request: string, pos: number): void {
    const resolve = this.prog.resolveInclude;
    if (!resolve) this.fail(pos, `cannot include '${request}': no include resolver was given`);
    const from = this.currentFile();
    const r = resolve(request, from);
    if ('error' in r) this.fail(pos, r.error);
    const chain = this.frames.filter((f) => f.kind === 'file').map((f) => f.path as string);
    if (chain.includes(r.path)) {
      this.fail(pos, `.include cycle: ${[...chain.slice(chain.indexOf(r.path)), r.path].join(' -> ')}`);
    }
    this.pushFile(r.path, r.text, pos);
  }

  private currentFile(): string {
    for (let k = this.frames.length - 1; k >= 0; k--) if (this.frames[k].kind === 'file') return this.frames[k].path as string;
    return this.path;
  }

  /** The lines of the innermost frame after the current one (for collecting .macro/.rept bodies). */
  frameLines(): { lines: readonly SourceLine[]; pos: number } {
    const f = this.frames[this.frames.length - 1];
    return { lines: f.lines, pos: f.pos };
  }

  /** Skips the current frame to `pos` (after a collected body). */
  frameSkipTo(pos: number): void {
    this.frames[this.frames.length - 1].pos = pos;
  }

  /** Pushes expanded lines (a .rept/.irp body). */
  pushRepeat(lines: SourceLine[], pos: number): void {
    if (this.frames.length >= MAX_DEPTH) this.fail(pos, 'repetitions nested too deeply');
    this.frames.push({ lines, pos: 0, kind: 'repeat', conds: this.conds.length });
  }

  private invokeMacro(m: MacroDef, t: Token): void {
    if (this.frames.filter((f) => f.kind === 'macro').length >= MAX_DEPTH) {
      this.fail(t.pos, `macro expansion nested too deeply (does '${m.name}' invoke itself without end?)`);
    }
    const values = bindArgs(m, this.line, t.end, this.origin);
    const at = `${this.origin.file}:${this.origin.line}`;
    const loc = this.loc(t.pos);
    const debug = {
      file: this.origin.debugFile, line: this.origin.debugLine,
      column: this.origin.debugColumn ?? loc.column,
    };
    const lines = substitute(m.body, values, this.macroCount++, ` (in macro '${m.name}' invoked at ${at})`, debug);
    this.frames.push({ lines, pos: 0, kind: 'macro', conds: this.conds.length });
  }

  /** `.exitm`: leaves the innermost macro expansion. */
  exitMacro(pos: number): void {
    const k = this.frames.map((f) => f.kind).lastIndexOf('macro');
    if (k < 0) this.fail(pos, '.exitm outside a macro');
    while (this.frames.length > k) this.frames.pop();
  }

  /** `.end`: the rest of the unit is ignored. */
  end(): void {
    this.frames.length = 0;
  }

  defineMacro(m: MacroDef, pos: number): void {
    if (this.macros.has(m.name)) this.fail(pos, `macro '${m.name}' is already defined`);
    this.macros.set(m.name, m);
  }

  // --- symbols -------------------------------------------------------------

  private defineLabel(t: Token): void {
    const name = t.kind === 'num' ? this.symbols.defineNumeric(Number(t.value)) : t.text;
    const s = this.symbols.entry(name);
    if (s.kind !== 'none') {
      const where = s.defLoc ? ` (first defined at ${s.defLoc.file}:${s.defLoc.line}:${s.defLoc.column})` : '';
      this.fail(t.pos, `${s.kind === 'label' ? 'duplicate label' : 'label redefines symbol'} '${displayName(name)}'${where}`);
    }
    s.kind = 'label';
    s.anchor = this.current.here();
    s.defLoc = this.loc(t.pos);
  }

  /** `.equ`/`.set`/`.equiv`/`sym = expr` with the expression at token `from`. */
  defineEqu(nameTok: Token, from: number, how: 'set' | 'equiv'): void {
    if (nameTok.kind !== 'id' || nameTok.text === '.') this.fail(nameTok.pos, `expected a symbol name, got '${nameTok.text}'`);
    const s = this.symbols.entry(nameTok.text);
    if (s.kind === 'label') this.fail(nameTok.pos, `symbol '${s.name}' is already defined as a label`);
    if (how === 'equiv' && s.kind !== 'none') this.fail(nameTok.pos, `symbol '${s.name}' is already defined`);
    if (from >= this.toks.length) this.fail(nameTok.end, `expected an expression for '${s.name}'`);
    const e = this.exprAt(from);
    const v = evaluate(e, this.env);
    s.kind = 'equ';
    s.value = v;
    s.expr = v ? undefined : e;
    s.defLoc = this.loc(nameTok.pos);
  }

  /** Parses an expression filling the rest of the statement from token `from`. */
  exprAt(from: number, end = this.toks.length): Expr {
    return exprIn(this, from, end);
  }

  evalNow(e: Expr): Val | undefined {
    return evaluate(e, this.env);
  }

  // --- sections ------------------------------------------------------------

  /** Makes `name` current, creating it with `flags` (or GNU's defaults for the name). */
  switchSection(name: string, flags: SectionFlags | undefined, pos: number): void {
    let s = this.byName.get(name);
    if (!s) {
      s = new InputSection(name, flags ?? defaultFlags(name), this.index);
      this.byName.set(name, s);
      this.sections.push(s);
      if (!s.flags.alloc && !/^\.(debug|comment|note|riscv\.attributes|stab)/.test(name) && this.origin) {
        this.warn(pos, `section '${name}' is not allocatable (no "a" flag): its contents are not loaded`);
      }
    }
    if (s !== this.current) this.previousSection = this.current;
    this.current = s;
  }

  pushSection(): void {
    this.sectionStack.push([this.current, this.previousSection]);
  }

  popSection(pos: number): void {
    const top = this.sectionStack.pop();
    if (!top) this.fail(pos, '.popsection without .pushsection');
    [this.current, this.previousSection] = top;
  }

  previous(pos: number): void {
    if (!this.previousSection) this.fail(pos, '.previous: no previous section');
    [this.current, this.previousSection] = [this.previousSection, this.current];
  }

  // --- options ---------------------------------------------------------------

  pushOptions(): void {
    this.optionStack.push(this.relax);
  }

  popOptions(pos: number): void {
    if (this.optionStack.length === 0) this.fail(pos, '.option pop without .option push');
    this.relax = this.optionStack.pop() as boolean;
  }

  // --- emission (Ctx) ---------------------------------------------------------

  loc(pos: number): SourceLoc {
    return locAt(this.origin, pos);
  }

  fail(pos: number, message: string): never {
    throw new AsmError(message, this.loc(pos));
  }

  warn(pos: number, message: string): void {
    this.prog.diags.warning(this.loc(pos), message);
  }

  private codeSection(): InputSection {
    const s = this.current;
    if (s.flags.nobits) this.fail(this.mnemonicPos, `instructions are not allowed in section '${s.name}' (nobits)`);
    return s;
  }

  private mark(s: InputSection, tail = false): void {
    const o = this.origin;
    const column = o.debugColumn ?? this.loc(this.mnemonicPos).column;
    s.lines.push({ frag: s.frags.length - 1, off: s.cur.buf.length, file: this.prog.fileIndex(o.debugFile), line: o.debugLine, column, tail });
  }

  emit(word: number): void {
    const s = this.codeSection();
    this.mark(s);
    s.cur.buf.u32(word);
  }

  emitFixup(words: number[], kind: FixupKind, e: Expr, pos: number): void {
    const s = this.codeSection();
    s.fixups.push({ kind, frag: s.frags.length - 1, off: s.cur.buf.length, expr: e, loc: this.loc(pos) });
    for (const w of words) {
      this.mark(s);
      s.cur.buf.u32(w);
    }
  }

  emitBranch(d: InsnDef, rs1: number, rs2: number, target: Expr, pos: number): void {
    const s = this.codeSection();
    this.mark(s, true);
    s.addTail({ kind: 'branch', def: d, rs1, rs2, target, loc: this.loc(pos), long: true });
  }

  /** A `size`-byte data value (`.word` etc.). */
  emitData(e: Expr, size: number, pos: number): void {
    const s = this.current;
    const v = this.evalNow(e);
    if (v && !v.anchor) {
      const max = 1n << BigInt(8 * size);
      // GNU as warns when neither the value nor its negation fits the field.
      if (size < 8 && (v.v >= max || v.v <= -max)) {
        this.warn(pos, `value 0x${BigInt.asUintN(64, v.v).toString(16)} truncated to 0x${BigInt.asUintN(8 * size, v.v).toString(16)}`);
      }
      if (s.flags.nobits) {
        if (BigInt.asUintN(8 * size, v.v) !== 0n) this.fail(pos, `cannot store a non-zero value in section '${s.name}' (nobits)`);
        s.cur.buf.fill(size, 0);
        return;
      }
      s.cur.buf.int(v.v, size);
      return;
    }
    if (s.flags.nobits) this.fail(pos, `cannot store an address in section '${s.name}' (nobits)`);
    s.fixups.push({ kind: 'data', frag: s.frags.length - 1, off: s.cur.buf.length, expr: e, loc: this.loc(pos), size });
    s.cur.buf.int(0n, size);
  }

  emitBytes(bytes: ArrayLike<number>, pos: number): void {
    const s = this.current;
    if (s.flags.nobits) {
      for (let k = 0; k < bytes.length; k++) if (bytes[k] !== 0) this.fail(pos, `cannot store a non-zero value in section '${s.name}' (nobits)`);
      s.cur.buf.fill(bytes.length, 0);
      return;
    }
    s.cur.buf.bytes(bytes);
  }

  emitFill(count: number, byte: number, pos: number): void {
    const s = this.current;
    if (s.flags.nobits && byte !== 0) this.fail(pos, `cannot store a non-zero value in section '${s.name}' (nobits)`);
    s.cur.buf.fill(count, byte);
  }

  /** `.align`-family: pad to `alignment` bytes (a power of two). */
  align(alignment: number, fill: number | undefined, max: number | undefined, pos: number): void {
    const s = this.current;
    if (s.flags.nobits && fill) this.fail(pos, `cannot fill with a non-zero value in section '${s.name}' (nobits)`);
    s.align = Math.max(s.align, alignment);
    const code = s.flags.exec && fill === undefined;
    // GNU as (no RVC): in code, alignment to 4 bytes or less without a fill value is a no-op.
    if (code && alignment <= 4) return;
    if (alignment <= 1) return;
    s.addTail({ kind: 'align', alignment, fill, max, code });
  }

  /** Reserves `size` bytes aligned to `alignment` in this unit's .bss for `name` (.comm/.lcomm). */
  common(nameTok: Token, size: number, alignment: number, global: boolean): void {
    const saved = this.current;
    const savedPrev = this.previousSection;
    this.switchSection('.bss', undefined, nameTok.pos);
    this.align(alignment, undefined, undefined, nameTok.pos);
    this.defineLabel(nameTok);
    this.emitFill(size, 0, nameTok.pos);
    const s = this.symbols.entry(nameTok.text);
    s.type = 'object';
    s.size = { k: 'num', v: BigInt(size) };
    if (global && s.bind === 'local') s.bind = 'global';
    this.current = saved;
    this.previousSection = savedPrev;
  }

  // --- end of unit -----------------------------------------------------------

  /**
   * Ends the unit as GNU as does: code sections are padded (with nops) to their
   * alignment; then it decides which branches stay short (target defined in
   * this unit's same section, not weak).
   */
  private finish(): void {
    for (const s of this.sections) {
      if (s.flags.exec && s.align > 4) s.addTail({ kind: 'align', alignment: s.align, fill: undefined, max: undefined, code: true });
    }
    for (const s of this.sections) {
      for (const f of s.frags) {
        const t = f.tail;
        if (!t || t.kind !== 'branch') continue;
        let v: Val | undefined;
        try {
          v = this.evalNow(t.target);
        } catch {
          v = undefined;
        }
        const weak = symbolsOf(t.target).some((n) => this.symbols.get(n.name)?.bind === 'weak');
        if (v && v.anchor && v.anchor.sec === s && !weak) {
          t.local = { anchor: v.anchor as Anchor, addend: Number(v.v) };
          t.long = false;
        }
      }
    }
  }
}

