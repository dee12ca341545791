/**
 * Line table round trip: for every instruction of every corpus program, the
 * address → file:line mapping is the same in (1) the image's line map, (2) the
 * emitted .debug_line as objdump decodes it, (3) the project's loader reading
 * the ELF, and (4) GNU as's own line table for the same sources (as -g).
 */
import * as assert from 'assert';
import * as path from 'path';
import { assemble, type LineEntry } from '../../emulator/asm';
import { nodeIncludeResolver } from '../../emulator/asm/node-resolver';
import { LineTable, parseElf } from '../../emulator/loader';
import { requireTool } from '../support/tools';
import { CORPUS, corpusPrograms, sources } from './support/corpus';
import { AS, type DumpRow, LD, OBJDUMP, decodedLines, gnuBuild } from './support/gnu';

const base = (f: string) => path.basename(f);
const where = (r: { file: string; line: number }) => `${base(r.file)}:${r.line}`;
const hex = (n: number) => '0x' + n.toString(16);

/** The row of `rows` (sorted, as objdump prints a sequence) that covers `address`. */
function covering(rows: readonly DumpRow[], address: number): DumpRow | undefined {
  let best: DumpRow | undefined;
  for (const r of rows) if (r.address <= address && (!best || r.address >= best.address)) best = r;
  return best;
}

describe('asm: DWARF line table round trip', function () {
  for (const prog of corpusPrograms()) {
    describe(prog.name, function () {
      let lines: readonly LineEntry[] = [];
      let elf: Uint8Array;

      before(function () {
        const r = assemble(sources(prog.files), { resolveInclude: nodeIncludeResolver([CORPUS]) });
        assert.ok(r.ok && r.image && r.elf, 'assembles');
        lines = r.image.lines;
        elf = r.elf;
      });

      it('has a row for every instruction, each pointing at an instruction line of the source', function () {
        assert.ok(lines.length > 0);
        const addresses = lines.map((l) => l.address);
        assert.strictEqual(new Set(addresses).size, addresses.length, 'one row per instruction address');
        for (const l of lines) assert.strictEqual(l.address % 4, 0, `aligned row at ${hex(l.address)}`);
      });

      it('objdump --dwarf=decodedline reads the same rows', function () {
        requireTool(this, OBJDUMP);
        const dumped = decodedLines(elf);
        assert.deepStrictEqual(
          dumped.map((r) => `${hex(r.address)} ${where(r)}`),
          lines.map((r) => `${hex(r.address)} ${where(r)}`),
        );
      });

      it("the loader's line table maps every instruction back to the same file:line", function () {
        const table = LineTable.fromElf(parseElf(elf));
        for (const l of lines) {
          const got = table.lookup(l.address);
          assert.ok(got, `no row covers ${hex(l.address)}`);
          assert.strictEqual(`${base(got.file)}:${got.line}`, where(l), `at ${hex(l.address)}`);
          assert.ok(path.resolve(got.file) === path.resolve(l.file), `path of ${hex(l.address)}: ${got.file} vs ${l.file}`);
        }
      });

      it('agrees with GNU as -g about the source line of every instruction', function () {
        requireTool(this, AS);
        requireTool(this, LD);
        requireTool(this, OBJDUMP);
        const gnu = decodedLines(gnuBuild(prog.files, { debug: true }));
        for (const l of lines) {
          const g = covering(gnu, l.address);
          assert.ok(g, `GNU has no row for ${hex(l.address)}`);
          assert.strictEqual(where(l), where(g), `source of the instruction at ${hex(l.address)}`);
        }
      });
    });
  }
});
