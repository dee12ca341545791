/**
 * File-system helpers for hosts that have Node's `fs` (the CLI, the debug
 * adapter, tests). The assembler itself reads nothing: it asks an IncludeResolver.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AsmSource, IncludeResolver } from './types';

/** Resolves `.include "x"` relative to the including file's directory, then each of `includeDirs`. */
export function nodeIncludeResolver(includeDirs: readonly string[] = []): IncludeResolver {
  return (request, fromFile) => {
    const candidates = path.isAbsolute(request)
      ? [request]
      : [path.join(path.dirname(fromFile), request), ...includeDirs.map((d) => path.join(d, request))];
    for (const c of candidates) {
      try {
        if (fs.statSync(c).isFile()) return { path: c, text: fs.readFileSync(c, 'utf8') };
      } catch {
        // not here; try the next place
      }
    }
    return { error: `cannot find include file '${request}' (looked in: ${candidates.map((c) => path.dirname(c)).join(', ')})` };
  };
}

/** Reads source files from disk, keeping the paths as given. */
export function readSources(paths: readonly string[]): AsmSource[] {
  return paths.map((p) => ({ path: p, text: fs.readFileSync(p, 'utf8') }));
}
