/** parseElf refuses unusable input with one-line ElfErrors; no toolchain needed. */
import * as assert from 'assert';
import { ElfError, LoadError, parseElf } from '../../emulator/loader';
import { buildElf, patch, randomBytes } from './elf-builder';

/** Asserts that parsing throws an ElfError whose single-line message matches `pattern`. */
function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseElf(bytes), (e: unknown) => {
    assert.ok(e instanceof ElfError, `expected ElfError, got ${String(e)}`);
    assert.ok(e instanceof LoadError);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('loader: ELF input validation', () => {
  it('accepts the well-formed hand-made image the other cases start from', () => {
    const elf = parseElf(buildElf({ entry: 0x80000004 }));
    assert.strictEqual(elf.entry, 0x80000004);
    assert.strictEqual(elf.segments.length, 1);
    assert.deepStrictEqual([...elf.segments[0].data], [0x13, 0, 0, 0]);
    assert.deepStrictEqual(elf.sections, []);
    assert.deepStrictEqual(elf.symbols, []);
  });

  it('rejects an empty file', () => {
    rejects(new Uint8Array(0), /empty/);
  });

  it('rejects random bytes as not an ELF file', () => {
    for (const [len, seed] of [[1, 1], [3, 2], [64, 3], [4096, 4]]) rejects(randomBytes(len, seed), /not an ELF file \(bad magic number\)/);
  });

  it('rejects ELF64 and big-endian files', () => {
    rejects(patch(buildElf(), 4, 1, 2), /^ELF64 file, expected ELF32/);
    rejects(patch(buildElf(), 5, 1, 2), /^big-endian ELF file, expected little-endian$/);
    rejects(patch(buildElf(), 4, 1, 7), /bad ELF class 7/);
  });

  it('names the wrong machine', () => {
    assert.throws(() => parseElf(buildElf({ machine: 62 })), { name: 'ElfError', message: 'ELF machine is x86-64 (62), expected RISC-V (243)' });
    rejects(buildElf({ machine: 40 }), /^ELF machine is ARM \(40\)/);
    rejects(buildElf({ machine: 9999 }), /^ELF machine is 9999, expected RISC-V \(243\)$/);
  });

  it('rejects files that are not executables', () => {
    rejects(buildElf({ type: 1 }), /relocatable object \(ET_REL\), expected executable/);
    rejects(buildElf({ type: 3 }), /ET_DYN/);
  });

  it('rejects a truncated ELF header', () => {
    rejects(buildElf().subarray(0, 40), /truncated ELF header: file has 40 bytes, the header needs 52/);
  });

  it('rejects a program header table that runs past the end of the file', () => {
    const elf = buildElf({ segments: [{ vaddr: 0x80000000, data: [] }, { vaddr: 0x80001000, data: [] }] });
    rejects(elf.subarray(0, 52 + 40), /program header table \(offset 0x00000034, 2 entries\) runs past the end of the file \(92 bytes\)/);
    rejects(patch(elf, 42, 2, 56), /program header table entry size is 56, expected 32/);
  });

  it('rejects a segment whose file range lies outside the file', () => {
    const elf = buildElf({ segments: [{ vaddr: 0x80000000, data: new Uint8Array(16) }] });
    rejects(patch(elf, 52 + 16, 4, 1000), /^segment 0 file range 0x00000054..0x0000043c lies outside the file \(100 bytes\)$/);
    rejects(patch(elf, 52 + 4, 4, 0xfffffff8), /segment 0 file range/);
  });

  it('rejects filesz larger than memsz and segments that wrap around 4 GiB', () => {
    rejects(buildElf({ segments: [{ vaddr: 0x80000000, data: [1, 2, 3, 4], memsz: 2 }] }), /segment 0 has filesz 0x00000004 larger than memsz 0x00000002/);
    rejects(buildElf({ segments: [{ vaddr: 0xfffff000, data: [], memsz: 0x2000 }] }), /segment 0 .* runs past the end of the 32-bit address space/);
  });

  it('rejects every truncation of a valid image with an ElfError', () => {
    const elf = buildElf({ segments: [{ vaddr: 0x80000000, data: randomBytes(64, 9) }, { vaddr: 0x80001000, data: [1], memsz: 64 }] });
    for (let n = 0; n < elf.length; n++) {
      assert.throws(() => parseElf(elf.subarray(0, n)), ElfError, `length ${n}`);
    }
  });

  it('survives random corruption: success or ElfError, nothing else', () => {
    const base = buildElf({ segments: [{ vaddr: 0x80000000, data: randomBytes(64, 5) }, { vaddr: 0x80001000, data: [1], memsz: 64 }] });
    for (let i = 0; i < 2000; i++) {
      const noise = randomBytes(3, i + 1);
      const bytes = base.slice();
      bytes[16 + (noise[0] % (bytes.length - 16))] = noise[1];
      if (noise[2] & 1) bytes[16 + (noise[2] % 70)] ^= 0xff;
      try {
        parseElf(bytes);
      } catch (e) {
        assert.ok(e instanceof ElfError, `mutation ${i}: ${String(e)}`);
      }
    }
  });
});
