/**
 * The Timeline webview: VM states over virtual time with faults and restarts,
 * and the client's I/O throughput (or, for bare metal, the hart's run/stop
 * intervals and retired instructions). The page is dist/webview/timeline.js
 * (Chart.js bundled locally, built from media/webview/timeline.ts); it gets
 * TimelineView objects by postMessage. Strict CSP with a nonce; local resources
 * from dist/webview and media only.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { PvlabModel } from './model';
import { REQUESTS, parseTimelineResponse, type TimelineResponse } from './protocol';
import type { SessionTracker } from './sessions';
import { emptyView, timelineView, type TimelineView } from './timelineData';

export class TimelinePanel implements vscode.Disposable {
  static readonly viewType = 'pvlab.timeline';
  private panel: vscode.WebviewPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  /** Last answer of the adapter's pvlab.timeline per session; false once it refused. */
  private readonly answers = new Map<string, TimelineResponse | false>();
  private lastView: TimelineView | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly model: PvlabModel,
    private readonly sessions: SessionTracker,
  ) {
    const sub = model.onDidChange(() => this.schedule());
    this.subs.push({ dispose: () => sub.dispose() });
    // Keep the adapter's latest timeline at every stop and at exit, so the timeline can be
    // shown after the session ended even if the panel was closed while it ran.
    this.subs.push(sessions.onDidStopOrExit((s) => void this.fetch(s)));
  }

  get visible(): boolean {
    return !!this.panel;
  }

  /** The data last sent to the page (tests read it through the pvlab.timelineData command). */
  get data(): TimelineView | undefined {
    return this.lastView;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.schedule(0);
      return;
    }
    const roots = [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.context.extensionUri, 'media')];
    const panel = vscode.window.createWebviewPanel(TimelinePanel.viewType, 'pvlab Timeline', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: roots,
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html(panel.webview);
    // While a session runs, the right end of the time axis moves: redraw every second.
    const tick = setInterval(() => this.model.current() && panel.visible && this.schedule(0), 1000);
    panel.onDidDispose(
      () => {
        clearInterval(tick);
        this.panel = undefined;
      },
      undefined,
      this.subs,
    );
    panel.webview.onDidReceiveMessage(
      (m: { type?: string }) => {
        if (m?.type === 'ready' || m?.type === 'refresh') this.schedule(0);
      },
      undefined,
      this.subs,
    );
    panel.onDidChangeViewState(() => panel.visible && this.schedule(0), undefined, this.subs);
    this.panel = panel;
  }

  /** Coalesces updates: at most one pvlab.timeline request in flight, and a few per second. */
  private schedule(delay = 300): void {
    if (!this.panel || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.update();
    }, delay);
  }

  private async update(): Promise<void> {
    if (!this.panel || this.pending) return;
    this.pending = true;
    try {
      const view = await this.compute();
      this.lastView = view;
      await this.panel?.webview.postMessage({ type: 'data', view });
    } finally {
      this.pending = false;
    }
  }

  /** Asks the adapter for its timeline (once it refused, never again for that session). */
  private async fetch(session: vscode.DebugSession): Promise<TimelineResponse | undefined> {
    if (this.answers.get(session.id) === false) return undefined;
    try {
      const answer = parseTimelineResponse(await session.customRequest(REQUESTS.timeline, {}));
      this.answers.set(session.id, answer ?? false);
      return answer;
    } catch {
      // The adapter does not offer pvlab.timeline (or the session is gone): keep what we had.
      if (!this.answers.has(session.id)) this.answers.set(session.id, false);
      const a = this.answers.get(session.id);
      return a || undefined;
    }
  }

  async compute(): Promise<TimelineView> {
    const s = this.model.latest();
    if (!s) return emptyView();
    const root = this.sessions.currentRoot();
    let answer: TimelineResponse | undefined;
    if (root && root.state.id === s.id) answer = await this.fetch(root.session);
    else answer = this.answers.get(s.id) || undefined;
    return timelineView(s, answer, Date.now());
  }

  private html(webview: vscode.Webview): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'timeline.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'timeline.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>pvlab Timeline</title>
</head>
<body>
<header>
  <div><h1 id="title">pvlab Timeline</h1><div id="subtitle" class="muted"></div></div>
  <div id="legend" class="legend"></div>
</header>
<div id="empty" class="empty" hidden></div>
<main id="charts">
  <section class="chart states"><canvas id="states" aria-label="VM states over time"></canvas></section>
  <section class="chart line" id="lineBox"><canvas id="line" aria-label="Throughput over time"></canvas></section>
</main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const d of this.subs) d.dispose();
  }
}
