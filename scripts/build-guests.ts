/**
 * Builds the sample guests (docs/guests.md) with Debian's riscv64-unknown-elf-gcc
 * into examples/driver-isolation/images/*.elf, reproducibly: fixed flags, sorted
 * inputs, source paths relative to the repository (-ffile-prefix-map), no build
 * ids or timestamps, the rv32im/ilp32 libgcc (Debian has no rv32ima multilib).
 *
 *   node out/scripts/build-guests.js            build into examples/driver-isolation/images
 *   node out/scripts/build-guests.js --check    rebuild into a temporary folder and fail
 *                                              if any byte differs from the committed images
 *   node out/scripts/build-guests.js --out DIR  build into DIR
 *   node out/scripts/build-guests.js --only client,blk-driver
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CROSS_GCC = 'riscv64-unknown-elf-gcc';

export const GUEST_CFLAGS: readonly string[] = [
  '-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-mcmodel=medany', '-ffreestanding', '-nostdlib', '-O2', '-g',
  '-std=gnu11', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror',
  '-fno-builtin', '-fno-tree-loop-distribute-patterns', '-fno-common', '-fno-pic', '-fno-stack-protector',
  '-ffunction-sections', '-fdata-sections', '-fno-ident',
];

/** One image: the folders (under guests/) whose .c and .S files it is made of. */
export interface GuestImage {
  readonly name: string;
  readonly dirs: readonly string[];
  readonly defines?: readonly string[];
}

export const GUEST_IMAGES: readonly GuestImage[] = [
  { name: 'hello', dirs: ['kernel', 'hello'] },
  { name: 'blk-driver', dirs: ['kernel', 'drivers', 'blk-driver'] },
  { name: 'net-driver', dirs: ['kernel', 'drivers', 'net-driver'] },
  { name: 'client', dirs: ['kernel', 'apps', 'client'] },
  { name: 'monolithic', dirs: ['kernel', 'drivers', 'apps', 'monolithic'] },
];

export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'guests', 'kernel'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = up;
  }
}

export const IMAGES_DIR = (): string => path.join(repoRoot(), 'examples', 'driver-isolation', 'images');

function run(cmd: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', SOURCE_DATE_EPOCH: '0' } }).toString();
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`${cmd} ${args.join(' ')}\n${err.stderr?.toString() ?? err.message}`, { cause: e });
  }
}

let libgcc: string | undefined;
function libgccPath(root: string): string {
  libgcc ??= run(CROSS_GCC, ['-march=rv32im', '-mabi=ilp32', '-print-libgcc-file-name'], root).trim();
  return libgcc;
}

function sourcesOf(root: string, image: GuestImage): string[] {
  const out: string[] = [];
  for (const d of image.dirs) {
    const dir = path.join(root, 'guests', d);
    for (const f of fs.readdirSync(dir).sort()) {
      if (f.endsWith('.c') || f.endsWith('.S')) out.push(path.posix.join('guests', d, f));
    }
  }
  return out;
}

/** Every input of an image (sources and headers), for caching. */
export function imageInputs(image: GuestImage): string[] {
  const root = repoRoot();
  const files = new Set<string>(sourcesOf(root, image));
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const f of fs.readdirSync(abs).sort()) {
      const r = path.posix.join(rel, f);
      if (fs.statSync(path.join(root, r)).isDirectory()) walk(r);
      else if (f.endsWith('.h') || f.endsWith('.ld')) files.add(r);
    }
  };
  walk('guests');
  return [...files].sort();
}

/** Hash of an image's inputs, flags and the build script's own version. */
export function imageHash(image: GuestImage, extraDefines: readonly string[] = []): string {
  const root = repoRoot();
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify([GUEST_CFLAGS, image, extraDefines]));
  for (const f of imageInputs(image)) {
    h.update(f);
    h.update(fs.readFileSync(path.join(root, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Builds one image to `outFile`; `extraDefines` (NAME or NAME=VALUE) are for test variants. */
export function buildImage(image: GuestImage, outFile: string, extraDefines: readonly string[] = []): void {
  const root = repoRoot();
  const objDir = fs.mkdtempSync(path.join(os.tmpdir(), `pvlab-guest-${image.name}-`));
  try {
    const includes = ['-I', 'guests/include', '-I', 'guests/kernel/include', ...image.dirs.flatMap((d) => ['-I', `guests/${d}`])];
    const defines = [...(image.defines ?? []), ...extraDefines].map((d) => `-D${d}`);
    const objects: string[] = [];
    for (const src of sourcesOf(root, image)) {
      const obj = path.join(objDir, src.replace(/[/.]/g, '_') + '.o');
      run(CROSS_GCC, [...GUEST_CFLAGS, `-ffile-prefix-map=${root}=.`, `-ffile-prefix-map=${objDir}=.`, `-Wa,--debug-prefix-map=${root}=.`, ...includes, ...defines, '-c', src, '-o', obj], root);
      objects.push(obj);
    }
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    const tmp = `${outFile}.${process.pid}.tmp`;
    run(CROSS_GCC, [
      ...GUEST_CFLAGS, '-static', '-nostartfiles', '-Wl,--build-id=none', '-Wl,--gc-sections', '-Wl,-T,guests/kernel/pvk.ld',
      '-Wl,--no-relax', ...objects, libgccPath(root), '-o', tmp,
    ], root);
    fs.renameSync(tmp, outFile);
  } finally {
    fs.rmSync(objDir, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  let check = false;
  let outDir: string | undefined;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') check = true;
    else if (a === '--out') outDir = argv[++i];
    else if (a === '--only') only = (argv[++i] ?? '').split(',');
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: build-guests [--check] [--out DIR] [--only NAME,...]\n');
      return 0;
    } else {
      process.stderr.write(`build-guests: unknown argument '${a}'\n`);
      return 2;
    }
  }
  const images = GUEST_IMAGES.filter((i) => !only || only.includes(i.name));
  const committed = IMAGES_DIR();
  const target = check ? fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-guests-check-')) : path.resolve(outDir ?? committed);
  let bad = 0;
  try {
    for (const img of images) {
      const out = path.join(target, `${img.name}.elf`);
      buildImage(img, out);
      const bytes = fs.readFileSync(out);
      const sha = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
      if (!check) {
        process.stdout.write(`built ${path.relative(process.cwd(), out)} (${bytes.length} bytes, sha256 ${sha})\n`);
        continue;
      }
      const ref = path.join(committed, `${img.name}.elf`);
      const old = fs.existsSync(ref) ? fs.readFileSync(ref) : undefined;
      if (!old) {
        process.stdout.write(`MISSING ${path.relative(process.cwd(), ref)}\n`);
        bad++;
      } else if (Buffer.compare(old, bytes) !== 0) {
        process.stdout.write(`DIFFERS ${path.relative(process.cwd(), ref)}: committed ${old.length} bytes, rebuilt ${bytes.length} bytes (sha256 ${sha})\n`);
        bad++;
      } else {
        process.stdout.write(`ok      ${path.relative(process.cwd(), ref)} (sha256 ${sha})\n`);
      }
    }
  } finally {
    if (check) fs.rmSync(target, { recursive: true, force: true });
  }
  if (check && bad) {
    process.stdout.write(`${bad} image(s) differ from a fresh build: run 'npm run build:guests' and commit the images\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`build-guests: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
