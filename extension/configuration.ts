/**
 * Debug configurations of type `pvlab`: offers the workspace's system files and
 * programs, turns a bare F5 (no launch.json) into a configuration for the
 * active file, fills defaults and rejects a configuration that cannot work with
 * a message that says why.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { DEBUG_TYPE } from './sessions';

export const SYSTEM_FILE_GLOB = '**/{*.pvlab.json,system.json}';
const EXCLUDE_GLOB = '**/{node_modules,out,dist,.git,.e2e}/**';
const ASM_EXTENSIONS = ['.s', '.S', '.asm'];

export function isSystemFile(p: string): boolean {
  const b = path.basename(p);
  return b === 'system.json' || b.endsWith('.pvlab.json');
}

export function isAssembly(p: string): boolean {
  return ASM_EXTENSIONS.includes(path.extname(p));
}

function isElf(p: string): boolean {
  try {
    const fd = fs.openSync(p, 'r');
    try {
      const b = Buffer.alloc(4);
      return fs.readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === '\x7fELF';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

function rel(folder: vscode.WorkspaceFolder | undefined, uri: vscode.Uri): string {
  return folder ? '${workspaceFolder}/' + path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') : uri.fsPath;
}

export function systemConfiguration(folder: vscode.WorkspaceFolder | undefined, uri: vscode.Uri): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `pvlab: ${path.basename(path.dirname(uri.fsPath))}/${path.basename(uri.fsPath)}`, system: rel(folder, uri), stopOnEntry: true };
}

export function programConfiguration(folder: vscode.WorkspaceFolder | undefined, uri: vscode.Uri): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `pvlab: ${path.basename(uri.fsPath)} (bare metal)`, program: rel(folder, uri), stopOnEntry: true };
}

async function findTargets(folder: vscode.WorkspaceFolder | undefined): Promise<{ systems: vscode.Uri[]; programs: vscode.Uri[] }> {
  const base = (glob: string) => (folder ? new vscode.RelativePattern(folder, glob) : glob);
  const [systems, elfs] = await Promise.all([
    vscode.workspace.findFiles(base(SYSTEM_FILE_GLOB), EXCLUDE_GLOB, 50),
    vscode.workspace.findFiles(base('**/*.elf'), EXCLUDE_GLOB, 50),
  ]);
  const byPath = (a: vscode.Uri, b: vscode.Uri) => a.fsPath.localeCompare(b.fsPath);
  return { systems: systems.sort(byPath), programs: elfs.sort(byPath) };
}

export class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** Configurations for a new launch.json, and for "Select and Start Debugging" (dynamic). */
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const { systems, programs } = await findTargets(folder);
    const configs = [...systems.map((u) => systemConfiguration(folder, u)), ...programs.map((u) => programConfiguration(folder, u))];
    if (!configs.length) {
      configs.push({ type: DEBUG_TYPE, request: 'launch', name: 'pvlab: debug the active file (bare metal)', program: '${file}', stopOnEntry: true });
    }
    return configs;
  }

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    // Child sessions the adapter starts for its VMs (startDebugging) pass through untouched.
    if (config.request === 'attach' || typeof config.vm === 'string') return config;

    if (!config.type && !config.request && !config.name) {
      const picked = await this.pickTarget(folder);
      if (!picked) return undefined;
      return picked;
    }
    config.type = DEBUG_TYPE;
    config.request = config.request ?? 'launch';
    if (config.request !== 'launch') {
      void vscode.window.showErrorMessage(`pvlab: "request": "${config.request}" is not supported; use "launch".`);
      return null;
    }
    const hasProgram = typeof config.program === 'string' && config.program.length > 0;
    const hasSystem = typeof config.system === 'string' && config.system.length > 0;
    if (hasProgram === hasSystem) {
      void vscode.window.showErrorMessage(
        hasProgram
          ? 'pvlab: the launch configuration has both "program" and "system"; keep one: "system" for a system with VMs, "program" for a bare-metal ELF or assembly file.'
          : 'pvlab: the launch configuration needs "system" (a system file such as system.json) or "program" (a bare-metal ELF or assembly file).',
      );
      return null; // opens launch.json
    }
    config.name = config.name || (hasSystem ? 'pvlab system' : 'pvlab program');
    return config;
  }

  /** After ${…} substitution: the files must exist and be of the right kind. */
  resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | null | undefined {
    if (config.request === 'attach' || typeof config.vm === 'string') return config;
    const key = typeof config.system === 'string' ? 'system' : 'program';
    const raw = String(config[key]);
    const abs = path.isAbsolute(raw) ? raw : path.join(folder?.uri.fsPath ?? process.cwd(), raw);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
      void vscode.window.showErrorMessage(`pvlab: ${key} file not found: ${abs}`);
      return null;
    }
    if (key === 'program' && !isAssembly(abs) && !isElf(abs)) {
      void vscode.window.showErrorMessage(
        `pvlab: ${path.basename(abs)} is neither an ELF executable nor an assembly file (.S, .s, .asm). Open a program, or set "program" in launch.json.`,
      );
      return null;
    }
    if (key === 'system') {
      try {
        const parsed: unknown = JSON.parse(fs.readFileSync(abs, 'utf8'));
        if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { vms?: unknown }).vms)) {
          void vscode.window.showErrorMessage(`pvlab: ${path.basename(abs)} is not a pvlab system file: it has no "vms" list.`);
          return null;
        }
      } catch (e) {
        void vscode.window.showErrorMessage(`pvlab: ${path.basename(abs)} is not valid JSON: ${(e as Error).message}`);
        return null;
      }
    }
    config[key] = abs;
    return config;
  }

  /** F5 without launch.json: the active file if it is a target, else the workspace's system file or program. */
  private async pickTarget(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.uri.scheme === 'file') {
      const p = doc.uri.fsPath;
      if (isSystemFile(p)) return systemConfiguration(folder, doc.uri);
      if (isAssembly(p) || doc.languageId === 'riscv-asm' || path.extname(p) === '.elf') return programConfiguration(folder, doc.uri);
    }
    const { systems, programs } = await findTargets(folder);
    const candidates = [...systems.map((u) => systemConfiguration(folder, u)), ...programs.map((u) => programConfiguration(folder, u))];
    if (candidates.length === 1) return candidates[0];
    if (candidates.length > 1) {
      const pick = await vscode.window.showQuickPick(
        candidates.map((c) => ({ label: c.name, description: String(c.system ?? c.program), config: c })),
        { title: 'pvlab: what to debug', placeHolder: 'A system file (VMs) or a bare-metal program' },
      );
      return pick?.config;
    }
    void vscode.window.showErrorMessage(
      'pvlab: nothing to debug here. Open an assembly file (.S) or an ELF program, or a system file (*.pvlab.json, system.json), then press F5 — or run "pvlab: Open Sample".',
    );
    return undefined;
  }
}
