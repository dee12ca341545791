/**
 * Runs an ELF through the `pvlab` CLI (`node bin/pvlab.js run ELF [args]`)
 * for the differential tests, which compare it with QEMU.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface PvlabResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

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
  const timeoutMs = opts.timeoutMs ?? 60000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pvlabBin(), 'run', elf, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: timedOut ? null : code,
        timedOut,
      });
    });
  });
}
