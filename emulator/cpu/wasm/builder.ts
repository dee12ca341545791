/**
 * A function body under construction, with WebAssembly's structured control kept
 * by name: `push` opens a block, loop or if, `br` branches to the innermost open
 * construct of that name (the depth is worked out here), `end` closes one and
 * checks it is the one expected. Shared by the region compiler and the interpreter.
 */
import { Bytes, Op, VOID } from './encoder';

export class FunctionBuilder {
  readonly body = new Bytes();
  /** The open constructs, innermost last. */
  private readonly open: string[] = [];

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

  /** i32.load / i32.store at a constant address (state words: `mem[addr]`). */
  loadAt(addr: number): this {
    this.const(0).body.byte(Op.I32Load).u32(2).u32(addr);
    return this;
  }

  storeAt(addr: number, value: () => void): void {
    this.const(0);
    value();
    this.body.byte(Op.I32Store).u32(2).u32(addr);
  }
}
