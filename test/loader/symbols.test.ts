/** SymbolTable rules on hand-made symbol lists, then on real programs. */
import * as assert from 'assert';
import { type ElfSection, type ElfSymbol, SymbolTable, parseElf } from '../../emulator/loader';
import { Workspace, readBytes, requireCross } from './cross';

let nextIndex = 1;
function sym(name: string, value: number, size = 0, type: ElfSymbol['type'] = 'func', bind: ElfSymbol['bind'] = 'global', shndx = 1): ElfSymbol {
  return { index: nextIndex++, name, value, size, type, bind, visibility: 'default', shndx };
}

function section(index: number, name: string, addr: number, size: number): ElfSection {
  return { index, name, type: 1, flags: 0x2 | 0x4, addr, offset: 0x1000, size, link: 0, info: 0, addralign: 4, entsize: 0 };
}

const where = (t: SymbolTable, addr: number): string | undefined => {
  const m = t.lookup(addr);
  return m && `${m.name}+${m.offset}`;
};

describe('loader: SymbolTable rules', () => {
  it('prefers the innermost sized symbol that contains the address', () => {
    const t = new SymbolTable([sym('outer', 0x100, 0x100), sym('inner', 0x140, 0x10, 'object')]);
    assert.strictEqual(where(t, 0x148), 'inner+8');
    // Past inner's end the nearest symbol is still inner, but outer contains the address.
    assert.strictEqual(where(t, 0x150), 'outer+80');
    assert.strictEqual(where(t, 0x100), 'outer+0');
  });

  it('falls back to the nearest preceding symbol, within its section', () => {
    const sections = [section(0, '', 0, 0), section(1, '.text', 0x000, 0x400)];
    const t = new SymbolTable([sym('loop', 0x300, 0, 'notype', 'local'), sym('_end', 0x800, 0, 'notype')], sections);
    assert.strictEqual(where(t, 0x308), 'loop+8');
    assert.strictEqual(where(t, 0x3ff), 'loop+255');
    assert.strictEqual(t.lookup(0x400), undefined, 'past the end of .text');
    assert.strictEqual(where(t, 0x800), '_end+0', 'an exact hit counts even outside the section');
    assert.strictEqual(t.lookup(0x2ff), undefined, 'nothing precedes 0x2ff');
  });

  it('ignores local labels, mapping symbols, section, file, undefined and absolute constants', () => {
    const t = new SymbolTable([
      sym('main', 0x100, 0x40),
      sym('.L3', 0x180, 0, 'notype', 'local'),
      sym('$x', 0x190, 0, 'notype', 'local'),
      sym('$xrv32i2p1_m2p0', 0x1a0, 0, 'notype', 'local'),
      sym('$d', 0x1b0, 0, 'notype', 'local'),
      sym('.text', 0x1c0, 0, 'section', 'local'),
      sym('main.c', 0x1d0, 0, 'file', 'local', 0xfff1),
      sym('missing', 0x1e0, 0, 'notype', 'weak', 0),
      sym('STACK_SIZE', 0x1f0, 0, 'notype', 'global', 0xfff1),
      sym('tail', 0x170, 0, 'notype', 'local'),
    ]);
    assert.strictEqual(where(t, 0x1f8), 'tail+136');
    assert.deepStrictEqual(t.sorted.map((s) => s.name), ['main', 'tail']);
  });

  it('breaks ties at one address: func, then object, then notype; global before local', () => {
    const t = new SymbolTable([
      sym('label', 0x200, 0, 'notype'),
      sym('static_fn', 0x200, 0, 'func', 'local'),
      sym('entry', 0x200, 0, 'func', 'global'),
    ]);
    assert.strictEqual(where(t, 0x204), 'entry+4');
    const sized = new SymbolTable([sym('alias_b', 0x300, 8, 'func', 'weak'), sym('alias_a', 0x300, 8, 'func', 'global')]);
    assert.strictEqual(where(sized, 0x304), 'alias_a+4');
  });

  it('finds symbols by name, global before weak before local', () => {
    const t = new SymbolTable([
      sym('helper', 0x100, 4, 'func', 'local'),
      sym('helper', 0x200, 4, 'func', 'global'),
      sym('tohost', 0x1000, 8, 'object', 'global'),
      sym('.data', 0x1000, 0, 'section', 'local'),
    ]);
    assert.strictEqual(t.byName('helper')?.value, 0x200);
    assert.strictEqual(t.byName('tohost')?.size, 8);
    assert.strictEqual(t.byName('.data'), undefined, 'section symbols are not names');
    assert.strictEqual(t.byName('nope'), undefined);
  });

  it('handles an empty table and addresses given as negative int32', () => {
    assert.strictEqual(new SymbolTable([]).lookup(0x80000000), undefined);
    const t = new SymbolTable([sym('high', 0x80000000, 0x10)]);
    assert.strictEqual(where(t, 0x80000004 | 0), 'high+4');
  });
});

describe('loader: SymbolTable on real programs', function () {
  let ws: Workspace;
  let c: SymbolTable;
  let asm: SymbolTable;

  before(function () {
    requireCross(this);
    ws = new Workspace();
    c = SymbolTable.fromElf(parseElf(readBytes(ws.buildC('c.elf'))));
    asm = SymbolTable.fromElf(parseElf(readBytes(ws.buildAsm('asm.elf'))));
  });
  after(() => ws?.remove());

  it('names every address inside each C function and object by that symbol', () => {
    const sized = c.sorted.filter((s) => s.size > 0);
    assert.ok(sized.some((s) => s.name === 'main') && sized.some((s) => s.name === 'compute'));
    for (const s of sized) {
      for (const off of [0, s.size >> 1, s.size - 1]) {
        assert.strictEqual(where(c, s.value + off), `${s.name}+${off}`);
      }
    }
    assert.strictEqual(c.byName('results')?.type, 'object');
    assert.strictEqual(c.byName('_stack_top')?.type, 'notype');
  });

  it('reports a label inside an assembly function as function+offset', () => {
    const sum = asm.byName('sum')!;
    const load = asm.byName('load_site')!;
    assert.ok(sum.size > 0 && load.value > sum.value);
    assert.strictEqual(where(asm, load.value), `sum+${load.value - sum.value}`);
    const halt = asm.byName('halt')!;
    assert.strictEqual(asm.lookup(halt.value)?.name, '_start');
    assert.strictEqual(where(asm, asm.byName('result')!.value + 12), 'result+12');
  });
});
