/**
 * Glue between VS Code's debug API and the model: follows pvlab debug sessions
 * (parent system sessions, their per-VM child sessions, bare-metal sessions),
 * watches their DAP traffic with a tracker, routes pvlab.* custom events into
 * the model and keeps the `pvlab.sessionKind` context key up to date.
 */
import * as vscode from 'vscode';
import { type PvlabModel, type SessionKind, type SessionState } from './model';
import { REQUESTS, parseVmInfo, type VmInfo } from './protocol';

export const DEBUG_TYPE = 'pvlab';

/** Requests after whose success the target runs. */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto']);

interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  success?: boolean;
  body?: Record<string, unknown>;
}

export class SessionTracker implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Root (parent) session objects by id. */
  private readonly roots = new Map<string, vscode.DebugSession>();
  /** Child (per-VM) session id → root id. */
  private readonly childToRoot = new Map<string, string>();
  /** Child sessions by VM name, per root. */
  private readonly vmSessions = new Map<string, Map<string, vscode.DebugSession>>();
  /** Called when a root session stops or its program exits (the session still answers requests). */
  private readonly stopListeners = new Set<(session: vscode.DebugSession) => void>();
  /** Sessions whose adapter answered evaluate("minstret") with a number. */
  private readonly sampleInstret = new Map<string, boolean>();

  constructor(private readonly model: PvlabModel, private readonly log: vscode.OutputChannel) {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (session) => this.createTracker(session),
      }),
      vscode.debug.onDidStartDebugSession((s) => this.started(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.terminated(s)),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => this.customEvent(e)),
      vscode.debug.onDidChangeActiveDebugSession((s) => this.model.focus(s ? this.rootIdOf(s) : undefined)),
      this.model.onDidChange(() => this.updateContext()),
    );
    for (const s of [vscode.debug.activeDebugSession].filter((x): x is vscode.DebugSession => !!x)) this.started(s);
    this.updateContext();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  onDidStopOrExit(listener: (session: vscode.DebugSession) => void): vscode.Disposable {
    this.stopListeners.add(listener);
    return new vscode.Disposable(() => this.stopListeners.delete(listener));
  }

  private fireStop(s: vscode.DebugSession): void {
    for (const l of this.stopListeners) l(s);
  }

  /** The root session object behind the model's current session. */
  currentRoot(): { session: vscode.DebugSession; state: SessionState } | undefined {
    const state = this.model.current();
    const session = state && this.roots.get(state.id);
    return state && session ? { session, state } : undefined;
  }

  /** The child session that debugs `vm`, when the adapter started one. */
  vmSession(rootId: string, vm: string): vscode.DebugSession | undefined {
    return this.vmSessions.get(rootId)?.get(vm);
  }

  private rootIdOf(s: vscode.DebugSession): string | undefined {
    if (this.roots.has(s.id)) return s.id;
    return this.childToRoot.get(s.id);
  }

  private isChild(s: vscode.DebugSession): boolean {
    return s.parentSession?.type === DEBUG_TYPE || typeof s.configuration.vm === 'string';
  }

  private started(s: vscode.DebugSession): void {
    if (s.type !== DEBUG_TYPE || this.roots.has(s.id) || this.childToRoot.has(s.id)) return;
    if (this.isChild(s)) {
      let root: vscode.DebugSession | undefined = s.parentSession;
      while (root?.parentSession?.type === DEBUG_TYPE) root = root.parentSession;
      if (root && this.roots.has(root.id)) {
        this.childToRoot.set(s.id, root.id);
        const vm = typeof s.configuration.vm === 'string' ? s.configuration.vm : s.name;
        let m = this.vmSessions.get(root.id);
        if (!m) this.vmSessions.set(root.id, (m = new Map()));
        m.set(vm, s);
        return;
      }
    }
    const cfg = s.configuration;
    const kind: SessionKind = typeof cfg.system === 'string' ? 'system' : 'bareMetal';
    const target = String(kind === 'system' ? cfg.system : (cfg.program ?? ''));
    this.roots.set(s.id, s);
    this.model.start(s.id, s.name, kind, target);
    this.model.focus(s.id);
    this.log.appendLine(`session ${s.name}: ${kind === 'system' ? 'system' : 'bare-metal program'} ${target}`);
    if (kind === 'system') void this.refreshVms(s);
  }

  private terminated(s: vscode.DebugSession): void {
    const rootId = this.childToRoot.get(s.id);
    if (rootId) {
      this.childToRoot.delete(s.id);
      const m = this.vmSessions.get(rootId);
      for (const [vm, cs] of m ?? []) if (cs.id === s.id) m?.delete(vm);
      return;
    }
    if (!this.roots.has(s.id)) return;
    this.roots.delete(s.id);
    this.vmSessions.delete(s.id);
    this.sampleInstret.delete(s.id);
    this.model.end(s.id);
  }

  private customEvent(e: vscode.DebugSessionCustomEvent): void {
    if (e.session.type !== DEBUG_TYPE || !e.event.startsWith('pvlab.')) return;
    const id = this.rootIdOf(e.session);
    if (!id) return;
    if (!this.model.applyEvent(id, e.event, e.body)) {
      this.log.appendLine(`ignored custom event ${e.event} (unknown or malformed): ${JSON.stringify(e.body).slice(0, 300)}`);
    }
  }

  /** Asks a system session for its VMs (pvlab.listVms); silent when the adapter does not know the request. */
  async refreshVms(s: vscode.DebugSession): Promise<void> {
    try {
      const r = (await s.customRequest(REQUESTS.listVms)) as { vms?: unknown[] } | undefined;
      const vms = (r?.vms ?? []).map(parseVmInfo).filter((v): v is VmInfo => !!v);
      if (vms.length) this.model.setVms(s.id, vms);
    } catch (e) {
      this.log.appendLine(`${REQUESTS.listVms} not answered: ${(e as Error).message}`);
    }
  }

  private createTracker(s: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onWillReceiveMessage: () => undefined,
      onDidSendMessage: (m: DapMessage) => {
        const id = this.rootIdOf(s) ?? s.id;
        if (this.childToRoot.has(s.id)) return; // all-stop: the parent's traffic tells the story
        if (m.type === 'event') {
          const body = m.body ?? {};
          if (m.event === 'stopped') {
            this.model.hartStopped(id, String(body.reason ?? 'stopped'), typeof body.description === 'string' ? body.description : undefined);
            this.sampleInstructions(s);
            this.fireStop(s);
          } else if (m.event === 'continued') {
            this.model.hartRunning(id);
          } else if (m.event === 'exited') {
            this.model.hartExited(id, typeof body.exitCode === 'number' ? body.exitCode : undefined);
            this.fireStop(s);
          }
        } else if (m.type === 'response' && m.success) {
          if (m.command && RESUMING.has(m.command)) this.model.hartRunning(id);
          else if (m.command === 'stackTrace') {
            const frames = (m.body?.stackFrames ?? []) as { name?: string; line?: number; source?: { name?: string }; instructionPointerReference?: string }[];
            const f = frames[0];
            if (f) {
              const where = f.source?.name ? `${f.source.name}:${f.line}` : f.instructionPointerReference;
              this.model.hartLocation(id, where && where !== f.name ? `${f.name} (${where})` : String(f.name ?? where));
            }
          }
        }
      },
      onError: (e) => this.log.appendLine(`adapter error (${s.name}): ${e.message}`),
      onExit: (code, signal) => {
        if (code) this.log.appendLine(`adapter of ${s.name} exited with code ${code}${signal ? ` (${signal})` : ''}`);
      },
    };
  }

  /** Bare metal: samples retired instructions at each stop, while the adapter answers evaluate("minstret") with a number. */
  private sampleInstructions(s: vscode.DebugSession): void {
    const state = this.model.get(s.id);
    if (!state || state.kind !== 'bareMetal' || this.sampleInstret.get(s.id) === false) return;
    setTimeout(() => {
      s.customRequest('evaluate', { expression: 'minstret', context: 'watch' }).then(
        (r: { result?: string }) => {
          const n = parseNumber(r?.result);
          if (n === undefined) this.sampleInstret.set(s.id, false);
          else {
            this.sampleInstret.set(s.id, true);
            this.model.instructionSample(s.id, n);
          }
        },
        () => this.sampleInstret.set(s.id, false),
      );
    }, 0);
  }

  private updateContext(): void {
    const cur = this.model.current();
    void vscode.commands.executeCommand('setContext', 'pvlab.sessionKind', cur ? cur.kind : 'none');
    void vscode.commands.executeCommand('setContext', 'pvlab.hasVms', !!cur && cur.vms.size > 0);
  }
}

function parseNumber(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = text.trim().split(/\s/)[0];
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}
