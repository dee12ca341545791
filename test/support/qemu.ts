/**
 * Runs a bare-metal ELF on QEMU's `virt` machine, the reference for the
 * differential tests. QEMU 7.2's default rv32 CPU has C, F, D, H, Sstc and
 * Zb*; they are switched off so the reference matches pvlab's RV32IMA
 * (misa, legal encodings, mip.STIP writability).
 */
import { ProcessResult, runProcess } from './process';

export const QEMU = 'qemu-system-riscv32';
export const QEMU_CPU = 'rv32,c=false,f=false,d=false,h=false,sstc=false,zba=false,zbb=false,zbc=false,zbs=false';

/** The finisher's exit status is `exitCode` (null when killed). */
export type QemuResult = ProcessResult;

export function qemuArgs(elf: string): string[] {
  return ['-M', 'virt', '-bios', 'none', '-nographic', '-m', '128M', '-cpu', QEMU_CPU, '-kernel', elf];
}

export function runQemu(elf: string, opts: { timeoutMs?: number } = {}): Promise<QemuResult> {
  return runProcess(QEMU, qemuArgs(elf), opts.timeoutMs ?? 20000);
}
