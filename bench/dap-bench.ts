/**
 * Debug-adapter benchmark (not a test: the numbers depend on the machine).
 *
 *   node out/bench/dap-bench.js [--runs N] [--rounds N] [--adapter PATH]
 *
 * Measures, through the real adapter process driven by DebugClient:
 *  1. continue-mode speed with 10 breakpoints and 2 watchpoints set (none of
 *     them hit), against the same program run headless (runtime.runSync in a
 *     fresh Node process, as the CLI runs it: both sides start with a cold JIT);
 *     also with nothing set, and with the watchpoints on a page in constant use;
 *  2. the round trip of a step (request sent → stopped event received), median;
 *  3. launch → stopped on entry, median.
 * The program is test/debug-adapter/fixtures/bench.c (built here with riscv64-unknown-elf-gcc).
 * Results go to stdout and to bench/results/dap.json.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { findTool } from '../test/support/tools';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/debug-adapter/fixtures');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

function build(rounds: number): string {
  const cc = findTool('riscv64-unknown-elf-gcc');
  if (!cc) throw new Error('the benchmark program needs riscv64-unknown-elf-gcc (bash scripts/install-deps.sh)');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-dap-bench-')), 'bench.elf');
  execFileSync(cc, [
    '-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-ffreestanding', '-O2', '-g', `-DROUNDS=${rounds}`,
    '-T', path.join(FIXTURES, 'link.ld'), path.join(FIXTURES, 'crt0.S'), path.join(FIXTURES, 'bench.c'), '-o', out,
  ]);
  return out;
}

function markerLine(name: string): number {
  const lines = fs.readFileSync(path.join(FIXTURES, 'bench.c'), 'utf8').split('\n');
  return lines.findIndex((l) => l.includes(`L:${name}`)) + 1;
}

/** A headless run in a fresh Node process (cold, as the CLI and the adapter start): seconds of runSync and instructions. */
function headless(program: string): { seconds: number; retired: number } {
  const runtime = path.join(ROOT, 'out/emulator/system/runtime.js');
  const code = `const { BareMetalRuntime } = require(${JSON.stringify(runtime)});
const rt = BareMetalRuntime.fromElfBytes(require('fs').readFileSync(${JSON.stringify(program)}));
const t0 = process.hrtime.bigint(); const stop = rt.runSync(); const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ seconds: s, retired: rt.hart.retired, stop }));`;
  const r = JSON.parse(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }));
  if (r.stop.kind !== 'exit' || r.stop.code !== 0) throw new Error(`headless run failed: ${JSON.stringify(r.stop)}`);
  return r;
}

async function client(adapter: string): Promise<DebugClient> {
  const dc = new DebugClient('node', adapter, 'pvlab', { stdio: ['pipe', 'pipe', 'pipe'] });
  dc.defaultTimeout = 120_000;
  await dc.start();
  return dc;
}

async function launchStopped(dc: DebugClient, program: string): Promise<void> {
  await dc.initializeRequest({ adapterID: 'pvlab', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const initialized = dc.waitForEvent('initialized');
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await dc.configurationDoneRequest();
  await stopped;
}

type Setup = 'none' | 'breakpoints' | 'hot-watch';

/** Time from continue to exit (or to a pause after limitMs) and the instructions retired meanwhile. */
async function continueRun(adapter: string, program: string, setup: Setup, total: number, limitMs: number): Promise<{ seconds: number; instructions: number; paused?: boolean }> {
  const dc = await client(adapter);
  try {
    await launchStopped(dc, program);
    if (setup !== 'none') {
      const src = path.join(FIXTURES, 'bench.c');
      const locs = await dc.send('breakpointLocations', { source: { path: src }, line: markerLine('err_first'), endLine: markerLine('err_last') });
      const lines = (locs.body.breakpoints as { line: number }[]).map((b) => b.line).slice(0, 10);
      const bps = await dc.setBreakpointsRequest({ source: { path: src }, breakpoints: lines.map((line) => ({ line })) });
      if (!bps.body.breakpoints.every((b) => b.verified)) throw new Error('a benchmark breakpoint was not verified');
      // The compiler merged some lines: the rest of the ten are instruction breakpoints in the same function.
      const used = new Set(bps.body.breakpoints.map((b) => b.instructionReference));
      const fn = parseInt((await dc.evaluateRequest({ expression: 'report_error', context: 'watch' })).body.memoryReference as string, 16);
      const extra: string[] = [];
      for (let a = fn; extra.length < 10 - lines.length; a += 4) {
        const ref = '0x' + a.toString(16).padStart(8, '0');
        if (!used.has(ref)) extra.push(ref);
      }
      if (extra.length) {
        const ib = await dc.send('setInstructionBreakpoints', { breakpoints: extra.map((instructionReference) => ({ instructionReference })) });
        if (!(ib.body.breakpoints as DebugProtocol.Breakpoint[]).every((b) => b.verified)) throw new Error('a benchmark breakpoint was not verified');
      }
      // 'hot-watch': two words the program never touches, on the page its stack lives in.
      const target = setup === 'hot-watch' ? '_stack_top - 256' : 'watched';
      const base = parseInt((await dc.evaluateRequest({ expression: target, context: 'watch' })).body.memoryReference as string, 16);
      const ids: string[] = [];
      for (const off of [0, 4]) {
        const info = await dc.dataBreakpointInfoRequest({ name: '0x' + (base + off).toString(16), asAddress: true, bytes: 4 });
        ids.push(info.body.dataId as string);
      }
      const set = await dc.setDataBreakpointsRequest({ breakpoints: ids.map((dataId) => ({ dataId, accessType: 'write' as const })) });
      if (!set.body.breakpoints.every((b) => b.verified)) throw new Error('a benchmark watchpoint was not verified');
    }
    // Run to the end, or (when it is very slow) pause after a while and count what retired.
    const ended = new Promise<{ exitCode?: number }>((resolve) => {
      dc.once('exited', (e: DebugProtocol.ExitedEvent) => resolve({ exitCode: e.body.exitCode }));
      dc.once('stopped', () => resolve({}));
    });
    const t0 = now();
    await dc.continueRequest({ threadId: 1 });
    const timer = setTimeout(() => void dc.pauseRequest({ threadId: 1 }), limitMs);
    const end = await ended;
    const seconds = (now() - t0) / 1000;
    clearTimeout(timer);
    if (end.exitCode !== undefined) {
      if (end.exitCode !== 0) throw new Error(`the benchmark program failed under the debugger (exit ${end.exitCode})`);
      return { seconds, instructions: total };
    }
    const r = await dc.evaluateRequest({ expression: '$minstret', context: 'watch' });
    return { seconds, instructions: Number(r.body.result.split(' ')[0]), paused: true };
  } finally {
    await dc.stop();
  }
}

async function stepRoundTrips(adapter: string, program: string, count: number): Promise<{ instruction: number[]; line: number[] }> {
  const dc = await client(adapter);
  try {
    await launchStopped(dc, program);
    await dc.setBreakpointsRequest({ source: { path: path.join(FIXTURES, 'bench.c') }, breakpoints: [{ line: markerLine('bench_step') }] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    await dc.setBreakpointsRequest({ source: { path: path.join(FIXTURES, 'bench.c') }, breakpoints: [] });
    const time = async (req: () => Promise<unknown>) => {
      const stopped = dc.waitForEvent('stopped');
      const t0 = now();
      await req();
      await stopped;
      return now() - t0;
    };
    const instruction: number[] = [];
    for (let i = 0; i < count; i++) instruction.push(await time(() => dc.stepInRequest({ threadId: 1, granularity: 'instruction' })));
    const line: number[] = [];
    for (let i = 0; i < Math.min(count, 50); i++) line.push(await time(() => dc.nextRequest({ threadId: 1 })));
    return { instruction, line };
  } finally {
    await dc.stop();
  }
}

/**
 * Launch (`{ program }` bare metal, or `{ system }`) stopped on entry, `count` times:
 * from the launch request, and from spawning the adapter, to the stopped event.
 */
async function launchTimes(adapter: string, target: { program: string } | { system: string }, count: number): Promise<{ fromLaunch: number[]; fromSpawn: number[] }> {
  const fromLaunch: number[] = [];
  const fromSpawn: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = now();
    const dc = await client(adapter);
    try {
      await dc.initializeRequest({ adapterID: 'pvlab', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      const initialized = dc.waitForEvent('initialized');
      const stopped = dc.waitForEvent('stopped');
      const t1 = now();
      await dc.launchRequest({ ...target, stopOnEntry: true } as unknown as DebugProtocol.LaunchRequestArguments);
      await initialized;
      await dc.configurationDoneRequest();
      await stopped;
      const t2 = now();
      fromLaunch.push(t2 - t1);
      fromSpawn.push(t2 - t0);
    } finally {
      await dc.stop();
    }
  }
  return { fromLaunch, fromSpawn };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let runs = 3;
  let rounds = 300;
  let adapter = path.join(ROOT, 'out/debug-adapter/main.js');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Math.max(1, Number(args[++i]));
    else if (args[i] === '--rounds') rounds = Math.max(1, Number(args[++i]));
    else if (args[i] === '--adapter') adapter = path.resolve(args[++i]);
    else throw new Error(`unknown argument ${args[i]}`);
  }
  const program = build(rounds);
  // Headless and debugger runs alternate, so that a change in the machine's load hits both alike.
  const head: number[] = [];
  const rates: Record<Setup, number[]> = { none: [], breakpoints: [], 'hot-watch': [] };
  let retired = 0;
  let hotPaused = false;
  for (let i = 0; i < runs; i++) {
    const r = headless(program);
    head.push(r.seconds);
    retired = r.retired;
    for (const setup of ['none', 'breakpoints', 'hot-watch'] as Setup[]) {
      if (setup === 'hot-watch' && i > 0) continue; // slow: one run shows it
      const c = await continueRun(adapter, program, setup, retired, 15_000);
      rates[setup].push(c.instructions / c.seconds / 1e6);
      if (setup === 'hot-watch') hotPaused = !!c.paused;
    }
  }
  const headMips = retired / median(head) / 1e6;
  console.log(`program: bench.c, ${retired} instructions; ${runs} runs each (alternating), medians`);
  console.log(`${'headless (runtime.runSync, fresh process):'.padEnd(52)}${headMips.toFixed(1)} MIPS`);
  const results: Record<string, unknown> = { instructions: retired, headlessMips: headMips };
  const labels: Record<Setup, string> = {
    none: 'debugger, continue, nothing set:',
    breakpoints: 'debugger, continue, 10 breakpoints + 2 watchpoints:',
    'hot-watch': 'same, watchpoints on a page in constant use:',
  };
  for (const setup of ['none', 'breakpoints', 'hot-watch'] as Setup[]) {
    const m = median(rates[setup]);
    const note = setup === 'hot-watch' ? ` (1 run${hotPaused ? ', paused after 15 s' : ''})` : '';
    console.log(`${labels[setup].padEnd(52)}${m.toFixed(1)} MIPS = ${((100 * m) / headMips).toFixed(1)} % of headless${note}`);
    results[`continue_${setup}`] = { mips: m, percentOfHeadless: (100 * m) / headMips };
  }
  const steps = await stepRoundTrips(adapter, program, 200);
  console.log(`step round trip (instruction), median of ${steps.instruction.length}:   ${median(steps.instruction).toFixed(2)} ms (max ${Math.max(...steps.instruction).toFixed(2)})`);
  console.log(`step round trip (line, next), median of ${steps.line.length}:     ${median(steps.line).toFixed(2)} ms (max ${Math.max(...steps.line).toFixed(2)})`);
  const launch = await launchTimes(adapter, { program }, 10);
  console.log(`launch request -> stopped on entry, median of 10: ${median(launch.fromLaunch).toFixed(1)} ms`);
  console.log(`adapter spawn -> stopped on entry, median of 10:  ${median(launch.fromSpawn).toFixed(1)} ms`);
  Object.assign(results, {
    stepInstructionMedianMs: median(steps.instruction),
    stepLineMedianMs: median(steps.line),
    launchToEntryMedianMs: median(launch.fromLaunch),
    spawnToEntryMedianMs: median(launch.fromSpawn),
  });
  const demo = path.join(ROOT, 'examples/driver-isolation/system.json');
  if (fs.existsSync(demo)) {
    const sys = (await launchTimes(adapter, { system: demo }, 10)).fromLaunch;
    console.log(`demo system: launch request -> stopped on entry, median of 10: ${median(sys).toFixed(1)} ms (max ${Math.max(...sys).toFixed(1)}; target <= 500)`);
    results.systemLaunchToEntryMedianMs = median(sys);
  }
  const outDir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'dap.json'), JSON.stringify(results, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
