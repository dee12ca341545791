/**
 * Set-up shared by the tests that debug the demo system (examples/driver-isolation):
 * launching it in multi-session mode, with the test answering startDebugging the
 * way VS Code does (a second DebugClient per VM on the child's debugServer).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { startClient } from './support';

export const REPO = path.resolve(__dirname, '../../..');
export const DEMO = path.join(REPO, 'examples/driver-isolation/system.json');
export const CAPS = { adapterID: 'pvlab', pathFormat: 'path' as const, linesStartAt1: true, columnsStartAt1: true };

/**
 * Call inside a `describe`: the clients a test starts go into the returned list and
 * are stopped after it, children first; the suite is skipped without the demo.
 */
export function demoClients(): DebugClient[] {
  const clients: DebugClient[] = [];
  before(function () {
    if (!fs.existsSync(DEMO)) this.skip();
  });
  afterEach(async () => {
    for (const c of clients.splice(0).reverse()) await c.stop().catch(() => undefined);
  });
  return clients;
}

export interface ReverseRequest {
  seq: number;
  command: string;
  arguments: { request: string; configuration: Record<string, unknown> };
}

/** Makes a DebugClient answer reverse requests (DebugClient itself ignores them). */
export function onReverseRequest(dc: DebugClient, handler: (r: ReverseRequest) => boolean): void {
  const client = dc as unknown as { dispatch(body: string): void; outputStream: NodeJS.WritableStream };
  const original = client.dispatch.bind(dc);
  client.dispatch = (body: string) => {
    const msg = JSON.parse(body);
    if (msg.type !== 'request') {
      original(body);
      return;
    }
    const ok = handler(msg as ReverseRequest);
    const json = JSON.stringify({ type: 'response', seq: 0, request_seq: msg.seq, command: msg.command, success: ok });
    client.outputStream.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  };
}

/** Collects the events of one kind of a client. */
export function collect<T = { body: Record<string, unknown> }>(dc: DebugClient, name: string): T[] {
  const list: T[] = [];
  dc.on(name, (e: T) => list.push(e));
  return list;
}

export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Launches the demo in multi mode; resolves with the parent and a child client
 * per VM (client, blkdrv, netdrv), all stopped on entry. Every client is pushed
 * to `clients` (to be stopped after the test).
 */
export async function launchMulti(
  clients: DebugClient[], extra: Record<string, unknown> = {},
): Promise<{ parent: DebugClient; kids: Map<string, DebugClient>; caps: Map<string, DebugProtocol.Capabilities> }> {
  const parent = await startClient();
  clients.push(parent);
  const requests: ReverseRequest[] = [];
  onReverseRequest(parent, (r) => {
    requests.push(r);
    return r.command === 'startDebugging';
  });
  await parent.initializeRequest({ ...CAPS, supportsStartDebuggingRequest: true });
  const initialized = parent.waitForEvent('initialized');
  await parent.launchRequest({ system: DEMO, stopOnEntry: true, ...extra } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await parent.configurationDoneRequest();
  await until(() => requests.length === 3);
  const kids = new Map<string, DebugClient>();
  const caps = new Map<string, DebugProtocol.Capabilities>();
  const entries: Promise<unknown>[] = [];
  for (const r of requests) {
    const cfg = r.arguments.configuration;
    assert.strictEqual(r.arguments.request, 'attach');
    const child = new DebugClient('node', '', 'pvlab');
    child.defaultTimeout = 10_000;
    await child.start(cfg.debugServer as number);
    clients.push(child);
    caps.set(cfg.vm as string, (await child.initializeRequest(CAPS)).body ?? {});
    const init = child.waitForEvent('initialized');
    entries.push(child.waitForEvent('stopped', 10_000));
    await child.attachRequest(cfg as DebugProtocol.AttachRequestArguments);
    await init;
    await child.configurationDoneRequest();
    kids.set(cfg.vm as string, child);
  }
  await Promise.all(entries);
  return { parent, kids, caps };
}
