/**
 * Builds the fixture programs with the RISC-V cross toolchain in a temporary
 * directory and runs the binutils that serve as reference (readelf, objdump,
 * addr2line, objcopy).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireTool } from '../support/tools';

/** Sources stay in the source tree; compiled tests run from out/test/loader. */
export const FIXTURES = path.resolve(__dirname, '../../../test/loader/fixtures');
const PREFIX = 'riscv64-unknown-elf-';
const ARCH = ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32'];
const CFLAGS = [...ARCH, '-nostdlib', '-nostartfiles', '-ffreestanding', '-O1'];
const TOOLS = ['gcc', 'as', 'ld', 'readelf', 'objdump', 'addr2line', 'objcopy'];

/** Skips (or, under CI=true, fails) the suite when any cross tool is missing. */
export function requireCross(ctx: Mocha.Context): void {
  for (const t of TOOLS) requireTool(ctx, PREFIX + t);
}

export function tool(name: string, args: readonly string[], cwd?: string): string {
  return execFileSync(PREFIX + name, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A temporary copy of the fixtures in which programs are built. */
export class Workspace {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-loader-'));

  constructor() {
    fs.cpSync(FIXTURES, this.dir, { recursive: true });
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** The C program (start.S, main.c, lib/calc.c) built with `debugFlags`; returns the ELF path. */
  buildC(out: string, debugFlags: readonly string[] = ['-g']): string {
    tool('gcc', [...CFLAGS, ...debugFlags, '-T', 'link.ld', 'c/start.S', 'c/main.c', 'c/lib/calc.c', '-o', out], this.dir);
    return this.path(out);
  }

  /** asm/prog.S assembled by `as` with `asFlags` and linked; returns the ELF path. */
  buildAsm(out: string, asFlags: readonly string[] = ['-g']): string {
    tool('as', [...ARCH, ...asFlags, 'asm/prog.S', '-o', `${out}.o`], this.dir);
    tool('ld', ['-m', 'elf32lriscv', '-T', 'link.ld', `${out}.o`, '-o', out], this.dir);
    return this.path(out);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(file));
}

/** 1-based number of the line of `file` that carries the comment marker `L:<name>`. */
export function markerLine(file: string, name: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`L:${name}\\b`).test(l));
  if (i < 0) throw new Error(`marker L:${name} not found in ${file}`);
  return i + 1;
}
