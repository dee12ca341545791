/**
 * Debugging VMs of the demo system (examples/driver-isolation) through the real
 * adapter: which session the client focuses at a stop, source paths the client
 * can open, conditions / hit counts / log points in VM sessions, and VM stacks.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { SourceResolver } from '../../debug-adapter/sources';
import { andStop, startClient } from './support';
import { CAPS, DEMO, REPO, collect, launchMulti, until, demoClients } from './system-support';

const BLKBACK = path.join(REPO, 'guests/blk-driver/blkback.c');

async function setInstructionBreakpoints(dc: DebugClient, args: DebugProtocol.SetInstructionBreakpointsArguments): Promise<DebugProtocol.SetInstructionBreakpointsResponse> {
  return (await dc.send('setInstructionBreakpoints', args)) as DebugProtocol.SetInstructionBreakpointsResponse;
}

function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${text} not in ${file}`);
  return i + 1;
}

describe('debug adapter: debugging the VMs of a system', function () {
  this.timeout(60_000);
  const clients = demoClients();

  it('focus: the VM that stopped gets its stopped event last; the others preserve focus', async () => {
    const { parent, kids } = await launchMulti(clients);
    const blk = kids.get('blkdrv')!;
    const fb = await blk.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request' }] });
    assert.strictEqual(fb.body.breakpoints[0].verified, true);
    let seq = 0;
    const got: { vm: string; seq: number; ev: DebugProtocol.StoppedEvent }[] = [];
    for (const [vm, dc] of kids) dc.on('stopped', (ev: DebugProtocol.StoppedEvent) => got.push({ vm, seq: seq++, ev }));
    const parentStops: DebugProtocol.StoppedEvent[] = [];
    const parentContinues: DebugProtocol.ContinuedEvent[] = [];
    parent.on('stopped', (ev: DebugProtocol.StoppedEvent) => parentStops.push(ev));
    parent.on('continued', (ev: DebugProtocol.ContinuedEvent) => parentContinues.push(ev));
    await blk.continueRequest({ threadId: 1 });
    await until(() => got.length === 3 && parentStops.length === 1);
    // The thread-less parent hears the stop too (so a client shows it paused, not running), without taking the focus.
    assert.strictEqual(parentContinues.length, 1);
    assert.strictEqual(parentContinues[0].body.allThreadsContinued, true);
    assert.strictEqual(parentStops[0].body.threadId, undefined);
    assert.strictEqual(parentStops[0].body.preserveFocusHint, true);
    assert.strictEqual(parentStops[0].body.description, 'paused in VM blkdrv on function breakpoint');
    const cause = got.find((g) => g.vm === 'blkdrv')!;
    assert.strictEqual(cause.ev.body.reason, 'function breakpoint');
    assert.notStrictEqual(cause.ev.body.preserveFocusHint, true, 'the cause takes the focus');
    assert.strictEqual(cause.seq, 2, `the cause's event comes last: ${got.map((g) => g.vm).join(', ')}`);
    for (const g of got.filter((x) => x.vm !== 'blkdrv')) {
      assert.strictEqual(g.ev.body.reason, 'pause');
      assert.strictEqual(g.ev.body.preserveFocusHint, true, `${g.vm} keeps the focus where it is`);
      assert.strictEqual(g.ev.body.description, 'stopped with VM blkdrv');
      assert.strictEqual(g.ev.body.allThreadsStopped, true);
    }
  });

  it('sources: relative DWARF paths resolve to files of the repository; breakpoints by that path verify and are hit', async () => {
    const { kids } = await launchMulti(clients);
    const blk = kids.get('blkdrv')!;
    const fb = await blk.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request' }] });
    assert.strictEqual(fb.body.breakpoints[0].source?.path, BLKBACK, 'the breakpoint names the file on disk');
    await andStop(blk, blk.continueRequest({ threadId: 1 }));
    const top = (await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    assert.match(top.name, /^take_request/);
    const file = top.source?.path ?? '';
    assert.ok(path.isAbsolute(file), `an absolute path: ${file}`);
    assert.strictEqual(file, BLKBACK);
    assert.ok(fs.existsSync(file));
    assert.notStrictEqual(top.source?.presentationHint, 'deemphasize');
    // Disassembly locations name the same file.
    const dis = await blk.disassembleRequest({ memoryReference: top.instructionPointerReference!, instructionCount: 4 });
    assert.strictEqual(dis.body?.instructions.find((i) => i.location)?.location?.path, BLKBACK);

    // A line breakpoint set with that absolute path (as VS Code sends it) verifies and is hit.
    await blk.setFunctionBreakpointsRequest({ breakpoints: [] });
    const line = lineOf(BLKBACK, 'be->req_cons++;');
    const bp = await blk.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line }] });
    assert.strictEqual(bp.body.breakpoints[0].verified, true, bp.body.breakpoints[0].message);
    const ev = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [bp.body.breakpoints[0].id]);
    const at = (await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    assert.strictEqual(at.source?.path, BLKBACK);
    assert.strictEqual(at.line, line);
  });

  it('sources: sourceRoots are searched first', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-src-'));
    const copy = path.join(root, 'guests/blk-driver/blkback.c');
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(BLKBACK, copy);
    const { kids } = await launchMulti(clients, { sourceRoots: [root] });
    const blk = kids.get('blkdrv')!;
    await blk.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request' }] });
    await andStop(blk, blk.continueRequest({ threadId: 1 }));
    const frames = (await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.strictEqual(frames[0].source?.path, copy, 'the copy under sourceRoots wins');
    // Files not under the root still come from the repository.
    const kernel = frames.find((f) => f.source?.path?.includes('/guests/kernel/'));
    if (kernel) assert.ok(kernel.source!.path!.startsWith(REPO + '/'), kernel.source!.path);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('sources: the resolver tries sourceRoots, then the launched file\'s folder and its ancestors', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-res-'));
    try {
      const sys = path.join(top, 'a/b/c/system.json');
      fs.mkdirSync(path.dirname(sys), { recursive: true });
      fs.mkdirSync(path.join(top, 'a/guests'), { recursive: true });
      fs.mkdirSync(path.join(top, 'roots/guests'), { recursive: true });
      fs.writeFileSync(path.join(top, 'a/guests/x.c'), '');
      fs.writeFileSync(path.join(top, 'roots/guests/y.c'), '');
      fs.writeFileSync(path.join(top, 'a/guests/y.c'), '');
      const r = new SourceResolver(['roots'], sys, top);
      assert.deepStrictEqual(r.searchPath.slice(0, 4), [path.join(top, 'roots'), path.join(top, 'a/b/c'), path.join(top, 'a/b'), path.join(top, 'a')]);
      assert.deepStrictEqual(r.source('guests/x.c'), { name: 'x.c', path: path.join(top, 'a/guests/x.c') });
      assert.strictEqual(r.source('./guests/y.c').path, path.join(top, 'roots/guests/y.c'), 'sourceRoots come first');
      assert.deepStrictEqual(r.source('guests/none.c'), { name: 'none.c', path: 'guests/none.c', presentationHint: 'deemphasize' });
      assert.deepStrictEqual(r.source('/build/libgcc/libgcc2.c'), { name: 'libgcc2.c', path: '/build/libgcc/libgcc2.c', presentationHint: 'deemphasize' });
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });

  it('single-session mode: log points print to the session marked with their VM', async () => {
    const dc = await startClient();
    clients.push(dc);
    await dc.initializeRequest(CAPS);
    const initialized = dc.waitForEvent('initialized');
    const entry = dc.waitForEvent('stopped');
    await dc.launchRequest({ system: DEMO, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.configurationDoneRequest();
    await entry;
    const logs = collect<DebugProtocol.OutputEvent>(dc, 'output');
    const line = lineOf(BLKBACK, 'be->req_cons++;');
    const lp = await dc.setBreakpointsRequest({ source: { path: BLKBACK }, breakpoints: [{ line, logMessage: 'cons' }] });
    assert.strictEqual(lp.body.breakpoints[0].verified, true);
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request', hitCondition: '== 2' }] });
    assert.strictEqual(fb.body.breakpoints[0].verified, true);
    const ev = await andStop(dc, dc.continueRequest({ threadId: 2 }));
    assert.strictEqual(ev.body.reason, 'function breakpoint');
    assert.strictEqual(ev.body.threadId, 2);
    assert.deepStrictEqual(logs.map((e) => e.body.output).filter((o) => o.includes('cons')), ['[blkdrv] cons\n']);
  });

  it('a VM session honours conditions, hit counts and log points', async () => {
    const { parent, kids, caps } = await launchMulti(clients);
    const blk = kids.get('blkdrv')!;
    const c = caps.get('blkdrv')!;
    assert.deepStrictEqual([c.supportsConditionalBreakpoints, c.supportsHitConditionalBreakpoints, c.supportsLogPoints, c.supportsInstructionBreakpoints], [true, true, true, true]);
    const logs = collect<DebugProtocol.OutputEvent>(blk, 'output');
    const parentLogs = collect<DebugProtocol.OutputEvent>(parent, 'output');
    const line = lineOf(BLKBACK, 'be->req_cons++;');

    // A log point on a line, and a stop at the same instruction on its third hit.
    const lp = await blk.setBreakpointsRequest({ source: { path: BLKBACK }, breakpoints: [{ line, logMessage: 'take {pc} cons {{x}}' }] });
    assert.strictEqual(lp.body.breakpoints[0].verified, true, lp.body.breakpoints[0].message);
    const at = lp.body.breakpoints[0].instructionReference!;
    const ib = await setInstructionBreakpoints(blk, { breakpoints: [{ instructionReference: at, hitCondition: '3' }] });
    assert.strictEqual(ib.body.breakpoints[0].verified, true, ib.body.breakpoints[0].message);
    const third = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(third.body.reason, 'instruction breakpoint');
    assert.deepStrictEqual(third.body.hitBreakpointIds, [ib.body.breakpoints[0].id]);
    const lines = logs.map((e) => e.body.output).filter((o) => o.startsWith('take '));
    assert.deepStrictEqual(lines, [1, 2, 3].map(() => `take ${at} cons {x}\n`), 'the log point printed at each of the three hits, in the VM session');
    assert.ok(!parentLogs.some((e) => e.body.output.startsWith('take ')), 'log points go to the VM session only');
    assert.strictEqual((await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].instructionPointerReference, at);

    // Conditions over registers and memory: one that holds stops, one that does not is passed.
    const bad = await setInstructionBreakpoints(blk, { breakpoints: [{ instructionReference: at, condition: 'pc ==' }] });
    assert.strictEqual(bad.body.breakpoints[0].verified, false);
    assert.match(bad.body.breakpoints[0].message ?? '', /^bad condition: /);
    const yes = await setInstructionBreakpoints(blk, { breakpoints: [{ instructionReference: at, condition: `pc == ${at} && *(u32*)pc != 0 && sp != 0` }] });
    assert.strictEqual(yes.body.breakpoints[0].verified, true);
    const held = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(held.body.reason, 'instruction breakpoint');
    // A function breakpoint whose condition never holds: the run goes on to the end, the log point still prints.
    await setInstructionBreakpoints(blk, { breakpoints: [] });
    const fb = await blk.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request', condition: '*(u32*)pc == 0' }] });
    assert.strictEqual(fb.body.breakpoints[0].verified, true);
    const before = logs.length;
    const stops = collect(blk, 'stopped');
    const exited = parent.waitForEvent('exited', 30_000);
    await blk.continueRequest({ threadId: 1 });
    await exited;
    assert.strictEqual(stops.length, 0, 'a condition that does not hold does not stop');
    assert.ok(logs.filter((e) => e.body.output.startsWith('take ')).length > 4 && logs.length > before);
  });

  it('a VM stack unwinds through the DWARF CFI of its image, up to the kernel\'s main loop, with the call lines', async () => {
    const { kids } = await launchMulti(clients);
    const blk = kids.get('blkdrv')!;
    await blk.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request' }] });
    await andStop(blk, blk.continueRequest({ threadId: 1 }));
    const st = await blk.stackTraceRequest({ threadId: 1 });
    const frames = st.body.stackFrames;
    const fn = (f: DebugProtocol.StackFrame) => f.name;
    assert.deepStrictEqual(frames.map(fn).slice(0, 6), ['take_request', 'blkback_poll', 'pvk_run_once', 'pvk_run', 'pvk_main', 'pvk_start'], frames.map((f) => f.name).join(' <- '));
    assert.strictEqual(st.body.totalFrames, frames.length);
    // Each outer frame shows the line of its call, in a file the client can open.
    const text = (f: DebugProtocol.StackFrame) => fs.readFileSync(f.source!.path!, 'utf8').split('\n')[f.line - 1];
    assert.match(text(frames[1]), /take_request\(be\)/);
    assert.match(text(frames[2]), /pollers\[i\]\.fn\(/);
    assert.match(text(frames[3]), /pvk_run_once\(\)/);
    assert.match(text(frames[4]), /pvk_run\(\)/);
    assert.match(text(frames[5]), /pvk_main\(\)/);
    for (const f of frames.slice(0, 6)) {
      assert.ok(path.isAbsolute(f.source?.path ?? '') && fs.existsSync(f.source!.path!), `${f.name}: ${f.source?.path}`);
      assert.match(f.instructionPointerReference ?? '', /^0x8000[0-9a-f]{4}$/);
    }
    // Paging: a frame's levels.
    const tail = await blk.stackTraceRequest({ threadId: 1, startFrame: 2, levels: 2 });
    assert.deepStrictEqual(tail.body.stackFrames.map((f) => f.name), frames.slice(2, 4).map((f) => f.name));

    // An outer frame's registers are the unwound ones: its sp is above the inner frame's.
    const inner = (await blk.evaluateRequest({ expression: 'sp', frameId: frames[0].id })).body.result;
    const outer = (await blk.evaluateRequest({ expression: 'sp', frameId: frames[1].id })).body.result;
    assert.ok(Number(outer) > Number(inner), `${outer} > ${inner}`);
    assert.strictEqual((await blk.evaluateRequest({ expression: 'pc', frameId: frames[1].id })).body.result, frames[1].instructionPointerReference);
    // The whole expression language: C operators, casts, memory through the vCPU's view.
    assert.strictEqual((await blk.evaluateRequest({ expression: '(sp + 16 == sp + 0x10) && *(u32*)pc != 0', frameId: frames[0].id })).body.result, '0x00000001');
    const scopes = (await blk.scopesRequest({ frameId: frames[1].id })).body.scopes;
    assert.strictEqual(scopes[0].name, 'Registers (unwound)');
    const regs = (await blk.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    assert.strictEqual(regs.find((r) => r.name === 'sp')?.value, outer);

    // stepOut returns to the caller (the unwound return address), in blkback_poll.
    await blk.setFunctionBreakpointsRequest({ breakpoints: [] });
    const out = await andStop(blk, blk.stepOutRequest({ threadId: 1 }));
    assert.strictEqual(out.body.reason, 'step');
    const after = (await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.strictEqual(fn(after[0]), 'blkback_poll');
    assert.strictEqual(after[0].instructionPointerReference, frames[1].instructionPointerReference);
    assert.strictEqual(fn(after[1]), 'pvk_run_once');
  });

  it('a crash and the restart that follows at once in the same run: the crash stop first, the restart at the next continue', async () => {
    // The demo with restarts without back-off: the hypervisor restarts the VM in the slice of its crash.
    const cfg = JSON.parse(fs.readFileSync(DEMO, 'utf8'));
    delete cfg.$schema;
    for (const vm of cfg.vms) {
      vm.image = path.resolve(path.dirname(DEMO), vm.image);
      if (vm.restart) vm.restart.initialBackoffMs = 0;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-sys-'));
    const system = path.join(dir, 'system.json');
    fs.writeFileSync(system, JSON.stringify(cfg));
    try {
      const { parent, kids } = await launchMulti(clients, { system });
      const blk = kids.get('blkdrv')!;
      await parent.setExceptionBreakpointsRequest({ filters: ['vmCrash', 'vmRestart'] });
      const restarts = collect(parent, 'pvlab.restart');
      await parent.send('pvlab.injectFault', { vm: 'blkdrv', kind: 'trap', atMs: 5 });
      const crash = await andStop(blk, blk.continueRequest({ threadId: 1 }));
      assert.strictEqual(crash.body.reason, 'exception');
      assert.match(crash.body.description ?? '', /^VM blkdrv crashed: /);
      assert.strictEqual((await blk.exceptionInfoRequest({ threadId: 1 })).body.description, crash.body.description);
      await until(() => restarts.length === 1); // it did restart in that run already
      const restart = await andStop(blk, blk.continueRequest({ threadId: 1 }));
      assert.strictEqual(restart.body.reason, 'exception');
      assert.strictEqual(restart.body.description, 'VM blkdrv restarted (restart 1)');
      assert.strictEqual(restarts.length, 1, 'the restart was reported, not repeated');
      // Without the crash filter only the restart stops.
      await parent.setExceptionBreakpointsRequest({ filters: ['vmRestart'] });
      await parent.send('pvlab.injectFault', { vm: 'blkdrv', kind: 'trap' });
      const only = await andStop(blk, blk.continueRequest({ threadId: 1 }));
      assert.strictEqual(only.body.description, 'VM blkdrv restarted (restart 2)');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
