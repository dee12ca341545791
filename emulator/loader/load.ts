/** Placing program images into a machine's RAM through the bus. */
import type { Bus } from '../bus/bus';
import type { ElfFile } from './elf';
import { ElfError, LoadError, hex } from './errors';

const ZERO_CHUNK = new Uint8Array(64 * 1024);

function ramRange(bus: Bus): string {
  return `${hex(bus.ramBase)}..${hex(bus.ramBase + bus.ramSize)}`;
}

function fitsRam(bus: Bus, address: number, size: number): boolean {
  return size === 0 || (address >= bus.ramBase && address + size <= bus.ramBase + bus.ramSize);
}

/**
 * Copies every PT_LOAD segment to its physical address and zero-fills memsz
 * beyond filesz. All segments are checked first: on an ElfError nothing has been written.
 */
export function loadElf(bus: Bus, elf: ElfFile): void {
  for (const seg of elf.segments) {
    if (!fitsRam(bus, seg.paddr, seg.memsz)) {
      throw new ElfError(`segment ${seg.index} (${hex(seg.paddr)}..${hex(seg.paddr + seg.memsz)}) lies outside RAM ${ramRange(bus)}`);
    }
  }
  for (const seg of elf.segments) {
    bus.loadBytes(seg.paddr, seg.data);
    for (let done = seg.filesz; done < seg.memsz; done += ZERO_CHUNK.length) {
      bus.loadBytes(seg.paddr + done, ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, seg.memsz - done)));
    }
  }
}

/** Copies a raw image to `address`; a LoadError (nothing written) if it does not fit in RAM. */
export function loadFlatBinary(bus: Bus, bytes: Uint8Array, address: number): void {
  address >>>= 0;
  if (!fitsRam(bus, address, bytes.length)) {
    throw new LoadError(`flat binary (${hex(address)}..${hex(address + bytes.length)}) lies outside RAM ${ramRange(bus)}`);
  }
  bus.loadBytes(address, bytes);
}
