/**
 * Diagnostics: each error class is reported at the right file:line:column with
 * a precise message, every error of a run is reported, and nothing escapes
 * assemble() as an exception.
 */
import * as assert from 'assert';
import { assemble, formatDiagnostic } from '../../emulator/asm';
import type { AsmSource } from '../../emulator/asm';
import { diags } from './support/run';

/** Asserts that assembling `src` yields exactly the `expected` formatted diagnostics. */
function expectErrors(src: string, expected: string[]): void {
  assert.deepStrictEqual(diags(src), expected);
}

describe('asm: error reporting', function () {
  it('immediate out of range points at the immediate', function () {
    expectErrors('  addi a0, a0, 4096\n  sw a0, -2049(sp)\n  slli a0, a0, 32\n  lui a1, 0x100000\n  csrrwi a0, mstatus, 32\n', [
      't.S:1:16: error: immediate 4096 out of range (-2048..2047)',
      't.S:2:10: error: immediate -2049 out of range (-2048..2047)',
      't.S:3:16: error: shift amount 32 out of range (0..31)',
      't.S:4:11: error: lui immediate 1048576 out of range (0..1048575)',
      't.S:5:23: error: CSR immediate 32 out of range (0..31)',
    ]);
  });

  it('an immediate resolved at link time is range-checked too', function () {
    expectErrors('  addi a0, a0, big\n  .equ big, 5000\n', ['t.S:1:16: error: immediate 5000 out of range (-2048..2047)']);
  });

  it('branch and jump targets out of range', function () {
    // A conditional branch is relaxed to a branch over a jal first (as GNU as does); beyond ±1 MiB even that fails.
    expectErrors('_start:\n  beq a0, a1, far\n  j far\n  .zero 0x100000\nfar:\n  nop\n', [
      't.S:2:15: error: branch target out of range (offset 1048584; even as a branch over a jal it reaches only ±1 MiB)',
      't.S:3:5: error: jump target out of range (offset 1048580; jal reaches -1048576..1048574)',
    ]);
  });

  it('misaligned branch and jump targets', function () {
    expectErrors('  j odd\n  bnez a0, odd\n  call odd\n  .byte 0\nodd:\n  nop\n', [
      't.S:1:5: error: jump target 0x80000011 is not 4-byte aligned',
      't.S:2:12: error: branch target 0x80000011 is not 4-byte aligned',
      't.S:3:8: error: call target 0x80000011 is not 4-byte aligned',
    ]);
  });

  it('unknown instruction, register, CSR and directive', function () {
    expectErrors('  frob a0\n  add a0, a1, a9\n  lw a0, 4(x32)\n  csrr a0, foo\n  .frobnicate 1\n', [
      "t.S:1:3: error: unknown instruction 'frob'",
      "t.S:2:15: error: unknown register 'a9'",
      "t.S:3:12: error: unknown register 'x32'",
      "t.S:4:12: error: unknown CSR 'foo'",
      "t.S:5:3: error: unknown directive '.frobnicate'",
    ]);
  });

  it('wrong operand count: too few at the mnemonic, too many at the first extra operand', function () {
    expectErrors('  add a0, a1\n  add a0, a1, a2, a3\n  ret a0\n  fence rw\n', [
      "t.S:1:3: error: 'add' expects 3 operands (add rd, rs1, rs2), got 2",
      "t.S:2:19: error: 'add' expects 3 operands (add rd, rs1, rs2), got 4",
      "t.S:3:7: error: 'ret' expects 0 operands, got 1",
      "t.S:4:3: error: 'fence' expects 0 or 2 operands (fence pred, succ), got 1",
    ]);
  });

  it('a directive of another assembler gets a hint', function () {
    expectErrors('  .data\n  .asciiz "x"\n', ["t.S:2:3: error: unknown directive '.asciiz' (GNU as spells it .asciz)"]);
  });

  it('duplicate labels name the first definition', function () {
    expectErrors('loop:\n  nop\n  loop: nop\n', ["t.S:3:3: error: duplicate label 'loop' (first defined at t.S:1:1)"]);
  });

  it('undefined symbols are reported at each use', function () {
    expectErrors('  call missing\n  la a0, missing + 4\n  .data\n  .word 1, missing\n  beqz a0, other\n', [
      "t.S:1:8: error: undefined symbol 'missing'",
      "t.S:2:10: error: undefined symbol 'missing'",
      "t.S:4:12: error: undefined symbol 'missing'",
      "t.S:5:12: error: undefined symbol 'other'",
    ]);
  });

  it('unterminated string, macro, repetition, conditional and comment', function () {
    expectErrors('  .ascii "abc\n', ['t.S:1:10: error: unterminated string']);
    expectErrors('  .macro m\n  nop\n', ["t.S:1:3: error: unterminated .macro 'm' (missing .endm)"]);
    expectErrors('  .rept 2\n  nop\n', ["t.S:1:3: error: unterminated '.rept' (missing .endr)"]);
    expectErrors('  .if 1\n  nop\n', ['t.S:1:3: error: unterminated .if (missing .endif)']);
    expectErrors('  nop /* open\n  nop\n', ['t.S:1:7: error: unterminated /* comment']);
  });

  it('.include cycles name the chain', function () {
    const files: Record<string, string> = { 'a.inc': '  .include "b.inc"\n', 'b.inc': '  nop\n  .include "a.inc"\n' };
    const r = assemble([{ path: 'main.S', text: '  .include "a.inc"\n' }], {
      resolveInclude: (req) => (req in files ? { path: req, text: files[req] } : { error: `no file '${req}'` }),
    });
    assert.deepStrictEqual(r.diagnostics.map(formatDiagnostic), ['b.inc:2:12: error: .include cycle: a.inc -> b.inc -> a.inc']);
    const missing = assemble([{ path: 'main.S', text: '\n  .include "nope.inc"\n' }], { resolveInclude: () => ({ error: "cannot find 'nope.inc'" }) });
    assert.deepStrictEqual(missing.diagnostics.map(formatDiagnostic), ["main.S:2:12: error: cannot find 'nope.inc'"]);
  });

  it('errors in a macro expansion point into the macro body and name the invocation', function () {
    expectErrors('  .macro addk r, k\n  addi \\r, \\r, \\k\n  .endm\n  addk a0, 1\n  addk a0, 9999\n  addk a9, 1\n', [
      // Sorted by position: both errors are on the body line, at the columns of \r and \k.
      "t.S:2:8: error: unknown register 'a9' (in macro 'addk' invoked at t.S:6)",
      "t.S:2:16: error: immediate 9999 out of range (-2048..2047) (in macro 'addk' invoked at t.S:5)",
    ]);
  });

  it('compressed instructions are rejected with a clear message', function () {
    expectErrors('  .option rvc\n', [
      "t.S:1:11: error: '.option rvc' is not supported: the machine has no C extension (RV32IMA), so compressed instructions cannot be used",
    ]);
  });

  it('several errors in one file are all reported, in source order', function () {
    const out = diags('  addi a0, a0, 5000\n  j nowhere\n  frob\nx: nop\nx: nop\n  add a0, a1\n  .byte 1, , 2\n');
    assert.deepStrictEqual(out, [
      't.S:1:16: error: immediate 5000 out of range (-2048..2047)',
      "t.S:2:5: error: undefined symbol 'nowhere'",
      "t.S:3:3: error: unknown instruction 'frob'",
      "t.S:5:1: error: duplicate label 'x' (first defined at t.S:4:1)",
      "t.S:6:3: error: 'add' expects 3 operands (add rd, rs1, rs2), got 2",
      "t.S:7:10: error: '.byte': value 2 is empty",
    ]);
  });

  it('stops after maxErrors errors and says so', function () {
    const r = assemble([{ path: 't.S', text: '  frob\n'.repeat(500) }], { maxErrors: 100 });
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.diagnostics.length, 101);
    assert.strictEqual(formatDiagnostic(r.diagnostics[99]), "t.S:100:3: error: unknown instruction 'frob'");
    assert.strictEqual(r.diagnostics[100].message, 'too many errors (100); stopping');
  });

  it('across units: locals stay private, globals must be unique', function () {
    const units: AsmSource[] = [
      { path: 'a.S', text: '  .globl f\nf: j helper\nhelper: ret\n' },
      { path: 'b.S', text: '  .globl f\nf: call helper\n' },
    ];
    assert.deepStrictEqual(assemble(units).diagnostics.map(formatDiagnostic), [
      "b.S:2:1: error: multiple definition of 'f' (first defined at a.S:2:1)",
      "b.S:2:9: error: undefined symbol 'helper'",
    ]);
  });

  it('warnings do not fail the run', function () {
    const r = assemble([{ path: 't.S', text: '  .data\n  .byte 256\n  .section .mystuff\n' }]);
    assert.strictEqual(r.ok, true);
    assert.deepStrictEqual(r.diagnostics.map(formatDiagnostic), [
      't.S:2:9: warning: value 0x100 truncated to 0x0',
      't.S:3:3: warning: section \'.mystuff\' is not allocatable (no "a" flag): its contents are not loaded',
    ]);
  });

  it('never throws: hostile input becomes diagnostics', function () {
    const inputs = [
      '', '\u0000\u0001', ')))', '"', "'", '.macro', '.rept', '.endr', '.endm', '.if', '.else', '.endif', '1:', '1b',
      '.equ', '.equ x', '.equ x, x', '.word x\n.equ x, x + 1', 'li a0, 1/0', '.section', '.option', '.align 99',
      'lw a0, (', 'lw a0, ()', 'addi a0, a0, %lo(', 'auipc a0, %pcrel_hi()', 'beq a0, a1', '.include "x"',
      '.byte ' + '('.repeat(5000), 'm\n.macro m\nm\n.endm\nm',
    ];
    for (const text of inputs) {
      const r = assemble([{ path: 't.S', text }]);
      for (const d of r.diagnostics) {
        assert.ok(d.line >= 1 && d.column >= 1, `${JSON.stringify(text)}: ${formatDiagnostic(d)}`);
        assert.ok(!d.message.startsWith('internal'), `${JSON.stringify(text)}: ${formatDiagnostic(d)}`);
      }
    }
    assert.strictEqual(assemble([]).ok, false);
  });
});
