/**
 * Runs a bare-metal ELF on QEMU's `virt` machine, the reference for the
 * differential tests. QEMU 7.2's default rv32 CPU has C, F, D, H, Sstc and
 * Zb*; they are switched off so the reference matches pvlab's RV32IMA
 * (misa, legal encodings, mip.STIP writability).
 */
import { spawn } from 'child_process';

export const QEMU = 'qemu-system-riscv32';
export const QEMU_CPU = 'rv32,c=false,f=false,d=false,h=false,sstc=false,zba=false,zbb=false,zbc=false,zbs=false';

export interface QemuResult {
  stdout: string;
  stderr: string;
  /** The finisher's exit status (null when killed). */
  exitCode: number | null;
  timedOut: boolean;
}

export function qemuArgs(elf: string): string[] {
  return ['-M', 'virt', '-bios', 'none', '-nographic', '-m', '128M', '-cpu', QEMU_CPU, '-kernel', elf];
}

export function runQemu(elf: string, opts: { timeoutMs?: number } = {}): Promise<QemuResult> {
  const timeoutMs = opts.timeoutMs ?? 20000;
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, qemuArgs(elf), { stdio: ['ignore', 'pipe', 'pipe'] });
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
