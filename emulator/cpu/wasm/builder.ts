/**
 * A function body under construction, with WebAssembly's structured control kept
 * by name: `push` opens a block, loop or if, `br` branches to the innermost open
 * construct of that name (the depth is worked out here), `end` closes one and
 * checks it is the one expected. Shared by the region compiler, the interpreter and
 * the chaining function. The numbers of the hart's layout (layout.ts) go through
 * `layoutConst` and `memop`: written as they are, or, for a template, as
 * placeholders listed in `relocations`.
 */
import { Bytes, Op, VOID } from './encoder';
import { type InterpreterLayout, type LayoutField, LayoutUse, type Relocation, layoutNumber } from './layout';
import { StateWord } from '../hart-state';

export class FunctionBuilder {
  readonly body = new Bytes();
  /** The open constructs, innermost last. */
  private readonly open: string[] = [];
  /** For a template: where the layout numbers go, in `body`. */
  readonly relocations: Relocation[] | undefined;

  /** `layout`: the numbers code takes from it, or 'template' to leave them to `relocate`. */
  constructor(private readonly layout: Partial<InterpreterLayout> | 'template' = {}) {
    this.relocations = layout === 'template' ? [] : undefined;
  }

  private layoutNumber(field: LayoutField, add: number, shift: number, use: LayoutUse): void {
    if (this.layout === 'template') {
      this.relocations!.push({ at: this.body.length, field, add, shift, use });
      this.body.bytes(PLACEHOLDER);
    } else {
      const v = layoutNumber(this.layout, field, add, shift, use);
      if (use === LayoutUse.Const) this.body.s32(v);
      else this.body.u32(v);
    }
  }

  /** i32.const (layout[field] + add) >>> shift */
  layoutConst(field: LayoutField, add = 0, shift = 0): this {
    this.body.byte(Op.I32Const);
    this.layoutNumber(field, add, shift, LayoutUse.Const);
    return this;
  }

  /** A load or store (alignment 2^align) at layout[field] + add past the address on the stack. */
  memop(op: Op, align: number, field: LayoutField, add = 0): this {
    this.body.byte(op).u32(align);
    this.layoutNumber(field, add, 0, LayoutUse.Offset);
    return this;
  }

  push(name: string, op: Op.Block | Op.Loop | Op.If, type = VOID): void {
    this.body.byte(op).byte(type);
    this.open.push(name);
  }

  end(name: string): void {
    if (this.open.pop() !== name) throw new Error(`wasm: structure (${name})`);
    this.body.byte(Op.End);
  }

  /** Relative depth of the innermost open construct called `name`. */
  depth(name: string): number {
    const k = this.open.lastIndexOf(name);
    if (k < 0) throw new Error(`wasm: no ${name} to branch to`);
    return this.open.length - 1 - k;
  }

  br(name: string, op: Op.Br | Op.BrIf = Op.Br): void {
    this.body.byte(op).u32(this.depth(name));
  }

  /** The innermost open construct's name. */
  get innermost(): string | undefined {
    return this.open[this.open.length - 1];
  }

  /** The names of the open constructs, innermost last. */
  get openNames(): readonly string[] {
    return this.open;
  }

  get(local: number): this {
    this.body.byte(Op.LocalGet).u32(local);
    return this;
  }

  setLocal(local: number): this {
    this.body.byte(Op.LocalSet).u32(local);
    return this;
  }

  const(v: number): this {
    this.body.byte(Op.I32Const).s32(v);
    return this;
  }

  op(op: Op): this {
    this.body.byte(op);
    return this;
  }

  /** local = v */
  set(local: number, v: number): void {
    this.const(v).setLocal(local);
  }

  /** `if (cond) then`: `cond` leaves an i32 on the stack. */
  ifThen(cond: () => void, then: () => void): void {
    cond();
    this.push('if', Op.If);
    then();
    this.end('if');
  }

  /** The hart's state word `word` (hart-state.ts). */
  loadState(word: StateWord): this {
    return this.const(0).memop(Op.I32Load, 2, 'state', word * 4);
  }

  storeState(word: StateWord, value: () => void): void {
    this.const(0);
    value();
    this.memop(Op.I32Store, 2, 'state', word * 4);
  }
}

/** A 5-byte LEB128 zero, patched by `relocate`. */
const PLACEHOLDER = [0x80, 0x80, 0x80, 0x80, 0x00];
