/**
 * Diagnostics of the assembler: every problem is reported as file:line:column
 * with a severity, and a run collects all of them (up to a cap) instead of
 * stopping at the first.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based; points at the token the message is about. */
  readonly column: number;
  readonly severity: Severity;
  readonly message: string;
}

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Appended to the message, e.g. " (in macro 'm' invoked at a.S:3)". */
  readonly note?: string;
}

/** A problem with one statement; the statement loop catches it, records it and goes on. */
export class AsmError extends Error {
  constructor(message: string, readonly loc: SourceLoc) {
    super(message);
  }
}

/** Thrown once the error cap is reached, to end the run. */
export class TooManyErrors extends Error {}

/** `file:line:column: severity: message`, the form compilers use and editors' problem matchers read. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private errors = 0;

  constructor(readonly maxErrors = 100) {}

  get errorCount(): number {
    return this.errors;
  }

  error(loc: SourceLoc, message: string): void {
    this.list.push({ ...plain(loc), severity: 'error', message: message + (loc.note ?? '') });
    if (++this.errors >= this.maxErrors) throw new TooManyErrors();
  }

  warning(loc: SourceLoc, message: string): void {
    this.list.push({ ...plain(loc), severity: 'warning', message: message + (loc.note ?? '') });
  }

  /** Records an AsmError; anything else is an internal failure and is reported as such at `loc`. */
  report(e: unknown, loc: SourceLoc): void {
    if (e instanceof TooManyErrors) throw e;
    if (e instanceof AsmError) this.error(e.loc, e.message);
    else this.error(loc, `internal assembler error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function plain(loc: SourceLoc): SourceLoc {
  return { file: loc.file, line: loc.line, column: loc.column };
}
