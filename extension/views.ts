/**
 * The views in the Run and Debug container — Virtual Machines and Hypercalls —
 * and the status-bar item. All read the model; none talks to the adapter.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { PvlabModel, SessionState } from './model';
import type { HypercallRecord, VmInfo, VmStateName } from './protocol';

export const VM_VIEW = 'pvlab.vms';
export const HYPERCALL_VIEW = 'pvlab.hypercalls';

/** Calls a function at most once per `ms`, trailing. */
function throttle(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}

const STATE_ICONS: Record<VmStateName, [string, string | undefined]> = {
  booting: ['loading~spin', 'charts.blue'],
  running: ['vm-running', 'charts.green'],
  paused: ['debug-pause', 'charts.yellow'],
  crashed: ['error', 'errorForeground'],
  restarting: ['sync~spin', 'charts.orange'],
  stopped: ['vm-outline', 'disabledForeground'],
  failed: ['circle-slash', 'errorForeground'],
};

export function stateIcon(state: VmStateName): vscode.ThemeIcon {
  const [id, color] = STATE_ICONS[state];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

/** A node of the Virtual Machines tree. `vm` is set on VM nodes (the commands' argument). */
export class VmNode extends vscode.TreeItem {
  children: VmNode[] = [];
  vm?: string;
}

function leaf(label: string, description: string | undefined, icon: string, tooltip?: string): VmNode {
  const n = new VmNode(label, vscode.TreeItemCollapsibleState.None);
  n.description = description;
  n.iconPath = new vscode.ThemeIcon(icon);
  if (tooltip) n.tooltip = tooltip;
  return n;
}

export function vmNode(vm: VmInfo): VmNode {
  const n = new VmNode(vm.name, vscode.TreeItemCollapsibleState.Collapsed);
  n.id = `vm:${vm.name}`;
  n.vm = vm.name;
  n.iconPath = stateIcon(vm.state);
  const restarts = vm.restarts === 1 ? '1 restart' : `${vm.restarts} restarts`;
  n.description = `${vm.state} · ${restarts}${vm.role ? ` · ${vm.role}` : ''}`;
  n.contextValue = `pvlabVm.${vm.state}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${vm.name}** — ${vm.state}\n\n`);
  if (vm.reason) md.appendMarkdown(`${vm.reason}\n\n`);
  md.appendMarkdown(`restarts: ${vm.restarts}`);
  if (vm.domid !== undefined) md.appendMarkdown(` · domain ${vm.domid}`);
  if (vm.devices?.length) md.appendMarkdown(`\n\ndevices: ${vm.devices.join(', ')}`);
  n.tooltip = md;
  if (vm.reason) n.children.push(leaf(vm.reason, undefined, 'info'));
  if (vm.role) n.children.push(leaf('role', vm.role, vm.role === 'driver' ? 'server-process' : 'account'));
  if (vm.domid !== undefined) n.children.push(leaf('domain id', String(vm.domid), 'symbol-number'));
  if (vm.vcpus !== undefined) n.children.push(leaf('vCPUs', String(vm.vcpus), 'chip'));
  n.children.push(leaf('restarts', String(vm.restarts), 'history'));
  for (const d of vm.devices ?? []) n.children.push(leaf(d, 'owned device', 'plug'));
  return n;
}

export function bareMetalNode(s: SessionState): VmNode {
  const name = path.basename(s.target) || s.name;
  const n = new VmNode(name, vscode.TreeItemCollapsibleState.Expanded);
  n.id = `bare:${s.id}`;
  const h = s.hart;
  const icon =
    h.state === 'running' ? ['vm-running', 'charts.green'] : h.state === 'stopped' ? ['debug-pause', 'charts.yellow'] : h.state === 'exited' ? ['vm-outline', 'disabledForeground'] : ['loading~spin', 'charts.blue'];
  n.iconPath = new vscode.ThemeIcon(icon[0], new vscode.ThemeColor(icon[1]));
  n.description = `bare metal · ${h.state}${h.reason && h.state !== 'running' ? ` (${h.reason})` : ''}`;
  n.tooltip = `${s.target}\nA bare-metal program on pvlab's virt machine: one hart, no hypervisor, no VMs.`;
  n.contextValue = 'pvlabBareMetal';
  n.children.push(leaf('hart0', `${h.state}${h.location ? ` at ${h.location}` : ''}`, 'chip'));
  n.children.push(leaf('program', s.target, 'file-binary'));
  n.children.push(leaf('machine', 'virt: RAM 0x80000000, UART 0x10000000', 'server'));
  return n;
}

export class VmTreeProvider implements vscode.TreeDataProvider<VmNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<VmNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private view: vscode.TreeView<VmNode> | undefined;
  private readonly sub: { dispose(): void };

  constructor(private readonly model: PvlabModel) {
    this.sub = model.onDidChange(throttle(() => this.refresh(), 150));
  }

  attach(view: vscode.TreeView<VmNode>): void {
    this.view = view;
    this.refresh();
  }

  refresh(): void {
    this.emitter.fire(undefined);
    if (!this.view) return;
    const s = this.model.current();
    if (s?.kind === 'system' && s.vms.size === 0) {
      this.view.message = 'Waiting for the debug adapter to report this system\'s VMs…';
    } else {
      this.view.message = undefined;
    }
    this.view.description = s ? (s.kind === 'system' ? summary(s) : 'bare metal') : undefined;
  }

  getTreeItem(n: VmNode): vscode.TreeItem {
    return n;
  }

  getChildren(n?: VmNode): VmNode[] {
    if (n) return n.children;
    const s = this.model.current();
    if (!s) return []; // viewsWelcome: no system running
    if (s.kind === 'bareMetal') {
      // The adapter may report the bare-metal machine as a VM (state, faults); show it with the program's details.
      if (!s.vms.size) return [bareMetalNode(s)];
      return s.vmList().map((vm) => {
        const n = vmNode(vm);
        n.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        n.description = `bare metal · ${n.description}`;
        // why it is in this state first, then the hart and the program, then the VM's own details
        const reason = vm.reason ? n.children.splice(0, 1) : [];
        n.children.unshift(...reason, ...bareMetalNode(s).children);
        return n;
      });
    }
    return s.vmList().map(vmNode);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

function summary(s: SessionState): string {
  const c = s.vmCounts();
  if (!c.total) return '';
  return `${c.up}/${c.total} up${c.restarting.length ? ` · ${c.restarting.length} restarting` : ''}`;
}

// ---- Hypercalls --------------------------------------------------------------

const SHOWN_HYPERCALLS = 500;

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

export function hypercallItem(c: HypercallRecord, index: number): vscode.TreeItem {
  const name = c.name ?? `eid ${hex(c.eid)} fid ${c.fid}`;
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
  item.id = `hc:${index}`;
  const ret = c.error === undefined ? '' : c.error === 0 ? ` → ${c.value === undefined ? 'ok' : hex(c.value)}` : ` → error ${c.error}`;
  item.description = `${c.vm}${c.vcpu !== undefined ? `/cpu${c.vcpu}` : ''} · ${c.timeMs.toFixed(3)} ms${ret}`;
  item.iconPath = new vscode.ThemeIcon(c.error ? 'warning' : 'arrow-swap', c.error ? new vscode.ThemeColor('charts.orange') : undefined);
  item.tooltip = [
    `${name}  (EID ${hex(c.eid)}, FID ${c.fid})`,
    `VM ${c.vm}${c.vcpu !== undefined ? `, vCPU ${c.vcpu}` : ''}, t = ${c.timeMs} ms`,
    c.args?.length ? `args: ${c.args.map(hex).join(', ')}` : '',
    c.error !== undefined ? `error ${c.error}, value ${c.value === undefined ? '-' : hex(c.value)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return item;
}

/** A row of the Hypercalls view: an index into the session's log (boxed: 0 is a valid index). */
interface HypercallRow {
  readonly index: number;
}

export class HypercallProvider implements vscode.TreeDataProvider<HypercallRow>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private view: vscode.TreeView<HypercallRow> | undefined;
  private readonly sub: { dispose(): void };
  /** Show only this VM's calls. */
  filterVm: string | undefined;
  /** Calls before this index of the session's log are hidden (Clear). */
  private clearedAt = new Map<string, number>();

  constructor(private readonly model: PvlabModel) {
    this.sub = model.onDidChange(throttle(() => this.refresh(), 250));
  }

  attach(view: vscode.TreeView<HypercallRow>): void {
    this.view = view;
    this.refresh();
  }

  setFilter(vm: string | undefined): void {
    this.filterVm = vm;
    void vscode.commands.executeCommand('setContext', 'pvlab.hypercallFilter', !!vm);
    this.refresh();
  }

  clear(): void {
    const s = this.model.current();
    if (s) this.clearedAt.set(s.id, s.hypercalls.length + s.droppedHypercalls);
    this.refresh();
  }

  /** Indexes into the session's hypercall log, newest first. */
  visible(): number[] {
    const s = this.model.current();
    if (!s) return [];
    const from = Math.max(0, (this.clearedAt.get(s.id) ?? 0) - s.droppedHypercalls);
    const out: number[] = [];
    for (let i = s.hypercalls.length - 1; i >= from && out.length < SHOWN_HYPERCALLS; i--) {
      if (!this.filterVm || s.hypercalls[i].vm === this.filterVm) out.push(i);
    }
    return out;
  }

  refresh(): void {
    this.emitter.fire(undefined);
    if (!this.view) return;
    const s = this.model.current();
    this.view.description = this.filterVm ? `VM ${this.filterVm}` : undefined;
    if (!s) this.view.message = undefined; // viewsWelcome
    else if (s.kind === 'bareMetal') this.view.message = 'Bare-metal programs run without a hypervisor: they make no hypercalls.';
    else if (!this.visible().length) this.view.message = this.filterVm ? `No hypercalls from ${this.filterVm} yet.` : 'No hypercalls yet.';
    else this.view.message = undefined;
  }

  getTreeItem(row: HypercallRow): vscode.TreeItem {
    const s = this.model.current();
    const c = s?.hypercalls[row.index];
    return c ? hypercallItem(c, row.index + (s?.droppedHypercalls ?? 0)) : new vscode.TreeItem('(gone)');
  }

  getChildren(row?: HypercallRow): HypercallRow[] {
    return row ? [] : this.visible().map((index) => ({ index }));
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

// ---- status bar ----------------------------------------------------------------

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pvlab.status', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: { dispose(): void };

  constructor(private readonly model: PvlabModel) {
    this.item.name = 'pvlab';
    this.item.command = 'pvlab.focusVms';
    this.sub = model.onDidChange(throttle(() => this.update(), 150));
    this.update();
  }

  update(): void {
    const s = this.model.current();
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.backgroundColor = undefined;
    if (s.kind === 'bareMetal') {
      const h = s.hart;
      this.item.text = `$(chip) pvlab: ${path.basename(s.target)} ${h.state}`;
      this.item.tooltip = `pvlab bare-metal session: ${s.target}\nhart0 ${h.state}${h.reason ? ` (${h.reason})` : ''}${h.location ? ` at ${h.location}` : ''}`;
    } else {
      const c = s.vmCounts();
      if (!c.total) {
        this.item.text = '$(loading~spin) pvlab: starting VMs';
        this.item.tooltip = `pvlab system ${s.target}: waiting for the adapter to report VMs`;
      } else if (c.restarting.length) {
        this.item.text = `$(sync~spin) pvlab: ${c.up}/${c.total} VMs up · ${c.restarting.join(', ')} restarting`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        this.item.tooltip = `Restarting: ${c.restarting.join(', ')}`;
      } else {
        this.item.text = `$(vm-running) pvlab: ${c.up}/${c.total} VMs up`;
        this.item.tooltip = s.vmList().map((v) => `${v.name}: ${v.state}, ${v.restarts} restarts`).join('\n');
        if (c.down.length) this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      }
    }
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
