/**
 * Run Fault Campaign: injects faults into driver VMs one after another, waits
 * for each VM to be restarted (a pvlab.restart event) and reports how long
 * recovery took in virtual time — the crash-and-restart experiment of the
 * driver-isolation paper, repeated. Runs against the live system session.
 */
import * as vscode from 'vscode';
import type { CommandResult } from './commands';
import type { PvlabModel, SessionState } from './model';
import { FAULT_KINDS, REQUESTS } from './protocol';
import type { SessionTracker } from './sessions';

/**
 * Campaign reports as read-only documents (scheme `pvlab-report`): shown as
 * Markdown, never "unsaved", and Save As still works.
 */
export class CampaignReports implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'pvlab-report';
  private readonly texts = new Map<string, string>();
  private count = 0;

  add(text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: CampaignReports.scheme, path: `/fault-campaign-${++this.count}.md` });
    this.texts.set(uri.path, text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '(this report is gone: run the campaign again)';
  }
}

export const reports = new CampaignReports();

export interface CampaignOptions {
  vms: string[];
  kinds: string[];
  rounds: number;
  /** Real-time limit to wait for each restart. */
  timeoutMs: number;
}

interface Trial {
  vm: string;
  kind: string;
  round: number;
  outcome: 'restarted' | 'gave up' | 'timeout' | 'refused';
  faultMs?: number;
  restartMs?: number;
  detail?: string;
}

export async function runCampaign(
  session: vscode.DebugSession,
  state: SessionState,
  model: PvlabModel,
  _sessions: SessionTracker,
  log: vscode.OutputChannel,
  preset?: Partial<CampaignOptions>,
): Promise<CommandResult> {
  const vms = state.vmList();
  let targets = preset?.vms;
  if (!targets) {
    const drivers = vms.filter((v) => v.role === 'driver');
    const picks = await vscode.window.showQuickPick(
      vms.map((v) => ({ label: v.name, description: v.role, picked: drivers.length ? v.role === 'driver' : true })),
      { title: 'pvlab: Fault Campaign (1/3) — VMs to crash', canPickMany: true },
    );
    targets = picks?.map((p) => p.label);
  }
  if (!targets?.length) return { ok: false, status: 'cancelled', message: 'cancelled' };
  let kinds = preset?.kinds;
  if (!kinds) {
    const picks = await vscode.window.showQuickPick(
      FAULT_KINDS.map((k) => ({ label: k.kind, description: k.label, detail: k.detail, picked: k.kind === 'trap' })),
      { title: 'pvlab: Fault Campaign (2/3) — fault kinds', canPickMany: true },
    );
    kinds = picks?.map((p) => p.label);
  }
  if (!kinds?.length) return { ok: false, status: 'cancelled', message: 'cancelled' };
  let rounds = preset?.rounds;
  if (rounds === undefined) {
    const text = await vscode.window.showInputBox({
      title: 'pvlab: Fault Campaign (3/3) — rounds',
      prompt: 'How many times to inject each fault into each VM',
      value: '3',
      validateInput: (v) => (/^[1-9]\d{0,2}$/.test(v) ? undefined : 'a number from 1 to 999'),
    });
    if (!text) return { ok: false, status: 'cancelled', message: 'cancelled' };
    rounds = Number(text);
  }
  const timeoutMs = preset?.timeoutMs ?? 30000;
  const trials: Trial[] = [];
  const total = targets.length * kinds.length * rounds;

  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'pvlab fault campaign', cancellable: true },
    async (progress, token) => {
      for (let round = 1; round <= rounds; round++) {
        for (const vm of targets) {
          for (const kind of kinds) {
            if (token.isCancellationRequested || state.ended) return;
            progress.report({ message: `${vm}: ${kind} (${trials.length + 1}/${total})`, increment: 100 / total });
            trials.push(await trial(session, state, model, vm, kind, round, timeoutMs, token));
          }
        }
      }
    },
  );

  const report = formatReport(state, trials);
  log.appendLine(report);
  const doc = await vscode.workspace.openTextDocument(reports.add(report));
  await vscode.window.showTextDocument(doc, { preview: true });
  const recovered = trials.filter((t) => t.outcome === 'restarted').length;
  const message = `pvlab: fault campaign done: ${recovered} of ${trials.length} injected faults were followed by a restart.`;
  void vscode.window.showInformationMessage(message);
  return { ok: true, status: 'done', message };
}

async function trial(
  session: vscode.DebugSession,
  state: SessionState,
  model: PvlabModel,
  vm: string,
  kind: string,
  round: number,
  timeoutMs: number,
  token: vscode.CancellationToken,
): Promise<Trial> {
  const restartsBefore = state.restarts.length;
  const faultsBefore = state.faults.length;
  try {
    await session.customRequest(REQUESTS.injectFault, { vm, kind });
  } catch (e) {
    return { vm, kind, round, outcome: 'refused', detail: (e as Error).message };
  }
  // The fault happens when the guests run: resume an all-stopped system.
  if (state.hart.state === 'stopped') {
    try {
      const t = (await session.customRequest('threads')) as { threads?: { id: number }[] };
      await session.customRequest('continue', { threadId: t.threads?.[0]?.id ?? 1 });
    } catch {
      // a session that cannot be resumed times out below
    }
  }
  const restart = await new Promise<Trial>((resolve) => {
    const done = (t: Trial) => {
      clearTimeout(timer);
      sub.dispose();
      cancel.dispose();
      resolve(t);
    };
    const check = () => {
      const r = state.restarts.slice(restartsBefore).find((x) => x.vm === vm);
      const f = state.faults.slice(faultsBefore).find((x) => x.vm === vm);
      if (r) done({ vm, kind, round, outcome: r.gaveUp ? 'gave up' : 'restarted', faultMs: f?.timeMs, restartMs: r.timeMs });
      else if (state.ended) done({ vm, kind, round, outcome: 'timeout', faultMs: f?.timeMs, detail: 'session ended' });
    };
    const sub = model.onDidChange(check);
    const cancel = token.onCancellationRequested(() => done({ vm, kind, round, outcome: 'timeout', detail: 'cancelled' }));
    const timer = setTimeout(() => done({ vm, kind, round, outcome: 'timeout', detail: `no restart within ${timeoutMs / 1000} s` }), timeoutMs);
    check();
  });
  return restart;
}

function formatReport(state: SessionState, trials: Trial[]): string {
  const lines = [
    `# pvlab fault campaign — ${state.name}`,
    '',
    `System: \`${state.target}\``,
    '',
    '| round | VM | fault | outcome | fault at (ms) | restart at (ms) | recovery (ms) |',
    '|---:|---|---|---|---:|---:|---:|',
  ];
  for (const t of trials) {
    const rec = t.faultMs !== undefined && t.restartMs !== undefined ? (t.restartMs - t.faultMs).toFixed(3) : '';
    lines.push(
      `| ${t.round} | ${t.vm} | ${t.kind} | ${t.outcome}${t.detail ? ` (${t.detail})` : ''} | ${t.faultMs?.toFixed(3) ?? ''} | ${t.restartMs?.toFixed(3) ?? ''} | ${rec} |`,
    );
  }
  const ok = trials.filter((t) => t.outcome === 'restarted');
  const recs = ok.filter((t) => t.faultMs !== undefined && t.restartMs !== undefined).map((t) => (t.restartMs as number) - (t.faultMs as number));
  lines.push('', `${ok.length} of ${trials.length} faults were followed by a restart.`);
  if (recs.length) {
    recs.sort((a, b) => a - b);
    lines.push(`Recovery (virtual time): median ${recs[Math.floor(recs.length / 2)].toFixed(3)} ms, max ${recs[recs.length - 1].toFixed(3)} ms.`);
  }
  return lines.join('\n') + '\n';
}
