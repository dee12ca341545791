/**
 * Extension-host test runner: code-server loads this module through
 * `extensionTestsPath` and calls run() inside its real extension host (the
 * same contract as @vscode/test-electron). Runs the cases of cases.ts in
 * order, prints one line per case, writes a JSON report for the harness
 * (scripts/e2e/run.ts) and throws when a case failed, which makes the
 * extension host report exit code 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { cases } from './cases';
import { SkipError } from './util';

export interface CaseResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  message?: string;
}

function reportPath(): string {
  if (process.env.PVLAB_E2E_RESULTS) return process.env.PVLAB_E2E_RESULTS;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  return path.join(path.dirname(ws), 'exttests.json');
}

export async function run(): Promise<void> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.run(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${c.timeoutMs / 1000} s`)), c.timeoutMs);
        }),
      ]);
      results.push({ name: c.name, status: 'passed', ms: Date.now() - t0 });
    } catch (e) {
      const skipped = e instanceof SkipError;
      results.push({ name: c.name, status: skipped ? 'skipped' : 'failed', ms: Date.now() - t0, message: (e as Error).stack ?? String(e) });
    } finally {
      clearTimeout(timer);
      await c.cleanup?.().catch(() => undefined);
    }
    const r = results[results.length - 1];
    console.log(`[pvlab-e2e] ${r.status.toUpperCase()} ${r.name} (${r.ms} ms)${r.message ? ` — ${r.message.split('\n')[0]}` : ''}`);
  }
  fs.writeFileSync(reportPath(), JSON.stringify(results, null, 2));
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length) throw new Error(`${failed.length} extension-host case(s) failed: ${failed.map((f) => f.name).join(', ')}`);
}
