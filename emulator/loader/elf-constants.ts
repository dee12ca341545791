/** Numeric constants of the ELF format (System V gABI) used by the loader. */

export const EM_RISCV = 243;
export const ET_EXEC = 2;

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHF_ALLOC = 0x2;
export const SHF_COMPRESSED = 0x800;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
/** e_phnum value meaning "the real count is in section 0's sh_info". */
export const PN_XNUM = 0xffff;

const MACHINES: Record<number, string> = {
  0: 'none',
  2: 'SPARC',
  3: 'x86',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'S/390',
  40: 'ARM',
  43: 'SPARC V9',
  50: 'IA-64',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** "x86-64 (62)" or just "1234" for machines without a known name. */
export function machineName(machine: number): string {
  const name = MACHINES[machine];
  return name === undefined ? String(machine) : `${name} (${machine})`;
}

const TYPES: Record<number, string> = {
  0: 'none (ET_NONE)',
  1: 'relocatable object (ET_REL)',
  2: 'executable (ET_EXEC)',
  3: 'shared object or PIE (ET_DYN)',
  4: 'core dump (ET_CORE)',
};

export function fileTypeName(type: number): string {
  return TYPES[type] ?? `unknown (${type})`;
}
