/**
 * Keeps the TextMate grammar's instruction and CSR lists in step with their one
 * source: the instruction table, the assembler's pseudo-instructions and the CSR
 * names. Rewrites `instruction.begin` and `csr.match` in
 * syntaxes/riscv-asm.tmLanguage.json; `--check` fails when the file is stale.
 *
 *   node out/scripts/gen-grammar.js [--check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INSTRUCTIONS } from '../emulator/isa/table';
import { CSR_NAMES } from '../emulator/isa/csr-names';
import { PSEUDO_NAMES } from '../emulator/asm';
import { repoRoot } from './build-programs';
import { writeOrCheck } from './generated-file';

const GRAMMAR = path.join(repoRoot(), 'syntaxes', 'riscv-asm.tmLanguage.json');

const escape = (s: string) => s.replace(/[.$]/g, (c) => `\\${c}`);
/** An alternation, longest names first so a prefix never wins. */
const alternation = (names: Iterable<string>) =>
  [...new Set(names)].sort((a, b) => b.length - a.length || a.localeCompare(b)).map(escape).join('|');

const CONTROL_PSEUDO = ['beqz', 'bnez', 'bltz', 'bgez', 'blez', 'bgtz', 'bgt', 'ble', 'bgtu', 'bleu', 'j', 'jr', 'jal', 'jalr', 'call', 'tail', 'ret', 'jump', 'scall', 'sbreak'];

/** Instruction names by highlighting class, derived from the table and the pseudo list. */
export function instructionClasses(): Array<{ scope: string; names: string[]; suffix?: string }> {
  const byFormat = (...formats: string[]) => INSTRUCTIONS.filter((d) => formats.includes(d.format)).map((d) => d.name);
  const control = [...byFormat('B', 'J', 'JR'), 'ecall', 'ebreak', 'mret', 'sret', ...CONTROL_PSEUDO];
  const csr = [...byFormat('CSR', 'CSRI'), ...PSEUDO_NAMES.filter((n) => /^(csr|rd)/.test(n))];
  const fence = ['fence', 'fence.i', 'fence.tso'];
  const privileged = ['wfi', 'sfence.vma'];
  const classified = new Set([...control, ...csr, ...fence, ...privileged]);
  const memory = byFormat('L', 'S');
  const atomic = byFormat('AMO', 'LR');
  const muldiv = INSTRUCTIONS.filter((d) => d.ext === 'M').map((d) => d.name);
  const taken = new Set([...classified, ...memory, ...atomic, ...muldiv]);
  const alu = INSTRUCTIONS.filter((d) => d.ext === 'I' && !taken.has(d.name)).map((d) => d.name);
  const pseudo = PSEUDO_NAMES.filter((n) => !taken.has(n) && !alu.includes(n));
  return [
    { scope: 'keyword.control.instruction.riscv-asm', names: control },
    { scope: 'keyword.other.instruction.memory.riscv-asm', names: memory },
    { scope: 'keyword.other.instruction.atomic.riscv-asm', names: atomic, suffix: '(?:\\.(?:aqrl|aq|rl))?' },
    { scope: 'keyword.other.instruction.csr.riscv-asm', names: csr },
    { scope: 'keyword.other.instruction.fence.riscv-asm', names: fence },
    { scope: 'keyword.other.instruction.privileged.riscv-asm', names: privileged },
    { scope: 'keyword.other.instruction.alu.riscv-asm', names: alu },
    { scope: 'keyword.other.instruction.muldiv.riscv-asm', names: muldiv },
    { scope: 'keyword.other.instruction.pseudo.riscv-asm', names: pseudo },
  ];
}

/** The grammar text with generated lists, from the current text. */
export function generateGrammar(current: string): string {
  const g = JSON.parse(current);
  const classes = instructionClasses();
  const groups = classes.map((c) => `((?:${alternation(c.names)})${c.suffix ?? ''})`).join('|');
  g.repository.instruction.begin = `(?:^|(?<=[;:]|\\*/))\\s*(?i:${groups})(?![\\w.$])`;
  g.repository.instruction.beginCaptures = Object.fromEntries(classes.map((c, i) => [String(i + 1), { name: c.scope }]));
  g.repository.csr.match = `(?<![\\w.$])(?:${alternation(CSR_NAMES.values())})(?![\\w.$])`;
  return JSON.stringify(g, null, 2) + '\n';
}

function main(): void {
  const next = generateGrammar(fs.readFileSync(GRAMMAR, 'utf8'));
  writeOrCheck('gen-grammar', GRAMMAR, next, 'grammar lists match the instruction table and CSR names');
}

if (require.main === module) main();
