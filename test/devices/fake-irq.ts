/** A recording IrqLine for device tests. */
import type { IrqLine } from '../../emulator/devices/irq';

export class FakeIrq implements IrqLine {
  level = false;
  /** Every level driven, in order. */
  readonly history: boolean[] = [];

  set(level: boolean): void {
    this.level = level;
    this.history.push(level);
  }

  /** Levels at which the line actually changed. */
  get edges(): boolean[] {
    const out: boolean[] = [];
    let prev = false;
    for (const l of this.history) {
      if (l !== prev) out.push(l);
      prev = l;
    }
    return out;
  }
}

export function fakeIrqs(n: number): FakeIrq[] {
  return Array.from({ length: n }, () => new FakeIrq());
}
