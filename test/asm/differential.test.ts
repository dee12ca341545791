/**
 * Differential test against GNU binutils: every corpus program, assembled and
 * linked by pvlab's assembler and by riscv64-unknown-elf-as + ld, must load the
 * same bytes at the same addresses, with the same entry point and symbols.
 */
import * as assert from 'assert';
import { assemble, formatDiagnostic } from '../../emulator/asm';
import { nodeIncludeResolver } from '../../emulator/asm/node-resolver';
import { findTool } from '../support/tools';
import { requireTool } from '../support/tools';
import { CORPUS, corpusPrograms, sources } from './support/corpus';
import { AS, LD, OBJDUMP, describeWord, gnuBuild } from './support/gnu';
import { SHF_ALLOC, loadable, readElf } from './support/elf-read';

const hex = (n: number) => '0x' + n.toString(16);

describe('asm: differential against GNU as + ld', function () {
  before(function () {
    requireTool(this, AS);
    requireTool(this, LD);
  });

  for (const prog of corpusPrograms()) {
    it(`${prog.name} loads the same bytes at the same addresses`, function () {
      const mine = assemble(sources(prog.files), { resolveInclude: nodeIncludeResolver([CORPUS]) });
      assert.deepStrictEqual(mine.diagnostics.map(formatDiagnostic), [], 'pvlab reported diagnostics');
      const myElf = readElf(mine.elf as Uint8Array);
      const gnuBytes = gnuBuild(prog.files);
      const gnu = readElf(gnuBytes);

      const a = loadable(myElf), b = loadable(gnu);
      const addresses = [...new Set([...a.bytes.keys(), ...b.bytes.keys()])].sort((x, y) => x - y);
      for (const addr of addresses) {
        if (a.bytes.get(addr) === b.bytes.get(addr)) continue;
        const detail = findTool(OBJDUMP)
          ? `\n  pvlab: ${describeWord(mine.elf as Uint8Array, addr)}\n  GNU:   ${describeWord(gnuBytes, addr)}`
          : '';
        assert.fail(`byte at ${hex(addr)} differs: pvlab ${a.bytes.get(addr)}, GNU ${b.bytes.get(addr)}${detail}`);
      }
      assert.deepStrictEqual(a.zero, b.zero, 'zero-filled (.bss) ranges');
      assert.strictEqual(hex(myElf.entry), hex(gnu.entry), 'entry point');
      assert.ok(addresses.length > 0, 'the program has contents');
    });

    it(`${prog.name} has the same symbol values as GNU ld's output`, function () {
      const mine = assemble(sources(prog.files), { resolveInclude: nodeIncludeResolver([CORPUS]) });
      const gnu = readElf(gnuBuild(prog.files));
      const named = (s: { name: string }) => s.name !== '' && !s.name.startsWith('$') && !s.name.startsWith('.L');
      // Globals must agree exactly; locals as a multiset per name (several units may use one name).
      const key = (s: { name: string; value: number; bind: number | string }) =>
        `${s.bind === 1 || s.bind === 2 || s.bind === 'global' || s.bind === 'weak' ? 'G' : 'L'} ${s.name}=${hex(s.value)}`;
      const gnuSyms = gnu.symbols.filter((s) => named(s) && s.type !== 4 /* FILE */ && s.type !== 3 /* SECTION */).map(key).sort();
      const mySyms = (mine.image?.symbols ?? []).filter(named).map(key).sort();
      assert.deepStrictEqual(mySyms, gnuSyms);
      // Sizes and types given by .size/.type agree too.
      for (const s of mine.image?.symbols ?? []) {
        const g = gnu.symbols.find((x) => x.name === s.name && x.value === s.value);
        if (!g) continue;
        assert.strictEqual(s.size, g.size, `size of ${s.name}`);
        assert.strictEqual({ notype: 0, object: 1, func: 2, tls: 6 }[s.type], g.type, `type of ${s.name}`);
      }
    });
  }

  it('the corpus covers every allocated section kind', function () {
    const kinds = new Set<string>();
    for (const prog of corpusPrograms()) {
      const r = assemble(sources(prog.files), { resolveInclude: nodeIncludeResolver([CORPUS]) });
      const elf = readElf(r.elf as Uint8Array);
      for (const s of elf.sections) if (s.flags & SHF_ALLOC) kinds.add(s.name);
    }
    assert.deepStrictEqual([...kinds].sort(), ['.bss', '.data', '.rodata', '.text']);
  });
});
