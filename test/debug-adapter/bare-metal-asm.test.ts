/**
 * The debug adapter on bare-metal assembly programs (built with gcc -g from .S):
 * line breakpoints, line and instruction stepping, a call into a subroutine,
 * output, exit code, and pause on a program that never ends.
 */
import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Programs, andStop, buildPrograms, failure, fixture, launch, line, startClient, topFrame } from './support';

const PROG = fixture('prog.S');
const SPIN = fixture('spin.S');
const STANDALONE = fixture('standalone.S');

describe('debug adapter: bare-metal assembly program', function () {
  this.timeout(30_000);
  let progs: Programs;
  let dc: DebugClient;

  before(function () {
    progs = buildPrograms(this);
  });

  beforeEach(async () => {
    dc = await startClient();
  });

  afterEach(async () => {
    await dc.stop();
  });

  it('stops at line breakpoints, steps by line and instruction, and exits with the program\'s code', async () => {
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') outputs.push(e.body.output);
    });
    const entry = await launch(dc, { program: progs.asm, stopOnEntry: true });
    assert.strictEqual(entry?.body.reason, 'entry');
    let f = await topFrame(dc);
    assert.deepStrictEqual([f.source?.path, f.line], [PROG, line('prog.S', 'start')]);

    const bps = await dc.setBreakpointsRequest({
      source: { path: PROG },
      breakpoints: [{ line: line('prog.S', 'count_inc') }, { line: 1 }],
    });
    assert.strictEqual(bps.body.breakpoints[0].verified, true);
    assert.strictEqual(bps.body.breakpoints[1].verified, false, 'line 1 is a comment');
    assert.match(bps.body.breakpoints[1].message ?? '', /no code at line 1 of prog\.S/);
    const locations = await dc.send('breakpointLocations', { source: { path: PROG }, line: line('prog.S', 'count_init'), endLine: line('prog.S', 'count_test') });
    assert.deepStrictEqual(locations.body.breakpoints.map((b: { line: number }) => b.line), [
      line('prog.S', 'count_init'), line('prog.S', 'count_inc'), line('prog.S', 'count_inc') + 1, line('prog.S', 'count_test'),
    ]);

    const ev = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'breakpoint');
    f = await topFrame(dc);
    assert.strictEqual(f.line, line('prog.S', 'count_inc'));
    assert.strictEqual(f.name, '_start', 'the local label loop lies inside the sized symbol _start');
    assert.strictEqual(outputs.join(''), 'asm ok\n', 'print ran before the loop');
    assert.strictEqual((await dc.evaluateRequest({ expression: 's1', context: 'watch' })).body.result, '0 (0x00000000)');

    // Line steps in assembly: one source line per instruction.
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, line('prog.S', 'count_inc') + 1);
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, line('prog.S', 'count_test'));
    // The branch goes back to the breakpoint's line: a step stops there.
    await andStop(dc, dc.stepInRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, line('prog.S', 'count_inc'));
    await andStop(dc, dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual((await dc.evaluateRequest({ expression: 's1', context: 'watch' })).body.result, '2 (0x00000002)');

    // The breakpoint is hit on each of the remaining iterations, then the program exits with 7.
    await dc.setBreakpointsRequest({ source: { path: PROG }, breakpoints: [{ line: line('prog.S', 'count_inc'), hitCondition: '3' }] });
    await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual((await dc.evaluateRequest({ expression: 's1', context: 'watch' })).body.result, '4 (0x00000004)');
    await dc.setBreakpointsRequest({ source: { path: PROG }, breakpoints: [] });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 7);
  });

  it('steps into an assembly subroutine and out again', async () => {
    await launch(dc, { program: progs.asm, stopOnEntry: true });
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    let f = await topFrame(dc);
    assert.strictEqual(f.line, line('prog.S', 'start') + 2, 'at "call print"');
    await andStop(dc, dc.stepInRequest({ threadId: 1 }));
    f = await topFrame(dc);
    assert.deepStrictEqual([f.name, f.line], ['print', line('prog.S', 'print_first')], 'hand-written code has no prologue to skip');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepStrictEqual(st.body.stackFrames.map((x) => x.name.replace(/\+.*/, '')), ['print', '_start']);
    await andStop(dc, dc.stepOutRequest({ threadId: 1 }));
    f = await topFrame(dc);
    assert.deepStrictEqual([f.name.replace(/\+.*/, ''), f.line], ['_start', line('prog.S', 'count_init')]);
    // stepping over the call from its line runs print entirely
  });

  it('launches a .S file through pvlab\'s assembler, with line breakpoints in it', async () => {
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') outputs.push(e.body.output);
    });
    await launch(dc, { program: STANDALONE, stopOnEntry: true });
    let f = await topFrame(dc);
    assert.deepStrictEqual([f.name, f.source?.path], ['_start', STANDALONE]);
    const bps = await dc.setBreakpointsRequest({ source: { path: STANDALONE }, breakpoints: [{ line: line('standalone.S', 'sum_done') }, { line: line('standalone.S', 'puts_first') }] });
    assert.deepStrictEqual(bps.body.breakpoints.map((b) => b.verified), [true, true]);
    await andStop(dc, dc.continueRequest({ threadId: 1 }));
    f = await topFrame(dc);
    assert.strictEqual(f.line, line('standalone.S', 'sum_done'));
    assert.strictEqual((await dc.evaluateRequest({ expression: 'a0', context: 'watch' })).body.result, '55 (0x00000037)');
    await andStop(dc, dc.continueRequest({ threadId: 1 }));
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepStrictEqual(st.body.stackFrames.map((x) => [x.name.replace(/\+.*/, ''), x.line]), [
      ['puts', line('standalone.S', 'puts_first')],
      ['_start', line('standalone.S', 'sum_done') + 2],
    ]);
    await dc.setBreakpointsRequest({ source: { path: STANDALONE }, breakpoints: [] });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 55);
    assert.strictEqual(outputs.join(''), 'sum ok\n');
  });

  it('traces instructions, traps and injected faults to the debug console when asked', async () => {
    const lines: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'console') lines.push(...e.body.output.split('\n'));
    });
    const exited = dc.waitForEvent('exited');
    await launch(dc, { program: progs.asm, trace: { instructions: true, faults: true }, faults: [{ at: 3, kind: 'set-register', register: 's2', value: 9 }] });
    assert.strictEqual((await exited).body.exitCode, 7);
    await new Promise((r) => setTimeout(r, 100));
    assert.match(lines[0], /^0x80000000: [0-9a-f]{8} {2}auipc\s+sp,0x\d+ {4}sp=0x[0-9a-f]{8}$/);
    assert.ok(lines.some((l) => /^fault: set s2 to 0x00000009$/.test(l)), lines.slice(0, 8).join('\n'));
    assert.ok(lines.some((l) => /sw\s+t1,0\(t0\)/.test(l)), 'the finisher store is traced');
  });

  it('pauses a program that never ends, and refuses to step while it runs', async () => {
    await launch(dc, { program: progs.spin });
    await new Promise((r) => setTimeout(r, 200));
    assert.match(await failure(dc.stackTraceRequest({ threadId: 1 })), /running/);
    assert.match(await failure(dc.nextRequest({ threadId: 1 })), /running/);
    const threads = await dc.threadsRequest();
    assert.strictEqual(threads.body.threads.length, 1);
    const ev = await andStop(dc, dc.pauseRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'pause');
    const f = await topFrame(dc);
    assert.strictEqual(f.source?.path, SPIN);
    const spins = (await dc.evaluateRequest({ expression: '*(u32*)spins', context: 'watch' })).body.result;
    assert.ok(Number(spins.split(' ')[0]) > 1000, spins);
  });
});
