/** Errors in a system file: every problem found, each with the JSON path it concerns. */
import type { JsonLocation } from './config-json';

export interface ConfigIssue {
  /** JSON path such as "vms[1].ramMiB"; "" for the file as a whole. */
  readonly path: string;
  readonly message: string;
  /** Where in the file, when known (1-based). */
  readonly line?: number;
  readonly column?: number;
}

/** Orders issues by position in the file; those without one go last, in the order found. */
function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
}

function formatIssue(source: string, i: ConfigIssue): string {
  const where = i.line !== undefined ? `${source}:${i.line}:${i.column ?? 1}` : source;
  return `${where}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  /** `source` names the file in the message (its path, or a placeholder for text). */
  constructor(issues: readonly ConfigIssue[], readonly source: string) {
    const sorted = [...issues].sort(byPosition);
    const head = sorted.length === 1 ? 'invalid system file' : `invalid system file: ${sorted.length} problems`;
    super(`${head}\n${sorted.map((i) => `  ${formatIssue(source, i)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = sorted;
  }
}

/** Collects issues, attaching the file position of each path (or of its nearest located ancestor). */
export class IssueList {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly locations: ReadonlyMap<string, JsonLocation> = new Map()) {}

  add(path: string, message: string): void {
    const loc = this.locate(path);
    this.issues.push({ path, message, ...(loc ? { line: loc.line, column: loc.column } : {}) });
  }

  private locate(path: string): JsonLocation | undefined {
    for (let p = path; ; p = parentPath(p)) {
      const loc = this.locations.get(p);
      if (loc || p === '') return loc;
    }
  }
}

/** "vms[1].image[0]" → "vms[1].image" → "vms[1]" → "vms" → "". */
export function parentPath(path: string): string {
  const m = /^(.*?)(\[[^[\]]*\]|\.[^.[\]]+)$/.exec(path);
  return m ? m[1] : '';
}

/** True when `path` is `ancestor` or lies inside it. */
export function isWithin(path: string, ancestor: string): boolean {
  if (ancestor === '') return true;
  return path === ancestor || (path.startsWith(ancestor) && (path[ancestor.length] === '.' || path[ancestor.length] === '['));
}
