/**
 * Encodings come from the ISA table: every table instruction assembles to a
 * word the table decodes back to the same instruction and fields, the corpus
 * uses every instruction, pseudo-instruction and directive, and what the
 * disassembler prints assembles back to the same word.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { PSEUDO_NAMES, assemble } from '../../emulator/asm';
import { nodeIncludeResolver } from '../../emulator/asm/node-resolver';
import { decode } from '../../emulator/isa/decode';
import { disassembleText } from '../../emulator/isa/disasm';
import { INSTRUCTIONS, type InsnDef } from '../../emulator/isa/table';
import { CORPUS, corpusPrograms, sources } from './support/corpus';
import { hexWords, words } from './support/run';

/** A source line for `d` with fixed operands, and the fields it must decode to. */
function sample(d: InsnDef): { text: string; rd: number; rs1: number; rs2: number; imm: number } {
  const n = d.name;
  switch (d.format) {
    case 'R': return { text: `${n} a0, a1, a2`, rd: 10, rs1: 11, rs2: 12, imm: 0 };
    case 'I': return { text: `${n} a0, a1, -7`, rd: 10, rs1: 11, rs2: -1, imm: -7 };
    case 'SH': return { text: `${n} a0, a1, 13`, rd: 10, rs1: 11, rs2: -1, imm: 13 };
    case 'L': return { text: `${n} a0, -8(a1)`, rd: 10, rs1: 11, rs2: -1, imm: -8 };
    case 'S': return { text: `${n} a2, 12(a1)`, rd: -1, rs1: 11, rs2: 12, imm: 12 };
    case 'B': return { text: `${n} a1, a2, .+16`, rd: -1, rs1: 11, rs2: 12, imm: 16 };
    case 'U': return { text: `${n} a0, 0xabcde`, rd: 10, rs1: -1, rs2: -1, imm: 0xabcde000 | 0 };
    case 'J': return { text: `${n} a0, .-32`, rd: 10, rs1: -1, rs2: -1, imm: -32 };
    case 'JR': return { text: `${n} a0, 20(a1)`, rd: 10, rs1: 11, rs2: -1, imm: 20 };
    case 'CSR': return { text: `${n} a0, mscratch, a1`, rd: 10, rs1: 11, rs2: -1, imm: 0x340 };
    case 'CSRI': return { text: `${n} a0, mscratch, 17`, rd: 10, rs1: 17, rs2: -1, imm: 0x340 };
    case 'FENCE': return { text: `${n} rw, ow`, rd: -1, rs1: -1, rs2: -1, imm: 0x035 };
    case 'AMO': return { text: `${n} a0, a2, (a1)`, rd: 10, rs1: 11, rs2: 12, imm: 0 };
    case 'LR': return { text: `${n} a0, (a1)`, rd: 10, rs1: 11, rs2: -1, imm: 0 };
    case 'SFENCE': return { text: `${n} a1, a2`, rd: -1, rs1: 11, rs2: 12, imm: 0 };
    case 'NONE': return { text: n, rd: -1, rs1: -1, rs2: -1, imm: 0 };
  }
}

/** Every instruction word of a program (addresses from its line map). */
function programWords(files: string[]): Array<{ address: number; word: number }> {
  const r = assemble(sources(files), { resolveInclude: nodeIncludeResolver([CORPUS]) });
  assert.ok(r.ok && r.image);
  const out = [];
  for (const l of r.image.lines) {
    const s = r.image.sections.find((x) => l.address >= x.address && l.address < x.address + x.size);
    assert.ok(s);
    const v = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    out.push({ address: l.address, word: v.getUint32(l.address - s.address, true) });
  }
  return out;
}

describe('asm: encodings from the instruction table', function () {
  for (const d of INSTRUCTIONS) {
    it(`${d.name} (${d.format}) round-trips through the decoder`, function () {
      const s = sample(d);
      const [w] = words(s.text);
      const got = decode(w);
      assert.strictEqual(got.def, d, `decoded ${got.def?.name}`);
      if (s.rd >= 0) assert.strictEqual(got.rd, s.rd, 'rd');
      if (s.rs1 >= 0) assert.strictEqual(got.rs1, s.rs1, 'rs1');
      if (s.rs2 >= 0) assert.strictEqual(got.rs2, s.rs2, 'rs2');
      if (d.format !== 'R' && d.format !== 'AMO' && d.format !== 'LR' && d.format !== 'SFENCE' && d.format !== 'NONE') {
        assert.strictEqual(got.imm, s.imm, 'immediate');
      }
    });
  }

  it('AMO ordering suffixes set aq and rl', function () {
    const [plain, aq, rl, aqrl] = words('amoor.w a0, a1, (a2)\namoor.w.aq a0, a1, (a2)\namoor.w.rl a0, a1, (a2)\namoor.w.aqrl a0, a1, (a2)');
    assert.deepStrictEqual([aq ^ plain, rl ^ plain, aqrl ^ plain], [1 << 26, 1 << 25, (1 << 26) | (1 << 25)]);
  });

  it('li picks addi, lui, or lui+addi as GNU as does', function () {
    assert.deepStrictEqual(hexWords(words('li a0, 5\nli a0, 0x12345000\nli a0, 0x12345678\nli a0, 0x800\nli a0, -1\nli a0, 0xfffff800')), [
      '00500513', // addi a0, zero, 5
      '12345537', // lui a0, 0x12345
      '12345537', '67850513', // lui + addi
      '00001537', '80050513', // 0x800 = 0x1000 - 0x800
      'fff00513', // -1
      '80000513', // 0xfffff800 = -2048 fits addi
    ]);
  });

  it('every word of the corpus is an instruction of the table', function () {
    for (const prog of corpusPrograms()) {
      for (const { address, word } of programWords(prog.files)) {
        assert.ok(decode(word).def, `${prog.name}: 0x${word.toString(16)} at 0x${address.toString(16)} is not in the table`);
      }
    }
  });

  it('the corpus uses every table instruction, pseudo-instruction and directive', function () {
    const used = new Set<string>();
    for (const prog of corpusPrograms()) for (const { word } of programWords(prog.files)) used.add((decode(word).def as InsnDef).name);
    assert.deepStrictEqual(INSTRUCTIONS.map((d) => d.name).filter((n) => !used.has(n)), [], 'table instructions not in the corpus');

    const text = fs.readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(S|inc)$/.test(f))
      .map((f) => fs.readFileSync(`${CORPUS}/${f}`, 'utf8').replace(/#.*$/gm, ''))
      .join('\n');
    const mnemonics = new Set([...text.matchAll(/^\s*(?:[\w.$\\@]+:\s*)*([a-z][\w.]*)/gim)].map((m) => m[1].toLowerCase()));
    assert.deepStrictEqual(PSEUDO_NAMES.filter((p) => !mnemonics.has(p)), [], 'pseudo-instructions not in the corpus');
    const directives = [
      '.text', '.data', '.bss', '.section', '.globl', '.global', '.local', '.type', '.size', '.equ', '.set', '.word', '.4byte',
      '.half', '.2byte', '.byte', '.ascii', '.asciz', '.string', '.zero', '.space', '.align', '.p2align', '.balign', '.option',
      '.include', '.macro', '.endm', '.rept', '.endr', '.file', '.attribute', '.irp', '.if', '.weak',
    ];
    assert.deepStrictEqual(directives.filter((d) => !new RegExp(`(^|\\s)\\${d}(\\s|$)`, 'm').test(text)), [], 'directives not in the corpus');
  });

  it('what the disassembler prints assembles back to the same word', function () {
    let checked = 0;
    for (const prog of corpusPrograms()) {
      for (const { address, word } of programWords(prog.files)) {
        const d = decode(word).def as InsnDef;
        if (d.format === 'B' || d.format === 'J') continue; // printed as absolute targets
        const text = disassembleText(word, address);
        const [again] = words(text);
        assert.strictEqual(again?.toString(16), word.toString(16), `'${text}' (from ${prog.name} at 0x${address.toString(16)})`);
        checked++;
      }
    }
    assert.ok(checked > 300, `checked ${checked} words`);
  });
});
