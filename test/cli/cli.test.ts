/**
 * The `pvlab` command as a user meets it: exit statuses, one-line errors for bad
 * input (never a stack trace), --max-insns, --trace, HTIF and the finisher.
 * Programs are built with pvlab's own assembler, so no toolchain is needed.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemble } from '../../emulator/asm';
import { pvlabBin } from '../support/pvlab';

let dir: string;

function pvlab(...args: string[]) {
  const r = spawnSync(process.execPath, [pvlabBin(), ...args], { encoding: 'latin1', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Assembles `text` into dir/NAME.elf (base address optional) and returns its path. */
function program(name: string, text: string, base?: number): string {
  const r = assemble([{ path: `${name}.S`, text }], { base });
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('\n'));
  const file = path.join(dir, `${name}.elf`);
  fs.writeFileSync(file, r.elf!);
  return file;
}

const EXIT = (code: number) => `
  li t0, 0x100000
  li t1, ${(code << 16) | 0x3333}
  sw t1, 0(t0)
1: j 1b
`;

function assertCleanError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(stderr, /internal error/);
}

describe('pvlab CLI', function () {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints help and version', () => {
    const h = pvlab('--help');
    assert.equal(h.status, 0);
    assert.match(h.stdout, /Usage: pvlab <command>/);
    assert.match(pvlab('run', '--help').stdout, /--max-insns N/);
    assert.match(pvlab('--version').stdout, /^pvlab \d+\.\d+\.\d+/);
  });

  it('rejects unknown commands and options with status 2', () => {
    const c = pvlab('frobnicate');
    assert.equal(c.status, 2);
    assertCleanError(c.stderr, /unknown command 'frobnicate'/);
    const o = pvlab('run', 'x.elf', '--bogus');
    assert.equal(o.status, 2);
    assertCleanError(o.stderr, /unknown option '--bogus'/);
    const n = pvlab('run', 'x.elf', '--max-insns', 'lots');
    assert.equal(n.status, 2);
    assertCleanError(n.stderr, /--max-insns: 'lots' is not a positive whole number/);
  });

  it('names the problem with input that is not a loadable ELF', () => {
    const missing = pvlab('run', path.join(dir, 'nope.elf'));
    assert.equal(missing.status, 1);
    assertCleanError(missing.stderr, /nope\.elf: no such file/);

    const text = path.join(dir, 'text.elf');
    fs.writeFileSync(text, 'hello, world\n');
    const t = pvlab('run', text);
    assert.equal(t.status, 1);
    assertCleanError(t.stderr, /text\.elf: .*ELF/i);

    const good = fs.readFileSync(program('good', EXIT(0)));
    const elf64 = Buffer.from(good);
    elf64[4] = 2; // EI_CLASS = ELFCLASS64
    fs.writeFileSync(path.join(dir, 'elf64.elf'), elf64);
    const c64 = pvlab('run', path.join(dir, 'elf64.elf'));
    assert.equal(c64.status, 1);
    assertCleanError(c64.stderr, /64/);

    const big = Buffer.from(good);
    big[5] = 2; // EI_DATA = big-endian
    fs.writeFileSync(path.join(dir, 'big.elf'), big);
    assertCleanError(pvlab('run', path.join(dir, 'big.elf')).stderr, /endian/i);

    fs.writeFileSync(path.join(dir, 'short.elf'), good.subarray(0, 60));
    const s = pvlab('run', path.join(dir, 'short.elf'));
    assert.equal(s.status, 1);
    assertCleanError(s.stderr, /short\.elf: /);
  });

  it('refuses a segment outside RAM', () => {
    const r = pvlab('run', program('low', EXIT(0), 0x20000000));
    assert.equal(r.status, 1);
    assertCleanError(r.stderr, /outside RAM/);
  });

  it('stops with status 125 when the pc runs into unmapped memory', () => {
    const r = pvlab('run', program('wild', 'li t0, 0x40000000\n jr t0\n'));
    assert.equal(r.status, 125);
    assertCleanError(r.stderr, /cannot fetch an instruction at 0x40000000/);
  });

  it('stops with status 124 at --max-insns, and 125 on a wfi nothing will end', () => {
    const loop = pvlab('run', program('loop', '1: addi a0, a0, 1\n j 1b\n'), '--max-insns', '1000');
    assert.equal(loop.status, 124);
    assert.match(loop.stderr, /stopped after 1000 instructions/);
    const idle = pvlab('run', program('idle', 'wfi\n j .\n'));
    assert.equal(idle.status, 125);
    assert.match(idle.stderr, /waits for an interrupt/);
  });

  it('returns the guest status from the finisher and from HTIF tohost', () => {
    assert.equal(pvlab('run', program('exit7', EXIT(7))).status, 7);
    const htif = program('htif', `
      la t0, tohost
      li t1, (5 << 1) | 1
      sw t1, 0(t0)
    1: j 1b
    .data
    .align 3
    .globl tohost
    tohost: .word 0, 0
    `);
    assert.equal(pvlab('run', htif).status, 5);
  });

  it('prints UART output, and a trace line per instruction with --trace', () => {
    const hello = program('hello', `
      li t0, 0x10000000
      li t1, 'o'
      sb t1, 0(t0)
      li t1, 'k'
      sb t1, 0(t0)
    ${EXIT(0)}`);
    const r = pvlab('run', hello, '--trace');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'ok');
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0], /^0x80000000: 100002b7 {2}lui\tt0,0x10000\s+t0=0x10000000$/);
    assert.ok(lines.length >= 8);
  });

  it('assembles and runs assembly sources, and reports assembler errors as file:line:column', () => {
    const src = path.join(dir, 'prog.S');
    fs.writeFileSync(src, `.globl _start\n_start:\n${EXIT(3)}`);
    assert.equal(pvlab('run', src).status, 3);
    const out = path.join(dir, 'prog.elf');
    assert.equal(pvlab('asm', src, '-o', out).status, 0);
    assert.equal(pvlab('run', out).status, 3);
    const bad = path.join(dir, 'bad.S');
    fs.writeFileSync(bad, 'frob a0\naddi a0, a0\n');
    const b = pvlab('asm', bad, '-o', path.join(dir, 'bad.elf'));
    assert.equal(b.status, 1);
    assert.match(b.stderr, /bad\.S:1:1: error: .*frob/);
    assert.match(b.stderr, /bad\.S:2:\d+: error: /);
    assert.ok(!fs.existsSync(path.join(dir, 'bad.elf')), 'no output file on failure');
  });

  it('disassembles an ELF', () => {
    const r = pvlab('disasm', program('dis', `.globl _start\n_start:\n${EXIT(0)}`));
    assert.equal(r.status, 0);
    assert.match(r.stdout, /80000000 <_start>:/);
    assert.match(r.stdout, /lui\tt0,0x100/);
  });
});
