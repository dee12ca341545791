/**
 * The decoded line table of real programs, compared row by row with
 * `objdump --dwarf=decodedline` and address by address with addr2line, for
 * each DWARF version the Debian toolchain emits.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ElfError, type ElfFile, LineTable, parseElf } from '../../emulator/loader';
import { Workspace, markerLine, readBytes, requireCross, tool } from './cross';
import { parseDecodedLine } from './objdump-lines';

/** Versions of the units in .debug_line (32-bit DWARF: 4-byte length, then a 2-byte version). */
function lineVersions(elf: ElfFile): number[] {
  const d = elf.section('.debug_line')!;
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const out: number[] = [];
  for (let off = 0; off < d.length; off += 4 + dv.getUint32(off, true)) out.push(dv.getUint16(off + 4, true));
  return out;
}

/** Addresses of every 4-byte instruction slot in the executable sections. */
function codeAddresses(elf: ElfFile): number[] {
  const out: number[] = [];
  for (const s of elf.sections) {
    if ((s.flags & 0x4) === 0 || s.type !== 1) continue; // SHF_EXECINSTR, SHT_PROGBITS
    for (let a = s.addr; a < s.addr + s.size; a += 4) out.push(a);
  }
  return out;
}

const variants = [
  { label: 'C, gcc -g (DWARF 5)', build: (ws: Workspace) => ws.buildC('c5.elf', ['-g']), versions: [5] },
  { label: 'C, gcc -gdwarf-4', build: (ws: Workspace) => ws.buildC('c4.elf', ['-gdwarf-4']), versions: [4] },
  { label: 'C, gcc -gdwarf-3', build: (ws: Workspace) => ws.buildC('c3.elf', ['-gdwarf-3']), versions: [3] },
  { label: 'assembly, as -g (DWARF 3)', build: (ws: Workspace) => ws.buildAsm('a3.elf', ['-g']), versions: [3] },
  { label: 'assembly, as --gdwarf-5', build: (ws: Workspace) => ws.buildAsm('a5.elf', ['--gdwarf-5']), versions: [5] },
];

describe('loader: DWARF line tables vs binutils', function () {
  let ws: Workspace;
  before(function () {
    requireCross(this);
    ws = new Workspace();
  });
  after(() => ws?.remove());

  for (const v of variants) {
    describe(v.label, () => {
      let file: string;
      let elf: ElfFile;
      let table: LineTable;
      before(() => {
        file = v.build(ws);
        elf = parseElf(readBytes(file));
        table = LineTable.fromElf(elf);
      });

      it('is built with the intended DWARF version', () => {
        assert.deepStrictEqual([...new Set(lineVersions(elf))], v.versions);
      });

      it('has exactly the rows objdump --dwarf=decodedline prints', () => {
        const ref = parseDecodedLine(tool('objdump', ['-w', '--dwarf=decodedline', file]));
        assert.ok(ref.length > 10, 'objdump output parsed');
        assert.strictEqual(table.rows.length, ref.length);
        ref.forEach((r, i) => {
          const row = table.rows[i];
          const ctx = `row ${i}: ${JSON.stringify(row)} vs ${JSON.stringify(r)}`;
          assert.strictEqual(row.address, r.address, ctx);
          assert.strictEqual(row.endSequence, r.line === undefined, ctx);
          assert.strictEqual(path.basename(row.file), r.name, ctx);
          // The heading is the recorded "dir/name"; our path is that joined to the compilation directory.
          assert.ok(row.file.endsWith('/' + path.normalize(r.heading)) && row.file.startsWith(ws.dir + '/'), ctx);
          if (!row.endSequence) {
            assert.strictEqual(row.line, r.line, ctx);
            assert.strictEqual(row.isStmt, r.isStmt, ctx);
          }
        });
      });

      it('maps every instruction address to the file:line addr2line gives', () => {
        const addrs = codeAddresses(elf);
        assert.ok(addrs.length > 10);
        const out = tool('addr2line', ['-e', file, ...addrs.map((a) => '0x' + a.toString(16))]).trim().split('\n');
        assert.strictEqual(out.length, addrs.length);
        addrs.forEach((a, i) => {
          const ref = out[i].replace(/ \(discriminator \d+\)$/, '');
          const got = table.lookup(a);
          const ours = got ? `${got.file}:${got.line}` : '??:0';
          const [refFile, refLine] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
          const expected = refFile === '??' ? '??:0' : `${path.normalize(refFile)}:${refLine}`;
          assert.strictEqual(ours, expected, `0x${a.toString(16)}`);
        });
      });
    });
  }

  describe('source positions of the C program', () => {
    let elf: ElfFile;
    let table: LineTable;
    before(() => {
      elf = parseElf(readBytes(ws.buildC('c.elf')));
      table = LineTable.fromElf(elf);
    });
    const symbol = (name: string) => elf.symbols.find((s) => s.name === name)!;

    it('lists the sources with absolute paths', () => {
      assert.deepStrictEqual(table.files(), ['c/lib/calc.c', 'c/lib/calc.h', 'c/main.c', 'c/start.S'].map((f) => ws.path(f)));
    });

    it('puts each function entry on its opening line', () => {
      const main = table.lookup(symbol('main').value);
      assert.deepStrictEqual([main?.file, main?.line], [ws.path('c/main.c'), markerLine(ws.path('c/main.c'), 'main')]);
      assert.strictEqual(table.lookup(symbol('compute').value)?.line, markerLine(ws.path('c/lib/calc.c'), 'compute'));
      assert.strictEqual(table.lookup(symbol('_start').value)?.file, ws.path('c/start.S'));
    });

    it('finds breakpoint addresses by exact path, path suffix and file name', () => {
      const line = markerLine(ws.path('c/lib/calc.c'), 'compute');
      const exact = table.addressesForLine(ws.path('c/lib/calc.c'), line);
      assert.ok(exact.includes(symbol('compute').value));
      assert.deepStrictEqual(table.addressesForLine('/home/someone/else/lib/calc.c', line), exact);
      assert.deepStrictEqual(table.addressesForLine('calc.c', line), exact);
      assert.deepStrictEqual(table.addressesForLine('other.c', line), []);
      // Inlined header code: breakpoint addresses lie inside compute, and each maps back to the header line.
      const sq = markerLine(ws.path('c/lib/calc.h'), 'square');
      const inHeader = table.addressesForLine('/elsewhere/calc.h', sq);
      assert.ok(inHeader.length > 0);
      const compute = symbol('compute');
      for (const a of inHeader) assert.ok(a >= compute.value && a < compute.value + compute.size);
      const store = markerLine(ws.path('c/main.c'), 'store');
      for (const a of table.addressesForLine('main.c', store)) {
        assert.ok(table.rows.some((r) => r.address === a && r.line === store && r.isStmt));
      }
    });
  });

  describe('source positions of the assembly program', () => {
    let elf: ElfFile;
    let table: LineTable;
    let source: string[];
    before(() => {
      elf = parseElf(readBytes(ws.buildAsm('a.elf')));
      table = LineTable.fromElf(elf);
      source = fs.readFileSync(ws.path('asm/prog.S'), 'utf8').split('\n');
    });

    it('maps labelled instructions to their marked lines, and back', () => {
      const prog = ws.path('asm/prog.S');
      for (const [label, marker] of [['after_call', 'after_call'], ['sum', 'sum'], ['load_site', 'load']]) {
        const addr = elf.symbols.find((s) => s.name === label)!.value;
        const line = markerLine(prog, marker);
        assert.deepStrictEqual(table.lookup(addr), { file: prog, line, column: 0 }, label);
        assert.deepStrictEqual(table.addressesForLine(prog, line), [addr], label);
      }
    });

    it('maps every instruction to a line that holds an instruction', () => {
      for (const a of codeAddresses(elf)) {
        const loc = table.lookup(a);
        assert.ok(loc, `0x${a.toString(16)} has a line`);
        const text = source[loc.line - 1].replace(/#.*/, '').trim();
        assert.match(text, /^[a-z]+(\s|$)/, `0x${a.toString(16)} -> line ${loc.line}: "${text}"`);
      }
      assert.strictEqual(table.lookup(elf.symbols.find((s) => s.name === 'values')!.value), undefined, 'data has no line');
    });
  });
});

describe('loader: corrupted real debug sections', function () {
  let ws: Workspace;
  before(function () {
    requireCross(this);
    ws = new Workspace();
  });
  after(() => ws?.remove());

  it('give rows or an ElfError, never another exception or a hang', () => {
    const elf = parseElf(readBytes(ws.buildC('c.elf')));
    const names = ['.debug_line', '.debug_info', '.debug_abbrev', '.debug_line_str', '.debug_str'];
    const original = names.map((n) => elf.section(n)!.slice());
    let rejected = 0;
    const attempt = (sections: Uint8Array[], what: string) => {
      const patched = { ...elf, section: (n: string) => (names.includes(n) ? sections[names.indexOf(n)] : elf.section(n)) };
      try {
        LineTable.fromElf(patched);
      } catch (e) {
        assert.ok(e instanceof ElfError, `${what}: ${String(e)}`);
        rejected++;
      }
    };
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let i = 0; i < 3000; i++) {
      const k = rand(3); // corrupt .debug_line, .debug_info or .debug_abbrev
      const sections = original.map((s) => s.slice());
      const target = sections[k];
      if (i % 4 === 0) sections[k] = target.subarray(0, rand(target.length));
      else for (let j = 0; j <= rand(3); j++) target[rand(target.length)] = rand(256);
      attempt(sections, `${names[k]} corruption ${i}`);
    }
    assert.ok(rejected > 300 && rejected < 3000, `${rejected} of 3000 rejected: the corruptions reach both outcomes`);
  });
});
