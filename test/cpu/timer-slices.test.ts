/**
 * A timer interrupt arrives at the same instruction however the host slices the
 * run: a guest write to mtimecmp that moves the deadline into the current slice
 * ends that slice, so the machine re-plans it.
 */
import * as assert from 'node:assert/strict';
import { assemble } from '../../emulator/asm';
import { parseElf } from '../../emulator/loader';
import { VirtMachine } from '../../emulator/system/virt-machine';

const PROGRAM = `
.globl _start
_start:
    la t0, handler
    csrw mtvec, t0
    li t0, 0x2000000 + 0xbff8      # mtime
    lw t1, 0(t0)
    addi t1, t1, 5
    li t0, 0x2000000 + 0x4000      # mtimecmp (hart 0)
    sw zero, 4(t0)
    sw t1, 0(t0)
    li t0, 0x80                    # MTIE
    csrs mie, t0
    csrsi mstatus, 8               # MIE
1:  addi a0, a0, 1
    j 1b
handler:
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
2:  j 2b
`;

function runSliced(slice: number): { retired: number; a0: number } {
  const r = assemble([{ path: 'timer.S', text: PROGRAM }]);
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('\n'));
  const m = new VirtMachine();
  m.load(parseElf(r.elf!));
  for (let i = 0; i < 1000 && !m.exit; i++) m.run(slice);
  assert.ok(m.exit, 'the handler ran and exited');
  return { retired: m.hart.retired, a0: m.hart.x[10] };
}

describe('CPU: timer deadlines and run slices', () => {
  it('takes the interrupt at the same instruction for any slice length', () => {
    const reference = runSliced(1);
    assert.ok(reference.a0 > 0 && reference.a0 < 100, `the loop ran briefly before the interrupt (a0=${reference.a0})`);
    for (const slice of [7, 1000, 1_000_000]) assert.deepEqual(runSliced(slice), reference, `slice ${slice}`);
  });
});
