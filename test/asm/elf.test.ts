/**
 * The ELF executable: header, program headers, section headers and symbols,
 * checked with the tests' own reader, the project's loader and GNU readelf.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemble } from '../../emulator/asm';
import { nodeIncludeResolver, readSources } from '../../emulator/asm/node-resolver';
import { parseElf } from '../../emulator/loader';
import { requireTool } from '../support/tools';
import { readElf } from './support/elf-read';
import { CORPUS } from './support/corpus';

const PROGRAM = [
  '  .globl _start', '  .type _start, @function', '_start:', '  la a0, msg', '  call f', '1: j 1b', '  .size _start, . - _start',
  'f: ret', '  .section .rodata', 'msg: .asciz "hi"', '  .data', '  .globl counter', 'counter: .word 7', '  .bss', 'buf: .zero 32',
].join('\n');

describe('asm: ELF output', function () {
  const r = assemble([{ path: '/src/prog.S', text: PROGRAM }]);
  const elf = r.elf as Uint8Array;

  it('is an ELF32 RISC-V executable with e_flags 0 and the entry at _start', function () {
    assert.ok(r.ok, JSON.stringify(r.diagnostics));
    const e = readElf(elf);
    assert.deepStrictEqual([e.type, e.machine, e.flags, e.entry], [2, 243, 0, 0x80000000]);
  });

  it('has one PT_LOAD per section, with permissions and file offsets congruent to addresses', function () {
    const e = readElf(elf);
    const img = r.image;
    assert.ok(img);
    assert.deepStrictEqual(e.phdrs.map((p) => [p.type, p.vaddr, p.memsz, p.filesz, p.flags]), img.sections.map((s) => [
      1, s.address, s.size, s.kind === 'bss' ? 0 : s.size, 4 | (s.flags.write ? 2 : 0) | (s.flags.exec ? 1 : 0),
    ]));
    for (const p of e.phdrs) assert.strictEqual(p.offset % p.align, p.vaddr % p.align);
    for (const s of img.sections) {
      const sh = e.sections.find((x) => x.name === s.name);
      assert.ok(sh, s.name);
      if (s.kind !== 'bss') assert.deepStrictEqual([...sh.data], [...s.data], `contents of ${s.name}`);
    }
  });

  it('lists symbols with binding, type, size and section, locals first after their FILE symbol', function () {
    const e = readElf(elf);
    const names = e.sections.map((s) => s.name);
    const syms = e.symbols.map((s) => `${s.bind}/${s.type} ${s.name} ${s.size} ${s.shndx >= 0xff00 ? 'ABS' : names[s.shndx]}`);
    assert.deepStrictEqual(syms, [
      '0/4 /src/prog.S 0 ABS', '0/0 f 0 .text', '0/0 msg 0 .rodata', '0/0 buf 0 .bss',
      '1/2 _start 20 .text', '1/0 counter 0 .data',
    ]);
  });

  it('is accepted by the project loader, which sees the same segments', function () {
    const parsed = parseElf(elf);
    assert.strictEqual(parsed.entry, 0x80000000);
    assert.deepStrictEqual(parsed.segments.map((s) => [s.vaddr, s.memsz]), r.image?.sections.map((s) => [s.address, s.size]));
  });

  it('readelf reads it without complaint', function () {
    const readelf = requireTool(this, 'riscv64-unknown-elf-readelf');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-asm-'));
    try {
      const file = path.join(dir, 'p.elf');
      fs.writeFileSync(file, elf);
      const out = execFileSync(readelf, ['-a', '-W', '--debug-dump=info,line', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(out, /Type:\s+EXEC/);
      assert.match(out, /Machine:\s+RISC-V/);
      assert.match(out, /DW_AT_comp_dir/);
      assert.doesNotMatch(out, /[Ww]arning|[Ee]rror/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads .include files relative to the including file, then the include directories', function () {
    const res = assemble(readSources([path.join(CORPUS, 'include.S')]), { resolveInclude: nodeIncludeResolver() });
    assert.ok(res.ok);
    assert.deepStrictEqual(res.image?.files.map((f) => path.relative(CORPUS, f)), ['include.S', 'inc/defs.inc', 'inc/putc.inc']);
    const viaDir = assemble([{ path: '/elsewhere/x.S', text: '  .include "inc/putc.inc"\n' }], { resolveInclude: nodeIncludeResolver([CORPUS]) });
    assert.ok(viaDir.ok, JSON.stringify(viaDir.diagnostics));
    const missing = assemble([{ path: '/elsewhere/x.S', text: '  .include "none.inc"\n' }], { resolveInclude: nodeIncludeResolver(['/nowhere']) });
    assert.match(missing.diagnostics[0].message, /^cannot find include file 'none.inc' \(looked in: \/elsewhere, \/nowhere\)$/);
  });
});
