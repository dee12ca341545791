/**
 * A small ELF32 reader for the assembler tests: sections (with contents) and
 * symbols. Independent of emulator/loader so the tests check the writer
 * against a second implementation.
 */

export interface Section {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  data: Uint8Array;
}

export interface Symbol {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  shndx: number;
}

export interface Elf {
  entry: number;
  type: number;
  machine: number;
  flags: number;
  sections: Section[];
  symbols: Symbol[];
  phdrs: Array<{ type: number; offset: number; vaddr: number; filesz: number; memsz: number; flags: number; align: number }>;
}

export const SHF_ALLOC = 2;
export const SHT_NOBITS = 8;

function cstr(b: Uint8Array, at: number): string {
  let end = at;
  while (b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(at, end));
}

export function readElf(b: Uint8Array): Elf {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0, false) !== 0x7f454c46 || b[4] !== 1 || b[5] !== 1) throw new Error('not a little-endian ELF32 file');
  const u16 = (o: number) => v.getUint16(o, true);
  const u32 = (o: number) => v.getUint32(o, true);
  const shoff = u32(32), shnum = u16(48), shstrndx = u16(50), phoff = u32(28), phnum = u16(44);
  const raw = [];
  for (let k = 0; k < shnum; k++) {
    const o = shoff + 40 * k;
    raw.push({ name: u32(o), type: u32(o + 4), flags: u32(o + 8), addr: u32(o + 12), offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24) });
  }
  const shstr = raw[shstrndx];
  const sections: Section[] = raw.map((s) => ({
    name: cstr(b, shstr.offset + s.name), type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size,
    data: s.type === SHT_NOBITS ? new Uint8Array(0) : b.subarray(s.offset, s.offset + s.size),
  }));
  const symbols: Symbol[] = [];
  const symtab = raw.findIndex((s) => s.type === 2);
  if (symtab >= 0) {
    const st = raw[symtab], strtab = raw[st.link];
    for (let o = st.offset + 16; o < st.offset + st.size; o += 16) {
      const info = b[o + 12];
      symbols.push({ name: cstr(b, strtab.offset + u32(o)), value: u32(o + 4), size: u32(o + 8), type: info & 15, bind: info >> 4, shndx: u16(o + 14) });
    }
  }
  const phdrs = [];
  for (let k = 0; k < phnum; k++) {
    const o = phoff + 32 * k;
    phdrs.push({ type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16), memsz: u32(o + 20), flags: u32(o + 24), align: u32(o + 28) });
  }
  return { entry: u32(24), type: u16(16), machine: u16(18), flags: u32(36), sections, symbols, phdrs };
}

/** Loadable bytes by address (PROGBITS with SHF_ALLOC), and the zero-filled ranges (NOBITS). */
export function loadable(elf: Elf): { bytes: Map<number, number>; zero: Array<[number, number]> } {
  const bytes = new Map<number, number>();
  const zero: Array<[number, number]> = [];
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC) || s.size === 0) continue;
    if (s.type === SHT_NOBITS) zero.push([s.addr, s.addr + s.size]);
    else s.data.forEach((x, k) => bytes.set(s.addr + k, x));
  }
  return { bytes, zero };
}
