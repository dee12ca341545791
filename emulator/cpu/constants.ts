/** Privileged-architecture constants (RISC-V privileged spec 1.12). */

export const enum Priv { U = 0, S = 1, M = 3 }

export const PRIV_NAMES: Record<number, string> = { 0: 'U', 1: 'S', 3: 'M' };

/** Synchronous exception causes. */
export const enum Cause {
  InsnMisaligned = 0,
  InsnAccessFault = 1,
  IllegalInsn = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallU = 8,
  EcallS = 9,
  EcallM = 11,
  InsnPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
}

export const CAUSE_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction',
  3: 'breakpoint', 4: 'load address misaligned', 5: 'load access fault', 6: 'store/AMO address misaligned',
  7: 'store/AMO access fault', 8: 'environment call from U-mode', 9: 'environment call from S-mode',
  11: 'environment call from M-mode', 12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault',
};

export const INTERRUPT_NAMES: Record<number, string> = {
  1: 'supervisor software interrupt', 3: 'machine software interrupt', 5: 'supervisor timer interrupt',
  7: 'machine timer interrupt', 9: 'supervisor external interrupt', 11: 'machine external interrupt',
};

/** mip/mie bit numbers. */
export const enum Irq { SSI = 1, MSI = 3, STI = 5, MTI = 7, SEI = 9, MEI = 11 }

/** Architectural priority of simultaneous interrupts, highest first. */
export const IRQ_PRIORITY: readonly number[] = [Irq.MEI, Irq.MSI, Irq.MTI, Irq.SEI, Irq.SSI, Irq.STI];

/** mstatus fields. */
export const MSTATUS = {
  SIE: 1 << 1, MIE: 1 << 3, SPIE: 1 << 5, MPIE: 1 << 7, SPP: 1 << 8,
  MPP_SHIFT: 11, MPP: 3 << 11, MPRV: 1 << 17, SUM: 1 << 18, MXR: 1 << 19,
  TVM: 1 << 20, TW: 1 << 21, TSR: 1 << 22,
} as const;

/** Memory access kinds, for translation and fault causes. */
export const enum Access { Fetch = 0, Load = 1, Store = 2 }

export function describeCause(mcause: number): string {
  const interrupt = mcause < 0 || mcause >= 0x80000000;
  const code = mcause & 0x7fffffff;
  return (interrupt ? INTERRUPT_NAMES[code] : CAUSE_NAMES[code]) ?? `${interrupt ? 'interrupt' : 'exception'} ${code}`;
}
