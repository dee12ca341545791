/**
 * The debugger's expression language (emulator/system/runtime-expr.ts) over a
 * fake context: no machine, no tools needed.
 */
import * as assert from 'assert';
import { ExprContext, ExprError, evaluateExpression, formatLogMessage, parseHitCondition } from '../../emulator/system/runtime-expr';

function context(): ExprContext & { x: Int32Array; mem: Map<number, number>; csrs: Map<number, number> } {
  const x = new Int32Array(32);
  const mem = new Map<number, number>();
  const csrs = new Map<number, number>([[0x300, 0x1808], [0x340, 0]]);
  let pc = 0x80000010;
  return {
    x, mem, csrs,
    register: (i) => x[i],
    setRegister: (i, v) => {
      if (i) x[i] = v;
    },
    pc: () => pc,
    setPc: (v) => {
      pc = v;
    },
    csr: (n) => csrs.get(n),
    setCsr: (n, v) => {
      csrs.set(n, v);
    },
    symbol: (name) => ({ buf: 0x80001000, main: 0x80000000 } as Record<string, number>)[name],
    read: (a, size) => {
      let v = 0;
      for (let i = 0; i < size; i++) {
        const b = mem.get(a + i);
        if (b === undefined) return undefined;
        v |= b << (8 * i);
      }
      return v >>> 0;
    },
    write: (a, size, v) => {
      for (let i = 0; i < size; i++) mem.set(a + i, (v >>> (8 * i)) & 0xff);
      return true;
    },
  };
}

describe('runtime expressions', () => {
  it('evaluates numbers, registers, symbols and C operators with 32-bit arithmetic', () => {
    const c = context();
    c.x[10] = -5;
    const ev = (s: string) => evaluateExpression(s, c);
    assert.strictEqual(ev('0x10 + 0b11 * 2 - 0o7').value, 15);
    assert.strictEqual(ev("'A'").value, 65);
    assert.strictEqual(ev('a0').value | 0, -5);
    assert.strictEqual(ev('x10 < 0').value, 1, 'registers are signed');
    assert.strictEqual(ev('(u32)a0 > 0').value, 1, 'a cast makes them unsigned');
    assert.strictEqual(ev('a0 >> 1').value | 0, -3, 'arithmetic shift of a signed value');
    assert.strictEqual(ev('0xffffffff + 1').value, 0);
    assert.strictEqual(ev('buf + 4').value, 0x80001004);
    assert.strictEqual(ev('buf + 4').isAddress, true);
    assert.strictEqual(ev('pc').value, 0x80000010);
    assert.strictEqual(ev('mstatus').value, 0x1808);
    assert.strictEqual(ev('$mstatus >> 11 & 3').value, 3);
    assert.strictEqual(ev('a0 == -5 && pc != 0 ? 7 : 9').value, 7);
    assert.strictEqual(ev('!0 + ~0').value, 0);
    assert.strictEqual(ev('7 / 2 * 2 + 7 % 2').value, 7);
  });

  it('reads and writes memory through pointers, with C pointer arithmetic', () => {
    const c = context();
    c.write?.(0x80001000, 4, 0x11223344);
    c.write?.(0x80001004, 4, 0xdeadbeef);
    const ev = (s: string, assign = false) => evaluateExpression(s, c, { allowAssignment: assign });
    assert.strictEqual(ev('*buf').value, 0x11223344, 'a bare symbol dereferences as a u32');
    assert.strictEqual(ev('*(u8*)buf').value, 0x44);
    assert.strictEqual(ev('*(i8*)(buf + 7)').value | 0, -34);
    assert.strictEqual(ev('((u32*)buf)[1]').value, 0xdeadbeef);
    assert.strictEqual(ev('*((u16*)buf + 1)').value, 0x1122);
    assert.strictEqual(ev('&((u32*)buf)[1]').value, 0x80001004);
    assert.strictEqual(ev('*(u32*)0x80001000 = 5', true).value, 5);
    assert.strictEqual(c.read(0x80001000, 4), 5);
    assert.strictEqual(ev('a1 = buf + 8', true).value, 0x80001008);
    assert.strictEqual(c.x[11] >>> 0, 0x80001008);
    assert.strictEqual(ev('mscratch = 0x55', true).value, 0x55);
    assert.throws(() => ev('*(u32*)0x10'), /cannot read 4 bytes at 0x00000010/);
    assert.throws(() => ev('a1 = 3'), /only allowed in the debug console/);
    assert.throws(() => ev('3 = 4', true), /cannot be assigned/);
  });

  it('says what is wrong with an expression', () => {
    const c = context();
    const msg = (s: string) => {
      try {
        evaluateExpression(s, c);
      } catch (e) {
        assert.ok(e instanceof ExprError, `${s}: ${e}`);
        return (e as Error).message;
      }
      return 'no error';
    };
    assert.match(msg(''), /empty expression/);
    assert.match(msg('1 +'), /expected a value at the end/);
    assert.match(msg('(1'), /expected '\)'/);
    assert.match(msg('nosuch'), /no register, symbol or CSR named 'nosuch'/);
    assert.match(msg('1 / 0'), /division by zero/);
    assert.match(msg('1 # 2'), /unexpected character '#'/);
    assert.match(msg('0x1ffffffff'), /out of range/);
    assert.match(msg('$satp'), /not implemented/);
  });

  it('parses hit conditions and formats log messages', () => {
    const at = (text: string) => [1, 2, 3, 4, 5, 6].filter(parseHitCondition(text));
    assert.deepStrictEqual(at('3'), [3, 4, 5, 6]);
    assert.deepStrictEqual(at('>= 3'), [3, 4, 5, 6]);
    assert.deepStrictEqual(at('== 2'), [2]);
    assert.deepStrictEqual(at('> 4'), [5, 6]);
    assert.deepStrictEqual(at('<3'), [1, 2]);
    assert.deepStrictEqual(at('% 2'), [2, 4, 6]);
    assert.throws(() => parseHitCondition('often'), /not understood/);
    const c = context();
    c.x[10] = 42;
    assert.strictEqual(formatLogMessage('a0={a0} at {pc} {{literal}} {bogus}', c), "a0=42 at 0x80000010 {literal} {bogus: no register, symbol or CSR named 'bogus'}");
  });
});
