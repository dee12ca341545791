/**
 * Address-to-symbol and name-to-symbol lookup over ELF symbols, for stack
 * traces, disassembly labels and finding well-known symbols such as `tohost`.
 */
import type { ElfFile, ElfSection, ElfSymbol } from './elf';
import { SHF_ALLOC, SHN_ABS, SHN_LORESERVE, SHN_UNDEF } from './elf-constants';
import { IntervalIndex, upperBound } from './intervals';

export interface SymbolMatch {
  readonly name: string;
  /** addr - symbol.value */
  readonly offset: number;
  readonly symbol: ElfSymbol;
}

const TYPE_RANK: Partial<Record<ElfSymbol['type'], number>> = { func: 0, object: 1, notype: 2 };
const BIND_RANK: Record<ElfSymbol['bind'], number> = { global: 0, weak: 1, local: 2, other: 3 };

/** Assembler-local labels (.L…) and RISC-V mapping symbols ($x, $d, $xrv32i2p1…) name no code or data. */
export function isLocalLabel(name: string): boolean {
  return name.startsWith('.L') || name.startsWith('$x') || name.startsWith('$d');
}

/** Whether a symbol names an address that lookup() may report. */
export function isAddressSymbol(s: ElfSymbol): boolean {
  if (!(s.type in TYPE_RANK) || s.name === '' || isLocalLabel(s.name)) return false;
  if (s.shndx === SHN_UNDEF) return false;
  // An absolute untyped symbol is usually a constant (a size, a flag), not an address.
  return !(s.type === 'notype' && s.shndx === SHN_ABS);
}

function compare(a: ElfSymbol, b: ElfSymbol): number {
  return a.value - b.value
    || (TYPE_RANK[a.type] ?? 9) - (TYPE_RANK[b.type] ?? 9)
    || BIND_RANK[a.bind] - BIND_RANK[b.bind]
    || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

export class SymbolTable {
  /** Address symbols sorted by value, then func before object before notype, then global before weak before local. */
  readonly sorted: readonly ElfSymbol[];
  private readonly values: readonly number[];
  private readonly sized: IntervalIndex<ElfSymbol>;
  private readonly names = new Map<string, ElfSymbol>();

  static fromElf(elf: ElfFile): SymbolTable {
    return new SymbolTable(elf.symbols, elf.sections);
  }

  /** `sections` (optional) keep lookup() from naming an address outside the symbol's own section. */
  constructor(symbols: readonly ElfSymbol[], private readonly sections: readonly ElfSection[] = []) {
    this.sorted = symbols.filter(isAddressSymbol).sort(compare);
    this.values = this.sorted.map((s) => s.value);
    this.sized = new IntervalIndex(this.sorted.filter((s) => s.size > 0).map((s) => ({ start: s.value, end: s.value + s.size, value: s })));
    for (const s of symbols) {
      if (s.type === 'section' || s.type === 'file' || s.shndx === SHN_UNDEF || s.name === '') continue;
      const old = this.names.get(s.name);
      if (!old || BIND_RANK[s.bind] < BIND_RANK[old.bind]) this.names.set(s.name, s);
    }
  }

  /**
   * The symbol for `addr`: the sized symbol containing it (the innermost if
   * several do), else the nearest symbol at or below it, provided `addr` lies
   * in that symbol's section (when sections are known).
   */
  lookup(addr: number): SymbolMatch | undefined {
    addr >>>= 0;
    const hit = this.sized.find(addr);
    if (hit) return match(hit.value, addr);
    const i = upperBound(this.values, addr) - 1;
    if (i < 0) return undefined;
    const value = this.sorted[i].value;
    let first = i;
    while (first > 0 && this.sorted[first - 1].value === value) first--;
    for (let j = first; j <= i; j++) {
      const s = this.sorted[j];
      if (addr === s.value || this.inOwnSection(s, addr)) return match(s, addr);
    }
    return undefined;
  }

  /** A defined symbol with this exact name; a global one wins over a weak, a weak over a local. */
  byName(name: string): ElfSymbol | undefined {
    return this.names.get(name);
  }

  private inOwnSection(s: ElfSymbol, addr: number): boolean {
    if (s.shndx >= SHN_LORESERVE || s.shndx >= this.sections.length) return true;
    const sec = this.sections[s.shndx];
    if ((sec.flags & SHF_ALLOC) === 0) return true;
    return addr >= sec.addr && addr < sec.addr + sec.size;
  }
}

function match(symbol: ElfSymbol, addr: number): SymbolMatch {
  return { name: symbol.name, offset: addr - symbol.value, symbol };
}
