/**
 * Assembler speed: generates a 10,000-line program (instructions, pseudo-
 * instructions, branches, data, a macro) and prints the median of 5 runs.
 * Run: npx tsc -p . && node out/bench/asm-bench.js
 */
import { performance } from 'perf_hooks';
import { assemble } from '../emulator/asm';

const LINES = 10_000;
const RUNS = 5;

/** A program of exactly `n` lines mixing the statement kinds a real program has. */
export function generateProgram(n: number): string {
  const head = [
    '    .macro  bump reg, k=1',
    '    addi    \\reg, \\reg, \\k',
    '    .endm',
    '    .text',
    '    .globl  _start',
    '_start:',
  ];
  const body: string[] = [];
  const kinds = [
    (i: number) => `    addi    a${i % 8}, a${(i + 1) % 8}, ${(i % 4000) - 2000}`,
    (i: number) => `    li      t${i % 7}, 0x${((i * 2654435761) >>> 0).toString(16)}`,
    (i: number) => `L${i}: beq   a0, a1, L${i} + 8`,
    (i: number) => `    lw      s${i % 12}, ${(i % 512) * 4}(sp)`,
    (i: number) => `    la      a0, table + ${(i % 64) * 4}`,
    (i: number) => `    bump    t${i % 7}, ${i % 100}`,
    () => '    call    leaf',
    (i: number) => `    sw      a${i % 8}, -${(i % 256) * 4}(s0)  # spill`,
    (i: number) => `    mul     a0, a1, a${i % 8}`,
    (i: number) => `    csrrs   zero, mstatus, a${i % 8}`,
  ];
  const tail = ['leaf:', '    ret', '    .data', 'table:', '    .rept 64', '    .word 0', '    .endr'];
  const room = n - head.length - tail.length;
  for (let i = 0; i < room; i++) body.push(kinds[i % kinds.length](i));
  return [...head, ...body, ...tail].join('\n') + '\n';
}

function main(): void {
  const text = generateProgram(LINES);
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const result = assemble([{ path: 'bench.S', text }]);
    times.push(performance.now() - t0);
    if (!result.ok) throw new Error(`bench program failed to assemble: ${result.diagnostics[0]?.message}`);
  }
  times.sort((a, b) => a - b);
  console.log(`asm-bench: ${LINES} lines, median of ${RUNS} runs: ${times[RUNS >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)})`);
}

if (require.main === module) main();
