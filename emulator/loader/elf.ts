/**
 * ELF32 little-endian RISC-V executable parser (System V gABI + RISC-V psABI).
 * Pure: takes bytes, returns a description; segment and section data are views
 * into the input array (not copies).
 */
import { ByteReader, stringAt } from './byte-reader';
import {
  EM_RISCV, ET_EXEC, PN_XNUM, PT_LOAD, SHN_LORESERVE, SHN_XINDEX, SHT_NOBITS, SHT_SYMTAB,
  fileTypeName, machineName,
} from './elf-constants';
import { ElfError, hex } from './errors';

export interface ElfProgramHeader {
  /** Position in the program header table (as `readelf -l` numbers it). */
  readonly index: number;
  readonly type: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
  /** PF_X = 1, PF_W = 2, PF_R = 4. */
  readonly flags: number;
  readonly align: number;
}

/** A PT_LOAD segment with its file contents (`filesz` bytes). */
export interface ElfSegment extends ElfProgramHeader {
  readonly data: Uint8Array;
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type SymbolBind = 'local' | 'global' | 'weak' | 'other';
export type SymbolVisibility = 'default' | 'internal' | 'hidden' | 'protected';

export interface ElfSymbol {
  /** Index in .symtab (entry 0, the null symbol, is not listed). */
  readonly index: number;
  /** Name from .strtab; a nameless section symbol gets its section's name (as readelf shows it). */
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly type: SymbolType;
  readonly bind: SymbolBind;
  readonly visibility: SymbolVisibility;
  /** Section index, or SHN_UNDEF (0), SHN_ABS (0xfff1), SHN_COMMON (0xfff2). */
  readonly shndx: number;
}

export interface ElfFile {
  readonly entry: number;
  /** e_flags (RISC-V: RVC, float ABI, RVE, TSO bits). */
  readonly flags: number;
  readonly programHeaders: readonly ElfProgramHeader[];
  /** The PT_LOAD program headers, in table order. */
  readonly segments: readonly ElfSegment[];
  readonly sections: readonly ElfSection[];
  /** Symbols of .symtab in table order; empty when the file is stripped. */
  readonly symbols: readonly ElfSymbol[];
  /** File contents of the named section; empty for SHT_NOBITS; undefined when absent. */
  section(name: string): Uint8Array | undefined;
}

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;

const SYMBOL_TYPES: readonly SymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];
const SYMBOL_BINDS: readonly SymbolBind[] = ['local', 'global', 'weak'];
const VISIBILITIES: readonly SymbolVisibility[] = ['default', 'internal', 'hidden', 'protected'];

export function parseElf(bytes: Uint8Array): ElfFile {
  checkIdent(bytes);
  const r = new ByteReader(bytes, 'ELF header', 16);
  const type = r.u16();
  const machine = r.u16();
  const version = r.u32();
  const entry = r.u32();
  const phoff = r.u32();
  const shoff = r.u32();
  const flags = r.u32();
  r.u16(); // e_ehsize: the layout is fixed for ELF32
  const phentsize = r.u16();
  let phnum = r.u16();
  const shentsize = r.u16();
  let shnum = r.u16();
  let shstrndx = r.u16();

  if (machine !== EM_RISCV) throw new ElfError(`ELF machine is ${machineName(machine)}, expected RISC-V (${EM_RISCV})`);
  if (type !== ET_EXEC) throw new ElfError(`ELF file type is ${fileTypeName(type)}, expected executable (ET_EXEC)`);
  if (version !== 1) throw new ElfError(`ELF version is ${version}, expected 1`);

  // Extended numbering: huge counts live in section header 0 (gABI).
  if (shoff !== 0 && (shnum === 0 || phnum === PN_XNUM || shstrndx === SHN_XINDEX)) {
    checkTable(bytes, 'section header table', shoff, 1, shentsize, SHDR_SIZE);
    const s0 = new ByteReader(bytes, 'section header 0', shoff, shoff + SHDR_SIZE);
    s0.skip(20);
    const size = s0.u32();
    const link = s0.u32();
    const info = s0.u32();
    if (shnum === 0) shnum = size;
    if (phnum === PN_XNUM) phnum = info;
    if (shstrndx === SHN_XINDEX) shstrndx = link;
  }

  const programHeaders = readProgramHeaders(bytes, phoff, phnum, phentsize);
  const segments: ElfSegment[] = programHeaders
    .filter((ph) => ph.type === PT_LOAD)
    .map((ph) => ({ ...ph, data: bytes.subarray(ph.offset, ph.offset + ph.filesz) }));

  const sections = shoff === 0 ? [] : readSections(bytes, shoff, shnum, shentsize, shstrndx);
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (s.name !== '' && !byName.has(s.name)) byName.set(s.name, s);
  const section = (name: string): Uint8Array | undefined => {
    const s = byName.get(name);
    if (!s) return undefined;
    return s.type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size);
  };
  const symbols = readSymbols(bytes, sections);
  return { entry, flags, programHeaders, segments, sections, symbols, section };
}

function checkIdent(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new ElfError('not an ELF file: it is empty');
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file (bad magic number)');
  }
  if (bytes.length < 16) throw new ElfError(`truncated ELF header: file has ${bytes.length} bytes, the header needs ${EHDR_SIZE}`);
  const cls = bytes[4];
  if (cls === 2) throw new ElfError('ELF64 file, expected ELF32 (RV32)');
  if (cls !== 1) throw new ElfError(`bad ELF class ${cls}, expected 1 (ELF32)`);
  const data = bytes[5];
  if (data === 2) throw new ElfError('big-endian ELF file, expected little-endian');
  if (data !== 1) throw new ElfError(`bad ELF data encoding ${data}, expected 1 (little-endian)`);
  if (bytes[6] !== 1) throw new ElfError(`ELF identification version is ${bytes[6]}, expected 1`);
  if (bytes.length < EHDR_SIZE) throw new ElfError(`truncated ELF header: file has ${bytes.length} bytes, the header needs ${EHDR_SIZE}`);
}

function checkTable(bytes: Uint8Array, what: string, offset: number, count: number, entsize: number, expected: number): void {
  if (count === 0) return;
  if (entsize !== expected) throw new ElfError(`${what} entry size is ${entsize}, expected ${expected}`);
  const end = offset + count * entsize;
  if (end > bytes.length) {
    throw new ElfError(`${what} (offset ${hex(offset)}, ${count} entries) runs past the end of the file (${bytes.length} bytes)`);
  }
}

function readProgramHeaders(bytes: Uint8Array, phoff: number, phnum: number, phentsize: number): ElfProgramHeader[] {
  checkTable(bytes, 'program header table', phoff, phnum, phentsize, PHDR_SIZE);
  const out: ElfProgramHeader[] = [];
  for (let index = 0; index < phnum; index++) {
    const r = new ByteReader(bytes, `program header ${index}`, phoff + index * PHDR_SIZE, phoff + (index + 1) * PHDR_SIZE);
    const ph: ElfProgramHeader = {
      index, type: r.u32(), offset: r.u32(), vaddr: r.u32(), paddr: r.u32(),
      filesz: r.u32(), memsz: r.u32(), flags: r.u32(), align: r.u32(),
    };
    if (ph.filesz > 0 && ph.offset + ph.filesz > bytes.length) {
      throw new ElfError(`segment ${index} file range ${hex(ph.offset)}..${hex(ph.offset + ph.filesz)} lies outside the file (${bytes.length} bytes)`);
    }
    if (ph.type === PT_LOAD) {
      if (ph.filesz > ph.memsz) throw new ElfError(`segment ${index} has filesz ${hex(ph.filesz)} larger than memsz ${hex(ph.memsz)}`);
      if (ph.paddr + ph.memsz > 0x100000000 || ph.vaddr + ph.memsz > 0x100000000) {
        throw new ElfError(`segment ${index} (${hex(ph.vaddr)}, memsz ${hex(ph.memsz)}) runs past the end of the 32-bit address space`);
      }
    }
    out.push(ph);
  }
  return out;
}

function readSections(bytes: Uint8Array, shoff: number, shnum: number, shentsize: number, shstrndx: number): ElfSection[] {
  checkTable(bytes, 'section header table', shoff, shnum, shentsize, SHDR_SIZE);
  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOffsets: number[] = [];
  for (let index = 0; index < shnum; index++) {
    const r = new ByteReader(bytes, `section header ${index}`, shoff + index * SHDR_SIZE, shoff + (index + 1) * SHDR_SIZE);
    nameOffsets.push(r.u32());
    const s = {
      index, type: r.u32(), flags: r.u32(), addr: r.u32(), offset: r.u32(), size: r.u32(),
      link: r.u32(), info: r.u32(), addralign: r.u32(), entsize: r.u32(),
    };
    if (index > 0 && s.type !== SHT_NOBITS && s.offset + s.size > bytes.length) {
      throw new ElfError(`section ${index} (offset ${hex(s.offset)}, size ${hex(s.size)}) lies outside the file (${bytes.length} bytes)`);
    }
    raw.push(s);
  }
  if (shnum === 0) return [];
  if (shstrndx === 0) return raw.map((s) => ({ ...s, name: '' }));
  if (shstrndx >= shnum) throw new ElfError(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
  const strtab = sectionBytes(bytes, raw[shstrndx]);
  return raw.map((s, i) => ({ ...s, name: i === 0 ? '' : stringAt(strtab, nameOffsets[i], `name of section ${i}`) }));
}

function sectionBytes(bytes: Uint8Array, s: Omit<ElfSection, 'name'>): Uint8Array {
  return s.type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size);
}

function readSymbols(bytes: Uint8Array, sections: readonly ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  if (symtab.entsize !== SYM_SIZE) throw new ElfError(`.symtab entry size is ${symtab.entsize}, expected ${SYM_SIZE}`);
  if (symtab.size % SYM_SIZE !== 0) throw new ElfError(`.symtab size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
  if (symtab.link === 0 || symtab.link >= sections.length) throw new ElfError(`.symtab links to string table section ${symtab.link}, which does not exist`);
  const strtab = sectionBytes(bytes, sections[symtab.link]);
  const r = new ByteReader(bytes, '.symtab', symtab.offset, symtab.offset + symtab.size);
  const out: ElfSymbol[] = [];
  const count = symtab.size / SYM_SIZE;
  r.skip(SYM_SIZE); // entry 0 is the reserved null symbol
  for (let index = 1; index < count; index++) {
    const nameOffset = r.u32();
    const value = r.u32();
    const size = r.u32();
    const info = r.u8();
    const other = r.u8();
    const shndx = r.u16();
    const type = SYMBOL_TYPES[info & 0xf] ?? 'other';
    let name = stringAt(strtab, nameOffset, `name of symbol ${index}`);
    if (name === '' && type === 'section' && shndx > 0 && shndx < SHN_LORESERVE && shndx < sections.length) name = sections[shndx].name;
    out.push({
      index, name, value, size, type,
      bind: SYMBOL_BINDS[info >> 4] ?? 'other',
      visibility: VISIBILITIES[other & 3],
      shndx,
    });
  }
  return out;
}
