/**
 * Builds the bare-metal program corpus (test/programs/*.c|*.S) and the
 * benchmark programs (bench/programs/*.c|*.S) into test/programs/build/NAME.elf
 * with Debian's riscv64-unknown-elf-gcc targeting RV32IMA.
 *
 * A build is skipped when NAME.elf.stamp holds the hash of everything that
 * went into it (compiler version, flags, sources, runtime library).
 *
 *   node out/scripts/build-programs.js [--force] [NAME...]
 */
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const CROSS_GCC = 'riscv64-unknown-elf-gcc';

/** Bump when the build logic changes in a way the hash cannot see. */
const BUILD_LOGIC_VERSION = '1';

export interface ProgramSource {
  name: string;
  /** Path relative to the repository root. */
  source: string;
  kind: 'test' | 'bench';
}

/** The repository root: the nearest ancestor holding package.json (works from scripts/ and out/scripts/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = parent;
  }
}

const LIB_DIR = 'test/programs/lib';
const LIB_SOURCES = ['crt0.S', 'runtime.c', 'printf.c', 'string.c'].map((f) => `${LIB_DIR}/${f}`);
const SOURCE_DIRS: Array<{ dir: string; kind: ProgramSource['kind'] }> = [
  { dir: 'test/programs', kind: 'test' },
  { dir: 'bench/programs', kind: 'bench' },
];

export function buildDir(): string {
  return path.join(repoRoot(), 'test', 'programs', 'build');
}

/** Where a program's ELF goes; benchmarks built at another scale (see bench/programs/bench.h) get a name of their own. */
export function programElfPath(name: string, scale = 1): string {
  return path.join(buildDir(), scale === 1 ? `${name}.elf` : `${name}.x${scale}.elf`);
}

/** Every program source, sorted by name. Names must be unique across test/ and bench/. */
export function listPrograms(): ProgramSource[] {
  const root = repoRoot();
  const found = new Map<string, ProgramSource>();
  for (const { dir, kind } of SOURCE_DIRS) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const file of fs.readdirSync(abs).sort()) {
      const m = /^([A-Za-z0-9_-]+)\.(c|S)$/.exec(file);
      if (!m) continue;
      const name = m[1];
      const prior = found.get(name);
      if (prior) throw new Error(`program name '${name}' is used twice: ${prior.source} and ${dir}/${file}`);
      found.set(name, { name, source: `${dir}/${file}`, kind });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function run(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${cmd} ${args.join(' ')}\n${stderr || err.message}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

interface Toolchain {
  version: string;
  libgcc: string;
}

let toolchainPromise: Promise<Toolchain> | undefined;

/** Compiler identity and the rv32 libgcc (Debian's default would be the 64-bit one). */
function toolchain(): Promise<Toolchain> {
  toolchainPromise ??= (async () => {
    const root = repoRoot();
    const version = (await run(CROSS_GCC, ['--version'], root)).stdout.split('\n')[0];
    const libgcc = (await run(CROSS_GCC, ['-march=rv32im', '-mabi=ilp32', '-print-libgcc-file-name'], root)).stdout.trim();
    if (!/rv32im\/ilp32/.test(libgcc) || !fs.existsSync(libgcc)) {
      throw new Error(`no rv32im/ilp32 libgcc found (got '${libgcc}')`);
    }
    return { version, libgcc };
  })();
  toolchainPromise.catch(() => (toolchainPromise = undefined));
  return toolchainPromise;
}

/** Extra flags a source may request on a line `pvlab-cflags: ...` in its first 20 lines. */
function extraFlags(text: string): string[] {
  const head = text.split('\n').slice(0, 20).join('\n');
  const m = /pvlab-cflags:([^\n*]*)/.exec(head);
  return m ? m[1].trim().split(/\s+/).filter((f) => f.length > 0) : [];
}

export function compileFlags(root: string): string[] {
  return [
    '-march=rv32ima_zicsr_zifencei',
    '-mabi=ilp32',
    '-mcmodel=medany',
    '-O2',
    '-g',
    '-ffreestanding',
    '-nostdlib',
    '-nostartfiles',
    '-static',
    '-fno-common',
    '-fno-pic',
    // Keep GCC from turning the runtime's own memset loop into a memset call.
    '-fno-tree-loop-distribute-patterns',
    '-Wall',
    '-Wextra',
    '-Werror',
    `-ffile-prefix-map=${root}=.`,
    // gas does not see -ffile-prefix-map: map the assembler's DWARF paths too.
    `-Wa,--debug-prefix-map=${root}=.`,
    `-I${LIB_DIR}`,
    `-T${LIB_DIR}/link.ld`,
    '-Wl,--build-id=none',
    '-Wl,--no-warn-rwx-segments',
  ];
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Builds one program (if out of date) and returns the ELF's absolute path. `scale`
 * (benchmarks only, a positive integer) multiplies a benchmark's work: -DBENCH_SCALE.
 */
export function buildProgram(name: string, opts: { force?: boolean; scale?: number } = {}): Promise<string> {
  const scale = opts.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a positive integer, not ${scale}`);
  const key = `${name}:${scale}:${opts.force ? 'f' : ''}`;
  let p = inFlight.get(key);
  if (!p) {
    p = (async () => {
      const prog = listPrograms().find((q) => q.name === name);
      if (!prog) throw new Error(`unknown program '${name}'`);
      return doBuild(prog, opts.force ?? false, scale);
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}

/**
 * Builds a C or assembly file from anywhere as a benchmark (with the corpus
 * runtime, `pvrt.h` and `bench.h` on the include path) into
 * test/programs/build/ext-NAME.elf; returns the ELF's absolute path.
 */
export function buildSource(file: string, opts: { scale?: number } = {}): Promise<string> {
  const abs = path.resolve(file);
  const m = /^([A-Za-z0-9_-]+)\.(c|S)$/.exec(path.basename(abs));
  if (!m) throw new Error(`'${file}': a benchmark source is NAME.c or NAME.S (letters, digits, - and _)`);
  if (!fs.existsSync(abs)) throw new Error(`'${file}': no such file`);
  return doBuild({ name: `ext-${m[1]}`, source: abs, kind: 'bench' }, false, opts.scale ?? 1);
}

async function doBuild(prog: ProgramSource, force: boolean, scale: number): Promise<string> {
  const root = repoRoot();
  const name = prog.name;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a positive integer, not ${scale}`);
  if (scale !== 1 && prog.kind !== 'bench') throw new Error(`'${name}' is not a benchmark: it has no scale`);
  const tc = await toolchain();
  const text = fs.readFileSync(path.resolve(root, prog.source), 'utf8');
  const defines = scale === 1 ? [] : [`-DBENCH_SCALE=${scale}`];
  // (A source outside the corpus finds bench.h on the include path; the corpus's own beside it.)
  const outside = path.isAbsolute(prog.source) ? ['-Ibench/programs'] : [];
  const args = [...compileFlags(root), ...outside, ...extraFlags(text), ...defines, ...LIB_SOURCES, prog.source, tc.libgcc];

  const hash = crypto.createHash('sha256');
  hash.update(`${BUILD_LOGIC_VERSION}\0${tc.version}\0${args.join('\0')}\0`);
  // Every file of the runtime library (headers included) feeds the hash, and the
  // headers beside the program.
  const libInputs = fs
    .readdirSync(path.join(root, LIB_DIR))
    .sort()
    .map((f) => `${LIB_DIR}/${f}`);
  const progDir = path.dirname(prog.source);
  const localHeaders = fs
    .readdirSync(path.resolve(root, progDir))
    .filter((f) => f.endsWith('.h'))
    .sort()
    .map((f) => path.join(progDir, f));
  const benchHeaders = outside.length ? ['bench/programs/bench.h'] : [];
  for (const f of [...libInputs, ...localHeaders, ...benchHeaders, prog.source]) {
    hash.update(f);
    hash.update(fs.readFileSync(path.resolve(root, f)));
  }
  const digest = hash.digest('hex');

  const elf = programElfPath(name, scale);
  const stamp = `${elf}.stamp`;
  if (!force && fs.existsSync(elf) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest) {
    return elf;
  }
  fs.mkdirSync(path.dirname(elf), { recursive: true });
  // Build to a private name and rename, so concurrent builders never see half a file.
  const tmp = `${elf}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await run(CROSS_GCC, [...args, '-o', path.relative(root, tmp)], root);
    fs.renameSync(tmp, elf);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fs.writeFileSync(stamp, `${digest}\n`);
  return elf;
}

/** Builds the named programs (default: all), a few at a time; returns ELF paths in the same order. */
export async function buildAll(opts: { names?: string[]; force?: boolean; jobs?: number } = {}): Promise<string[]> {
  const names = opts.names ?? listPrograms().map((p) => p.name);
  const jobs = Math.max(1, opts.jobs ?? os.cpus().length);
  const results: string[] = new Array<string>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++;
      results[i] = await buildProgram(names[i], { force: opts.force });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, names.length) }, worker));
  return results;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const force = argv.includes('--force');
  const names = argv.filter((a) => !a.startsWith('--'));
  buildAll({ names: names.length > 0 ? names : undefined, force }).then(
    (elfs) => {
      for (const e of elfs) console.log(path.relative(process.cwd(), e));
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
