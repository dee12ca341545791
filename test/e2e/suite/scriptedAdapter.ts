/**
 * A scripted DAP server for the contract case: it plays a two-VM system
 * (client + blkdrv) through the pvlab.* events and requests of
 * docs/extension.md, so the extension's views, commands and timeline are
 * exercised in a real VS Code before the real hypervisor exists. It is not an
 * emulator: states, times and hypercalls are made up. The extension reaches it
 * through the `debugServer` launch attribute (TCP on 127.0.0.1).
 */
import * as net from 'net';

type Msg = { seq: number; type: string; command?: string; arguments?: Record<string, unknown> };
type State = 'booting' | 'running' | 'paused' | 'crashed' | 'restarting' | 'stopped' | 'failed';

interface Vm {
  name: string;
  role: 'client' | 'driver';
  state: State;
  restarts: number;
  domid: number;
  devices: string[];
  segments: { startMs: number; endMs?: number; state: State }[];
}

export class ScriptedSystemAdapter {
  private readonly server = net.createServer((s) => this.connection(s));
  private readonly sockets = new Set<net.Socket>();
  private seq = 1;
  private now = 0;
  private vms: Vm[] = [];
  private faults: { timeMs: number; vm: string; kind: string; message: string; injected: boolean }[] = [];
  private restarts: { timeMs: number; vm: string; restarts: number; delayMs: number }[] = [];
  private throughput: [number, number][] = [];
  /** Requests received, for assertions. */
  readonly received: string[] = [];

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }

  private connection(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const h = buf.indexOf('\r\n\r\n');
        if (h < 0) return;
        const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, h).toString('ascii'));
        const len = m ? Number(m[1]) : 0;
        if (buf.length < h + 4 + len) return;
        const msg = JSON.parse(buf.subarray(h + 4, h + 4 + len).toString('utf8')) as Msg;
        buf = buf.subarray(h + 4 + len);
        this.handle(sock, msg);
      }
    });
  }

  private send(sock: net.Socket, body: Record<string, unknown>): void {
    const json = Buffer.from(JSON.stringify({ seq: this.seq++, ...body }), 'utf8');
    if (sock.destroyed) return;
    sock.write(`Content-Length: ${json.length}\r\n\r\n`);
    sock.write(json);
  }

  private event(sock: net.Socket, event: string, body?: unknown): void {
    this.send(sock, { type: 'event', event, body });
  }

  private respond(sock: net.Socket, req: Msg, body: unknown = {}, message?: string): void {
    this.send(sock, { type: 'response', request_seq: req.seq, command: req.command, success: message === undefined, message, body });
  }

  private setState(sock: net.Socket, vm: Vm, state: State, reason?: string): void {
    const last = vm.segments[vm.segments.length - 1];
    if (last) last.endMs = this.now;
    vm.segments.push({ startMs: this.now, state });
    vm.state = state;
    this.event(sock, 'pvlab.vmState', { name: vm.name, state, restarts: vm.restarts, domid: vm.domid, role: vm.role, vcpus: 1, devices: vm.devices, reason, timeMs: this.now });
  }

  private advance(ms: number, io: number): void {
    for (let t = 0; t < ms; t += 5) this.throughput.push([this.now + t, io]);
    this.now += ms;
  }

  private hypercalls(sock: net.Socket, n: number): void {
    const calls = Array.from({ length: n }, (_, i) => ({
      timeMs: this.now + i * 0.01,
      vm: i % 2 ? 'blkdrv' : 'client',
      vcpu: 0,
      eid: 0x0a000000,
      fid: i % 3,
      name: ['grant.grant', 'evtchn.send', 'registry.write'][i % 3],
      args: [i, 0x80001000],
      error: 0,
      value: i,
    }));
    this.event(sock, 'pvlab.hypercalls', { calls });
  }

  private crashAndRestart(sock: net.Socket, vmName: string, kind: string | undefined): void {
    const vm = this.vms.find((v) => v.name === vmName);
    if (!vm) return;
    setTimeout(() => {
      this.advance(20, 800);
      if (kind) {
        this.faults.push({ timeMs: this.now, vm: vm.name, kind, message: `injected ${kind}`, injected: true });
        this.event(sock, 'pvlab.fault', this.faults[this.faults.length - 1]);
        this.setState(sock, vm, 'crashed', `injected ${kind}`);
      }
      this.setState(sock, vm, 'restarting');
      this.advance(15, 0);
      vm.restarts++;
      this.restarts.push({ timeMs: this.now, vm: vm.name, restarts: vm.restarts, delayMs: 0 });
      this.event(sock, 'pvlab.restart', this.restarts[this.restarts.length - 1]);
      this.setState(sock, vm, 'running');
      this.hypercalls(sock, 4);
    }, 30);
  }

  private handle(sock: net.Socket, req: Msg): void {
    const a = req.arguments ?? {};
    this.received.push(req.command ?? '?');
    switch (req.command) {
      case 'initialize':
        this.respond(sock, req, { supportsConfigurationDoneRequest: true, supportsReadMemoryRequest: true });
        this.event(sock, 'initialized');
        return;
      case 'launch':
        this.vms = [
          { name: 'client', role: 'client', state: 'booting', restarts: 0, domid: 1, devices: [], segments: [] },
          { name: 'blkdrv', role: 'driver', state: 'booting', restarts: 0, domid: 2, devices: ['disk0'], segments: [] },
        ];
        this.respond(sock, req);
        for (const vm of this.vms) this.setState(sock, vm, 'booting');
        this.advance(5, 0);
        for (const vm of this.vms) this.setState(sock, vm, 'running');
        this.hypercalls(sock, 3);
        return;
      case 'configurationDone':
        this.respond(sock, req);
        this.event(sock, 'stopped', { reason: 'entry', threadId: 1, allThreadsStopped: true });
        return;
      case 'threads':
        this.respond(sock, req, { threads: [{ id: 1, name: 'client/cpu0' }, { id: 2, name: 'blkdrv/cpu0' }] });
        return;
      case 'stackTrace':
        this.respond(sock, req, { stackFrames: [{ id: 1, name: 'entry', line: 0, column: 0, instructionPointerReference: '0x80000000' }], totalFrames: 1 });
        return;
      case 'scopes':
        this.respond(sock, req, { scopes: [] });
        return;
      case 'continue':
        this.respond(sock, req, { allThreadsContinued: true });
        return;
      case 'pvlab.listVms':
        this.respond(sock, req, { vms: this.vms.map((v) => ({ name: v.name, state: v.state, restarts: v.restarts, domid: v.domid, role: v.role, vcpus: 1, devices: v.devices })) });
        return;
      case 'pvlab.injectFault':
        if (!this.vms.some((v) => v.name === a.vm)) return this.respond(sock, req, {}, `no VM ${JSON.stringify(a.vm)}`);
        this.respond(sock, req, { description: 'scheduled' });
        this.crashAndRestart(sock, String(a.vm), String(a.kind));
        return;
      case 'pvlab.restartVm':
        this.respond(sock, req);
        this.crashAndRestart(sock, String(a.vm), undefined);
        return;
      case 'pvlab.timeline':
        this.respond(sock, req, {
          nowMs: this.now,
          vms: this.vms.map((v) => ({ name: v.name, role: v.role, segments: v.segments })),
          faults: this.faults,
          restarts: this.restarts,
          throughput: { label: 'client I/O throughput', unit: 'KiB/s', points: this.throughput },
        });
        return;
      case 'disconnect':
      case 'terminate':
        this.respond(sock, req);
        this.event(sock, 'terminated');
        return;
      case 'setBreakpoints':
      case 'setFunctionBreakpoints':
      case 'setInstructionBreakpoints':
        this.respond(sock, req, { breakpoints: [] });
        return;
      case 'setExceptionBreakpoints':
        this.respond(sock, req);
        return;
      default:
        this.respond(sock, req, {}, `the scripted adapter does not do ${req.command}`);
    }
  }
}
