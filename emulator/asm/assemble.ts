/**
 * The assembler's entry point: source files in, an ELF executable and an
 * in-memory image (sections, symbols, line map) out, or diagnostics. Nothing
 * escapes as an exception: internal failures become diagnostics too.
 */
import { type Diagnostic, DiagnosticSink, TooManyErrors } from './diagnostics';
import { buildDebugInfo } from './dwarf';
import { writeElf } from './elf-writer';
import { Linker } from './linker';
import type { AsmImage, AsmSource, AssembleOptions, AssembleResult } from './types';
import { type ProgramContext, Unit } from './unit';

export const DEFAULT_BASE = 0x80000000;

/**
 * Assembles `sources` (each a translation unit, as if assembled by GNU as one
 * by one) and links them into one executable image.
 */
export function assemble(sources: readonly AsmSource[], options: AssembleOptions = {}): AssembleResult {
  const diags = new DiagnosticSink(options.maxErrors ?? 100);
  const files: string[] = [];
  const index = new Map<string, number>();
  const prog: ProgramContext = {
    diags,
    resolveInclude: options.resolveInclude,
    fileIndex(path: string): number {
      let i = index.get(path);
      if (i === undefined) {
        i = files.length;
        files.push(path);
        index.set(path, i);
      }
      return i;
    },
  };
  const base = options.base ?? DEFAULT_BASE;
  const usage = (message: string): AssembleResult => ({
    ok: false, diagnostics: [{ file: sources[0]?.path ?? '<input>', line: 1, column: 1, severity: 'error', message }],
  });
  if (sources.length === 0) return usage('no source files given');
  if (!Number.isInteger(base) || base < 0 || base > 0xffffffff) return usage(`base address ${base} is not a 32-bit address`);
  let image: AsmImage | undefined;
  let elf: Uint8Array | undefined;
  try {
    const units = sources.map((s, i) => new Unit(prog, i, s.path, s.text));
    for (const u of units) u.run();
    // Link even after errors: undefined symbols and range errors are reported in the same run.
    const linked = new Linker(units, files, diags, {
      base, entry: options.entry ?? '_start', entryGiven: options.entry !== undefined,
    }).link();
    if (linked && diags.errorCount === 0) {
      image = linked;
      elf = writeElf(image, buildDebugInfo(image, options.compDir ?? '.'));
    }
    sortByPosition(diags.list, index);
  } catch (e) {
    sortByPosition(diags.list, index);
    const last: Diagnostic | undefined = diags.list[diags.list.length - 1];
    const where = { file: last?.file ?? sources[0]?.path ?? '<input>', line: last?.line ?? 1, column: last?.column ?? 1 };
    if (e instanceof TooManyErrors) {
      diags.list.push({ ...where, severity: 'error', message: `too many errors (${diags.maxErrors}); stopping` });
    } else {
      diags.list.push({ ...where, severity: 'error', message: `internal assembler error: ${e instanceof Error ? e.message : String(e)}` });
    }
    image = undefined;
    elf = undefined;
  }
  const ok = !diags.list.some((d) => d.severity === 'error');
  return ok ? { ok, diagnostics: diags.list, elf, image } : { ok, diagnostics: diags.list };
}

/** Orders diagnostics by file (in program order), line and column; link-time ones would otherwise come last. */
function sortByPosition(list: Diagnostic[], files: ReadonlyMap<string, number>): void {
  const rank = (d: Diagnostic) => files.get(d.file) ?? files.size;
  list.sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.column - b.column);
}
