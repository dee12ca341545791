/** loadElf / loadFlatBinary: bytes land at paddr in the Bus's RAM, .bss is zeroed, bad ranges write nothing. */
import * as assert from 'assert';
import { Bus } from '../../emulator/bus/bus';
import { ElfError, LoadError, loadElf, loadFlatBinary, parseElf } from '../../emulator/loader';
import { Workspace, readBytes, requireCross, tool } from './cross';
import { buildElf, randomBytes } from './elf-builder';

const BASE = 0x80000000;
const RAM = 0x100000;

/** A 1 MiB bus whose RAM is filled with 0xAA, counting writes reported to onRamWrite. */
function dirtyBus(): { bus: Bus; writes: number[] } {
  const bus = new Bus(RAM);
  bus.ram.fill(0xaa);
  const writes: number[] = [];
  bus.onRamWrite = (off) => writes.push(off);
  return { bus, writes };
}

const ram = (bus: Bus, pa: number, n: number): number[] => [...bus.ram.subarray(pa - BASE, pa - BASE + n)];

describe('loader: loading into RAM', () => {
  it('copies each segment to its physical address and zero-fills memsz beyond filesz', () => {
    const code = randomBytes(40, 3);
    const elf = parseElf(buildElf({
      segments: [
        { vaddr: BASE, data: code, flags: 5 },
        // vaddr differs from paddr: the loader must use paddr.
        { vaddr: 0xc0002000, paddr: BASE + 0x2000, data: [1, 2, 3], memsz: 0x30000 },
      ],
    }));
    const { bus, writes } = dirtyBus();
    loadElf(bus, elf);
    assert.deepStrictEqual(ram(bus, BASE, 40), [...code]);
    assert.deepStrictEqual(ram(bus, BASE + 40, 1), [0xaa], 'nothing past filesz of a segment without .bss');
    assert.deepStrictEqual(ram(bus, BASE + 0x2000, 4), [1, 2, 3, 0]);
    assert.ok(ram(bus, BASE + 0x2003, 0x30000 - 3).every((b) => b === 0), 'zero-filled beyond 64 KiB chunks');
    assert.deepStrictEqual(ram(bus, BASE + 0x32000, 1), [0xaa], 'nothing past memsz');
    assert.deepStrictEqual(ram(bus, BASE + 0x1fff, 1), [0xaa], 'nothing before paddr');
    assert.ok(writes.includes(0) && writes.includes(0x2000), 'decode caches hear about the writes');
  });

  it('refuses a segment outside RAM before writing anything', () => {
    const elf = parseElf(buildElf({
      segments: [
        { vaddr: BASE, data: [1, 2, 3, 4] },
        { vaddr: BASE + 0x1000, data: [], memsz: 0 }, // empty segments are ignored wherever they are
        { vaddr: 0x10000000, data: new Uint8Array(0x10), memsz: 0x100 },
      ],
    }));
    const { bus, writes } = dirtyBus();
    assert.throws(() => loadElf(bus, elf), {
      name: 'ElfError',
      message: 'segment 2 (0x10000000..0x10000100) lies outside RAM 0x80000000..0x80100000',
    });
    assert.ok(bus.ram.every((b) => b === 0xaa));
    assert.deepStrictEqual(writes, []);
  });

  it('refuses a segment that straddles the end of RAM', () => {
    const elf = parseElf(buildElf({ segments: [{ vaddr: BASE + RAM - 8, data: [1], memsz: 9 }] }));
    const { bus } = dirtyBus();
    assert.throws(() => loadElf(bus, elf), /segment 0 \(0x800ffff8..0x80100001\) lies outside RAM/);
    assert.ok(bus.ram.every((b) => b === 0xaa));
  });

  it('loads a flat binary up to the last byte of RAM and no further', () => {
    const { bus } = dirtyBus();
    loadFlatBinary(bus, new Uint8Array([9, 8, 7]), BASE + RAM - 3);
    assert.deepStrictEqual(ram(bus, BASE + RAM - 3, 3), [9, 8, 7]);
    const fresh = dirtyBus();
    assert.throws(() => loadFlatBinary(fresh.bus, new Uint8Array(4), BASE + RAM - 3), (e: unknown) => {
      assert.ok(e instanceof LoadError && !(e instanceof ElfError));
      assert.strictEqual(e.message, 'flat binary (0x800ffffd..0x80100001) lies outside RAM 0x80000000..0x80100000');
      return true;
    });
    assert.throws(() => loadFlatBinary(fresh.bus, new Uint8Array(4), 0x1000), /flat binary \(0x00001000..0x00001004\) lies outside RAM/);
    assert.ok(fresh.bus.ram.every((b) => b === 0xaa));
    loadFlatBinary(fresh.bus, new Uint8Array(0), 0); // nothing to place: nothing to check
  });
});

describe('loader: loading a real program', function () {
  let ws: Workspace;
  before(function () {
    requireCross(this);
    ws = new Workspace();
  });
  after(() => ws?.remove());

  it('places the image objcopy extracts, zeroes .bss and leaves the rest alone', () => {
    const file = ws.buildC('c.elf');
    const elf = parseElf(readBytes(file));
    tool('objcopy', ['-O', 'binary', file, ws.path('c.bin')]);
    const image = readBytes(ws.path('c.bin'));
    const { bus } = dirtyBus();
    loadElf(bus, elf);
    const data = elf.segments.find((s) => s.memsz > s.filesz)!;
    assert.ok(data, 'the program has .bss');
    for (const s of elf.segments) {
      assert.deepStrictEqual(ram(bus, s.paddr, s.filesz), [...image.subarray(s.paddr - BASE, s.paddr - BASE + s.filesz)]);
      assert.ok(ram(bus, s.paddr + s.filesz, s.memsz - s.filesz).every((b) => b === 0));
      assert.deepStrictEqual(ram(bus, s.paddr + s.memsz, 1), [0xaa]);
    }
    const sym = (name: string) => elf.symbols.find((s) => s.name === name)!;
    assert.deepStrictEqual(ram(bus, sym('table').value, 16), [3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0]);
    assert.ok(ram(bus, sym('results').value, sym('results').size).every((b) => b === 0));
    assert.strictEqual(bus.read(elf.entry, 4), new DataView(image.buffer).getUint32(0, true));
  });

  it('loads the same program as a flat binary', () => {
    const file = ws.buildAsm('a.elf');
    tool('objcopy', ['-O', 'binary', file, ws.path('a.bin')]);
    const image = readBytes(ws.path('a.bin'));
    const { bus } = dirtyBus();
    loadFlatBinary(bus, image, BASE);
    assert.deepStrictEqual(ram(bus, BASE, image.length), [...image]);
    const elf = parseElf(readBytes(file));
    assert.deepStrictEqual(ram(bus, BASE, elf.segments[0].filesz), [...elf.segments[0].data]);
  });
});
