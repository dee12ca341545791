/**
 * Runs the bundled debug adapter (dist/debugAdapter.js) as a separate Node
 * process speaking DAP over stdio: the same program other DAP clients start,
 * kept out of the extension host so a busy emulator never blocks the UI.
 *
 * - A configuration with `debugServer` (a port) connects there instead; the
 *   adapter uses this for its per-VM child sessions (docs/extension.md).
 * - PVLAB_DEBUG_ADAPTER, in the environment of VS Code (or code-server), names
 *   another adapter script, for adapter development.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.OutputChannel) {}

  /** Where the adapter script is. */
  adapterPath(): string {
    return process.env.PVLAB_DEBUG_ADAPTER || this.context.asAbsolutePath('dist/debugAdapter.js');
  }

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const cfg = session.configuration;
    if (typeof cfg.debugServer === 'number') {
      const host = typeof cfg.debugServerHost === 'string' ? cfg.debugServerHost : '127.0.0.1';
      this.log.appendLine(`session ${session.name}: connecting to the adapter at ${host}:${cfg.debugServer}`);
      return new vscode.DebugAdapterServer(cfg.debugServer, host);
    }
    const script = this.adapterPath();
    if (!fs.existsSync(script)) {
      throw new Error(
        `pvlab: the debug adapter is missing (${script}). Reinstall the pvlab extension; in a development checkout run "npm run build".`,
      );
    }
    this.log.appendLine(`session ${session.name}: starting adapter ${script}`);
    // process.execPath is Node in code-server and Electron in desktop VS Code;
    // ELECTRON_RUN_AS_NODE makes Electron behave as Node and is ignored by Node.
    return new vscode.DebugAdapterExecutable(process.execPath, [script], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}
