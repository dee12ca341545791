/**
 * `npm run test:e2e`: tests the extension in a real VS Code (code-server 4.100.3
 * = VS Code 1.100.3) in Debian's chromium.
 *
 *  1. packages the VSIX with @vscode/vsce (the npm script built the bundles);
 *  2. installs code-server into a cache outside the repository (scripts/setup-code-server.sh);
 *  3. makes a workspace from examples/bare-metal (hello.elf rebuilt with
 *     riscv64-unknown-elf-gcc when it is installed, else the committed one);
 *  4. installs the VSIX into a fresh code-server (user data and extensions in a temp dir)
 *     started on 127.0.0.1 and a free port;
 *  5. runs the extension-host suite (out/test/e2e/suite/index.js) through code-server's
 *     extensionTestsPath payload, against the installed extension;
 *  6. runs the UI pass (scripts/e2e/ui.ts) in that workspace and in a copy of examples/driver-isolation
 *     (with a launch.json), which saves screenshots to docs/screenshots/.
 *
 * Always stops code-server and chromium; exits non-zero when a case or the UI pass failed.
 * Options: --no-ui, --keep (keep the temp dir), --shots DIR.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launchBrowser } from './browser';
import { CodeServer } from './codeServer';
import { uiPass } from './ui';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXTENSION_ID = 'pvlab.pvlab';
const WATCHDOG_MS = 9 * 60 * 1000;
const EXTTESTS_MS = 4 * 60 * 1000;

const argv = process.argv.slice(2);
const opt = {
  ui: !argv.includes('--no-ui'),
  keep: argv.includes('--keep'),
  shots: argv.includes('--shots') ? path.resolve(argv[argv.indexOf('--shots') + 1]) : path.join(ROOT, 'docs', 'screenshots'),
};

const t0 = Date.now();
function log(m: string): void {
  console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${m}`);
}

interface CaseResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  message?: string;
}

function packageVsix(dir: string): string {
  const out = path.join(dir, 'pvlab.vsix');
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  execFileSync(vsce, ['package', '--no-dependencies', '--readme-path', 'extension/README.md', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  log(`packaged ${out} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);
  return out;
}

function setupCodeServer(): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'setup-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 5 * 60 * 1000 });
  const bin = out.trim().split('\n').pop() ?? '';
  if (!fs.existsSync(bin)) throw new Error(`setup-code-server.sh printed no code-server binary (${out})`);
  return bin;
}

function makeWorkspace(dir: string): string {
  const ws = path.join(dir, 'pvlab-bare-metal');
  fs.cpSync(path.join(ROOT, 'examples', 'bare-metal'), ws, { recursive: true });
  try {
    execFileSync('bash', [path.join(ws, 'build.sh')], { env: { ...process.env, OUT: path.join(ws, 'hello.elf') }, stdio: ['ignore', 'pipe', 'pipe'] });
    log('workspace: hello.elf compiled with riscv64-unknown-elf-gcc -g');
  } catch (e) {
    const msg = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0] ?? (e as Error).message;
    log(`workspace: using the committed hello.elf (${msg})`);
  }
  return ws;
}

/** The driver-isolation demo (system.json + images) with a launch.json that stops on entry, for the UI pass. */
function makeSystemWorkspace(dir: string): string {
  const ws = path.join(dir, 'pvlab-driver-isolation');
  fs.cpSync(path.join(ROOT, 'examples', 'driver-isolation'), ws, { recursive: true });
  fs.cpSync(path.join(ROOT, 'guests'), path.join(ws, 'guests'), { recursive: true }); // as Open Sample does
  // the copy's relative $schema no longer reaches the repository (the extension validates system.json anyway)
  const sys = path.join(ws, 'system.json');
  fs.writeFileSync(sys, fs.readFileSync(sys, 'utf8').replace(/^\s*"\$schema":.*\n/m, ''));
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  const launch = {
    version: '0.2.0',
    configurations: [{ type: 'pvlab', request: 'launch', name: 'pvlab: driver-isolation system', system: '${workspaceFolder}/system.json', stopOnEntry: true }],
  };
  fs.writeFileSync(path.join(ws, '.vscode', 'launch.json'), JSON.stringify(launch, null, 2) + '\n');
  return ws;
}

async function extensionTests(cs: CodeServer, installed: string, ws: string, resultsFile: string): Promise<{ code: number | null; results: CaseResult[] }> {
  const suite = path.join(ROOT, 'out', 'test', 'e2e', 'suite', 'index.js');
  if (!fs.existsSync(suite)) throw new Error(`${suite} is missing: run npm run build first`);
  const host = `127.0.0.1:${cs.port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${host}${installed}`],
    ['extensionTestsPath', `vscode-remote://${host}${suite}`],
  ];
  const url = `${cs.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const browser = await launchBrowser();
  let code: number | null = null;
  try {
    await browser.page.exposeFunction('codeAutomationExit', (c: number) => {
      code = c;
    });
    await browser.page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const text = (args ?? []).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      if (text.includes('[pvlab-e2e]')) log(text.replace(/^.*\[pvlab-e2e\] /, '  '));
    });
    log('extension-host suite: opening code-server with the test payload');
    await browser.page.goto(url);
    const end = Date.now() + EXTTESTS_MS;
    while (code === null && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    if (code === null) log('extension-host suite: no exit code (timed out)');
  } finally {
    await browser.close();
  }
  const results: CaseResult[] = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : [];
  return { code, results };
}

async function main(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-e2e-'));
  log(`temp dir ${tmp}`);
  let cs: CodeServer | undefined;
  const onSignal = () => {
    cs?.killNow();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => cs?.killNow());
  const watchdog = setTimeout(() => {
    log(`watchdog: the run took longer than ${WATCHDOG_MS / 60000} minutes; stopping`);
    cs?.killNow();
    process.exit(1);
  }, WATCHDOG_MS);

  let ok = false;
  try {
    const vsix = packageVsix(tmp);
    const bin = setupCodeServer();
    log(`code-server: ${bin}`);
    const ws = makeWorkspace(tmp);
    cs = new CodeServer(bin, path.join(tmp, 'cs'), log);
    const installed = cs.installExtension(vsix, EXTENSION_ID);
    log(`installed into ${installed}`);
    const resultsFile = path.join(tmp, 'exttests.json');
    await cs.start({ PVLAB_E2E_RESULTS: resultsFile });

    const { code, results } = await extensionTests(cs, installed, ws, resultsFile);
    const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
    for (const r of results.filter((x) => x.status !== 'passed')) {
      log(`${r.status.toUpperCase()}: ${r.name}\n    ${(r.message ?? '').split('\n').slice(0, r.status === 'failed' ? 6 : 1).join('\n    ')}`);
    }
    const suiteOk = code === 0 && results.length > 0 && count('failed') === 0;
    log(`extension-host suite: exit code ${code}; ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);

    let uiOk = true;
    let uiShots: string[] = [];
    if (opt.ui) {
      // The same workspace (hello.elf's debug info names these sources), minus what the suite wrote.
      for (const f of ['broken.S', 'broken.pvlab.json']) fs.rmSync(path.join(ws, f), { force: true });
      const uiWs = ws;
      const hasAdapter = fs.existsSync(path.join(installed, 'dist', 'debugAdapter.js'));
      const browser = await launchBrowser();
      try {
        uiShots = await uiPass(browser.page, { url: cs.url, workspace: uiWs, systemWorkspace: makeSystemWorkspace(tmp), shots: opt.shots, debug: hasAdapter, log });
      } catch (e) {
        uiOk = false;
        log(`UI pass FAILED: ${(e as Error).message.split('\n')[0]}`);
        await browser.page.screenshot({ path: path.join(tmp, 'ui-failure.png') }).catch(() => undefined);
        log(`failure screenshot: ${path.join(tmp, 'ui-failure.png')}`);
      } finally {
        await browser.close();
      }
      log(`UI pass: ${uiOk ? 'passed' : 'failed'}, ${uiShots.length} screenshots in ${opt.shots}`);
    }
    const uiPassed = opt.ui && uiOk ? 1 : 0;
    const uiFailed = opt.ui && !uiOk ? 1 : 0;
    ok = suiteOk && uiOk;
    // A suite that died without reporting a failed case counts as one failure.
    const suiteDied = !suiteOk && count('failed') === 0 ? 1 : 0;
    console.log(`e2e: ${count('passed') + uiPassed} passed, ${count('failed') + uiFailed + suiteDied} failed, ${count('skipped')} skipped`);
  } catch (e) {
    log(`e2e harness error: ${(e as Error).stack ?? e}`);
    console.log('e2e: 0 passed, 1 failed');
  } finally {
    clearTimeout(watchdog);
    await cs?.stop();
    log('code-server stopped');
    if (opt.keep || !ok) log(`kept ${tmp} (logs: cs/code-server.log)`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${ok ? 'PASS' : 'FAIL'}`);
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code));
