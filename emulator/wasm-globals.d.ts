/**
 * The part of the WebAssembly JavaScript API pvlab uses (Node provides it; the
 * project compiles without the DOM library, which is where TypeScript declares it).
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  interface TableDescriptor {
    element: 'anyfunc';
    initial: number;
  }
  class Table {
    constructor(descriptor: TableDescriptor);
    readonly length: number;
    /** Adds `delta` empty elements; returns the former length. */
    grow(delta: number): number;
    set(index: number, value: unknown): void;
  }
  type ImportValue = ((...args: number[]) => number | void) | Memory | Table;
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, ImportValue>>);
    readonly exports: Record<string, unknown>;
  }
}
