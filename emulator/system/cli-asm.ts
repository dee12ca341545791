/**
 * The CLI's assembler paths: `pvlab asm A.S [B.S…] -o OUT.elf`, and assembly
 * sources given to `pvlab run` / `pvlab disasm`, assembled in memory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble, formatDiagnostic } from '../asm';
import { nodeIncludeResolver, readSources } from '../asm/node-resolver';
import { CliError, UsageError, parseOptions } from './cli-args';

export const ASM_HELP = `Usage: pvlab asm SOURCE.S [SOURCE.S…] -o OUT.elf [options]

Assembles GNU-as-style RISC-V assembly (RV32IMA, Zicsr, Zifencei) into an ELF
executable with symbols and a DWARF line table. Sections are placed from
0x80000000; the entry is _start (else the start of .text).

Options:
  -o, --output FILE   the ELF file to write (required)
  -I DIR              a directory searched by .include (repeatable)
  --base ADDR         where the first section goes (default 0x80000000)
  -h, --help          show this help`;

/** True for the file names the assembler takes. */
export function isAssemblySource(file: string): boolean {
  return /\.(s|S|asm)$/.test(file);
}

/** Assembles `files`; prints every diagnostic as file:line:column; throws CliError when any is an error. */
export function assembleFiles(files: string[], includeDirs: string[] = [], base?: number): Uint8Array {
  let sources;
  try {
    sources = readSources(files);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const result = assemble(sources, { resolveInclude: nodeIncludeResolver(includeDirs), base });
  for (const d of result.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (!result.ok || !result.elf) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new CliError(`assembly failed with ${errors} error${errors === 1 ? '' : 's'}`);
  }
  return result.elf;
}

export function cmdAsm(args: string[]): number {
  const { options, positional } = parseOptions(args, {
    '-o': 'string', '--output': 'string', '-I': 'list', '--base': 'string', '--help': 'flag', '-h': 'flag',
  });
  if (options['--help'] || options['-h']) {
    process.stdout.write(ASM_HELP + '\n');
    return 0;
  }
  const out = (options['-o'] ?? options['--output']) as string | undefined;
  if (positional.length === 0) throw new UsageError('asm: missing SOURCE.S');
  if (!out) throw new UsageError('asm: missing -o OUT.elf');
  let base: number | undefined;
  if (options['--base'] !== undefined) {
    const text = options['--base'] as string;
    base = Number(text);
    if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text) || base > 0xffffffff) throw new UsageError(`--base: '${text}' is not an address`);
  }
  const elf = assembleFiles(positional, (options['-I'] as string[] | undefined) ?? [], base);
  // Write beside the target and rename, so a failed write never leaves half a file.
  const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, elf);
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new CliError(`${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return 0;
}
