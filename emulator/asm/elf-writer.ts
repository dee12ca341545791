/**
 * ELF32 little-endian RISC-V executable writer (System V gABI, RISC-V psABI):
 * ET_EXEC, EM_RISCV, e_flags 0 (soft-float ilp32, no RVC), one PT_LOAD per
 * output section, section headers, .symtab/.strtab and the debug sections.
 */
import type { DebugSections } from './dwarf';
import type { AsmImage, ImageSymbol } from './types';

const EHDR = 52, PHDR = 32, SHDR = 40, SYM = 16;
const EM_RISCV = 243, ET_EXEC = 2, PT_LOAD = 1;
const SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8;
const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
const SHN_ABS = 0xfff1;
const STT = { notype: 0, object: 1, func: 2, section: 3, file: 4, tls: 6 } as const;
const STB = { local: 0, global: 1, weak: 2 } as const;
const PAGE = 0x1000;

class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private readonly seen = new Map<string, number>();

  add(s: string): number {
    if (s === '') return 0;
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(s + '\0');
    const at = this.size;
    this.parts.push(bytes);
    this.size += bytes.length;
    this.seen.set(s, at);
    return at;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

interface SectionHeader {
  name: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
  data?: Uint8Array;
}

/** Serializes `image` (and its debug sections, if any) as an ELF32 executable. */
export function writeElf(image: AsmImage, debug: DebugSections | undefined): Uint8Array {
  const shstr = new StringTable();
  const strtab = new StringTable();
  const headers: SectionHeader[] = [{ name: 0, type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 }];
  const sectionIndex = new Map<string, number>();

  // Loadable sections, placed so that file offset ≡ address (mod page size).
  let offset = EHDR + PHDR * image.sections.length;
  const phdrs: number[][] = [];
  for (const s of image.sections) {
    const nobits = s.kind === 'bss';
    offset += (((s.address % PAGE) - (offset % PAGE)) + PAGE) % PAGE;
    sectionIndex.set(s.name, headers.length);
    headers.push({
      name: shstr.add(s.name), type: nobits ? SHT_NOBITS : SHT_PROGBITS,
      flags: SHF_ALLOC | (s.flags.write ? SHF_WRITE : 0) | (s.flags.exec ? SHF_EXECINSTR : 0),
      addr: s.address, offset, size: s.size, link: 0, info: 0, align: s.align, entsize: 0, data: nobits ? undefined : s.data,
    });
    const pflags = 4 | (s.flags.write ? 2 : 0) | (s.flags.exec ? 1 : 0);
    phdrs.push([PT_LOAD, offset, s.address, s.address, nobits ? 0 : s.size, s.size, pflags, PAGE]);
    if (!nobits) offset += s.size;
  }

  const extra = (name: string, data: Uint8Array, type = SHT_PROGBITS, align = 1) => {
    headers.push({ name: shstr.add(name), type, flags: 0, addr: 0, offset: 0, size: data.length, link: 0, info: 0, align, entsize: 0, data });
    return headers.length - 1;
  };
  if (debug) {
    extra('.debug_line', debug.debugLine);
    extra('.debug_info', debug.debugInfo);
    extra('.debug_abbrev', debug.debugAbbrev);
  }

  // Symbols: null, then per file a FILE symbol and its locals, then the globals.
  const syms: number[][] = [[0, 0, 0, 0, 0, 0]];
  const push = (s: ImageSymbol) => {
    const shndx = s.section !== undefined ? (sectionIndex.get(s.section) ?? SHN_ABS) : SHN_ABS;
    syms.push([strtab.add(s.name), s.value, s.size, (STB[s.bind] << 4) | STT[s.type], 0, shndx]);
  };
  const locals = image.symbols.filter((s) => s.bind === 'local');
  const files = [...new Set(locals.map((s) => s.file))];
  for (const f of files) {
    syms.push([strtab.add(f), 0, 0, (STB.local << 4) | STT.file, 0, SHN_ABS]);
    for (const s of locals) if (s.file === f) push(s);
  }
  const firstGlobal = syms.length;
  for (const s of image.symbols) if (s.bind !== 'local') push(s);
  const symData = new Uint8Array(syms.length * SYM);
  const sv = new DataView(symData.buffer);
  syms.forEach(([name, value, size, info, other, shndx], k) => {
    const at = k * SYM;
    sv.setUint32(at, name, true);
    sv.setUint32(at + 4, value >>> 0, true);
    sv.setUint32(at + 8, size >>> 0, true);
    sv.setUint8(at + 12, info);
    sv.setUint8(at + 13, other);
    sv.setUint16(at + 14, shndx, true);
  });
  const symIndex = extra('.symtab', symData, SHT_SYMTAB, 4);
  const strIndex = extra('.strtab', strtab.bytes(), SHT_STRTAB);
  headers[symIndex].link = strIndex;
  headers[symIndex].info = firstGlobal;
  headers[symIndex].entsize = SYM;
  const shstrIndex = headers.length;
  const shstrName = shstr.add('.shstrtab');
  headers.push({ name: shstrName, type: SHT_STRTAB, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, align: 1, entsize: 0 });
  const shstrData = shstr.bytes();
  headers[shstrIndex].data = shstrData;
  headers[shstrIndex].size = shstrData.length;

  // Non-loaded sections follow the loaded ones; then the section header table.
  for (const h of headers.slice(1)) {
    if (h.flags & SHF_ALLOC) continue;
    offset += (h.align > 1 ? (h.align - (offset % h.align)) % h.align : 0);
    h.offset = offset;
    offset += h.size;
  }
  offset += (4 - (offset % 4)) % 4;
  const shoff = offset;
  const total = shoff + SHDR * headers.length;

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1 /* ELFCLASS32 */, 1 /* little-endian */, 1 /* EV_CURRENT */, 0 /* SYSV */]);
  v.setUint16(16, ET_EXEC, true);
  v.setUint16(18, EM_RISCV, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, image.entry >>> 0, true);
  v.setUint32(28, image.sections.length > 0 ? EHDR : 0, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, 0, true); // e_flags: ilp32 soft-float, no RVC
  v.setUint16(40, EHDR, true);
  v.setUint16(42, PHDR, true);
  v.setUint16(44, phdrs.length, true);
  v.setUint16(46, SHDR, true);
  v.setUint16(48, headers.length, true);
  v.setUint16(50, shstrIndex, true);
  phdrs.forEach(([type, off, vaddr, paddr, filesz, memsz, flags, align], k) => {
    const at = EHDR + k * PHDR;
    [type, off, vaddr, paddr, filesz, memsz, flags, align].forEach((x, j) => v.setUint32(at + 4 * j, x >>> 0, true));
  });
  headers.forEach((h, k) => {
    if (h.data && h.type !== SHT_NOBITS) out.set(h.data, h.offset);
    const at = shoff + k * SHDR;
    [h.name, h.type, h.flags, h.addr, h.offset, h.size, h.link, h.info, h.align, h.entsize].forEach((x, j) => v.setUint32(at + 4 * j, x >>> 0, true));
  });
  return out;
}
