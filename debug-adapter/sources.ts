/**
 * Source paths for the client. DWARF records the file names the compiler saw;
 * pvlab's guest images are built from the repository root with comp_dir ".",
 * so their files read `guests/kernel/console.c`, which a client cannot open.
 *
 * A relative DWARF path is resolved against, in order: the launch argument
 * `sourceRoots` (folders, relative ones against `cwd`), then the folder of the
 * launched file (the system file, or the ELF / assembly file for bare metal)
 * and each of its ancestors. The first existing file wins. An absolute path,
 * or one that resolves nowhere, stays as it is and is shown deemphasized.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DebugProtocol } from '@vscode/debugprotocol';

export interface ResolvedSource {
  /** The path to give the client: absolute when found, else the DWARF path as recorded. */
  readonly path: string;
  /** Whether a file exists at `path`. */
  readonly exists: boolean;
}

export class SourceResolver {
  private readonly cache = new Map<string, ResolvedSource>();
  private readonly dirs: string[];

  /**
   * @param roots   the launch's `sourceRoots` (absolute or relative to `cwd`)
   * @param launched the system file, ELF or assembly file the launch named (absolute)
   */
  constructor(roots: readonly string[], launched: string | undefined, cwd: string) {
    const dirs = roots.map((r) => path.resolve(cwd, r));
    if (launched) {
      for (let d = path.dirname(path.resolve(cwd, launched)); ; d = path.dirname(d)) {
        dirs.push(d);
        if (path.dirname(d) === d) break;
      }
    }
    this.dirs = [...new Set(dirs)];
  }

  /** The folders searched, in order. */
  get searchPath(): readonly string[] {
    return this.dirs;
  }

  resolve(dwarfPath: string): ResolvedSource {
    let r = this.cache.get(dwarfPath);
    if (r) return r;
    r = { path: dwarfPath, exists: false };
    if (path.isAbsolute(dwarfPath)) {
      r = { path: dwarfPath, exists: isFile(dwarfPath) };
    } else {
      for (const d of this.dirs) {
        const candidate = path.join(d, dwarfPath);
        if (isFile(candidate)) {
          r = { path: candidate, exists: true };
          break;
        }
      }
    }
    this.cache.set(dwarfPath, r);
    return r;
  }

  /** A DAP Source for a DWARF path: resolved, or deemphasized when no such file is found. */
  source(dwarfPath: string): DebugProtocol.Source {
    const r = this.resolve(dwarfPath);
    const s: DebugProtocol.Source = { name: path.basename(r.path), path: r.path };
    if (!r.exists) s.presentationHint = 'deemphasize';
    return s;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The `sourceRoots` launch argument: an array of folder paths (or absent). */
export function parseSourceRoots(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error('"sourceRoots" must be an array of folder paths');
  return v as string[];
}
