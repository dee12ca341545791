/** parseElf on real toolchain output, checked field by field against readelf. */
import * as assert from 'assert';
import { PF_R, PF_W, PF_X, type ElfFile, parseElf } from '../../emulator/loader';
import { Workspace, readBytes, requireCross, tool } from './cross';

interface RefSegment { type: string; offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; flags: string; align: number }

function readelfSegments(file: string): { entry: number; segments: RefSegment[] } {
  const out = tool('readelf', ['-lW', file]);
  const entry = parseInt(/Entry point (0x[0-9a-f]+)/.exec(out)![1], 16);
  const segments: RefSegment[] = [];
  const re = /^\s+(\w+)\s+(0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (.{3}) (0x[0-9a-f]+)$/gm;
  for (const m of out.matchAll(re)) {
    segments.push({
      type: m[1], offset: Number(m[2]), vaddr: Number(m[3]), paddr: Number(m[4]),
      filesz: Number(m[5]), memsz: Number(m[6]), flags: m[7], align: Number(m[8]),
    });
  }
  return { entry, segments };
}

function flagString(flags: number): string {
  return `${flags & PF_R ? 'R' : ' '}${flags & PF_W ? 'W' : ' '}${flags & PF_X ? 'E' : ' '}`;
}

describe('loader: parseElf vs readelf', function () {
  let ws: Workspace;
  const programs: { label: string; file: string; elf: ElfFile; bytes: Uint8Array }[] = [];

  before(function () {
    requireCross(this);
    ws = new Workspace();
    for (const [label, file] of [['C program', ws.buildC('c.elf')], ['assembly program', ws.buildAsm('asm.elf')]]) {
      const bytes = readBytes(file);
      programs.push({ label, file, elf: parseElf(bytes), bytes });
    }
  });
  after(() => ws?.remove());

  it('reads entry and every program header as readelf -lW shows them', function () {
    for (const p of programs) {
      const ref = readelfSegments(p.file);
      assert.strictEqual(p.elf.entry, ref.entry, p.label);
      assert.strictEqual(p.elf.programHeaders.length, ref.segments.length, p.label);
      ref.segments.forEach((r, i) => {
        const ph = p.elf.programHeaders[i];
        assert.deepStrictEqual(
          [ph.offset, ph.vaddr, ph.paddr, ph.filesz, ph.memsz, flagString(ph.flags), ph.align],
          [r.offset, r.vaddr, r.paddr, r.filesz, r.memsz, r.flags, r.align],
          `${p.label} program header ${i}`,
        );
      });
      const loads = ref.segments.filter((r) => r.type === 'LOAD');
      assert.strictEqual(p.elf.segments.length, loads.length);
      assert.ok(loads.length >= 2, 'the fixture linker script makes a text and a data segment');
      p.elf.segments.forEach((s, i) => {
        assert.strictEqual(s.paddr, loads[i].paddr);
        assert.deepStrictEqual(s.data, p.bytes.subarray(loads[i].offset, loads[i].offset + loads[i].filesz));
      });
    }
  });

  it('lists sections with the names, addresses, offsets and sizes of readelf -SW', function () {
    for (const p of programs) {
      const out = tool('readelf', ['-SW', p.file]);
      const re = /^\s+\[\s*(\d+)\] (\S+)\s+\S+\s+([0-9a-f]{8}) ([0-9a-f]{6,}) ([0-9a-f]{6,})/gm;
      const ref = [...out.matchAll(re)].map((m) => [Number(m[1]), m[2], parseInt(m[3], 16), parseInt(m[4], 16), parseInt(m[5], 16)]);
      assert.ok(ref.length > 5, 'readelf output parsed');
      const ours = p.elf.sections.filter((s) => s.index > 0).map((s) => [s.index, s.name, s.addr, s.offset, s.size]);
      assert.deepStrictEqual(ours, ref, p.label);
    }
  });

  it('returns section bytes equal to objcopy --only-section', function () {
    for (const p of programs) {
      const bin = ws.path('text.bin');
      tool('objcopy', ['-O', 'binary', '--only-section=.text', p.file, bin]);
      assert.deepStrictEqual(p.elf.section('.text'), readBytes(bin), p.label);
      assert.strictEqual(p.elf.section('.bss')?.length, 0, 'NOBITS sections have no file bytes');
      assert.strictEqual(p.elf.section('.no-such-section'), undefined);
    }
  });

  it('reads every .symtab entry as readelf -sW shows it', function () {
    for (const p of programs) {
      const out = tool('readelf', ['-sW', p.file]);
      const re = /^\s+(\d+): ([0-9a-f]{8})\s+(\d+|0x[0-9a-f]+) (\w+)\s+(\w+)\s+(\w+)\s+(\w+) ?(.*)$/gm;
      const ref = [...out.matchAll(re)].filter((m) => m[1] !== '0').map((m) => ({
        index: Number(m[1]), value: parseInt(m[2], 16), size: Number(m[3]),
        type: m[4].toLowerCase(), bind: m[5].toLowerCase(), visibility: m[6].toLowerCase(),
        shndx: m[7] === 'UND' ? 0 : m[7] === 'ABS' ? 0xfff1 : m[7] === 'COM' ? 0xfff2 : Number(m[7]),
        name: m[8],
      }));
      assert.ok(ref.length > 10, 'readelf output parsed');
      const ours = p.elf.symbols.map((s) => ({ ...s }));
      assert.deepStrictEqual(ours, ref, p.label);
      assert.ok(p.elf.symbols.some((s) => s.name === '_start' && s.bind === 'global' && s.value === p.elf.entry));
    }
  });
});
