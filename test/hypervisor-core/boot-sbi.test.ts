/**
 * A VM boots (S-mode, a0 = hart id, a1 = DTB at the top of RAM) and a real
 * guest exercises SBI BASE, TIME, IPI, RFENCE, HSM, DBCN, the legacy console
 * and the PVIO self-information from inside.
 */
import * as assert from 'assert';
import { parseDtb } from '../../emulator/hypervisor/fdt-parse';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SystemBuildError } from '../../emulator/system/system-build';
import { buildGuest, collectOutput, needCompiler, rmTemp, systemFrom, tempDir } from './support';

describe('hypervisor: boot and SBI from a guest', function () {
  this.timeout(120000);
  let elf: string;
  before(function () {
    needCompiler(this);
    elf = buildGuest('sbi_basic.c');
  });

  it('boots in S-mode with a DTB at the top of RAM and passes the SBI checks', () => {
    const rt = systemFrom({ name: 'sbi', vms: [{ name: 'solo', image: elf, ramMiB: 4, vcpus: 2, role: 'client' }] });
    const vm = rt.vm('solo');
    assert.strictEqual(vm.vcpus[0].hart.x[10], 0);
    assert.strictEqual(vm.vcpus[0].hart.x[11] >>> 0, vm.dtbAddress);
    assert.ok(vm.dtbAddress + vm.dtb.length <= 0x80000000 + 4 * 1024 * 1024);
    assert.ok(vm.dtbAddress + vm.dtb.length > 0x80000000 + 4 * 1024 * 1024 - 8);
    const tree = parseDtb(vm.dtb);
    assert.ok(tree.root.children.some((n) => n.name.startsWith('pvbus@')));
    const out = collectOutput(rt);
    const stop = rt.runSync({ untilMs: 100 });
    const text = out.get('solo') ?? '';
    assert.match(text, /VERDICT PASS sbi-basic/, text);
    assert.match(text, /sbi: dbcn write\nL\n/);
    assert.strictEqual(stop.kind, 'all-stopped');
    assert.strictEqual(rt.vm('solo').state, 'halted');
    assert.deepStrictEqual(rt.verdicts.map((v) => v.passed), [true]);
    const calls = rt.traceQuery({ kind: 'hypercall' });
    assert.ok(calls.some((c) => c.name === 'SBI_TIME_SET_TIMER'));
    assert.ok(calls.some((c) => c.name === 'SBI_HSM_HART_START' && c.args?.[2] === 7));
  });

  it('stops at a breakpoint in one VM, steps, inspects, and resumes', () => {
    const rt = systemFrom({ name: 'sbi', vms: [{ name: 'solo', image: elf, ramMiB: 4, vcpus: 2, role: 'client' }] });
    const out = collectOutput(rt);
    const main = rt.symbols('solo')!.byName('guest_main')!.value;
    rt.setInstructionBreakpoints('solo', [main]);
    const stop = rt.runSync({ untilMs: 100 });
    assert.deepStrictEqual(stop.kind === 'breakpoint' ? [stop.vm, stop.vcpu, stop.pc] : stop, ['solo', 0, main]);
    assert.strictEqual(rt.vcpus('solo')[0].pc, main);
    assert.strictEqual(rt.symbolize('solo', main), 'guest_main');
    assert.match(rt.disassemble('solo', main, 1)[0].text, /\S/);
    assert.strictEqual(rt.registers('solo', 0).find((r) => r.name === 'a1')!.value, rt.vm('solo').dtbAddress);
    // The DTB is readable as guest-physical memory: its magic, big-endian.
    assert.deepStrictEqual([...rt.readMemory('solo', rt.vm('solo').dtbAddress, 4).data], [0xd0, 0x0d, 0xfe, 0xed]);
    rt.stepInstruction('solo', 0);
    assert.notStrictEqual(rt.vcpus('solo')[0].pc, main);
    rt.setInstructionBreakpoints('solo', []);
    rt.runSync({ untilMs: 100 });
    assert.match(out.get('solo') ?? '', /VERDICT PASS sbi-basic/);
  });

  it('builds VMs from assembly sources, and names the line of an assembly error', () => {
    const dir = tempDir();
    try {
      const ok = path.join(dir, 'hello.S');
      fs.writeFileSync(ok, [
        '    .text', '    .globl _start', '_start:',
        '    la s0, msg', '1:  lbu a0, 0(s0)', '    beqz a0, 2f', '    li a7, 1', '    ecall', '    addi s0, s0, 1', '    j 1b',
        '2:  li a7, 0x53525354', '    li a6, 0', '    li a0, 0', '    li a1, 0', '    ecall',
        '    .data', 'msg: .asciz "asm guest says hi\\n"', '',
      ].join('\n'));
      const rt = systemFrom({ name: 'asm', vms: [{ name: 'asm', image: [ok], ramMiB: 1, role: 'client' }] });
      const out = collectOutput(rt);
      assert.strictEqual(rt.runSync({ untilMs: 10 }).kind, 'all-stopped');
      assert.strictEqual(out.get('asm'), 'asm guest says hi\n');
      const bad = path.join(dir, 'bad.S');
      fs.writeFileSync(bad, '_start:\n    frobnicate a0\n');
      assert.throws(() => systemFrom({ name: 'asm', vms: [{ name: 'asm', image: [bad], ramMiB: 1, role: 'client' }] }),
        (e: Error) => e instanceof SystemBuildError && /vms\[0\]\.image: .*bad\.S:2:/.test(e.message));
    } finally {
      rmTemp(dir);
    }
  });
});
