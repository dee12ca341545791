/**
 * The `A.*` helpers of the `sem` strings (emulator/isa/arith.ts) written inline in
 * WebAssembly, for compiled regions: they then have no calls for them, and V8
 * keeps the guest registers in machine registers rather than saving them around a
 * call (see memory-access.ts; matbench, which multiplies high, ran 2,705 → 3,259
 * MIPS at scale 10). The
 * rules are the M extension's, as in arith.ts: the high halves of 64-bit products,
 * division by zero (quotient all ones, remainder the dividend) and the one signed
 * overflow (INT_MIN / -1 = INT_MIN, remainder 0; WebAssembly's `rem_s` gives 0 there
 * itself, its `div_s` would trap). `test/cpu/wasm-arith.test.ts` holds the two to
 * the same results.
 */
import { FunctionBuilder } from './builder';
import { I32, Op } from './encoder';

/** The helpers written here. */
export const INLINE_ARITH = ['mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'] as const;

/**
 * Emits `A.name(a, b)`, leaving the int32 result; `x` and `y` are i32 scratch
 * locals (the operands, evaluated once, in order).
 */
export function emitArith(f: FunctionBuilder, name: string, args: Array<() => void>, x: number, y: number): void {
  const high = (extendA: Op, extendB: Op) => {
    args[0]();
    f.op(extendA);
    args[1]();
    f.op(extendB).op(Op.I64Mul);
    f.body.byte(Op.I64Const).s32(32);
    f.op(Op.I64ShrU).op(Op.I32WrapI64);
  };
  switch (name) {
    case 'mulh':
      return high(Op.I64ExtendI32S, Op.I64ExtendI32S);
    case 'mulhsu':
      return high(Op.I64ExtendI32S, Op.I64ExtendI32U);
    case 'mulhu':
      return high(Op.I64ExtendI32U, Op.I64ExtendI32U);
  }
  args[0]();
  f.setLocal(x);
  args[1]();
  f.setLocal(y);
  /** `y == 0 ? byZero() : otherwise()` */
  const unlessZero = (byZero: () => void, otherwise: () => void) => {
    f.get(y).op(Op.I32Eqz);
    f.push('if', Op.If, I32);
    byZero();
    f.op(Op.Else);
    otherwise();
    f.end('if');
  };
  switch (name) {
    case 'div':
      return unlessZero(
        () => f.const(-1),
        () => {
          f.get(x).const(-0x80000000).op(Op.I32Eq).get(y).const(-1).op(Op.I32Eq).op(Op.I32And);
          f.push('if', Op.If, I32);
          f.get(x);
          f.op(Op.Else);
          f.get(x).get(y).op(Op.I32DivS);
          f.end('if');
        },
      );
    case 'divu':
      return unlessZero(() => f.const(-1), () => f.get(x).get(y).op(Op.I32DivU));
    case 'rem':
      return unlessZero(() => f.get(x), () => f.get(x).get(y).op(Op.I32RemS));
    case 'remu':
      return unlessZero(() => f.get(x), () => f.get(x).get(y).op(Op.I32RemU));
  }
  throw new Error(`wasm: no helper A.${name}`);
}
