/** Errors raised while reading or loading program images. */

/** A program image could not be loaded (bad address range, unusable input). */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An ELF file (or its DWARF debug information) is malformed or unsupported. */
export class ElfError extends LoadError {}

/** Formats an address or offset as 0x-prefixed, at least 8 hex digits. */
export function hex(value: number): string {
  return '0x' + value.toString(16).padStart(8, '0');
}
