/**
 * Interrupt wiring shared by devices, interrupt controllers and harts.
 * Lines are level-triggered: the driver states the current level; receivers
 * must tolerate being told the same level twice.
 */

/** A level-triggered interrupt wire (e.g. a hart's MTIP bit, or a PLIC source input). */
export interface IrqLine {
  set(level: boolean): void;
}

/** A line connected to nothing (for devices whose interrupt is not wired). */
export const NO_IRQ: IrqLine = { set(): void { /* unconnected */ } };
