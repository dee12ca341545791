/**
 * The GNU reference build for differential tests: Debian's riscv64-unknown-elf
 * binutils assembling each unit (RV32IMA + Zicsr + Zifencei, ilp32, no
 * relaxation) and linking with a script that places sections as pvlab's
 * assembler does.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const AS = 'riscv64-unknown-elf-as';
export const LD = 'riscv64-unknown-elf-ld';
export const OBJDUMP = 'riscv64-unknown-elf-objdump';

export function linkerScript(base: number): string {
  return `ENTRY(_start)
SECTIONS {
  . = 0x${base.toString(16)};
  .text : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.*) }
  .data : { *(.data .data.*) }
  .bss : { *(.bss .bss.*) }
}
`;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${err.stderr ?? ''}${err.stdout ?? ''}`, { cause: e });
  }
}

/** Assembles and links `files` with GNU binutils; returns the executable's bytes. */
export function gnuBuild(files: readonly string[], opts: { debug?: boolean; base?: number } = {}): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-asm-'));
  try {
    const objs = files.map((f, k) => {
      const obj = path.join(dir, `${k}.o`);
      const args = ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-mno-relax', '-I', path.dirname(f), '-o', obj, f];
      if (opts.debug) args.unshift('-g', '--gdwarf-5');
      run(AS, args);
      return obj;
    });
    const script = path.join(dir, 'link.ld');
    fs.writeFileSync(script, linkerScript(opts.base ?? 0x80000000));
    const out = path.join(dir, 'a.elf');
    run(LD, ['-m', 'elf32lriscv', '--no-relax', '-T', script, '-o', out, ...objs]);
    return new Uint8Array(fs.readFileSync(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface DumpRow {
  file: string;
  line: number;
  address: number;
}

/** Rows of `objdump --dwarf=decodedline` (end-of-sequence rows excluded), file names as printed. */
export function decodedLines(elf: Uint8Array): DumpRow[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-asm-'));
  try {
    const file = path.join(dir, 'x.elf');
    fs.writeFileSync(file, elf);
    const text = run(OBJDUMP, ['--dwarf=decodedline', file]);
    const rows: DumpRow[] = [];
    for (const line of text.split('\n')) {
      const m = /^(\S+)\s+(\d+)\s+(0x[0-9a-f]+)(?:\s+\d+)?\s+x?\s*$/.exec(line);
      if (m) rows.push({ file: m[1], line: Number(m[2]), address: Number(m[3]) });
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Disassembly of one word (for failure messages). */
export function describeWord(elf: Uint8Array, address: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-asm-'));
  try {
    const file = path.join(dir, 'x.elf');
    fs.writeFileSync(file, elf);
    const a = address & ~3;
    const text = run(OBJDUMP, ['-d', `--start-address=0x${a.toString(16)}`, `--stop-address=0x${(a + 4).toString(16)}`, file]);
    return text.split('\n').filter((l) => /^\s+[0-9a-f]+:/.test(l)).join(' | ').trim() || '(no disassembly)';
  } catch {
    return '(no disassembly)';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
