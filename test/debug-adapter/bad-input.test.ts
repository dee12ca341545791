/**
 * Bad input to the real adapter process: malformed, unknown and out-of-order
 * requests, missing files and bad arguments get error responses (or unverified
 * breakpoints with a message), and the adapter keeps serving.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Programs, buildPrograms, failure, fixture, launch, sendRaw, sendRawRequest, startClient } from './support';

describe('debug adapter: bad input', function () {
  this.timeout(30_000);
  let dc: DebugClient;

  beforeEach(async () => {
    dc = await startClient();
  });

  afterEach(async () => {
    await dc.stop();
  });

  async function initialize(): Promise<void> {
    await dc.initializeRequest({ adapterID: 'pvlab', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  }

  it('refuses requests before initialize and a second initialize', async () => {
    assert.match(await failure(dc.threadsRequest()), /send "initialize" first/);
    await initialize();
    assert.match(await failure(dc.initializeRequest()), /already initialized/);
  });

  it('refuses requests that need a program before launch', async () => {
    await initialize();
    assert.match(await failure(dc.continueRequest({ threadId: 1 })), /no program is running/);
    assert.match(await failure(dc.stackTraceRequest({ threadId: 1 })), /no program is running/);
    assert.match(await failure(dc.send('readMemory', { memoryReference: '0x80000000', count: 4 })), /no program is running/);
    assert.match(await failure(dc.configurationDoneRequest()), /no program is running/);
    // Source breakpoints may come early: unverified until the program is loaded.
    const bps = await dc.setBreakpointsRequest({ source: { path: fixture('main.c') }, breakpoints: [{ line: 20 }] });
    assert.strictEqual(bps.body.breakpoints[0].verified, false);
    assert.match(bps.body.breakpoints[0].message ?? '', /not loaded yet/);
    assert.deepStrictEqual((await dc.threadsRequest()).body.threads, []);
  });

  it('reports a missing program, a directory, a bad launch argument and an missing system file', async () => {
    await initialize();
    assert.match(await failure(dc.launchRequest({ program: '/nonexistent/x.elf' } as DebugProtocol.LaunchRequestArguments)), /\/nonexistent\/x\.elf: no such file/);
    assert.match(await failure(dc.launchRequest({ program: os.tmpdir() } as DebugProtocol.LaunchRequestArguments)), /is a directory/);
    assert.match(await failure(dc.launchRequest({} as DebugProtocol.LaunchRequestArguments)), /needs "program"/);
    assert.match(await failure(dc.launchRequest({ program: 'x.elf', faults: [{ at: 1, kind: 'melt' }] } as DebugProtocol.LaunchRequestArguments)), /faults\[0\]\.kind must be one of/);
    assert.match(await failure(dc.launchRequest({ program: 'x.elf', sourceRoots: 'src' } as DebugProtocol.LaunchRequestArguments)), /"sourceRoots" must be an array of folder paths/);
    assert.match(await failure(dc.launchRequest({ system: '/tmp/no-such-system.json' } as DebugProtocol.LaunchRequestArguments)), /launch failed: invalid system file[\s\S]*no-such-system.json: cannot read the system file: file not found/);
    const notElf = path.join(os.tmpdir(), `pvlab-not-elf-${process.pid}.elf`);
    fs.writeFileSync(notElf, 'hello');
    try {
      assert.match(await failure(dc.launchRequest({ program: notElf } as DebugProtocol.LaunchRequestArguments)), /pvlab-not-elf.*: .*ELF/i);
    } finally {
      fs.rmSync(notElf, { force: true });
    }
    // Still alive and answering.
    assert.deepStrictEqual((await dc.threadsRequest()).body.threads, []);
  });

  it('reports an assembly file that does not assemble, with the assembler\'s messages', async () => {
    await initialize();
    const asm = path.join(os.tmpdir(), `pvlab-bad-${process.pid}.S`);
    fs.writeFileSync(asm, '_start:\n    addi a0, a0\n    frobnicate t0\n');
    try {
      const message = await failure(dc.launchRequest({ program: asm } as DebugProtocol.LaunchRequestArguments));
      assert.match(message, /does not assemble \(2 errors\)/);
      assert.match(message, /:2:/);
    } finally {
      fs.rmSync(asm, { force: true });
    }
  });

  it('answers malformed and unknown requests with errors and keeps running', async () => {
    await initialize();
    // Not JSON at all: no response is possible, but the adapter must survive (and say so).
    const said = dc.waitForEvent('output');
    sendRaw(dc, '{ this is not json');
    assert.match((await said).body.output, /ignored a message/);
    await new Promise((r) => setTimeout(r, 300)); // the base class would have exited after 100 ms
    // A request whose arguments are not an object.
    const arr = await sendRawRequest(dc, { command: 'threads', arguments: [1, 2] });
    assert.strictEqual(arr.success, false);
    assert.match(arr.message ?? '', /must be an object/);
    // No command.
    const none = await sendRawRequest(dc, { arguments: {} });
    assert.strictEqual(none.success, false);
    // Unknown command.
    assert.match(await failure(dc.send('fooBar', {})), /unknown request 'fooBar'/);
    assert.deepStrictEqual((await dc.threadsRequest()).body.threads, []);
  });

  describe('with a program', () => {
    let progs: Programs;
    before(function () {
      progs = buildPrograms(this);
    });

    it('rejects bad arguments of every request kind with a message', async () => {
      await launch(dc, { program: progs.c, stopOnEntry: true });
      assert.match(await failure(dc.launchRequest({ program: progs.c } as DebugProtocol.LaunchRequestArguments)), /already running/);
      assert.match(await failure(dc.configurationDoneRequest()), /already done/);
      assert.match(await failure(dc.stackTraceRequest({ threadId: 99 })), /no thread 99/);
      assert.match(await failure(dc.scopesRequest({ frameId: 12345 })), /unknown frame/);
      assert.match(await failure(dc.variablesRequest({ variablesReference: 999 })), /no variables with reference 999/);
      assert.match(await failure(dc.send('setBreakpoints', { breakpoints: [{ line: 3 }] })), /needs a "source"/);
      assert.match(await failure(dc.send('setBreakpoints', { source: { path: fixture('main.c') }, breakpoints: [{ line: 'x' }] })), /integer "line"/);
      assert.match(await failure(dc.send('readMemory', { memoryReference: '0x80000000' })), /non-negative "count"/);
      assert.match(await failure(dc.send('readMemory', { memoryReference: 'no_such_symbol', count: 4 })), /no register, symbol or CSR/);
      assert.match(await failure(dc.send('writeMemory', { memoryReference: '0x80000000', data: '!!!' })), /not valid base64/);
      assert.match(await failure(dc.send('writeMemory', { memoryReference: '0x10000000', data: 'AAAA' })), /not RAM/);
      assert.match(await failure(dc.send('disassemble', { memoryReference: '0x80000000' })), /instructionCount/);
      assert.match(await failure(dc.send('setDataBreakpoints', { breakpoints: [{}] })), /dataId/);
      const wrongId = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'nonsense' }] });
      assert.strictEqual(wrongId.body.breakpoints[0].verified, false);
      const mmio = await dc.dataBreakpointInfoRequest({ name: '0x10000000', asAddress: true });
      assert.strictEqual(mmio.body.dataId, null);
      const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'counter' }] });
      assert.match(fb.body.breakpoints[0].message ?? '', /data, not code/);
      const other = await dc.setBreakpointsRequest({ source: { path: '/somewhere/else.c' }, breakpoints: [{ line: 3 }] });
      assert.match(other.body.breakpoints[0].message ?? '', /else\.c is not part of the program's debug information/);
      const filters = await dc.setExceptionBreakpointsRequest({ filters: ['guestTrap', 'bogus'] });
      assert.deepStrictEqual(filters.body?.breakpoints?.map((b) => b.verified), [true, false]);
      assert.match(await failure(dc.evaluateRequest({ expression: '1 +', context: 'repl' })), /expected a value/);
      assert.match(await failure(dc.evaluateRequest({ expression: '1 / 0', context: 'watch' })), /division by zero/);
      assert.match(await failure(dc.evaluateRequest({ expression: '*(u32*)0x10', context: 'watch' })), /cannot read 4 bytes at 0x00000010/);
      assert.match(await failure(dc.send('pvlab.restartVm', { vm: 'virt' })), /needs the hypervisor/);
      assert.match(await failure(dc.exceptionInfoRequest({ threadId: 1 })), /did not stop on an exception/);
      // stepOut of the outermost frame
      assert.match(await failure(dc.stepOutRequest({ threadId: 1 })), /no known caller/);
      // ...and the session still works.
      const st = await dc.stackTraceRequest({ threadId: 1 });
      assert.strictEqual(st.body.stackFrames[0].name, '_start');
    });
  });
});
