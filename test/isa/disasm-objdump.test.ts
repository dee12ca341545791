/**
 * The disassembler against GNU objdump (Debian 12's binutils 2.40): every table
 * entry with many operand combinations, plus the alias corner cases.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INSTRUCTIONS } from '../../emulator/isa/table';
import { disassemble } from '../../emulator/isa/disasm';
import { requireTool } from '../support/tools';

/** A small deterministic generator, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function sampleWords(): number[] {
  const next = rng(12345);
  const words: number[] = [];
  for (const d of INSTRUCTIONS) {
    // Random values in the don't-care bits, then a few with x0 / zero immediates for the aliases.
    for (let k = 0; k < 24; k++) {
      let w = ((next() & ~d.mask) | d.match) >>> 0;
      if (k % 4 === 1) w = (w & ~(31 << 15)) >>> 0; // rs1 = x0
      if (k % 4 === 2) w = (w & ~(31 << 20)) >>> 0; // rs2 = x0 / imm low bits 0
      if (k % 4 === 3) w = (w & ~(31 << 7)) >>> 0; // rd = x0
      if (k === 5) w = (w & 0x000fffff) >>> 0; // imm = 0
      if (((w & d.mask) >>> 0) === d.match) words.push(w);
    }
  }
  // Corner cases: ret, jr, fences, counters, unknown words.
  words.push(0x00008067, 0x0ff0000f, 0x8330000f, 0x0100000f, 0x0000000f, 0xc0002573, 0xc8102573, 0x0000707b, 0xffff707b);
  words.push(0x00100013, 0xfff00513, 0x00050013, 0x3002d073, 0x30005573, 0x12000073, 0x12b00073);
  return words;
}

function objdumpLines(words: number[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-disasm-'));
  try {
    // A raw binary has no mapping symbols, so objdump decodes every word as an instruction.
    const bin = path.join(dir, 'w.bin');
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w, true));
    fs.writeFileSync(bin, bytes);
    const out = execFileSync('riscv64-unknown-elf-objdump', ['-D', '-b', 'binary', '-m', 'riscv:rv32', bin], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const lines: string[] = [];
    for (const line of out.split('\n')) {
      const m = /^\s*[0-9a-f]+:\t[0-9a-f]{8}\s+\t?(.*)$/.exec(line);
      if (m) lines.push(normalize(m[1]));
    }
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Drops objdump's `# …` annotations and ` <symbol>` suffixes; folds white space. */
function normalize(text: string): string {
  return text.replace(/\s*#.*$/, '').replace(/\s*<[^>]*>$/, '').replace(/\s+/g, ' ').trim();
}

describe('disassembler vs GNU objdump', function () {
  it('prints every sampled word exactly as objdump does', function () {
    requireTool(this, 'riscv64-unknown-elf-objdump');
    const words = sampleWords();
    const expected = objdumpLines(words);
    assert.equal(expected.length, words.length, 'objdump printed one line per word');
    const mismatches: string[] = [];
    words.forEach((w, i) => {
      const d = disassemble(w, i * 4);
      const ours = normalize(d.operands ? `${d.mnemonic} ${d.operands}` : d.mnemonic);
      if (ours !== expected[i]) mismatches.push(`0x${w.toString(16).padStart(8, '0')}: pvlab '${ours}' objdump '${expected[i]}'`);
    });
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${words.length} differ`);
  });

  it('names every CSR number as objdump does', function () {
    requireTool(this, 'riscv64-unknown-elf-objdump');
    // csrrs a1, N, a0 for all 4096 CSR numbers
    const words = Array.from({ length: 4096 }, (_, n) => ((n << 20) | (10 << 15) | (2 << 12) | (11 << 7) | 0x73) >>> 0);
    const expected = objdumpLines(words);
    const mismatches = words
      .map((w, i) => {
        const d = disassemble(w, i * 4);
        return `${d.mnemonic} ${d.operands}` === expected[i] ? '' : `${i.toString(16)}: pvlab '${d.mnemonic} ${d.operands}' objdump '${expected[i]}'`;
      })
      .filter(Boolean);
    assert.deepEqual(mismatches.slice(0, 20), []);
  });
});
