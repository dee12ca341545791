/**
 * Deterministic round-robin over every vCPU of the machine (VM order, then
 * hart order): the current vCPU keeps the machine until its quantum (in
 * instructions) is used or it cannot run (wfi, stopped, its VM stopped); then
 * the next vCPU in order that can run gets a full quantum. A slice may end
 * early (an event is due); the vCPU then continues with what is left of its
 * quantum, so event timing never changes who runs next.
 */
import type { VCpu } from './vcpu';

export class Scheduler {
  private cursor = -1;
  /** Instructions left in the current vCPU's quantum. */
  quantumLeft = 0;

  constructor(
    private readonly vcpus: readonly VCpu[],
    readonly quantum: number,
    private readonly eligible: (v: VCpu) => boolean,
  ) {
    if (!Number.isInteger(quantum) || quantum < 1) throw new RangeError(`scheduler quantum must be a positive integer, got ${quantum}`);
  }

  /** The vCPU that runs next, or undefined when none can run. */
  pick(): VCpu | undefined {
    const n = this.vcpus.length;
    if (this.cursor >= 0 && this.quantumLeft > 0 && this.eligible(this.vcpus[this.cursor])) return this.vcpus[this.cursor];
    for (let i = 1; i <= n; i++) {
      const j = (((this.cursor + i) % n) + n) % n;
      if (this.eligible(this.vcpus[j])) {
        this.cursor = j;
        this.quantumLeft = this.quantum;
        return this.vcpus[j];
      }
    }
    this.quantumLeft = 0;
    return undefined;
  }

  /** The vCPU holding the machine (last picked), if any. */
  get current(): VCpu | undefined {
    return this.cursor >= 0 ? this.vcpus[this.cursor] : undefined;
  }

  charge(instructions: number): void {
    this.quantumLeft -= instructions;
  }

  /** The current vCPU gives up the rest of its quantum. */
  yield(): void {
    this.quantumLeft = 0;
  }
}
