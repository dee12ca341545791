/**
 * Launch arguments of a `pvlab` debug configuration: validation (every mistake
 * becomes one readable message) and loading the program into a runtime.
 */
import * as fs from 'fs';
import * as path from 'path';
import { assemble, formatDiagnostic } from '../emulator/asm';
import { nodeIncludeResolver } from '../emulator/asm/node-resolver';
import { parseElf } from '../emulator/loader';
import { BareMetalRuntime, type FaultSpec, type ScheduledFault, type TraceOptions } from '../emulator/system/runtime';

export interface LaunchOptions {
  /** Absolute path of the bare-metal program (.elf, or assembly). */
  program?: string;
  /** Absolute path of a system file (needs the hypervisor). */
  system?: string;
  stopOnEntry: boolean;
  ramMiB?: number;
  faults: ScheduledFault[];
  trace: TraceOptions;
  /** 'multi': a parent session plus one child session per VM (startDebugging); 'single': every hart a thread. */
  sessions: 'single' | 'multi';
  /** The configuration's name. */
  name: string;
  /** Folders where relative DWARF source paths are looked up first (absolute). */
  sourceRoots: string[];
}

export class LaunchError extends Error {}

const ASM_EXT = new Set(['.s', '.S', '.asm']);
const FAULT_KINDS = ['flip-memory', 'write-memory', 'flip-register', 'set-register', 'trap'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v.trim())) return Number(v.trim());
  throw new LaunchError(`${what} must be a number (got ${JSON.stringify(v)})`);
}

/** One fault of the launch configuration's "faults" (or of a pvlab.injectFault request). */
export function parseFault(v: unknown, i: number): ScheduledFault {
  const where = `faults[${i}]`;
  if (!isObject(v)) throw new LaunchError(`${where} must be an object like { "at": 1000, "kind": "flip-register", "register": "a0", "bit": 3 }`);
  const at = num(v.at, `${where}.at (instructions retired)`);
  if (at < 0) throw new LaunchError(`${where}.at must not be negative`);
  const kind = v.kind;
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind)) {
    throw new LaunchError(`${where}.kind must be one of ${FAULT_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
  }
  let fault: FaultSpec;
  switch (kind) {
    case 'flip-memory':
      fault = { kind, address: num(v.address, `${where}.address`), bit: num(v.bit ?? 0, `${where}.bit`) };
      break;
    case 'write-memory': {
      const size = v.size === undefined ? 4 : num(v.size, `${where}.size`);
      if (size !== 1 && size !== 2 && size !== 4) throw new LaunchError(`${where}.size must be 1, 2 or 4`);
      fault = { kind, address: num(v.address, `${where}.address`), value: num(v.value, `${where}.value`), size };
      break;
    }
    case 'flip-register':
    case 'set-register': {
      if (typeof v.register !== 'string') throw new LaunchError(`${where}.register must be a register name such as "a0"`);
      fault = kind === 'flip-register'
        ? { kind, register: v.register, bit: num(v.bit ?? 0, `${where}.bit`) }
        : { kind, register: v.register, value: num(v.value, `${where}.value`) };
      break;
    }
    default:
      fault = { kind: 'trap', cause: num(v.cause ?? 2, `${where}.cause`), tval: v.tval === undefined ? 0 : num(v.tval, `${where}.tval`) };
  }
  return { at, fault };
}

/** Checks the launch arguments; throws LaunchError with a message a user can act on. */
export function parseLaunchArgs(raw: unknown): LaunchOptions {
  if (!isObject(raw)) throw new LaunchError('launch arguments must be an object');
  const cwd = typeof raw.cwd === 'string' && raw.cwd ? raw.cwd : process.cwd();
  const resolve = (p: string) => (path.isAbsolute(p) ? p : path.resolve(cwd, p));
  const program = raw.program;
  const system = raw.system;
  if (program !== undefined && typeof program !== 'string') throw new LaunchError('"program" must be a path');
  if (system !== undefined && typeof system !== 'string') throw new LaunchError('"system" must be a path');
  if (!program && !system) throw new LaunchError('the launch configuration needs "program" (a bare-metal .elf or assembly file) or "system" (a system file)');
  if (program && system) throw new LaunchError('give either "program" or "system", not both');
  const faultsRaw = raw.faults ?? [];
  if (!Array.isArray(faultsRaw)) throw new LaunchError('"faults" must be an array');
  let trace: TraceOptions = {};
  if (raw.trace === true) trace = { traps: true, faults: true };
  else if (isObject(raw.trace)) trace = { instructions: raw.trace.instructions === true, traps: raw.trace.traps === true, faults: raw.trace.faults === true };
  else if (raw.trace !== undefined && raw.trace !== false) throw new LaunchError('"trace" must be true, false or { "instructions", "traps", "faults" }');
  const ramMiB = raw.ramMiB === undefined ? undefined : num(raw.ramMiB, '"ramMiB"');
  if (ramMiB !== undefined && (ramMiB < 1 || ramMiB > 2047 || !Number.isInteger(ramMiB))) throw new LaunchError('"ramMiB" must be an integer from 1 to 2047');
  const roots = raw.sourceRoots ?? [];
  if (!Array.isArray(roots) || roots.some((r) => typeof r !== 'string')) throw new LaunchError('"sourceRoots" must be an array of folder paths');
  const sessions = raw.sessions === undefined ? 'single' : raw.sessions;
  if (sessions !== 'single' && sessions !== 'multi') throw new LaunchError('"sessions" must be "single" or "multi"');
  return {
    program: program ? resolve(program) : undefined,
    system: system ? resolve(system) : undefined,
    stopOnEntry: raw.stopOnEntry === true && raw.noDebug !== true,
    ramMiB,
    faults: faultsRaw.map(parseFault),
    trace,
    sessions,
    name: typeof raw.name === 'string' ? raw.name : 'pvlab',
    sourceRoots: (roots as string[]).map(resolve),
  };
}

/** Assembles a bare-metal assembly program with pvlab's assembler (text at 0x80000000, entry _start). */
function assembleFile(file: string, text: string): Uint8Array {
  let result;
  try {
    result = assemble([{ path: file, text }], { resolveInclude: nodeIncludeResolver(), compDir: path.dirname(file) });
  } catch (e) {
    throw new LaunchError(`${file}: the assembler failed: ${(e as Error).message}`);
  }
  if (!result.ok || !result.elf) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const shown = errors.slice(0, 10).map(formatDiagnostic).join('\n');
    throw new LaunchError(`${file} does not assemble (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${shown}`);
  }
  return result.elf;
}

/** Loads the program named by the options into a new runtime. */
export function loadProgram(opts: LaunchOptions): BareMetalRuntime {
  if (opts.system) {
    throw new LaunchError(`${opts.system}: system files need the hypervisor, which this version of pvlab does not have yet; launch a bare-metal "program" instead`);
  }
  const file = opts.program as string;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LaunchError(code === 'ENOENT' ? `${file}: no such file` : code === 'EISDIR' ? `${file}: is a directory` : `${file}: cannot read (${code ?? (e as Error).message})`);
  }
  if (ASM_EXT.has(path.extname(file))) bytes = assembleFile(file, Buffer.from(bytes).toString('utf8'));
  try {
    return new BareMetalRuntime(parseElf(bytes), { ramMiB: opts.ramMiB });
  } catch (e) {
    throw new LaunchError(`${file}: ${(e as Error).message}`);
  }
}
