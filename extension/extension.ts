/**
 * pvlab's VS Code extension: activation only wires the parts together.
 * See docs/extension.md.
 */
import * as vscode from 'vscode';
import { AdapterFactory } from './adapter';
import { AssemblerDiagnostics } from './assembler';
import { CampaignReports, reports } from './campaign';
import { Commands } from './commands';
import { ConfigurationProvider } from './configuration';
import { PvlabModel } from './model';
import { DEBUG_TYPE, SessionTracker } from './sessions';
import { TimelinePanel } from './timeline';
import { HYPERCALL_VIEW, HypercallProvider, StatusBar, VM_VIEW, VmTreeProvider } from './views';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('pvlab');
  void vscode.commands.executeCommand('setContext', 'pvlab.activated', true);
  const model = new PvlabModel();
  const sessions = new SessionTracker(model, log);
  const vmTree = new VmTreeProvider(model);
  const hypercalls = new HypercallProvider(model);
  const timeline = new TimelinePanel(context, model, sessions);
  const configs = new ConfigurationProvider();

  const vmView = vscode.window.createTreeView(VM_VIEW, { treeDataProvider: vmTree, showCollapseAll: true });
  const hcView = vscode.window.createTreeView(HYPERCALL_VIEW, { treeDataProvider: hypercalls });
  vmTree.attach(vmView);
  hypercalls.attach(hcView);

  context.subscriptions.push(
    log,
    sessions,
    vmTree,
    hypercalls,
    timeline,
    vmView,
    hcView,
    new StatusBar(model),
    new AssemblerDiagnostics(context, log),
    vscode.workspace.registerTextDocumentContentProvider(CampaignReports.scheme, reports),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context, log)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, configs, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, configs, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    ...new Commands(context, model, sessions, timeline, hypercalls, log).register(),
  );
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
