/**
 * The timeline page (runs in the webview). Draws a TimelineView with Chart.js:
 * above, one lane per VM (or per hart) with its states as coloured intervals
 * and faults, restarts and stops as markers; below, the line (client I/O
 * throughput, or retired instructions) on the same time axis. Faults and
 * restarts are also drawn as vertical lines through both charts, so a drop in
 * throughput lines up with the crash that caused it.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Filler,
  LineController,
  LineElement,
  LinearScale,
  type Plugin,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import type { TimelineMark, TimelineView } from '../../extension/timelineData';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Filler);

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };
const vscode = acquireVsCodeApi();

const STATE_COLORS: Record<string, string> = {
  running: '#3fb950',
  booting: '#58a6ff',
  paused: '#d29922',
  stopped: '#8b949e',
  crashed: '#f85149',
  restarting: '#db6d28',
  failed: '#a40e26',
};
const MARK_STYLE: Record<TimelineMark['kind'], { color: string; point: 'triangle' | 'rectRot' | 'circle'; label: string }> = {
  fault: { color: '#f85149', point: 'triangle', label: 'fault' },
  restart: { color: '#2f81f7', point: 'rectRot', label: 'restart' },
  stop: { color: '#d29922', point: 'circle', label: 'stop' },
};
const AXIS_WIDTH = 130;

const $ = (id: string) => document.getElementById(id) as HTMLElement;
/** The part of a Chart the page uses after creating it (Chart.js' generics do not mix well). */
interface Drawn {
  destroy(): void;
  update(): void;
  chartArea: { right: number };
  options: { layout?: { padding?: unknown } };
}
let states: Drawn | undefined;
let line: Drawn | undefined;
let current: TimelineView | undefined;

function css(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function laneLabel(name: string, role?: string): string {
  return role ? `${name} (${role})` : name;
}

function fmt(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** Dashed vertical lines at faults and restarts, through the whole chart area. */
const markLines: Plugin = {
  id: 'pvlabMarkLines',
  afterDatasetsDraw(chart) {
    const view = current;
    const x = chart.scales.x;
    if (!view || !x) return;
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1;
    for (const m of view.marks) {
      if (m.kind === 'stop') continue;
      const px = x.getPixelForValue(m.x);
      ctx.strokeStyle = MARK_STYLE[m.kind].color;
      ctx.globalAlpha = 0.7;
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
    }
    ctx.restore();
  },
};

function legend(view: TimelineView): void {
  const box = $('legend');
  box.replaceChildren();
  const used = new Set(view.lanes.flatMap((l) => l.segments.map((s) => s.state)));
  for (const [state, color] of Object.entries(STATE_COLORS)) {
    if (!used.has(state)) continue;
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.style.background = color;
    item.append(sw, state);
    box.append(item);
  }
  for (const kind of ['fault', 'restart', 'stop'] as const) {
    if (!view.marks.some((m) => m.kind === kind)) continue;
    const item = document.createElement('span');
    const sw = document.createElement('b');
    sw.className = `mark ${kind}`;
    sw.style.color = MARK_STYLE[kind].color;
    sw.textContent = kind === 'fault' ? '▲' : kind === 'restart' ? '◆' : '●';
    item.append(sw, MARK_STYLE[kind].label);
    box.append(item);
  }
}

function render(view: TimelineView): void {
  current = view;
  $('title').textContent = view.title;
  $('subtitle').textContent = view.subtitle;
  const empty = $('empty');
  const charts = $('charts');
  if (view.empty) {
    empty.textContent = view.empty;
    empty.hidden = false;
    charts.hidden = true;
    $('legend').replaceChildren();
    states?.destroy();
    line?.destroy();
    states = line = undefined;
    return;
  }
  empty.hidden = true;
  charts.hidden = false;
  legend(view);

  const fg = css('--vscode-foreground', '#ccc');
  const grid = css('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const font = { family: css('--vscode-font-family', 'sans-serif'), size: 12 };
  Chart.defaults.color = fg;
  Chart.defaults.font = { ...Chart.defaults.font, ...font };

  // ---- lanes ----
  const labels = view.lanes.map((l) => laneLabel(l.name, l.role));
  const laneOf = new Map(view.lanes.map((l) => [l.name, laneLabel(l.name, l.role)]));
  // A little room right of "now", so a lane's final state (crashed, stopped) and marks at
  // the end stay visible; instants (a pause in virtual time has no length) get a sliver.
  const xMax = view.end * 1.04;
  const sliver = view.end * 0.004;
  const byState = new Map<string, { x: [number, number]; y: string }[]>();
  for (const l of view.lanes) {
    l.segments.forEach((s, i) => {
      const last = i === l.segments.length - 1;
      const end = last && s.end >= view.end ? xMax : Math.max(s.end, s.start + sliver);
      const list = byState.get(s.state) ?? [];
      list.push({ x: [s.start, end], y: laneLabel(l.name, l.role) });
      byState.set(s.state, list);
    });
  }
  const datasets: ChartDataset<'bar' | 'scatter', unknown[]>[] = [];
  for (const [state, data] of byState) {
    datasets.push({
      type: 'bar',
      label: state,
      data,
      backgroundColor: STATE_COLORS[state] ?? '#888',
      borderWidth: 0,
      borderSkipped: false,
      grouped: false,
      barPercentage: 0.7,
      categoryPercentage: 1,
    } as ChartDataset<'bar', unknown[]>);
  }
  for (const kind of ['stop', 'restart', 'fault'] as const) {
    const marks = view.marks.filter((m) => m.kind === kind && laneOf.has(m.lane));
    if (!marks.length) continue;
    datasets.push({
      type: 'scatter',
      indexAxis: 'x', // the chart's bars run along y; the marks are plain (x, lane) points
      order: -1, // lower order draws later: marks on top of the bars
      label: kind,
      data: marks.map((m) => ({ x: m.x, y: laneOf.get(m.lane), text: m.label })),
      pointStyle: MARK_STYLE[kind].point,
      pointRadius: kind === 'stop' ? 4 : 8,
      pointHoverRadius: kind === 'stop' ? 6 : 10,
      backgroundColor: MARK_STYLE[kind].color,
      borderColor: css('--vscode-editor-background', '#1e1e1e'),
      borderWidth: 1.5,
    } as ChartDataset<'scatter', unknown[]>);
  }
  const xScale = (title: string, show: boolean) => ({
    type: 'linear' as const,
    min: 0,
    max: xMax,
    title: { display: show, text: title },
    grid: { color: grid },
    ticks: { callback: (v: number | string) => (Number(v) > view.end * 1.001 ? '' : fmt(Number(v))) },
  });
  const fitY = (scale: { width: number }) => {
    scale.width = AXIS_WIDTH;
  };
  const lanesBox = document.querySelector('section.states') as HTMLElement;
  lanesBox.style.height = `${Math.max(120, 46 * view.lanes.length + 60)}px`;
  states?.destroy();
  states = drawn(new Chart($('states') as HTMLCanvasElement, {
    type: 'bar',
    data: { labels, datasets: datasets as ChartDataset<'bar', unknown[]>[] },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales: {
        x: { ...xScale(view.xLabel, !view.line), stacked: false },
        y: { type: 'category', labels, grid: { color: grid }, afterFit: fitY, offset: true },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) => {
              const raw = item.raw as { x: number | [number, number]; text?: string };
              if (Array.isArray(raw.x)) return `${item.dataset.label}: ${fmt(raw.x[0])} – ${fmt(raw.x[1])}`;
              return raw.text ?? `${item.dataset.label} at ${fmt(raw.x)}`;
            },
          },
        },
      },
    },
    plugins: [markLines],
  }));

  // ---- line ----
  const lineBox = $('lineBox');
  line?.destroy();
  line = undefined;
  if (!view.line) {
    lineBox.hidden = true;
    return;
  }
  lineBox.hidden = false;
  const accent = css('--vscode-charts-blue', '#3794ff');
  line = drawn(new Chart($('line') as HTMLCanvasElement, {
    type: 'line',
    data: {
      datasets: [
        {
          label: `${view.line.label} (${view.line.unit})`,
          data: view.line.points.map(([x, y]) => ({ x, y })),
          borderColor: accent,
          backgroundColor: accent + '33',
          fill: 'origin',
          pointRadius: view.line.points.length > 60 ? 0 : 2,
          borderWidth: 2,
          tension: 0,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      parsing: false,
      layout: { padding: { top: 20 } },
      scales: {
        x: xScale(view.xLabel, true),
        y: { type: 'linear', beginAtZero: true, grid: { color: grid }, afterFit: fitY, title: { display: true, text: view.line.unit } },
      },
      plugins: {
        tooltip: { callbacks: { label: (item) => `${view.line?.label}: ${fmt(item.parsed.y ?? 0)} ${view.line?.unit}` } },
      },
    },
    plugins: [markLines, { id: 'pvlabLineTitle', beforeDraw: (c) => drawTitle(c, view.line?.label ?? '') }],
  }));
  if (states) alignRightEdges(states, line);
}

/** Makes both plot areas end at the same x pixel, so times line up between the charts. */
function alignRightEdges(a: Drawn, b: Drawn): void {
  const d = b.chartArea.right - a.chartArea.right;
  if (Math.abs(d) < 0.5) return;
  const wider = d > 0 ? b : a;
  const pad = wider.options.layout?.padding;
  const old = typeof pad === 'object' && pad ? (pad as Record<string, number>) : {};
  wider.options.layout = { ...wider.options.layout, padding: { ...old, right: (Number(old.right) || 0) + Math.abs(d) } };
  wider.update();
}

function drawn(c: unknown): Drawn {
  return c as Drawn;
}

function drawTitle(chart: Chart, text: string): void {
  const ctx = chart.ctx;
  ctx.save();
  ctx.fillStyle = css('--vscode-descriptionForeground', '#999');
  ctx.font = `12px ${css('--vscode-font-family', 'sans-serif')}`;
  ctx.fillText(text, chart.chartArea.left, chart.chartArea.top - 8);
  ctx.restore();
}

window.addEventListener('message', (e: MessageEvent<{ type?: string; view?: TimelineView }>) => {
  if (e.data?.type === 'data' && e.data.view) render(e.data.view);
});
vscode.postMessage({ type: 'ready' });
