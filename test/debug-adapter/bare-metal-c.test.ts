/**
 * The debug adapter on a bare-metal C program (with an assembly helper), driven
 * through the real adapter process by DebugClient: launch, breakpoints of every
 * kind, stacks, scopes, stepping, memory, disassembly, evaluate, output and exit.
 */
import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Programs, andStop, buildPrograms, failure, fixture, launch, line, startClient, topFrame } from './support';

const MAIN = fixture('main.c');
const SUM = fixture('sum.S');

describe('debug adapter: bare-metal C program', function () {
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

  /** Launch stopped on entry, set source breakpoints, continue to the first hit. */
  async function runTo(file: string, marker: string, extra: Record<string, unknown> = {}): Promise<DebugProtocol.StoppedEvent> {
    await launch(dc, { program: progs.c, stopOnEntry: true, ...extra });
    const bps = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: line(file === MAIN ? 'main.c' : 'sum.S', marker) }] });
    assert.ok(bps.body.breakpoints[0].verified, bps.body.breakpoints[0].message);
    return andStop(dc, dc.continueRequest({ threadId: 1 }));
  }

  async function variables(ref: number): Promise<DebugProtocol.Variable[]> {
    return (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  }

  async function evaluate(expression: string, context = 'watch'): Promise<string> {
    return (await dc.evaluateRequest({ expression, context })).body.result;
  }

  it('stops on entry with a thread per hart and the entry point in crt0.S', async () => {
    const ev = await launch(dc, { program: progs.c, stopOnEntry: true });
    assert.strictEqual(ev?.body.reason, 'entry');
    const threads = await dc.threadsRequest();
    assert.deepStrictEqual(threads.body.threads.map((t) => t.name), ['virt/cpu0']);
    const f = await topFrame(dc);
    assert.strictEqual(f.name, '_start');
    assert.strictEqual(f.instructionPointerReference, '0x80000000');
    assert.strictEqual(f.source?.path, fixture('crt0.S'));
    assert.ok(f.line > 0);
  });

  it('stops at a C line breakpoint with an unwound stack of source frames', async () => {
    await launch(dc, { program: progs.c, stopOnEntry: true });
    const bps = await dc.setBreakpointsRequest({
      source: { path: MAIN },
      breakpoints: [{ line: line('main.c', 'square_body') }, { line: line('main.c', 'nocode') }],
    });
    const [good, none] = bps.body.breakpoints;
    assert.strictEqual(good.verified, true);
    assert.strictEqual(good.line, line('main.c', 'square_body'));
    assert.strictEqual(none.verified, false);
    assert.match(none.message ?? '', /no code at line \d+ of main\.c/);
    const ev = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [good.id]);
    assert.strictEqual(ev.body.allThreadsStopped, true);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const frames = st.body.stackFrames;
    assert.deepStrictEqual(frames.map((f) => f.name), ['square', 'accumulate', 'main', '_start']);
    assert.deepStrictEqual(frames.slice(0, 3).map((f) => [f.source?.path, f.line]), [
      [MAIN, line('main.c', 'square_body')],
      [MAIN, line('main.c', 'acc_call')],
      [MAIN, line('main.c', 'main_acc')],
    ]);
    for (const f of frames) assert.match(f.instructionPointerReference ?? '', /^0x[0-9a-f]{8}$/);
    assert.strictEqual(st.body.totalFrames, 4);
    const two = await dc.stackTraceRequest({ threadId: 1, startFrame: 1, levels: 2 });
    assert.deepStrictEqual(two.body.stackFrames.map((f) => f.name), ['accumulate', 'main']);
  });

  it('stops at a line breakpoint in an assembly file called from C', async () => {
    const ev = await runTo(SUM, 'asm_load');
    assert.strictEqual(ev.body.reason, 'breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const [f0, f1] = st.body.stackFrames;
    assert.strictEqual(f0.name, 'asm_sum');
    assert.strictEqual(f0.source?.path, SUM);
    assert.strictEqual(f0.line, line('sum.S', 'asm_load'));
    assert.strictEqual(f1.source?.path, MAIN);
    assert.strictEqual(f1.line, line('main.c', 'main_asm'));
    // Instruction stepping through the assembly goes one line at a time.
    await andStop(dc, dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual((await topFrame(dc)).line, line('sum.S', 'asm_load') + 1);
  });

  it('shows registers, grouped CSRs, the VM and devices, and sets registers and CSRs', async () => {
    await runTo(MAIN, 'square_body');
    const f = await topFrame(dc);
    const scopes = (await dc.scopesRequest({ frameId: f.id })).body.scopes;
    assert.deepStrictEqual(scopes.map((s) => s.name), ['Registers', 'CSRs', 'VM virt', 'Devices']);
    const regs = await variables(scopes[0].variablesReference);
    assert.deepStrictEqual(regs.slice(0, 3).map((r) => r.name), ['x0 (zero)', 'x1 (ra)', 'x2 (sp)']);
    assert.strictEqual(regs.length, 34); // x0..x31, pc, privilege
    const pc = regs.find((r) => r.name === 'pc');
    assert.strictEqual(pc?.memoryReference, f.instructionPointerReference);
    assert.match(pc?.value ?? '', /<square\+0x10>/);
    const ra = regs.find((r) => r.name === 'x1 (ra)');
    assert.match(ra?.value ?? '', /<accumulate\+0x[0-9a-f]+>/);
    assert.ok(ra?.memoryReference, 'a code address carries a memory reference');
    // a0 holds square's argument (0 on the first call).
    assert.strictEqual(regs.find((r) => r.name === 'x10 (a0)')?.value, '0x00000000 (0)');
    const set = await dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 'x11 (a1)', value: '0x1234' });
    assert.match(set.body.value, /^0x00001234/);
    assert.strictEqual(await evaluate('a1'), '4660 (0x00001234)');

    const groups = await variables(scopes[1].variablesReference);
    assert.ok(groups.some((g) => g.name === 'Machine trap setup and handling'));
    const machine = await variables(groups[0].variablesReference);
    const mstatus = machine.find((c) => c.name === 'mstatus');
    assert.ok(mstatus && mstatus.variablesReference > 0, 'mstatus expands into its fields');
    const fields = await variables(mstatus.variablesReference);
    assert.ok(fields.some((x) => x.name === 'MPP'));
    await dc.setVariableRequest({ variablesReference: groups[0].variablesReference, name: 'mscratch', value: '0xcafe' });
    assert.strictEqual(await evaluate('$mscratch'), '51966 (0x0000cafe)');
    const vm = await variables(scopes[2].variablesReference);
    assert.ok(vm.some((v) => v.name === 'instructions retired' && Number(v.value) > 0));
    const devices = await variables(scopes[3].variablesReference);
    assert.deepStrictEqual(devices.map((d) => d.name).slice(0, 4), ['uart0', 'clint', 'plic', 'test finisher']);
    // Outer frames have their own (unwound) registers.
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const outer = (await dc.scopesRequest({ frameId: st.body.stackFrames[1].id })).body.scopes;
    const outerRegs = await variables(outer[0].variablesReference);
    assert.strictEqual(outerRegs.find((r) => r.name === 'pc')?.memoryReference, st.body.stackFrames[1].instructionPointerReference);
  });

  it('steps over, into and out of functions at line granularity, and by instruction', async () => {
    await runTo(MAIN, 'acc_call');
    await dc.setBreakpointsRequest({ source: { path: MAIN }, breakpoints: [] });
    // step in: into square, past its prologue
    let ev = await andStop(dc, dc.stepInRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'step');
    let f = await topFrame(dc);
    assert.strictEqual(f.name.replace(/\+.*/, ''), 'square');
    assert.strictEqual(f.line, line('main.c', 'square_body'));
    // next: the following line of square
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, line('main.c', 'square_ret'));
    // step out: back in accumulate, on the line of the call
    ev = await andStop(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'step');
    f = await topFrame(dc);
    assert.strictEqual(f.name.replace(/\+.*/, ''), 'accumulate');
    assert.strictEqual(f.line, line('main.c', 'acc_call'));
    // next: over the rest of the line to counter++
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, line('main.c', 'counter_inc'));
    // next over a call: from acc_call the next stop is counter_inc again, square not entered
    await andStop(dc, dc.nextRequest({ threadId: 1 })); // the loop header
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, line('main.c', 'acc_call'));
    await andStop(dc, dc.nextRequest({ threadId: 1 }));
    f = await topFrame(dc);
    assert.strictEqual(f.line, line('main.c', 'counter_inc'));
    // instruction granularity: one instruction forward
    const before = parseInt(f.instructionPointerReference ?? '', 16);
    await andStop(dc, dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual(parseInt((await topFrame(dc)).instructionPointerReference ?? '', 16), before + 4);
    // next at instruction granularity over a call (jal) lands after it
    await dc.setBreakpointsRequest({ source: { path: MAIN }, breakpoints: [{ line: line('main.c', 'acc_call') }] });
    await andStop(dc, dc.continueRequest({ threadId: 1 }));
    let pc = parseInt((await topFrame(dc)).instructionPointerReference ?? '', 16);
    for (let i = 0; i < 8; i++) {
      const dis = await dc.send('disassemble', { memoryReference: '0x' + pc.toString(16), instructionCount: 1 });
      if (/^jal\s/.test(dis.body.instructions[0].instruction)) break;
      await andStop(dc, dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
      pc = parseInt((await topFrame(dc)).instructionPointerReference ?? '', 16);
    }
    await andStop(dc, dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
    f = await topFrame(dc);
    assert.strictEqual(parseInt(f.instructionPointerReference ?? '', 16), pc + 4);
    assert.strictEqual(f.name.replace(/\+.*/, ''), 'accumulate');
  });

  it('stops at function and instruction breakpoints with their own reasons', async () => {
    await launch(dc, { program: progs.c, stopOnEntry: true });
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'accumulate' }, { name: 'no_such_function' }] });
    assert.strictEqual(fb.body.breakpoints[0].verified, true);
    assert.strictEqual(fb.body.breakpoints[1].verified, false);
    assert.match(fb.body.breakpoints[1].message ?? '', /no function named no_such_function/);
    let ev = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'function breakpoint');
    assert.strictEqual((await topFrame(dc)).line, line('main.c', 'acc_first'), 'the breakpoint is placed after the prologue');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const squareAt = (await dc.evaluateRequest({ expression: 'square', context: 'watch' })).body.memoryReference as string;
    const ib = await dc.send('setInstructionBreakpoints', { breakpoints: [{ instructionReference: squareAt }, { instructionReference: squareAt, offset: 2 }] }) as DebugProtocol.SetInstructionBreakpointsResponse;
    assert.strictEqual(ib.body.breakpoints[0].verified, true);
    assert.strictEqual(ib.body.breakpoints[1].verified, false);
    ev = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'instruction breakpoint');
    assert.strictEqual((await topFrame(dc)).instructionPointerReference, squareAt);
  });

  it('honours conditions, hit counts and log points', async () => {
    await launch(dc, { program: progs.c, stopOnEntry: true });
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    const body = line('main.c', 'square_body');
    const bad = await dc.setBreakpointsRequest({ source: { path: MAIN }, breakpoints: [{ line: body, condition: 'a0 ==' }] });
    assert.strictEqual(bad.body.breakpoints[0].verified, false);
    assert.match(bad.body.breakpoints[0].message ?? '', /bad condition/);
    await dc.setBreakpointsRequest({ source: { path: MAIN }, breakpoints: [{ line: body, condition: 'a0 >= 2' }, { line: line('main.c', 'acc_call'), logMessage: 'i={*(i32*)(s0-24)}' }] });
    await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(await evaluate('a0'), '2 (0x00000002)');
    assert.ok(outputs.includes('i=0\n') && outputs.includes('i=2\n'), outputs.join('|'));
    await dc.setBreakpointsRequest({ source: { path: MAIN }, breakpoints: [{ line: body, hitCondition: '== 1' }] });
    await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(await evaluate('a0'), '3 (0x00000003)', 'the first hit after the change is x = 3');
  });

  it('stops at a data breakpoint on a global variable', async () => {
    await launch(dc, { program: progs.c, stopOnEntry: true });
    const info = await dc.dataBreakpointInfoRequest({ name: 'counter' });
    assert.ok(info.body.dataId, info.body.description);
    assert.deepStrictEqual(info.body.accessTypes, ['read', 'write', 'readWrite']);
    const reg = await dc.dataBreakpointInfoRequest({ name: 'a0' });
    assert.strictEqual(reg.body.dataId, null);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId as string, accessType: 'write' }] });
    assert.strictEqual(set.body.breakpoints[0].verified, true);
    const ev = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.match(ev.body.description ?? '', /Write of 4 bytes at 0x[0-9a-f]{8} \(value 0x00000001\)/);
    assert.match(await evaluate('*(u32*)counter'), /^1 /);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.strictEqual(st.body.stackFrames[0].name.replace(/\+.*/, ''), 'accumulate');
    // by address, for reads
    const byAddr = await dc.dataBreakpointInfoRequest({ name: info.body.dataId?.split('/')[0] as string, asAddress: true, bytes: 4 });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: byAddr.body.dataId as string, accessType: 'read' }] });
    const ev2 = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev2.body.reason, 'data breakpoint');
    assert.match(ev2.body.description ?? '', /^Read of 4 bytes/);
  });

  it('reads and writes memory, reports unreadable ranges and sends memory events', async () => {
    await launch(dc, { program: progs.c, stopOnEntry: true }, { supportsMemoryEvent: true, supportsInvalidatedEvent: true });
    const table = (await dc.evaluateRequest({ expression: 'table', context: 'watch' })).body.memoryReference as string;
    assert.match(table, /^0x[0-9a-f]{8}$/);
    const r = await dc.send('readMemory', { memoryReference: table, count: 32 }) as DebugProtocol.ReadMemoryResponse;
    const words = Buffer.from(r.body?.data ?? '', 'base64');
    assert.deepStrictEqual(Array.from({ length: 8 }, (_, i) => words.readUInt32LE(4 * i)), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.strictEqual(r.body?.address, table);
    const memEvent = dc.waitForEvent('memory');
    const w = await dc.send('writeMemory', { memoryReference: table, offset: 4, data: Buffer.from([0xef, 0xbe, 0xad, 0xde]).toString('base64') });
    assert.strictEqual(w.body.bytesWritten, 4);
    const me = await memEvent;
    assert.deepStrictEqual([me.body.memoryReference, me.body.count], ['0x' + (parseInt(table, 16) + 4).toString(16).padStart(8, '0'), 4]);
    assert.strictEqual(await evaluate('((u32*)table)[1]'), '3735928559 (0xdeadbeef)');
    // Below RAM: nothing readable, and how much to skip.
    const below = await dc.send('readMemory', { memoryReference: '0x7ffffff0', count: 32 }) as DebugProtocol.ReadMemoryResponse;
    assert.strictEqual(below.body?.data ?? '', '');
    assert.strictEqual(below.body?.unreadableBytes, 16);
    // MMIO (the UART) is not read: reading could disturb the device.
    const uart = await dc.send('readMemory', { memoryReference: '0x10000000', count: 8 }) as DebugProtocol.ReadMemoryResponse;
    assert.strictEqual(uart.body?.unreadableBytes, 8);
    // Writing across the end of RAM: refused unless partial writes are allowed.
    const end = 0x80000000 + 128 * 1024 * 1024 - 2;
    assert.match(await failure(dc.send('writeMemory', { memoryReference: '0x' + end.toString(16), data: 'AAAAAA==' })), /not RAM/);
    const partial = await dc.send('writeMemory', { memoryReference: '0x' + end.toString(16), data: 'AAAAAA==', allowPartial: true });
    assert.strictEqual(partial.body.bytesWritten, 2);
  });

  it('disassembles around the pc with symbols and source lines', async () => {
    await runTo(MAIN, 'square_body');
    const f = await topFrame(dc);
    const dis = await dc.send('disassemble', { memoryReference: f.instructionPointerReference, instructionOffset: -4, instructionCount: 10, resolveSymbols: true }) as DebugProtocol.DisassembleResponse;
    const ins = dis.body?.instructions ?? [];
    assert.strictEqual(ins.length, 10);
    assert.strictEqual(ins[4].address, f.instructionPointerReference);
    assert.strictEqual(ins[4].symbol, 'square');
    assert.strictEqual(ins[0].symbol, 'square', 'square starts 4 instructions before the breakpoint');
    assert.strictEqual(ins[0].location?.path, MAIN);
    assert.strictEqual(ins[4].line, line('main.c', 'square_body'));
    assert.match(ins[0].instruction, /^add\s+sp,sp,-48$/);
    assert.match(ins[0].instructionBytes ?? '', /^[0-9a-f]{8}$/);
    // Asked for instructions below address 0: padded with invalid ones, exactly the count asked for.
    const low = await dc.send('disassemble', { memoryReference: '0x4', instructionOffset: -3, instructionCount: 4 }) as DebugProtocol.DisassembleResponse;
    assert.strictEqual(low.body?.instructions.length, 4);
    assert.strictEqual(low.body?.instructions[0].presentationHint, 'invalid');
  });

  it('evaluates registers, symbols, memory expressions and console commands', async () => {
    await runTo(MAIN, 'square_body');
    assert.strictEqual(await evaluate('*(u32*)0x80001000'), '1 (0x00000001)');
    assert.match(await evaluate('table+4'), /^0x80001004 <table\+0x4>$/);
    assert.strictEqual(await evaluate('((u32*)table)[7] * 2 + 1'), '17 (0x00000011)');
    assert.match(await evaluate('pc'), /<square\+0x10>/);
    assert.match(await evaluate('minstret'), /^\d+ \(0x[0-9a-f]{8}\)$/);
    assert.match(await failure(dc.evaluateRequest({ expression: 'nosuchsymbol', context: 'watch' })), /no register, symbol or CSR named 'nosuchsymbol'/);
    assert.match(await failure(dc.evaluateRequest({ expression: 'a1 = 3', context: 'watch' })), /only allowed in the debug console/);
    assert.strictEqual(await evaluate('a1 = 3', 'repl'), '3 (0x00000003)');
    assert.strictEqual(await evaluate('a1', 'hover'), '3 (0x00000003)');
    assert.match(await evaluate('help', 'repl'), /debug console/);
    assert.match(await evaluate('bt', 'repl'), /#0 .* in square\+0x10 at .*main\.c:\d+\n#1 .*accumulate/);
    assert.strictEqual(await evaluate('x/2xw table', 'repl'), '0x80001000 <table>:  00000001 00000002');
    assert.match(await evaluate('disas pc 2', 'repl'), /^=> 0x[0-9a-f]{8}/);
    assert.match(await evaluate('info registers', 'repl'), /a0/);
  });

  it('sends the UART output as output events and reports the exit code', async () => {
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') outputs.push(e.body.output);
    });
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await launch(dc, { program: progs.c });
    assert.strictEqual((await exited).body.exitCode, 50);
    await terminated;
    assert.strictEqual(outputs.join(''), 'hello from pvlab\ndone\n');
  });

  it('stops on guest traps, then on the crash they cause, with exception info', async () => {
    await launch(dc, { program: progs.c, faults: [{ at: 300, kind: 'trap', cause: 2 }] }, {}, () =>
      dc.setExceptionBreakpointsRequest({ filters: ['guestTrap', 'vmCrash'] }));
    const ev = await dc.waitForEvent('stopped');
    assert.strictEqual(ev.body.reason, 'exception');
    assert.match(ev.body.description, /Guest trap: illegal instruction at 0x[0-9a-f]{8}/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.strictEqual(info.body.exceptionId, 'guestTrap');
    // mtvec is 0 in this program: the handler cannot be fetched, the machine cannot go on.
    const crash = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(crash.body.reason, 'exception');
    assert.match(crash.body.description ?? '', /VM crash: cannot fetch an instruction at 0x00000000/);
    assert.match(await failure(dc.continueRequest({ threadId: 1 })), /.+/);
  });

  it('ends the session on a crash when the VM-crash filter is off', async () => {
    const terminated = dc.waitForEvent('terminated');
    await launch(dc, { program: progs.c, faults: [{ at: 300, kind: 'trap', cause: 2 }] }, {}, () =>
      dc.setExceptionBreakpointsRequest({ filters: [] }));
    await terminated;
  });

  it('answers the extension\'s custom requests', async () => {
    await launch(dc, { program: progs.c, stopOnEntry: true });
    const vms = await dc.send('pvlab.listVms');
    assert.deepStrictEqual(vms.body.vms.map((v: { name: string; state: string }) => [v.name, v.state]), [['virt', 'paused']]);
    const fault = dc.waitForEvent('pvlab.fault');
    const r = await dc.send('pvlab.injectFault', { vm: 'virt', fault: { kind: 'set-register', register: 'a3', value: 77 } });
    assert.match(r.body.description, /set a3 to 0x0000004d/);
    assert.strictEqual((await fault).body.vm, 'virt');
    assert.strictEqual(await evaluate('a3'), '77 (0x0000004d)');
    assert.match(await failure(dc.send('pvlab.injectFault', { kind: 'dma' })), /needs the hypervisor/);
    const tl = await dc.send('pvlab.timeline');
    assert.ok(Array.isArray(tl.body.instructions.points));
  });
});
