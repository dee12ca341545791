/**
 * The `pvlab` command line. Every failure a user can cause ends in one line
 * `pvlab: error: …` and a non-zero status, never a stack trace.
 *
 * Exit status: the guest's own status when it ends through the test finisher or
 * HTIF; 2 for a usage error; 1 when input cannot be loaded; 124 when --max-insns
 * is reached; 125 when the machine cannot go on (deadlock, pc in unmapped memory).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseElf, ElfFile, SymbolTable } from '../loader';
import { disassembleText } from '../isa/disasm';
import { decode } from '../isa/decode';
import { ABI_NAMES } from '../isa/registers';
import { BareMetalRuntime } from './runtime';
import { MachineStop } from './virt-machine';
import { parseTier, setDefaultTier } from '../cpu/hart';
import { CliError, UsageError, parseOptions, OptionSpec } from './cli-args';
import { SYSTEM_RUN_HELP, cmdRunSystem } from './system-cli';
import { assembleFiles, cmdAsm, isAssemblySource } from './cli-asm';
import { cmdCampaign } from './campaign-cli';
import { hex32 as hex } from '../util/hex';

const VERSION = '0.1.0';

const MAIN_HELP = `pvlab ${VERSION} — Paravirt Lab: RISC-V machines, hypervisor and driver isolation

Usage: pvlab <command> [options]

Commands:
  run PROGRAM.elf      run a bare-metal RV32 program on the virt machine
  run PROGRAM.S        assemble, then run, a bare-metal assembly program
  asm A.S [B.S…] -o OUT.elf
                       assemble GNU-as-style RISC-V assembly into an ELF file
  run SYSTEM.json      run a hypervisor system: VMs, drivers, faults
  campaign SYSTEM.json fault-injection campaign (docs/campaigns.md)
  disasm PROGRAM.elf   disassemble the executable sections of an ELF file
  help [COMMAND]       show help for a command

Run 'pvlab <command> --help' for the options of a command.`;

const RUN_HELP = `Usage: pvlab run PROGRAM.elf [options]

Runs PROGRAM bare-metal on pvlab's QEMU-virt-compatible machine (RAM at
0x80000000, ns16550a UART at 0x10000000, test finisher at 0x100000, CLINT,
PLIC, HTIF tohost). UART output goes to stdout; the guest's exit status
becomes pvlab's.

Options:
  --max-insns N   stop after N instructions (exit status 124)
  --trace         print one line per instruction to stderr: pc, word,
                  disassembly and the register written
  --ram MIB       RAM size in MiB (default 128)
  --tier T        execution tier: interpreter or jit (default: PVLAB_TIER,
                  else jit); also for system files
  -h, --help      show this help`;

const DISASM_HELP = `Usage: pvlab disasm PROGRAM.elf

Disassembles the executable sections of PROGRAM in GNU objdump's style.`;

const RUN_OPTIONS: OptionSpec = {
  '--max-insns': 'count',
  '--trace': 'flag',
  '--ram': 'count',
  '--help': 'flag',
  '-h': 'flag',
};

/** An ELF file, or assembly sources assembled in memory. */
function readElf(file: string): ElfFile {
  let bytes: Uint8Array;
  if (isAssemblySource(file)) bytes = assembleFiles([file]);
  else try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${file}: no such file` : code === 'EISDIR' ? `${file}: is a directory` : `${file}: cannot read (${code ?? (e as Error).message})`);
  }
  try {
    return parseElf(bytes);
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
}

/** Operand formats whose instructions write rd. */
const WRITES_RD = new Set(['R', 'I', 'SH', 'L', 'U', 'J', 'JR', 'CSR', 'CSRI', 'AMO', 'LR']);


/** The first positional argument of `run` (options skipped), to tell an ELF from a system file. */
function runTarget(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1];
    if (!a.startsWith('-') || a === '-') return a;
    if (!a.includes('=') && a !== '--trace' && a !== '--help' && a !== '-h') i++; // skip the option's value
  }
  return undefined;
}

/** Takes `--tier T` out of `args` and makes T the tier of every hart built from now on. */
function takeTier(args: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a !== '--tier' && !a.startsWith('--tier=')) {
      rest.push(a);
      continue;
    }
    const value = a === '--tier' ? args[++i] : a.slice('--tier='.length);
    const tier = parseTier(value);
    if (!tier) throw new UsageError(`--tier: expected interpreter or jit, got '${value ?? ''}'`);
    setDefaultTier(tier);
  }
  return rest;
}

function cmdRun(args: string[]): number {
  args = takeTier(args);
  if (runTarget(args)?.toLowerCase().endsWith('.json')) return cmdRunSystem(args);
  const { options, positional } = parseOptions(args, RUN_OPTIONS);
  if (options['--help'] || options['-h']) {
    process.stdout.write(RUN_HELP + '\n\n' + SYSTEM_RUN_HELP + '\n');
    return 0;
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'run: missing PROGRAM' : `run: expected one PROGRAM, got ${positional.length}`);
  const file = positional[0];
  const ramMiB = options['--ram'] as number | undefined;
  if (ramMiB !== undefined && (ramMiB < 1 || ramMiB > 2047)) throw new UsageError('--ram: must be between 1 and 2047 MiB');
  const maxInsns = (options['--max-insns'] as number | undefined) ?? Infinity;
  const elf = readElf(file);
  let runtime: BareMetalRuntime;
  try {
    runtime = new BareMetalRuntime(elf, { ramMiB });
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  runtime.on('output', (text: string) => fs.writeSync(1, Buffer.from(text, 'latin1')));
  const stop = options['--trace'] ? runTraced(runtime, maxInsns) : runtime.runSync(maxInsns);
  return reportStop(stop, runtime);
}

/** One instruction at a time, printing pc, word, disassembly and the register written. */
function runTraced(runtime: BareMetalRuntime, maxInsns: number): MachineStop {
  const hart = runtime.hart;
  const lines: string[] = [];
  const flush = () => {
    if (lines.length) fs.writeSync(2, lines.join(''));
    lines.length = 0;
  };
  for (let i = 0; i < maxInsns; i++) {
    const pc = hart.pc;
    const m = runtime.readMemory(pc, 4, true);
    const word = m.unreadable ? undefined : (m.data[0] | (m.data[1] << 8) | (m.data[2] << 16) | (m.data[3] << 24)) >>> 0;
    const before = hart.retired;
    const stop = runtime.machine.step();
    runtime.flushOutput();
    let line = `${hex(pc)}: `;
    if (word === undefined) line += '<unreadable>';
    else {
      line += `${word.toString(16).padStart(8, '0')}  ${disassembleText(word, pc, (t) => runtime.symbolize(t))}`;
      const d = decode(word);
      if (hart.retired > before && d.def && d.rd !== 0 && WRITES_RD.has(d.def.format)) line += `    ${ABI_NAMES[d.rd]}=${hex(hart.x[d.rd])}`;
      else if (hart.retired === before) line += '    (trap)';
    }
    lines.push(line + '\n');
    if (lines.length >= 1000) flush();
    if (stop) {
      flush();
      return stop;
    }
  }
  flush();
  return { kind: 'limit' };
}

function reportStop(stop: MachineStop, runtime: BareMetalRuntime): number {
  const pc = hex(runtime.hart.pc);
  switch (stop.kind) {
    case 'exit':
      return stop.code & 0xff;
    case 'limit':
      process.stderr.write(`pvlab: stopped after ${runtime.hart.retired} instructions (--max-insns reached) at pc ${pc}\n`);
      return 124;
    case 'deadlock':
      process.stderr.write(`pvlab: the hart waits for an interrupt (wfi at ${pc}) that no timer or device will raise\n`);
      return 125;
    case 'error':
      process.stderr.write(`pvlab: error: ${stop.message}\n`);
      return 125;
    case 'breakpoint':
    case 'requested':
      process.stderr.write(`pvlab: stopped at pc ${pc} (${stop.kind === 'requested' ? stop.why : 'breakpoint'})\n`);
      return 125;
  }
}

function cmdDisasm(args: string[]): number {
  const { options, positional } = parseOptions(args, { '--help': 'flag', '-h': 'flag' });
  if (options['--help'] || options['-h']) {
    process.stdout.write(DISASM_HELP + '\n');
    return 0;
  }
  if (positional.length !== 1) throw new UsageError('disasm: expected one PROGRAM.elf');
  const file = positional[0];
  const elf = readElf(file);
  const symbols = new SymbolTable(elf.symbols);
  const symbolize = (a: number) => {
    const s = symbols.lookup(a);
    return s && (s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name);
  };
  const out: string[] = [`\n${path.basename(file)}:     file format elf32-littleriscv\n`];
  for (const sec of elf.sections) {
    if (!(sec.flags & 0x4) || sec.type === 8) continue; // SHF_EXECINSTR, not NOBITS
    out.push(`\nDisassembly of section ${sec.name}:\n`);
    const bytes = elf.section(sec.name) ?? new Uint8Array();
    for (let off = 0; off + 4 <= bytes.length; off += 4) {
      const addr = (sec.addr + off) >>> 0;
      const sym = symbols.lookup(addr);
      if (sym && sym.offset === 0) out.push(`\n${addr.toString(16).padStart(8, '0')} <${sym.name}>:\n`);
      const word = (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0;
      out.push(`${addr.toString(16).padStart(8, ' ')}:\t${word.toString(16).padStart(8, '0')}          \t${disassembleText(word, addr, symbolize)}\n`);
    }
  }
  fs.writeSync(1, out.join(''));
  return 0;
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        if (command === 'help' && rest[0]) return main([rest[0], '--help']);
        process.stdout.write(MAIN_HELP + '\n');
        return command === undefined ? 2 : 0;
      case '--version':
        process.stdout.write(`pvlab ${VERSION}\n`);
        return 0;
      case 'run':
        return cmdRun(rest);
      case 'asm':
        return cmdAsm(rest);
      case 'campaign': return cmdCampaign(rest);
      case 'disasm':
        return cmdDisasm(rest);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`pvlab: error: ${e.message}\nTry 'pvlab --help'.\n`);
      return 2;
    }
    if (e instanceof CliError) {
      process.stderr.write(`pvlab: error: ${e.message}\n`);
      return 1;
    }
    // An emulator bug: still one line for the user, the details only on request.
    process.stderr.write(`pvlab: internal error: ${(e as Error).message} (set PVLAB_DEBUG=1 for details)\n`);
    if (process.env.PVLAB_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 70;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
