/**
 * A throw-away code-server (VS Code 1.100.3 in the browser) for the e2e tests:
 * fresh user-data and extensions folders under a temp dir, bound to 127.0.0.1
 * on a free port, in its own process group so stop() ends it and its children.
 */
import { type ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';

export const SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.minimap.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

export class CodeServer {
  readonly userData: string;
  readonly extensions: string;
  private proc: ChildProcess | undefined;
  port = 0;

  constructor(readonly bin: string, readonly dir: string, readonly log: (m: string) => void) {
    this.userData = path.join(dir, 'data');
    this.extensions = path.join(dir, 'ext');
    fs.mkdirSync(path.join(this.userData, 'User'), { recursive: true });
    fs.mkdirSync(this.extensions, { recursive: true });
    fs.writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  }

  private args(): string[] {
    return ['--user-data-dir', this.userData, '--extensions-dir', this.extensions, '--config', path.join(this.dir, 'config.yaml')];
  }

  /** Installs a VSIX the way a user would (`code-server --install-extension`); returns the installed folder. */
  installExtension(vsix: string, id: string): string {
    const out = execFileSync(this.bin, [...this.args(), '--install-extension', vsix], { encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'] });
    this.log(out.trim().split('\n').filter((l) => /install/i.test(l)).join(' / ') || 'extension installed');
    const dir = fs.readdirSync(this.extensions).find((d) => d.toLowerCase().startsWith(id.toLowerCase() + '-'));
    if (!dir) throw new Error(`${id} is not in ${this.extensions} after --install-extension (${fs.readdirSync(this.extensions).join(', ')})`);
    return path.join(this.extensions, dir);
  }

  async start(env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.port = await freePort();
    const logFile = fs.openSync(path.join(this.dir, 'code-server.log'), 'a');
    this.proc = spawn(
      this.bin,
      [
        ...this.args(),
        '--bind-addr', `127.0.0.1:${this.port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ],
      { detached: true, stdio: ['ignore', logFile, logFile], env: { ...process.env, ...env } },
    );
    fs.closeSync(logFile);
    const t0 = Date.now();
    while (Date.now() - t0 < 30000) {
      if (this.proc.exitCode !== null) throw new Error(`code-server exited with ${this.proc.exitCode}; see ${this.dir}/code-server.log`);
      if ((await get(`${this.url}/healthz`)) === 200) {
        this.log(`code-server up on ${this.url} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error('code-server did not answer /healthz within 30 s');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Ends code-server and everything it started (extension hosts, debug adapters). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.pid === undefined || p.exitCode !== null) return;
    const group = -p.pid;
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(group, sig);
      } catch {
        // already gone
      }
    };
    kill('SIGTERM');
    const t0 = Date.now();
    while (p.exitCode === null && p.signalCode === null && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
    kill('SIGKILL');
  }

  /** Synchronous last resort for process exit handlers. */
  killNow(): void {
    if (this.proc?.pid !== undefined) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
