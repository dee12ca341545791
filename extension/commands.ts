/**
 * The "pvlab" commands. Every command that needs a running pvlab system says so
 * when there is none (or when the session is a bare-metal one), and returns a
 * CommandResult so tests and keybindings can tell what happened.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { runCampaign, type CampaignOptions } from './campaign';
import type { PvlabModel, SessionState } from './model';
import { BARE_METAL_FAULT_KINDS, FAULT_KINDS, REQUESTS, type VmInfo } from './protocol';
import type { SessionTracker } from './sessions';
import type { TimelinePanel } from './timeline';
import { type HypercallProvider, VM_VIEW, type VmNode } from './views';

export interface CommandResult {
  ok: boolean;
  /** no-session | bare-metal | no-vms | cancelled | failed | done */
  status: string;
  message: string;
}

const STATE_CODICON: Record<string, string> = {
  booting: 'loading~spin',
  running: 'vm-running',
  paused: 'debug-pause',
  crashed: 'error',
  restarting: 'sync~spin',
  stopped: 'vm-outline',
  failed: 'circle-slash',
};

export class Commands {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly model: PvlabModel,
    private readonly sessions: SessionTracker,
    private readonly timeline: TimelinePanel,
    private readonly hypercalls: HypercallProvider,
    private readonly log: vscode.OutputChannel,
  ) {}

  register(): vscode.Disposable[] {
    const r = vscode.commands.registerCommand;
    return [
      r('pvlab.injectFault', (arg?: VmNode | { vm?: string; kind?: string }) => this.injectFault(arg)),
      r('pvlab.restartVm', (arg?: VmNode | { vm?: string }) => this.restartVm(arg)),
      r('pvlab.showTimeline', () => this.showTimeline()),
      r('pvlab.openSample', (arg?: { sample?: string; destination?: string; open?: boolean }) => this.openSample(arg)),
      r('pvlab.runFaultCampaign', (arg?: Partial<CampaignOptions>) => this.runFaultCampaign(arg)),
      r('pvlab.focusVms', () => vscode.commands.executeCommand(`${VM_VIEW}.focus`)),
      r('pvlab.refreshVms', () => this.refreshVms()),
      r('pvlab.filterHypercalls', () => this.filterHypercalls()),
      r('pvlab.clearHypercallFilter', () => this.hypercalls.setFilter(undefined)),
      r('pvlab.clearHypercalls', () => this.hypercalls.clear()),
      // For tests: what the views and the timeline show.
      r('pvlab.state', () => stateSnapshot(this.model)),
      r('pvlab.timelineData', () => this.timeline.compute()),
    ];
  }

  // ---- guards ----------------------------------------------------------------

  /**
   * The running pvlab session with VMs, or a message saying why there is none
   * (shown, and returned). `hypervisor`: the command needs a system (Restart VM,
   * campaigns); fault injection also works on a bare-metal session whose adapter
   * reports its machine as a VM.
   */
  private async vmSession(title: string, hypervisor: boolean): Promise<{ session: vscode.DebugSession; state: SessionState } | CommandResult> {
    const root = this.sessions.currentRoot();
    if (!root) {
      const message = `pvlab: ${title} needs a running pvlab system, and no pvlab debug session is running. Start one with F5 on a system file, or open the sample first.`;
      void vscode.window.showInformationMessage(message, 'Open Sample', 'Start Debugging').then((a) => {
        if (a === 'Open Sample') void vscode.commands.executeCommand('pvlab.openSample');
        if (a === 'Start Debugging') void vscode.commands.executeCommand('workbench.action.debug.start');
      });
      return { ok: false, status: 'no-session', message };
    }
    const program = path.basename(root.state.target);
    if (root.state.kind === 'bareMetal' && hypervisor) {
      const message = `pvlab: ${title} needs a system with virtual machines under the hypervisor; the running session debugs the bare-metal program ${program}. Launch a system file ("system": "….json") to use it.`;
      void vscode.window.showInformationMessage(message);
      return { ok: false, status: 'bare-metal', message };
    }
    if (!root.state.vms.size) await this.sessions.refreshVms(root.session);
    if (!root.state.vms.size) {
      const message =
        root.state.kind === 'bareMetal'
          ? `pvlab: ${title}: the debug adapter reports no VM for the bare-metal program ${program}, so there is nothing to inject into.`
          : `pvlab: ${title}: the debug adapter has not reported any VMs for "${root.session.name}" yet (pvlab.vmState / pvlab.listVms).`;
      void vscode.window.showWarningMessage(message);
      return { ok: false, status: 'no-vms', message };
    }
    return root;
  }

  private async pickVm(vms: VmInfo[], title: string, preset?: string): Promise<string | undefined> {
    if (preset) return preset;
    if (vms.length === 1) return vms[0].name;
    const pick = await vscode.window.showQuickPick(
      vms.map((v) => ({
        label: `$(${STATE_CODICON[v.state] ?? 'vm'}) ${v.name}`,
        description: `${v.role ?? ''} ${v.state}`.trim(),
        detail: v.devices?.length ? `owns ${v.devices.join(', ')}` : undefined,
        vm: v.name,
      })),
      { title, placeHolder: 'Which virtual machine?' },
    );
    return pick?.vm;
  }

  // ---- commands --------------------------------------------------------------

  async injectFault(arg?: VmNode | { vm?: string; kind?: string }): Promise<CommandResult> {
    const title = 'Inject Fault';
    const root = await this.vmSession(title, false);
    if ('ok' in root) return root;
    const vms = root.state.vmList();
    const vm = await this.pickVm(vms, 'pvlab: Inject Fault (1/2)', arg?.vm);
    if (!vm) return cancelled();
    let kind: string | undefined = arg && 'kind' in arg && typeof arg.kind === 'string' ? arg.kind : undefined;
    if (!kind) {
      const pick = await vscode.window.showQuickPick(
        (root.state.kind === 'bareMetal' ? BARE_METAL_FAULT_KINDS : FAULT_KINDS).map((k) => ({ label: k.label, description: k.kind, detail: k.detail, fault: k.kind })),
        { title: `pvlab: Inject Fault into ${vm} (2/2)`, placeHolder: 'What goes wrong?' },
      );
      kind = pick?.fault;
    }
    if (!kind) return cancelled();
    try {
      await root.session.customRequest(REQUESTS.injectFault, { vm, kind });
      const message = `pvlab: injected a ${kind} fault into ${vm}.`;
      vscode.window.setStatusBarMessage(`$(zap) ${message}`, 5000);
      this.log.appendLine(message);
      return { ok: true, status: 'done', message };
    } catch (e) {
      return this.failed(`pvlab: the debug adapter did not inject the fault into ${vm}: ${(e as Error).message}`);
    }
  }

  async restartVm(arg?: VmNode | { vm?: string }): Promise<CommandResult> {
    const root = await this.vmSession('Restart VM', true);
    if ('ok' in root) return root;
    const vm = await this.pickVm(root.state.vmList(), 'pvlab: Restart VM', arg?.vm);
    if (!vm) return cancelled();
    try {
      await root.session.customRequest(REQUESTS.restartVm, { vm });
      const message = `pvlab: restarting ${vm}.`;
      vscode.window.setStatusBarMessage(`$(debug-restart) ${message}`, 5000);
      return { ok: true, status: 'done', message };
    } catch (e) {
      return this.failed(`pvlab: the debug adapter did not restart ${vm}: ${(e as Error).message}`);
    }
  }

  showTimeline(): CommandResult {
    this.timeline.show();
    if (!this.model.latest()) {
      const message = 'pvlab: no pvlab session has run yet, so the timeline is empty. Start one with F5; the timeline fills as it runs.';
      void vscode.window.showInformationMessage(message);
      return { ok: true, status: 'no-session', message };
    }
    return { ok: true, status: 'done', message: 'timeline shown' };
  }

  async runFaultCampaign(arg?: Partial<CampaignOptions>): Promise<CommandResult> {
    const root = await this.vmSession('Run Fault Campaign', true);
    if ('ok' in root) return root;
    return runCampaign(root.session, root.state, this.model, this.sessions, this.log, arg);
  }

  async refreshVms(): Promise<void> {
    const root = this.sessions.currentRoot();
    if (root?.state.kind === 'system') await this.sessions.refreshVms(root.session);
  }

  async filterHypercalls(): Promise<void> {
    const s = this.model.current();
    const names = new Set<string>([...(s?.vms.keys() ?? []), ...(s?.hypercalls.map((c) => c.vm) ?? [])]);
    if (!names.size) {
      void vscode.window.showInformationMessage('pvlab: no VMs to filter by: no pvlab system is running.');
      return;
    }
    const all = '$(list-flat) All VMs';
    const pick = await vscode.window.showQuickPick([all, ...[...names].sort()], { title: 'pvlab: show hypercalls of' });
    if (pick) this.hypercalls.setFilter(pick === all ? undefined : pick);
  }

  async openSample(arg?: { sample?: string; destination?: string; open?: boolean }): Promise<CommandResult> {
    const root = path.join(this.context.extensionPath, 'examples');
    const samples = fs.existsSync(root)
      ? fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
      : [];
    if (!samples.length) return this.failed(`pvlab: this installation has no samples (${root} is missing).`);
    let sample = arg?.sample;
    if (!sample) {
      const describe = (n: string) => {
        const readme = path.join(root, n, 'README.md');
        const first = fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8').split('\n').find((l) => l.trim() && !l.startsWith('#')) : undefined;
        return first?.trim();
      };
      const pick = samples.length === 1 ? { sample: samples[0] } : await vscode.window.showQuickPick(
        samples.map((n) => ({ label: n, detail: describe(n), sample: n })),
        { title: 'pvlab: Open Sample', placeHolder: 'Which sample?' },
      );
      sample = pick?.sample;
    }
    if (!sample || !samples.includes(sample)) return sample ? this.failed(`pvlab: no sample named "${sample}" (have: ${samples.join(', ')}).`) : cancelled();
    let parent = arg?.destination;
    if (!parent) {
      const picked = await vscode.window.showOpenDialog({
        title: `pvlab: choose a folder to copy the "${sample}" sample into`,
        canSelectFolders: true,
        canSelectFiles: false,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()),
        openLabel: 'Copy sample here',
      });
      parent = picked?.[0]?.fsPath;
    }
    if (!parent) return cancelled();
    let dest = path.join(parent, `pvlab-${sample}`);
    for (let i = 2; fs.existsSync(dest); i++) dest = path.join(parent, `pvlab-${sample}-${i}`);
    try {
      fs.mkdirSync(parent, { recursive: true });
      fs.cpSync(path.join(root, sample), dest, { recursive: true });
      // A sample of prebuilt guest images gets the guests' sources beside it: their debug
      // information names them relative to this folder (guests/kernel/kernel.c, ...).
      const guests = path.join(this.context.extensionPath, 'guests');
      if (fs.existsSync(path.join(dest, 'images')) && fs.existsSync(guests)) fs.cpSync(guests, path.join(dest, 'guests'), { recursive: true });
    } catch (e) {
      return this.failed(`pvlab: could not copy the sample to ${dest}: ${(e as Error).message}`);
    }
    const message = `pvlab: copied the "${sample}" sample to ${dest}.`;
    this.log.appendLine(message);
    if (arg?.open !== false) await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(dest), { forceNewWindow: false });
    return { ok: true, status: 'done', message };
  }

  private failed(message: string): CommandResult {
    void vscode.window.showErrorMessage(message);
    this.log.appendLine(message);
    return { ok: false, status: 'failed', message };
  }
}

function cancelled(): CommandResult {
  return { ok: false, status: 'cancelled', message: 'cancelled' };
}

/** A JSON snapshot of what the views show (for tests). */
export function stateSnapshot(model: PvlabModel): unknown {
  const s = model.current();
  if (!s) return { session: null };
  return {
    session: { id: s.id, name: s.name, kind: s.kind, target: s.target },
    hart: s.hart,
    vms: s.vmList(),
    hypercalls: s.hypercalls.length,
    faults: s.faults,
    restarts: s.restarts,
    sawPvlabEvents: s.sawPvlabEvents,
  };
}
