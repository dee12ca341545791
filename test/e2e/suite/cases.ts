/**
 * The extension-host cases, run in order inside code-server's real extension
 * host against the installed VSIX. The workspace is a copy of
 * examples/bare-metal (hello.elf and its sources) made by the harness.
 *
 * Cases that need more than the current debug adapter offers (systems with VMs)
 * skip with a message saying what is missing; they run as soon as the adapter
 * and a sample system are there.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { ScriptedSystemAdapter } from './scriptedAdapter';
import { DapRecorder, EXTENSION_ID, assert, elfBytesAt, elfEntry, skip, sleep, waitFor } from './util';

interface Case {
  name: string;
  timeoutMs: number;
  run(): Promise<void>;
  cleanup?(): Promise<void>;
}

interface CommandResult {
  ok: boolean;
  status: string;
  message: string;
}

interface Snapshot {
  session: null | { id: string; name: string; kind: string; target: string };
  hart?: { state: string; reason?: string; location?: string; exitCode?: number };
  vms?: { name: string; state: string; restarts: number; role?: string; devices?: string[] }[];
  hypercalls?: number;
  faults?: { vm: string; kind: string }[];
  restarts?: { vm: string; restarts: number }[];
  sawPvlabEvents?: boolean;
}

interface TimelineView {
  title: string;
  lanes: { name: string; segments: unknown[] }[];
  marks: { kind: string }[];
  line?: { label: string; points: unknown[] };
  empty?: string;
}

const recorder = new DapRecorder();
let extensionPath = '';
/** The bare-metal session shared by the bare-metal cases. */
let bare: vscode.DebugSession | undefined;
let bareSkip: string | undefined;
let scripted: ScriptedSystemAdapter | undefined;

function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert(f, 'the e2e workspace has no folder');
  return f;
}

function state(): Thenable<Snapshot> {
  return vscode.commands.executeCommand<Snapshot>('pvlab.state');
}

function adapterMissing(): string | undefined {
  const p = path.join(extensionPath, 'dist', 'debugAdapter.js');
  return fs.existsSync(p) ? undefined : `the debug adapter is not part of this build (${p} missing)`;
}

async function stopAll(): Promise<void> {
  if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
  await waitFor(async () => !vscode.debug.activeDebugSession && (await state()).session === null, 10000, 'all pvlab sessions to end').catch(() => undefined);
}

async function startSession(config: vscode.DebugConfiguration): Promise<vscode.DebugSession> {
  const started = new Promise<vscode.DebugSession>((resolve) => {
    const sub = vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === 'pvlab' && s.name === config.name) {
        sub.dispose();
        resolve(s);
      }
    });
  });
  const ok = await vscode.debug.startDebugging(folder(), config);
  assert(ok, `vscode.debug.startDebugging(${JSON.stringify(config)}) returned false`);
  return Promise.race([started, sleep(10000).then(() => Promise.reject(new Error('the session did not start')))]);
}

function events(session: vscode.DebugSession, name: string) {
  return (recorder.sent.get(session.id) ?? []).filter((m) => m.type === 'event' && m.event === name);
}

function launchFailure(session: vscode.DebugSession): string | undefined {
  const r = (recorder.sent.get(session.id) ?? []).find((m) => m.type === 'response' && m.command === 'launch');
  return r && !r.success ? r.message ?? 'launch failed' : undefined;
}

export const cases: Case[] = [
  {
    name: 'the extension activates and registers its commands',
    timeoutMs: 20000,
    async run() {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert(ext, `extension ${EXTENSION_ID} is not installed`);
      await ext.activate();
      assert(ext.isActive, 'the extension did not activate');
      extensionPath = ext.extensionPath;
      const all = await vscode.commands.getCommands(true);
      for (const c of ['pvlab.injectFault', 'pvlab.restartVm', 'pvlab.showTimeline', 'pvlab.openSample', 'pvlab.runFaultCampaign']) {
        assert(all.includes(c), `command ${c} is not registered`);
      }
      const pkg = ext.packageJSON as { contributes: { debuggers: { type: string }[]; walkthroughs: unknown[]; views: { debug: { id: string }[] } } };
      assert(pkg.contributes.debuggers.some((d) => d.type === 'pvlab'), 'no pvlab debugger contributed');
      assert(pkg.contributes.views.debug.some((v) => v.id === 'pvlab.vms'), 'no Virtual Machines view contributed');
      assert(pkg.contributes.walkthroughs.length > 0, 'no walkthrough contributed');
      for (const f of ['dist/extension.js', 'dist/webview/timeline.js', 'media/icon.png', 'emulator/system/system.schema.json', 'examples/bare-metal/hello.elf']) {
        assert(fs.existsSync(path.join(extensionPath, f)), `the installed extension lacks ${f}`);
      }
      for (const f of ['extension/extension.ts', 'node_modules', 'test', 'tsconfig.json']) {
        assert(!fs.existsSync(path.join(extensionPath, f)), `the installed extension ships a development file: ${f}`);
      }
    },
  },
  {
    name: 'with no pvlab session, every command says so instead of failing silently',
    timeoutMs: 20000,
    async run() {
      await stopAll();
      for (const c of ['pvlab.injectFault', 'pvlab.restartVm', 'pvlab.runFaultCampaign']) {
        const r = await vscode.commands.executeCommand<CommandResult>(c);
        assert(r && !r.ok && r.status === 'no-session', `${c} with no session returned ${JSON.stringify(r)}`);
        assert(/no pvlab debug session is running/.test(r.message), `${c}: unclear message: ${r.message}`);
      }
      const t = await vscode.commands.executeCommand<CommandResult>('pvlab.showTimeline');
      assert(t && t.status === 'no-session' && /no pvlab session has run/.test(t.message), `showTimeline: ${JSON.stringify(t)}`);
      const view = await vscode.commands.executeCommand<TimelineView>('pvlab.timelineData');
      assert(view.empty && /No pvlab session/.test(view.empty), `the empty timeline does not say why: ${JSON.stringify(view)}`);
    },
    async cleanup() {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  },
  {
    name: 'Open Sample copies the samples (bare metal: program, sources, launch.json; driver isolation: images and guest sources)',
    timeoutMs: 20000,
    async run() {
      const dest = fs.mkdtempSync(path.join(path.dirname(folder().uri.fsPath), 'samples-'));
      const r = await vscode.commands.executeCommand<CommandResult>('pvlab.openSample', { sample: 'bare-metal', destination: dest, open: false });
      assert(r?.ok, `openSample: ${JSON.stringify(r)}`);
      for (const f of ['hello.elf', 'hello.c', 'start.S', '.vscode/launch.json']) {
        assert(fs.existsSync(path.join(dest, 'pvlab-bare-metal', f)), `the copied sample lacks ${f}`);
      }
      const again = await vscode.commands.executeCommand<CommandResult>('pvlab.openSample', { sample: 'bare-metal', destination: dest, open: false });
      assert(again?.ok && fs.existsSync(path.join(dest, 'pvlab-bare-metal-2')), 'a second copy did not get its own folder');
      const demo = await vscode.commands.executeCommand<CommandResult>('pvlab.openSample', { sample: 'driver-isolation', destination: dest, open: false });
      assert(demo?.ok, `openSample driver-isolation: ${JSON.stringify(demo)}`);
      for (const f of ['system.json', 'images/blk-driver.elf', 'guests/blk-driver/blkback.c', 'guests/kernel/kernel.c']) {
        assert(fs.existsSync(path.join(dest, 'pvlab-driver-isolation', f)), `the copied driver-isolation sample lacks ${f}`);
      }
      const bad = await vscode.commands.executeCommand<CommandResult>('pvlab.openSample', { sample: 'nope', destination: dest, open: false });
      assert(bad && !bad.ok && /no sample named "nope"/.test(bad.message), `unknown sample: ${JSON.stringify(bad)}`);
      fs.rmSync(dest, { recursive: true, force: true });
    },
  },
  {
    name: 'a configuration whose program is missing or not a program is refused',
    timeoutMs: 20000,
    async run() {
      const missing = await vscode.debug.startDebugging(folder(), { type: 'pvlab', request: 'launch', name: 'e2e missing', program: '${workspaceFolder}/nope.elf' });
      assert(!missing, 'a launch with a missing program started');
      const notElf = await vscode.debug.startDebugging(folder(), { type: 'pvlab', request: 'launch', name: 'e2e not elf', program: '${workspaceFolder}/README.md' });
      assert(!notElf, 'a launch of README.md started');
      const both = await vscode.debug.startDebugging(folder(), { type: 'pvlab', request: 'launch', name: 'e2e both', program: 'hello.elf', system: 'x.json' });
      assert(!both, 'a launch with both program and system started');
      assert(!vscode.debug.activeDebugSession, 'a session is running after refused launches');
    },
    async cleanup() {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  },
  {
    name: 'system files are validated against the pvlab schema',
    timeoutMs: 40000,
    async run() {
      const file = path.join(folder().uri.fsPath, 'broken.pvlab.json');
      fs.writeFileSync(file, '{\n  "name": "broken",\n  "vms": [ { "name": "client", "ramMiB": "lots", "role": "client" } ]\n}\n');
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      const diags = await waitFor(() => {
        const d = vscode.languages.getDiagnostics(doc.uri);
        return d.length >= 2 ? d : undefined;
      }, 30000, 'JSON schema diagnostics on broken.pvlab.json');
      const text = diags.map((d) => d.message).join(' | ');
      assert(/image/.test(text), `no "missing image" problem among: ${text}`);
      assert(/integer|number/i.test(text), `no "ramMiB must be an integer" problem among: ${text}`);
    },
    async cleanup() {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(path.join(folder().uri.fsPath, 'broken.pvlab.json'), { force: true });
    },
  },
  {
    name: 'assembler errors appear as Problems when an assembly file is saved',
    timeoutMs: 20000,
    async run() {
      if (!fs.existsSync(path.join(extensionPath, 'dist', 'asm.js'))) skip('this build has no assembler bundle (dist/asm.js)');
      const file = path.join(folder().uri.fsPath, 'broken.S');
      fs.writeFileSync(file, '    .globl _start\n_start:\n    li a0, 1\n');
      const doc = await vscode.workspace.openTextDocument(file);
      const editor = await vscode.window.showTextDocument(doc);
      assert(doc.languageId === 'riscv-asm', `broken.S has language ${doc.languageId}, not riscv-asm`);
      await editor.edit((e) => e.insert(new vscode.Position(3, 0), '    addi a0, a1\n    frobnicate t0\n'));
      await doc.save();
      const diags = await waitFor(() => {
        const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'pvlab-asm');
        return d.length >= 2 ? d : undefined;
      }, 10000, 'pvlab-asm diagnostics');
      assert(diags.some((d) => d.range.start.line === 3 && /addi/.test(d.message)), `no addi problem on line 4: ${diags.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; ')}`);
      assert(diags.some((d) => d.range.start.line === 4 && /frobnicate/.test(d.message)), 'no unknown-instruction problem on line 5');
      // Fix it: the problems go away on the next save.
      await editor.edit((e) => e.delete(new vscode.Range(3, 0, 5, 0)));
      await doc.save();
      await waitFor(() => vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'pvlab-asm').length === 0, 10000, 'the problems to clear');
    },
    async cleanup() {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(path.join(folder().uri.fsPath, 'broken.S'), { force: true });
    },
  },
  {
    name: 'bare metal: F5 on hello.elf stops on entry; registers, stack and memory through the debug API',
    timeoutMs: 40000,
    async run() {
      bareSkip = adapterMissing();
      if (bareSkip) skip(bareSkip);
      recorder.clear();
      bare = await startSession({ type: 'pvlab', request: 'launch', name: 'e2e hello', program: '${workspaceFolder}/hello.elf', stopOnEntry: true });
      const s = bare;
      const stop = await waitFor(() => events(s, 'stopped')[0] ?? launchFailure(s), 20000, 'the stopped event');
      assert(typeof stop !== 'string', `launch failed: ${stop}`);
      assert(stop.body?.reason === 'entry', `first stop is "${stop.body?.reason}", expected "entry"`);

      const threads = (await s.customRequest('threads')) as { threads: { id: number; name: string }[] };
      assert(threads.threads.length >= 1, 'no threads');
      const st = (await s.customRequest('stackTrace', { threadId: threads.threads[0].id })) as {
        stackFrames: { name: string; instructionPointerReference?: string }[];
      };
      const top = st.stackFrames[0];
      const elf = fs.readFileSync(path.join(folder().uri.fsPath, 'hello.elf'));
      const entry = elfEntry(elf);
      assert(top && top.instructionPointerReference, 'the top frame has no instructionPointerReference');
      assert(BigInt(top.instructionPointerReference) === BigInt(entry), `stopped at ${top.instructionPointerReference}, entry is 0x${entry.toString(16)}`);

      const mem = (await s.customRequest('readMemory', { memoryReference: `0x${entry.toString(16)}`, count: 32 })) as { address: string; data?: string };
      assert(mem.data, 'readMemory returned no data');
      const got = Buffer.from(mem.data, 'base64');
      const want = elfBytesAt(elf, entry, 32);
      assert(want && got.equals(Buffer.from(want)), `memory at the entry (${got.toString('hex')}) differs from the ELF (${want && Buffer.from(want).toString('hex')})`);

      const scopes = (await s.customRequest('scopes', { frameId: (st.stackFrames[0] as { id?: number }).id ?? 0 })) as { scopes: { name: string }[] };
      assert(scopes.scopes.some((x) => /regist/i.test(x.name)), `no registers scope: ${scopes.scopes.map((x) => x.name).join(', ')}`);

      const snap = await waitFor(async () => {
        const v = await state();
        return v.session && v.hart?.state === 'stopped' ? v : undefined;
      }, 5000, 'the model to see the stopped hart');
      assert(snap.session?.kind === 'bareMetal', `session kind ${snap.session?.kind}`);
    },
  },
  {
    name: 'bare metal: Inject Fault (command) crashes the machine and the Virtual Machines view follows',
    timeoutMs: 30000,
    async run() {
      if (bareSkip || !bare) skip(bareSkip ?? 'no bare-metal session');
      const s = bare;
      const snap = await waitFor(async () => {
        const v = await state();
        return v.vms && v.vms.length ? v : undefined;
      }, 5000, 'the adapter to report the machine as a VM').catch(() => undefined);
      if (!snap?.vms?.length) skip('the debug adapter reports no VM for a bare-metal session (pvlab.vmState / pvlab.listVms)');
      const vm = snap.vms[0].name;
      const r = await vscode.commands.executeCommand<CommandResult>('pvlab.injectFault', { vm, kind: 'trap' });
      assert(r?.ok, `pvlab.injectFault failed: ${JSON.stringify(r)}`);
      const threads = (await s.customRequest('threads')) as { threads: { id: number }[] };
      await s.customRequest('continue', { threadId: threads.threads[0].id });
      const after = await waitFor(async () => {
        const v = await state();
        return v.faults?.length ? v : undefined;
      }, 15000, 'a pvlab.fault event in the model');
      assert(after.faults?.[0].vm === vm && after.faults[0].kind === 'trap', `fault recorded as ${JSON.stringify(after.faults)}`);
      // The fault event comes when the fault is injected; the stop after `continue` comes later.
      await waitFor(async () => (events(s, 'stopped').length >= 2 ? true : undefined), 15000, 'the session to stop after the fault');
    },
  },
  {
    name: 'bare metal: the timeline has the run (lanes, marks or instructions)',
    timeoutMs: 15000,
    async run() {
      if (bareSkip || !bare) skip(bareSkip ?? 'no bare-metal session');
      const view = await vscode.commands.executeCommand<TimelineView>('pvlab.timelineData');
      assert(!view.empty, `the timeline is empty: ${view.empty}`);
      assert(view.lanes.length >= 1 && view.lanes[0].segments.length >= 1, `no lanes: ${JSON.stringify(view).slice(0, 400)}`);
      assert(view.marks.length >= 1 || (view.line?.points.length ?? 0) >= 1, 'neither marks nor a line');
    },
    async cleanup() {
      await stopAll();
    },
  },
  {
    name: 'bare metal: hello.elf runs to completion with exit status 0',
    timeoutMs: 40000,
    async run() {
      if (bareSkip) skip(bareSkip);
      recorder.clear();
      const s = await startSession({ type: 'pvlab', request: 'launch', name: 'e2e hello run', program: '${workspaceFolder}/hello.elf', stopOnEntry: false });
      const exited = await waitFor(() => events(s, 'exited')[0] ?? launchFailure(s), 30000, 'the exited event');
      assert(typeof exited !== 'string', `launch failed: ${exited}`);
      assert(exited.body?.exitCode === 0, `exit status ${exited.body?.exitCode}`);
      const out = events(s, 'output').map((m) => String(m.body?.output ?? '')).join('');
      assert(/primes below 2000 = 303/.test(out), `the program's UART output is not in the Debug Console: ${JSON.stringify(out.slice(0, 300))}`);
    },
    async cleanup() {
      await stopAll();
    },
  },
  {
    name: 'contract: a scripted system adapter\'s pvlab.* events drive the VM list, hypercalls, commands, campaign and timeline',
    timeoutMs: 40000,
    async run() {
      scripted = new ScriptedSystemAdapter();
      const port = await scripted.listen();
      const file = path.join(folder().uri.fsPath, 'contract.pvlab.json');
      fs.writeFileSync(file, JSON.stringify({ name: 'contract', vms: [{ name: 'client', image: 'c.elf', ramMiB: 4, role: 'client' }] }));
      await startSession({ type: 'pvlab', request: 'launch', name: 'e2e contract', system: '${workspaceFolder}/contract.pvlab.json', debugServer: port });
      const snap = await waitFor(async () => {
        const v = await state();
        return v.vms?.length === 2 && (v.hypercalls ?? 0) >= 3 ? v : undefined;
      }, 10000, 'two VMs and three hypercalls from the scripted adapter');
      assert(snap.session?.kind === 'system', `session kind ${snap.session?.kind}`);
      assert(snap.vms?.find((v) => v.name === 'blkdrv')?.devices?.includes('disk0'), 'blkdrv does not own disk0');

      const r = await vscode.commands.executeCommand<CommandResult>('pvlab.injectFault', { vm: 'blkdrv', kind: 'trap' });
      assert(r?.ok, `injectFault: ${JSON.stringify(r)}`);
      await waitFor(async () => (await state()).vms?.find((v) => v.name === 'blkdrv' && v.restarts === 1 && v.state === 'running'), 10000, 'blkdrv restarted once');
      const refused = await vscode.commands.executeCommand<CommandResult>('pvlab.injectFault', { vm: 'nosuchvm', kind: 'trap' });
      assert(refused && !refused.ok && refused.status === 'failed' && /no VM/.test(refused.message), `a refused injection: ${JSON.stringify(refused)}`);
      const rs = await vscode.commands.executeCommand<CommandResult>('pvlab.restartVm', { vm: 'client' });
      assert(rs?.ok, `restartVm: ${JSON.stringify(rs)}`);
      await waitFor(async () => (await state()).vms?.find((v) => v.name === 'client' && v.restarts === 1), 10000, 'client restarted once');
      const c = await vscode.commands.executeCommand<CommandResult>('pvlab.runFaultCampaign', { vms: ['blkdrv'], kinds: ['trap', 'dma'], rounds: 1, timeoutMs: 5000 });
      assert(c?.ok && /2 of 2 injected faults were followed by a restart/.test(c.message), `campaign: ${JSON.stringify(c)}`);
      const report = vscode.window.activeTextEditor?.document.getText() ?? '';
      assert(/pvlab fault campaign/.test(report) && /\| blkdrv \| dma \| restarted/.test(report), `campaign report: ${report.slice(0, 400)}`);

      const view = await vscode.commands.executeCommand<TimelineView>('pvlab.timelineData');
      assert(view.lanes.length === 2 && !view.empty, `timeline lanes: ${JSON.stringify(view.lanes.map((l) => l.name))}`);
      assert(view.marks.filter((m) => m.kind === 'fault').length === 3 && view.marks.filter((m) => m.kind === 'restart').length === 4, `timeline marks: ${JSON.stringify(view.marks.map((m) => m.kind))}`);
      assert((view.line?.points.length ?? 0) > 5 && /throughput/.test(view.line?.label ?? ''), 'no throughput line');
      const after = await state();
      assert((after.hypercalls ?? 0) >= 3 + 4 * 4, `hypercalls logged: ${after.hypercalls}`);
      assert(scripted.received.includes('pvlab.listVms') && scripted.received.includes('pvlab.timeline'), `requests: ${scripted.received.join(', ')}`);
    },
    async cleanup() {
      await stopAll();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      scripted?.close();
      fs.rmSync(path.join(folder().uri.fsPath, 'contract.pvlab.json'), { force: true });
    },
  },
  {
    name: 'system: one session per VM, Inject Fault crashes a driver, the Virtual Machines view shows the restart',
    timeoutMs: 90000,
    async run() {
      const missing = adapterMissing();
      if (missing) skip(missing);
      const samples = path.join(extensionPath, 'examples');
      const systemFile = fs
        .readdirSync(samples, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => fs.readdirSync(path.join(samples, d.name)).filter((f) => f === 'system.json' || f.endsWith('.pvlab.json')).map((f) => path.join(samples, d.name, f)))[0];
      if (!systemFile) skip('no sample system ships with this build (examples/*/system.json)');
      recorder.clear();
      const s = await startSession({ type: 'pvlab', request: 'launch', name: 'e2e system', system: systemFile, sessions: 'multi', stopOnEntry: true });
      // The system session has no threads: the entry stop comes from the VM (child) sessions.
      const anyStop = () => [...recorder.sent.values()].flat().find((m) => m.type === 'event' && m.event === 'stopped');
      const first = await waitFor(() => anyStop() ?? launchFailure(s), 30000, 'the system to stop on entry');
      if (typeof first === 'string') {
        if (/hypervisor/i.test(first)) skip(`the debug adapter does not run systems yet: ${first}`);
        throw new Error(`launch of ${systemFile} failed: ${first}`);
      }
      const snap = await waitFor(async () => {
        const v = await state();
        return (v.vms?.length ?? 0) >= 2 ? v : undefined;
      }, 15000, 'two or more VMs in the Virtual Machines view');
      const driver = snap.vms?.find((v) => v.role === 'driver') ?? snap.vms?.[1];
      assert(driver, 'no driver VM');
      // one child session per VM
      await waitFor(() => {
        const children = [...recorder.sent.keys()].length - 1;
        return children >= (snap.vms?.length ?? 0);
      }, 15000, 'one child session per VM');
      const r = await vscode.commands.executeCommand<CommandResult>('pvlab.injectFault', { vm: driver.name, kind: 'trap' });
      assert(r?.ok, `inject failed: ${JSON.stringify(r)}`);
      const threads = (await s.customRequest('threads')) as { threads: { id: number }[] };
      await s.customRequest('continue', { threadId: threads.threads[0]?.id ?? 1 });
      const restarted = await waitFor(async () => {
        const v = await state();
        const vm = v.vms?.find((x) => x.name === driver.name);
        return vm && vm.restarts >= 1 && v.restarts?.length ? v : undefined;
      }, 30000, `${driver.name} to be restarted`);
      const client = restarted.vms?.find((v) => v.role === 'client');
      if (client) assert(client.restarts === 0, 'the client VM was restarted too');
      const view = await vscode.commands.executeCommand<TimelineView>('pvlab.timelineData');
      assert(view.marks.some((m) => m.kind === 'fault') && view.marks.some((m) => m.kind === 'restart'), 'the timeline lacks the fault or the restart');
      // memory of the driver VM, through its own session
      const child = vscode.debug.activeDebugSession;
      if (child) {
        const mem = (await child.customRequest('readMemory', { memoryReference: '0x80000000', count: 16 })) as { data?: string };
        assert(mem.data, 'readMemory in a VM session returned no data');
      }
    },
    async cleanup() {
      await stopAll();
    },
  },
];
