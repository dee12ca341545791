/**
 * Syntax and semantics details, checked on assembled bytes: lexing (numbers,
 * characters and strings as GNU as reads them), expression precedence,
 * symbols, macros, repetitions, conditionals, sections and alignment.
 */
import * as assert from 'assert';
import { asm, diags, hexWords, words } from './support/run';

/** The bytes of output section `name`. */
function bytes(text: string, name = '.data'): number[] {
  const r = asm(text);
  assert.ok(r.ok && r.image, r.diagnostics.map((d) => d.message).join('\n'));
  const s = r.image.sections.find((x) => x.name === name);
  return s ? [...s.data] : [];
}

/** Values of `.word` expressions (a data section of 4-byte words). */
function values(exprs: string[], prelude = ''): number[] {
  const data = bytes(`${prelude}\n  .data\n${exprs.map((e) => `  .word ${e}`).join('\n')}\n`);
  const v = new DataView(Uint8Array.from(data).buffer);
  return exprs.map((_, k) => v.getInt32(4 * k, true));
}

describe('asm: syntax and semantics', function () {
  describe('numbers, characters and strings', function () {
    it('reads decimal, hex, binary, octal and character constants', function () {
      assert.deepStrictEqual(values(['42', '0x2A', '0X2a', '0b101010', '0B1', '052', "'*'", "'*", "'\\n'", "'\\''", "'\\0'"]),
        [42, 42, 42, 42, 1, 42, 42, 42, 10, 39, 48]); // GNU as: an unknown escape in a character constant is the character
    });

    it('decodes string escapes like GNU as (octal, hex, \\v; no \\a)', function () {
      assert.deepStrictEqual(bytes('  .data\n  .ascii "\\a\\v\\0\\7\\101\\x41\\x4142\\q\\1234\\"\\\\"\n'),
        [0x61, 11, 0, 7, 0x41, 0x41, 0x42, 0x71, 0x53, 0x34, 0x22, 0x5c]);
      assert.deepStrictEqual(bytes('  .data\n  .asciz "é"\n'), [0xc3, 0xa9, 0]);
    });

    it('reads CRLF line ends and a byte-order mark', function () {
      assert.deepStrictEqual(hexWords(words('\uFEFF  nop\r\n  ecall\r\n')), ['00000013', '00000073']);
    });

    it('comments: # to end of line, /* */ across lines, ; separates statements', function () {
      assert.deepStrictEqual(hexWords(words('  nop # comment ; ebreak\n  /* ebreak\n ebreak */ ecall ; ebreak\n  li a0, \'#\'\n')),
        ['00000013', '00000073', '00100073', '02300513']);
    });
  });

  describe('expressions', function () {
    it('uses GNU as precedence and C-like division', function () {
      assert.deepStrictEqual(values(['1 + 2 * 3', '1 + 2 << 3', '1 | 2 + 1', '(1 | 2) + 1', '-7 / 2', '-7 % 2', '~0 >> 60', '3 == 3', '3 < 2', '1 && 2', '0 || 3', '5 ! 0']),
        [7, 17, 4, 4, -3, -1, -1, -1, 0, 1, 1, -1]);
    });

    it('symbols: .equ/.set (redefinable), =, forward references, label differences', function () {
      assert.deepStrictEqual(values(['A', 'B', 'C', 'D', 'end - start', 'late * 2'],
        '  .equ A, 3\n  .set B, A * 2\n  .set A, 10\n  C = A + B\n  .equiv D, 1\n  .section .rodata\nstart: .byte 1, 2, 3\nend:\n  .equ late, 21'),
      [10, 6, 16, 1, 3, 42]);
      assert.deepStrictEqual(diags('  .equiv X, 1\n  .equiv X, 2\n'), ["t.S:2:10: error: symbol 'X' is already defined"]);
      assert.deepStrictEqual(diags('  .equ loop, 1\nloop: nop\n'), ["t.S:2:1: error: label redefines symbol 'loop' (first defined at t.S:1:8)"]);
      assert.deepStrictEqual(diags('  .word 1 / 0\n'), ['t.S:1:11: error: division by zero']);
    });

    it('an immediate may refer to a symbol defined later (resolved at link time)', function () {
      assert.deepStrictEqual(hexWords(words('  addi a0, a0, K\n  lw a1, K(sp)\n  .equ K, 12\n')), ['00c50513', '00c12583']);
    });

    it('numeric local labels: nf is the next definition, nb the previous', function () {
      // The label on a line is defined before its instruction, so `1: j 1b` jumps to itself.
      assert.deepStrictEqual(hexWords(words('1: j 1f\n1: j 1b\n  j 1b\n1:\n')), ['0040006f', '0000006f', 'ffdff06f']);
    });

    it('%hi/%lo and %pcrel_hi/%pcrel_lo (the operand of %pcrel_lo is the auipc\'s label)', function () {
      const w = words('_start:\n  lui a0, %hi(x)\n  addi a0, a0, %lo(x)\n1: auipc a1, %pcrel_hi(x)\n  lw a1, %pcrel_lo(1b)(a1)\n  .data\n  .zero 0x7ff\nx: .byte 1\n');
      // .data follows the 16 bytes of .text, so x = 0x80000010 + 0x7ff = 0x8000080f: %hi rounds up to 0x80001.
      assert.deepStrictEqual(hexWords(w), ['80001537', '80f50513', '00001597', '8075a583']);
      assert.deepStrictEqual(diags('  lw a0, %pcrel_lo(x)(a0)\nx: nop\n'), [
        't.S:1:10: error: %pcrel_lo: no auipc with %pcrel_hi at 0x80000004 (the operand must be the label of that auipc)',
      ]);
    });
  });

  describe('macros, repetitions and conditionals', function () {
    it('expands positional, named, default and vararg arguments', function () {
      const def = '  .macro m a, b=2, c:vararg\n  .byte \\a + \\b\n  .byte \\c\n  .endm\n  .data\n';
      // An empty .byte emits nothing (as in GNU as); a blank argument takes the default.
      assert.deepStrictEqual(bytes(def + '  m 1\n  m b=5, a=1, c=7\n  m 1 3 9\n  m 1, , 3, 4\n  m 1 - 1, 3\n'), [3, 6, 7, 4, 9, 3, 3, 4, 3]);
    });

    it('substitutes \\@ (expansions so far) and \\() (nothing)', function () {
      const w = words('  .macro n\n  addi t\\@, zero, \\@\n  .endm\n  .macro w op\n  \\op\\().w a0, a1, (a2)\n  .endm\n  n\n  n\n  w amoadd\n');
      assert.deepStrictEqual(hexWords(w), ['00000293', '00100313', '00b6252f']);
    });

    it('macro arguments: a blank next to an operator does not separate them', function () {
      assert.deepStrictEqual(bytes('  .macro two a, b\n  .byte \\a\n  .byte \\b\n  .endm\n  .data\n  two 1 2\n  two 3 - 1, 9\n'), [1, 2, 2, 9]);
    });

    it('reports missing required arguments and extra arguments', function () {
      assert.deepStrictEqual(diags('  .macro m a:req\n  nop\n  .endm\n  m\n  m 1, 2\n'), [
        "t.S:4:4: error: missing value for required parameter 'a' of macro 'm'",
        "t.S:5:8: error: too many arguments for macro 'm' (it takes 1)",
      ]);
    });

    it('.rept, .irp, .irpc, nested .if/.elseif/.else, .exitm, .purgem', function () {
      assert.deepStrictEqual(bytes([
        '  .data', '  .rept 2', '  .irp v, 1, 2', '  .byte \\v', '  .endr', '  .endr',
        '  .irpc c, 45', '  .byte \\c', '  .endr',
        '  .if 0', '  .byte 9', '  .elseif 1', '  .if 1', '  .byte 6', '  .else', '  .byte 9', '  .endif', '  .else', '  .byte 9', '  .endif',
        '  .macro x', '  .byte 7', '  .exitm', '  .byte 9', '  .endm', '  x', '  .purgem x',
        '  .ifdef x', '  .byte 9', '  .endif',
      ].join('\n')), [1, 2, 1, 2, 4, 5, 6, 7]);
    });
  });

  describe('sections, symbols and alignment', function () {
    it('places .text, .rodata, .data, .bss in that order from the base, each aligned', function () {
      const r = asm('  .bss\n  .zero 8\n  .data\n  .byte 1\n  .section .rodata\n  .p2align 3\n  .byte 2\n  .text\n  nop\n', { base: 0x1000 });
      assert.ok(r.image);
      assert.deepStrictEqual(r.image.sections.map((s) => `${s.name}@${s.address.toString(16)}+${s.size}`),
        ['.text@1000+4', '.rodata@1008+1', '.data@1009+1', '.bss@100a+8']);
    });

    it('.rodata works as a directive (an extension: GNU as needs .section .rodata)', function () {
      assert.deepStrictEqual(bytes('  .rodata\n  .byte 5\n', '.rodata'), [5]);
    });

    it('code alignment pads with a zero byte, a c.nop and nops; data with zeros or the fill byte', function () {
      // GNU as also pads the end of a code section to its alignment (8 here) with nops.
      assert.deepStrictEqual(bytes('  .byte 1\n  .p2align 3\n  nop\n', '.text'), [1, 0, 1, 0, 0x13, 0, 0, 0, 0x13, 0, 0, 0, 0x13, 0, 0, 0]);
      assert.deepStrictEqual(bytes('  .data\n  .byte 1\n  .balign 4\n  .byte 2\n  .balign 4, 0xee\n  .byte 3\n  .p2align 3, 0xaa, 2\n'), [1, 0, 0, 0, 2, 0xee, 0xee, 0xee, 3]);
    });

    it('.bss takes only zeros', function () {
      assert.deepStrictEqual(diags('  .bss\n  .word 0\n  .word 1\n  .space 4, 1\n  nop\n'), [
        "t.S:3:9: error: cannot store a non-zero value in section '.bss' (nobits)",
        "t.S:4:10: error: cannot store a non-zero value in section '.bss' (nobits)",
        "t.S:5:3: error: instructions are not allowed in section '.bss' (nobits)",
      ]);
    });

    it('.comm and .lcomm reserve .bss space', function () {
      const r = asm('  .comm buf, 100, 8\n  .lcomm tmp, 4\n  la a0, buf\n');
      assert.ok(r.image);
      const bss = r.image.sections.find((s) => s.name === '.bss');
      const sym = (n: string) => r.image?.symbols.find((s) => s.name === n);
      assert.deepStrictEqual([sym('buf')?.bind, sym('buf')?.size, sym('buf')?.value === bss?.address], ['global', 100, true]);
      assert.strictEqual(sym('tmp')?.bind, 'local');
    });

    it('symbols carry binding, type and size; .L locals are not listed', function () {
      const r = asm('  .globl f\n  .type f, @function\nf: nop\n.Lhidden: ret\n  .size f, . - f\n  .data\n  .type obj, %object\nobj: .word 1\n  .size obj, 4\n  .weak w\nw: .byte 0\n');
      assert.ok(r.image);
      assert.deepStrictEqual(r.image.symbols.map((s) => `${s.bind} ${s.type} ${s.name} ${s.size} ${s.section}`), [
        'local object obj 4 .data', 'global func f 8 .text', 'weak notype w 0 .data',
      ]);
    });

    it('the entry is _start, else the start of .text, else the given symbol', function () {
      assert.strictEqual(asm('  nop\n_start: nop\n').image?.entry, 0x80000004);
      assert.strictEqual(asm('  .data\n  .word 1\n  .text\n  nop\n').image?.entry, 0x80000000);
      assert.strictEqual(asm('  nop\nmain: nop\n', { entry: 'main' }).image?.entry, 0x80000004);
      assert.deepStrictEqual(diags('  nop\n', { entry: 'main' }), ["t.S:1:1: error: entry symbol 'main' is not defined"]);
    });

    it('provides the symbols of GNU ld\'s default script when no unit defines them', function () {
      const r = asm('  la a0, __bss_start\n  la a1, _end\n  .data\n  .word _edata, __global_pointer$, _etext\n  .bss\n  .zero 16\n');
      assert.ok(r.image, JSON.stringify(r.diagnostics));
      const data = r.image.sections.find((s) => s.name === '.data');
      const bss = r.image.sections.find((s) => s.name === '.bss');
      assert.ok(data && bss);
      const v = new DataView(data.data.buffer, data.data.byteOffset);
      assert.deepStrictEqual([v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true)], [data.address + 12, data.address + 0x800, 0x80000010]);
      assert.strictEqual(bss.address, data.address + 12);
      assert.deepStrictEqual(diags('  .globl _end\n_end: nop\n  la a0, _end\n'), []);
    });

    it('the line map gives every instruction of an expansion the invoking line', function () {
      const r = asm('  .macro two\n  nop\n  nop\n  .endm\n  li a0, 0x12345678\n  two\n  .rept 2\n  ebreak\n  .endr\n');
      assert.ok(r.image);
      assert.deepStrictEqual(r.image.lines.map((l) => `${(l.address - 0x80000000).toString(16)}:${l.line}:${l.column}`),
        ['0:5:3', '4:5:3', '8:6:3', 'c:6:3', '10:8:3', '14:8:3']);
    });
  });
});
