/**
 * Assembler errors as Problems: when a RISC-V assembly file is saved (or
 * opened), pvlab's own assembler (emulator/asm, bundled as dist/asm.js when the
 * build has it) assembles it and its diagnostics become VS Code diagnostics.
 *
 * - Without dist/asm.js, or when it exports no `assemble`, this does nothing
 *   (one line in the pvlab output channel says so).
 * - A file is assembled as GNU as assembles one file: symbols it uses but does
 *   not define belong to other files, so "undefined symbol" link errors are
 *   left out.
 * - Files that use the C preprocessor (#include, #define, #if…) are skipped:
 *   the pvlab assembler reads assembly, not cpp input.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vscode from 'vscode';

interface AsmDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

type IncludeResult = { path: string; text: string } | { error: string };
type AssembleFn = (
  sources: { path: string; text: string }[],
  options?: { resolveInclude?: (request: string, fromFile: string) => IncludeResult },
) => { ok: boolean; diagnostics: readonly AsmDiagnostic[] };

const CPP_LINE = /^[ \t]*#[ \t]*(include|include_next|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma)\b/m;
const LINK_ONLY = /^undefined symbol '/;

export function isAssemblyDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'riscv-asm' || ['.s', '.S', '.asm'].includes(path.extname(doc.fileName));
}

export class AssemblerDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('pvlab-asm');
  private readonly subs: vscode.Disposable[] = [];
  private assembleFn: AssembleFn | null | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.OutputChannel) {
    this.subs.push(
      vscode.workspace.onDidSaveTextDocument((d) => this.check(d)),
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    );
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  /** Loads dist/asm.js once; null when the build has no assembler. */
  private load(): AssembleFn | null {
    if (this.assembleFn !== undefined) return this.assembleFn;
    const file = this.context.asAbsolutePath(path.join('dist', 'asm.js'));
    this.assembleFn = null;
    if (!fs.existsSync(file)) {
      this.log.appendLine(`assembler diagnostics off: ${file} is not part of this build`);
      return null;
    }
    try {
      // Loaded at run time (not bundled), so the extension builds whether or not the assembler exists.
      const mod = createRequire(__filename)(file) as { assemble?: unknown };
      if (typeof mod.assemble === 'function') this.assembleFn = mod.assemble as AssembleFn;
      else this.log.appendLine('assembler diagnostics off: dist/asm.js exports no assemble()');
    } catch (e) {
      this.log.appendLine(`assembler diagnostics off: loading dist/asm.js failed: ${(e as Error).message}`);
    }
    return this.assembleFn;
  }

  /** Assembles `doc` and publishes its Problems; returns the diagnostics set (for tests), or undefined when skipped. */
  check(doc: vscode.TextDocument): vscode.Diagnostic[] | undefined {
    if (doc.uri.scheme !== 'file' || !isAssemblyDocument(doc)) return undefined;
    const text = doc.getText();
    if (CPP_LINE.test(text)) {
      this.collection.delete(doc.uri);
      return undefined;
    }
    const assemble = this.load();
    if (!assemble) return undefined;
    let result: ReturnType<AssembleFn>;
    try {
      result = assemble([{ path: doc.fileName, text }], { resolveInclude: includeResolver });
    } catch (e) {
      this.log.appendLine(`assembler failed on ${doc.fileName}: ${(e as Error).message}`);
      return undefined;
    }
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of result.diagnostics) {
      if (LINK_ONLY.test(d.message)) continue;
      const line = Math.max(0, d.line - 1);
      const col = Math.max(0, d.column - 1);
      const range = new vscode.Range(line, col, line, col + tokenLength(d.file === doc.fileName ? doc : undefined, line, col));
      const diag = new vscode.Diagnostic(range, d.message, d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
      diag.source = 'pvlab-asm';
      const list = byFile.get(d.file) ?? [];
      list.push(diag);
      byFile.set(d.file, list);
    }
    this.collection.set(doc.uri, byFile.get(doc.fileName) ?? []);
    for (const [file, list] of byFile) if (file !== doc.fileName) this.collection.set(vscode.Uri.file(file), list);
    return byFile.get(doc.fileName) ?? [];
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.collection.dispose();
  }
}

function tokenLength(doc: vscode.TextDocument | undefined, line: number, col: number): number {
  if (!doc || line >= doc.lineCount) return 1;
  const m = /^[^\s,()]+/.exec(doc.lineAt(line).text.slice(col));
  return m ? m[0].length : 1;
}

function includeResolver(request: string, fromFile: string): IncludeResult {
  const p = path.isAbsolute(request) ? request : path.join(path.dirname(fromFile), request);
  try {
    return { path: p, text: fs.readFileSync(p, 'utf8') };
  } catch {
    return { error: `cannot read include file '${request}' (${p})` };
  }
}
