/**
 * Runs an ELF through the `pvlab` CLI (`node bin/pvlab.js run ELF [args]`)
 * for the differential tests, which compare it with QEMU.
 */
import { ProcessResult, runProcess } from './process';
import * as fs from 'fs';
import * as path from 'path';

export type PvlabResult = ProcessResult;

/** The repository root (this file lives in test/support or out/test/support). */
function root(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'bin', 'pvlab.js'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`bin/pvlab.js not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export function pvlabBin(): string {
  return path.join(root(), 'bin', 'pvlab.js');
}

/** True when bin/pvlab.js has something to load (the bundle or the tsc output). */
export function pvlabCliBuilt(): boolean {
  const r = root();
  return (
    fs.existsSync(path.join(r, 'dist', 'cli.js')) || fs.existsSync(path.join(r, 'out', 'emulator', 'system', 'cli.js'))
  );
}

export function runPvlab(elf: string, args: string[] = [], opts: { timeoutMs?: number } = {}): Promise<PvlabResult> {
  return runProcess(process.execPath, [pvlabBin(), 'run', elf, ...args], opts.timeoutMs ?? 60000);
}
