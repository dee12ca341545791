/**
 * SiFive test finisher ("sifive,test0") as on QEMU virt: a single write-only
 * register at offset 0 whose low 16 bits select pass, fail or reset.
 */
import type { MmioDevice } from '../bus/bus';

export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export const SIFIVE_TEST_SIZE = 0x1000;

export interface SifiveTestOptions {
  /** Exit requested: pass gives code 0; fail gives the code in bits 31..16 (`failed` tells a fail with code 0 from a pass). */
  onExit(code: number, failed: boolean): void;
  onReset?(): void;
  name?: string;
}

export class SifiveTest implements MmioDevice {
  readonly name: string;

  constructor(private readonly options: SifiveTestOptions) {
    this.name = options.name ?? 'sifive-test';
  }

  read(_offset: number, _size: number): number {
    return 0;
  }

  // 16- and 32-bit stores at offset 0 are accepted; a 16-bit fail carries code 0.
  write(offset: number, size: number, value: number): void {
    if (offset !== 0 || size < 2) return;
    if (size === 2) value &= 0xffff;
    switch (value & 0xffff) {
      case FINISHER_PASS:
        this.options.onExit(0, false);
        return;
      case FINISHER_FAIL:
        this.options.onExit(value >>> 16, true);
        return;
      case FINISHER_RESET:
        this.options.onReset?.();
        return;
      default:
        return; // unknown commands are ignored
    }
  }
}
