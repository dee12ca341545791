/** The pvlab assembler (GNU as dialect, RV32IMA + Zicsr + Zifencei). */
export { assemble, DEFAULT_BASE } from './assemble';
export { type Diagnostic, type Severity, formatDiagnostic } from './diagnostics';
export type {
  AsmImage, AsmSource, AssembleOptions, AssembleResult, ImageSection, ImageSymbol, IncludeResolver, LineEntry, SectionKind,
} from './types';
export { PSEUDO_NAMES } from './instructions';
