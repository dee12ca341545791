/**
 * `"sessions": "multi"`: the launch session becomes the system (parent) session
 * and asks the client, with the DAP startDebugging reverse request, for one
 * child session per VM; the child attaches to the parent's in-process server and
 * its threads are that VM's harts. Bare metal has one VM, so one child.
 */
import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Programs, andStop, buildPrograms, fixture, line, startClient } from './support';
import { type ReverseRequest, onReverseRequest } from './system-support';


describe('debug adapter: parent and child sessions (startDebugging)', function () {
  this.timeout(30_000);
  let progs: Programs;
  let parent: DebugClient;
  let child: DebugClient | undefined;

  before(function () {
    progs = buildPrograms(this);
  });

  afterEach(async () => {
    await child?.stop();
    await parent.stop();
  });

  it('starts one child session per VM whose threads are the VM\'s harts', async () => {
    parent = await startClient();
    const requests: ReverseRequest[] = [];
    onReverseRequest(parent, (r) => {
      requests.push(r);
      return r.command === 'startDebugging';
    });
    await parent.initializeRequest({ adapterID: 'pvlab', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsStartDebuggingRequest: true });
    const initialized = parent.waitForEvent('initialized');
    await parent.launchRequest({ program: progs.c, stopOnEntry: true, sessions: 'multi' } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await parent.configurationDoneRequest();
    for (let i = 0; i < 100 && requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(requests.length, 1);
    const { request, configuration } = requests[0].arguments;
    assert.strictEqual(request, 'attach');
    assert.strictEqual(configuration.vm, 'virt');
    assert.strictEqual(typeof configuration.debugServer, 'number');
    assert.deepStrictEqual((await parent.threadsRequest()).body.threads, [], 'the system session has no threads of its own');

    // The client starts the child session on the port the parent gave.
    child = new DebugClient('node', '', 'pvlab');
    await child.start(configuration.debugServer as number);
    await child.initializeRequest({ adapterID: 'pvlab', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const childInit = child.waitForEvent('initialized');
    const entry = child.waitForEvent('stopped', 10_000);
    await child.attachRequest(configuration as DebugProtocol.AttachRequestArguments);
    await childInit;
    await child.configurationDoneRequest();
    assert.strictEqual((await entry).body.reason, 'entry');
    assert.deepStrictEqual((await child.threadsRequest()).body.threads.map((t) => t.name), ['cpu0']);
    const vms = await parent.send('pvlab.listVms');
    assert.strictEqual(vms.body.vms[0].state, 'paused');

    // Breakpoints, stacks and memory live in the child: plain 0x… guest-physical references.
    // (VS Code sends breakpoints to every session: the system session answers but does not install them.)
    const main = fixture('main.c');
    const inParent = await parent.setBreakpointsRequest({ source: { path: main }, breakpoints: [{ line: line('main.c', 'acc_first') }] });
    assert.strictEqual(inParent.body.breakpoints[0].verified, true);
    const bps = await child.setBreakpointsRequest({ source: { path: main }, breakpoints: [{ line: line('main.c', 'square_body') }] });
    assert.strictEqual(bps.body.breakpoints[0].verified, true);
    const ev = await andStop(child, child.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'breakpoint');
    const st = await child.stackTraceRequest({ threadId: 1 });
    assert.strictEqual(st.body.stackFrames[0].line, line('main.c', 'square_body'));
    const mem = await child.send('readMemory', { memoryReference: st.body.stackFrames[0].instructionPointerReference, count: 4 });
    assert.strictEqual(Buffer.from(mem.body.data, 'base64').length, 4);

    // The end of the run reaches both sessions.
    await child.setBreakpointsRequest({ source: { path: main }, breakpoints: [] });
    const exitedParent = parent.waitForEvent('exited');
    const exitedChild = child.waitForEvent('exited');
    await child.continueRequest({ threadId: 1 });
    assert.strictEqual((await exitedParent).body.exitCode, 50);
    assert.strictEqual((await exitedChild).body.exitCode, 50);
  });

  it('falls back to one session when the client cannot start child sessions', async () => {
    parent = await startClient();
    child = undefined;
    await parent.initializeRequest({ adapterID: 'pvlab', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const note = parent.waitForEvent('output');
    const initialized = parent.waitForEvent('initialized');
    await parent.launchRequest({ program: progs.c, stopOnEntry: true, sessions: 'multi' } as DebugProtocol.LaunchRequestArguments);
    assert.match((await note).body.output, /cannot start child sessions/);
    await initialized;
    const entry = parent.waitForEvent('stopped');
    await parent.configurationDoneRequest();
    await entry;
    assert.deepStrictEqual((await parent.threadsRequest()).body.threads.map((t) => t.name), ['virt/cpu0']);
  });

  it('refuses an attach that does not come from a parent session', async () => {
    parent = await startClient();
    child = undefined;
    await parent.initializeRequest({ adapterID: 'pvlab', pathFormat: 'path' });
    await assert.rejects(parent.attachRequest({ vm: 'virt' } as DebugProtocol.AttachRequestArguments), /attach only as children/);
  });
});
