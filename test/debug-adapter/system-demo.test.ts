/**
 * Systems in the debug adapter, on the demo system (examples/driver-isolation:
 * client, blkdrv, netdrv): a system session plus one child session per VM
 * (startDebugging answered the way VS Code does: a second DebugClient on the
 * child's debugServer), and the single-session mode.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DebugProtocol } from '@vscode/debugprotocol';
import { PVIO_GRANT_WINDOW_BASE } from '../../emulator/hypervisor/abi.generated';
import { andStop, startClient } from './support';
import { CAPS, DEMO, collect, launchMulti as launchSystem, demoClients } from './system-support';

describe('debug adapter: systems (demo driver-isolation)', function () {
  this.timeout(60_000);
  const clients = demoClients();

  const launchMulti = (extra: Record<string, unknown> = {}) => launchSystem(clients, extra);

  it('debugs each VM in its own session: break in the blk driver, step, read the ring, crash it, run to the verdict', async () => {
    const { parent, kids } = await launchMulti();
    assert.deepStrictEqual([...kids.keys()], ['client', 'blkdrv', 'netdrv']);
    assert.deepStrictEqual((await parent.threadsRequest()).body.threads, []);
    const blk = kids.get('blkdrv')!;
    assert.deepStrictEqual((await blk.threadsRequest()).body.threads.map((t) => t.name), ['cpu0']);
    const vms = (await parent.send('pvlab.listVms')).body.vms as { name: string; state: string }[];
    assert.deepStrictEqual(vms.map((v) => [v.name, v.state]), [['client', 'paused'], ['blkdrv', 'paused'], ['netdrv', 'paused']]);

    // A function breakpoint in the blk driver's image (its request handler).
    const fb = await blk.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request' }] });
    assert.strictEqual(fb.body.breakpoints[0].verified, true, fb.body.breakpoints[0].message);
    assert.match(fb.body.breakpoints[0].source?.path ?? '', /blkback\.c$/);
    const missing = await kids.get('client')!.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request' }] });
    assert.strictEqual(missing.body.breakpoints[0].verified, false, 'the client image has no take_request');

    const hit = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(hit.body.reason, 'function breakpoint');
    const st = await blk.stackTraceRequest({ threadId: 1 });
    const top = st.body.stackFrames[0];
    assert.match(top.name, /^take_request/);
    assert.match(top.source?.path ?? '', /blkback\.c$/);
    assert.match(top.instructionPointerReference ?? '', /^0x8000[0-9a-f]{4}$/);

    // Step a line.
    const stepped = await andStop(blk, blk.nextRequest({ threadId: 1 }));
    assert.strictEqual(stepped.body.reason, 'step');
    const after = (await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    assert.notStrictEqual(after.line, top.line);

    // The ring: the frontend's ring page mapped in the driver's grant window, read as guest-physical memory of blkdrv.
    const scopes = (await blk.scopesRequest({ frameId: after.id })).body.scopes;
    assert.deepStrictEqual(scopes.map((s) => s.name), ['Registers', 'CSRs', 'VM blkdrv', 'Devices']);
    const vmVars = (await blk.variablesRequest({ variablesReference: scopes[2].variablesReference })).body.variables;
    assert.ok(vmVars.find((v) => v.name === 'grants'), 'the VM scope shows grants');
    assert.ok(vmVars.find((v) => v.name === 'eventChannels'));
    const regs = (await blk.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    assert.strictEqual(regs.length, 33);
    const ring = await blk.send('readMemory', { memoryReference: '0x' + PVIO_GRANT_WINDOW_BASE.toString(16), count: 64 });
    const bytes = Buffer.from(ring.body.data, 'base64');
    assert.strictEqual(bytes.length, 64, 'the ring page is mapped in the driver');
    assert.ok(bytes.readUInt32LE(0) > 0, 'req_prod moved');
    // The same address in the client is not its ring: memory references are per VM.
    const code = await kids.get('client')!.send('readMemory', { memoryReference: top.instructionPointerReference, count: 4 });
    assert.strictEqual(Buffer.from(code.body.data, 'base64').length, 4);

    // Crash the driver: fault + restart events, the stop says what happened.
    await blk.setFunctionBreakpointsRequest({ breakpoints: [] });
    const faults = collect(parent, 'pvlab.fault');
    const restarts = collect(parent, 'pvlab.restart');
    const states = collect(parent, 'pvlab.vmState');
    await parent.send('pvlab.injectFault', { vm: 'blkdrv', kind: 'trap' });
    const crash = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(crash.body.reason, 'exception');
    assert.match(crash.body.description ?? '', /^VM blkdrv crashed: /);
    assert.strictEqual(faults.length, 1);
    assert.strictEqual(faults[0].body.vm, 'blkdrv');

    // Continue to the client's verdict.
    const output: string[] = [];
    parent.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
    const exited = parent.waitForEvent('exited', 30_000);
    await blk.continueRequest({ threadId: 1 });
    await exited;
    assert.ok(restarts.some((r) => r.body.vm === 'blkdrv'), 'a restart event for blkdrv');
    assert.ok(states.some((s) => s.body.name === 'blkdrv' && s.body.state === 'crashed'));
    assert.match(output.join(''), /\[client\] VERDICT PASS client workload finished/);
    const timeline = (await parent.send('pvlab.timeline').catch(() => undefined))?.body;
    if (timeline) assert.ok(Array.isArray(timeline.vms));
  });

  it('a line breakpoint in the driver image, exception filters and REPL commands', async () => {
    const { parent, kids } = await launchMulti();
    const blk = kids.get('blkdrv')!;
    const src = path.resolve(__dirname, '../../../guests/blk-driver/blkback.c');
    const text = fs.readFileSync(src, 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('be->req_cons++;')) + 1;
    const bp = await blk.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line }] });
    assert.strictEqual(bp.body.breakpoints[0].verified, true, bp.body.breakpoints[0].message);
    const ev = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'breakpoint');
    assert.strictEqual((await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line, line);
    await blk.setBreakpointsRequest({ source: { path: src }, breakpoints: [] });

    // A data breakpoint on a global of the blk driver (its free list of device requests).
    const frameId = (await blk.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
    const dinfo = await blk.dataBreakpointInfoRequest({ name: 'free_reqs', frameId });
    assert.match(dinfo.body.dataId ?? '', /^0x8000[0-9a-f]{4}\/4$/);
    const dbp = await blk.setDataBreakpointsRequest({ breakpoints: [{ dataId: dinfo.body.dataId!, accessType: 'write' }] });
    assert.strictEqual(dbp.body.breakpoints[0].verified, true);
    const wev = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(wev.body.reason, 'data breakpoint');
    assert.match(wev.body.description ?? '', /^Write of 4 bytes at 0x8000[0-9a-f]{4} \(value 0x[0-9a-f]{8}\)$/);
    await blk.setDataBreakpointsRequest({ breakpoints: [] });

    const r = async (expression: string) => (await parent.evaluateRequest({ expression, context: 'repl' })).body.result;
    assert.match(await r('vms'), /blkdrv\s+paused/);
    assert.match(await r('hypercalls blkdrv 5'), /blkdrv\/cpu0/);
    assert.match(await r('registry ls /'), /\S/);

    assert.match(await r('registry ls /vm'), /^1\/\n2\/\n3\//);

    // The hypercall filter with a name (its condition), and a VM restart from the REPL: the
    // restarted driver maps the client's ring again and the stop says so, in blkdrv's session.
    await parent.setExceptionBreakpointsRequest({ filters: ['vmCrash'], filterOptions: [{ filterId: 'hypercall', condition: 'EVTCHN_BIND_INTERDOMAIN' }] });
    assert.match(await r('restart blkdrv'), /blkdrv reboots/);
    const hc = await andStop(blk, blk.continueRequest({ threadId: 1 }));
    assert.strictEqual(hc.body.reason, 'exception', JSON.stringify(hc.body));
    assert.strictEqual(hc.body.description, 'Hypercall PVIO_FID_EVTCHN_BIND_INTERDOMAIN from VM blkdrv');
    const info = await blk.exceptionInfoRequest({ threadId: 1 });
    assert.strictEqual(info.body.description, hc.body.description);

    // The restart filter, with a crash injected from the REPL.
    await parent.setExceptionBreakpointsRequest({ filters: ['vmRestart'] });
    assert.match(await r('inject netdrv trap'), /crash injected into netdrv/);
    const net = kids.get('netdrv')!;
    const rs = await andStop(net, net.continueRequest({ threadId: 1 }));
    assert.match(rs.body.description ?? '', /^VM netdrv restarted \(restart 1\)$/);
    const vms = (await parent.send('pvlab.listVms')).body.vms as { name: string; restarts: number }[];
    assert.strictEqual(vms.find((v) => v.name === 'netdrv')?.restarts, 1);
    const tl = (await parent.send('pvlab.timeline')).body;
    assert.deepStrictEqual(tl.vms.map((v: { name: string }) => v.name), ['client', 'blkdrv', 'netdrv']);
    assert.ok(tl.faults.some((f: { vm: string }) => f.vm === 'netdrv'));
    assert.strictEqual(tl.throughput.unit, 'events/ms');
  });

  it('single-session mode: every vCPU a thread vm/cpuN, memory references of the thread\'s VM', async () => {
    const dc = await startClient();
    clients.push(dc);
    await dc.initializeRequest(CAPS);
    const initialized = dc.waitForEvent('initialized');
    const entry = dc.waitForEvent('stopped');
    await dc.launchRequest({ system: DEMO, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.configurationDoneRequest();
    assert.strictEqual((await entry).body.reason, 'entry');
    const threads = (await dc.threadsRequest()).body.threads;
    assert.deepStrictEqual(threads.map((t) => t.name), ['client/cpu0', 'blkdrv/cpu0', 'netdrv/cpu0']);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'take_request' }] });
    const hit = await andStop(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(hit.body.threadId, 2, 'the stop names the blk driver\'s thread');
    const top = (await dc.stackTraceRequest({ threadId: 2 })).body.stackFrames[0];
    assert.match(top.name, /take_request.*\[blkdrv\]/);
    const ring = await dc.send('readMemory', { memoryReference: '0x' + PVIO_GRANT_WINDOW_BASE.toString(16), count: 16 });
    assert.strictEqual(Buffer.from(ring.body.data, 'base64').length, 16);
    const explicit = await dc.send('readMemory', { memoryReference: 'netdrv:' + top.instructionPointerReference, count: 4 });
    assert.strictEqual(Buffer.from(explicit.body.data, 'base64').length, 4);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const output: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
    const exited = dc.waitForEvent('exited', 30_000);
    await dc.continueRequest({ threadId: 2 });
    await exited;
    assert.match(output.join(''), /\[client\] VERDICT PASS/);
  });
});
