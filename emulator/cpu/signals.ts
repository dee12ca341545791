/**
 * Control-flow signals thrown out of instruction semantics. They are preallocated
 * singletons, so throwing one allocates nothing.
 */

/** An exception was raised; its cause and value are in the hart's pending-trap fields. */
export const TRAP = { signal: 'trap' } as const;

/** The instruction needs the hart's state flushed (MMIO, watched memory, a sync op): run it again in slow mode. */
export const RETRY = { signal: 'retry' } as const;
