/**
 * Helpers for the hypervisor tests: building the C test guests with the
 * cross compiler (cached by content hash), and building systems from
 * in-memory system files.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSystemConfig } from '../../emulator/system/config';
import { SystemRuntime } from '../../emulator/system/system-runtime';
import { requireTool } from '../support/tools';

export const CROSS_GCC = 'riscv64-unknown-elf-gcc';
export const GUEST_FLAGS = ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-ffreestanding', '-O2', '-g'];

export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'guests', 'include'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = up;
  }
}

const GUEST_DIR = () => path.join(repoRoot(), 'test', 'hypervisor-core', 'guests');
const BUILD_DIR = () => path.join(repoRoot(), 'out', 'test', 'hypervisor-core', 'guest-build');

/** Skips the suite (fails under CI=true) when the cross compiler is missing. */
export function needCompiler(ctx: Mocha.Context): void {
  requireTool(ctx, CROSS_GCC);
}

/**
 * Builds test guest `main` (a .c file in test/hypervisor-core/guests) with the
 * runtime, returns the ELF path. `defines` go to both the C and assembly files.
 */
export function buildGuest(main: string, defines: string[] = []): string {
  const dir = GUEST_DIR();
  const sources = ['start.S', 'pvrt.c', main];
  const inputs = [...sources, 'pvrt.h', 'link.ld'].map((f) => fs.readFileSync(path.join(dir, f)));
  const hash = crypto.createHash('sha256');
  for (const b of inputs) hash.update(b);
  hash.update(JSON.stringify([GUEST_FLAGS, defines]));
  const tag = hash.digest('hex').slice(0, 16);
  const out = path.join(BUILD_DIR(), `${path.basename(main, '.c')}${defines.length ? '-' + defines.join('-').replace(/[^A-Za-z0-9_]/g, '') : ''}-${tag}.elf`);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(CROSS_GCC, [
      ...GUEST_FLAGS, '-mno-relax', '-fno-builtin', '-Wall', '-I', path.join(repoRoot(), 'guests', 'include'),
      ...defines.map((d) => `-D${d}`), '-T', path.join(dir, 'link.ld'), ...sources.map((s) => path.join(dir, s)), '-o', tmp,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`building test guest ${main} failed:\n${err.stderr?.toString() ?? err.message}`, { cause: e });
  }
  fs.renameSync(tmp, out);
  return out;
}

/** A temporary folder for system files and reports; removed by the caller with rmTemp. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-hv-'));
}

export function rmTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Builds a runtime from a system-file object (written nowhere; relative paths against `baseDir`). */
export function systemFrom(file: object, options: { seed?: number; baseDir?: string } = {}): SystemRuntime {
  const config = parseSystemConfig(JSON.stringify(file), options.baseDir ?? os.tmpdir(), '<test system>');
  return new SystemRuntime(config, { seed: options.seed });
}

/** Collects each VM's console output. */
export function collectOutput(rt: SystemRuntime): Map<string, string> {
  const out = new Map<string, string>();
  rt.on('output', (text: string, vm: string) => out.set(vm, (out.get(vm) ?? '') + text));
  return out;
}
