/** Program loading: ELF32 executables, their symbols and DWARF line tables, and flat binaries. */
export { ElfError, LoadError } from './errors';
export {
  parseElf,
  type ElfFile, type ElfProgramHeader, type ElfSection, type ElfSegment, type ElfSymbol,
  type SymbolBind, type SymbolType, type SymbolVisibility,
} from './elf';
export { EM_RISCV, ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD, SHN_ABS, SHN_UNDEF } from './elf-constants';
export { SymbolTable, type SymbolMatch } from './symbols';
export { parseDebugLine, type DebugLineSections, type LineRow } from './dwarf-line';
export { readCompileUnits, type CompileUnitInfo } from './dwarf-info';
export { LineTable, type SourceLocation } from './line-table';
export {
  CallFrameInfo, unwindRow,
  type CfaRule, type CommonInformation, type FrameDescription, type FrameRow, type RegisterRule, type UnwoundRegisters,
} from './dwarf-frame';
export { loadElf, loadFlatBinary } from './load';
