/**
 * Shared set-up of the debug-adapter tests: the fixture programs built with the
 * RISC-V cross compiler, the real adapter process (out/debug-adapter/main.js)
 * driven by DebugClient, and small helpers.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { requireTool } from '../support/tools';

/** Sources stay in the source tree (so DWARF names them there); tests run from out/test/debug-adapter. */
export const FIXTURES = path.resolve(__dirname, '../../../test/debug-adapter/fixtures');
/** The adapter under test: the tsc output, or another build (PVLAB_TEST_ADAPTER=dist/debugAdapter.js). */
export const ADAPTER = path.resolve(process.env.PVLAB_TEST_ADAPTER ?? path.resolve(__dirname, '../../debug-adapter/main.js'));
export const CC = 'riscv64-unknown-elf-gcc';
const CFLAGS = ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-ffreestanding', '-O0', '-g'];

export interface Programs {
  dir: string;
  /** C with an assembly helper: crt0.S main.c sum.S; exits with 50. */
  c: string;
  /** Assembly only: prog.S; prints "asm ok", exits with 7. */
  asm: string;
  /** Assembly that never ends: spin.S. */
  spin: string;
}

let built: Programs | undefined;

/** Builds the fixture programs once per process (skips the suite without the cross compiler, fails under CI=true). */
export function buildPrograms(ctx: Mocha.Context): Programs {
  requireTool(ctx, CC);
  if (built) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-dap-'));
  const link = ['-T', path.join(FIXTURES, 'link.ld')];
  const src = (f: string) => path.join(FIXTURES, f);
  const cc = (out: string, files: string[]) => {
    execFileSync(CC, [...CFLAGS, ...link, ...files.map(src), '-o', path.join(dir, out)], { stdio: ['ignore', 'pipe', 'pipe'] });
    return path.join(dir, out);
  };
  built = { dir, c: cc('c.elf', ['crt0.S', 'main.c', 'sum.S']), asm: cc('asm.elf', ['prog.S']), spin: cc('spin.elf', ['spin.S']) };
  return built;
}

/** 1-based line of `file` (in the fixtures) that carries the marker `L:<name>`. */
export function line(file: string, name: string): number {
  const lines = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`L:${name}\\b`).test(l));
  if (i < 0) throw new Error(`marker L:${name} not found in ${file}`);
  return i + 1;
}

export function fixture(file: string): string {
  return path.join(FIXTURES, file);
}

/** A DebugClient on a fresh adapter process. */
export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', ADAPTER, 'pvlab', { stdio: ['pipe', 'pipe', 'pipe'] });
  dc.defaultTimeout = 10_000;
  await dc.start();
  return dc;
}

/**
 * initialize (with the given client capabilities) + launch + configurationDone;
 * resolves with the first stopped event when stopOnEntry is set.
 */
export async function launch(
  dc: DebugClient,
  args: Record<string, unknown>,
  caps: Partial<DebugProtocol.InitializeRequestArguments> = {},
  configure?: () => Promise<unknown>,
): Promise<DebugProtocol.StoppedEvent | undefined> {
  await dc.initializeRequest({ adapterID: 'pvlab', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...caps });
  const initialized = dc.waitForEvent('initialized');
  const stopped = args.stopOnEntry ? dc.waitForEvent('stopped') : undefined;
  await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  await initialized;
  if (configure) await configure();
  await dc.configurationDoneRequest();
  return stopped ? ((await stopped) as DebugProtocol.StoppedEvent) : undefined;
}

/** Sends a request and waits for the next stopped event. */
export async function andStop(dc: DebugClient, request: Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [, ev] = await Promise.all([request, dc.waitForEvent('stopped')]);
  return ev as DebugProtocol.StoppedEvent;
}

export async function topFrame(dc: DebugClient, threadId = 1): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId });
  return st.body.stackFrames[0];
}

/** Expects a request to fail; returns the error message. */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the request succeeded but was expected to fail');
}

/** Sends raw bytes to the adapter's stdin (to test malformed messages). */
export function sendRaw(dc: DebugClient, text: string): void {
  const out = (dc as unknown as { outputStream: NodeJS.WritableStream }).outputStream;
  out.write(`Content-Length: ${Buffer.byteLength(text, 'utf8')}\r\n\r\n${text}`, 'utf8');
}

/** Sends a request message as given (no argument clean-up), resolving with the raw response. */
export function sendRawRequest(dc: DebugClient, message: Record<string, unknown>): Promise<DebugProtocol.Response> {
  return new Promise((resolve) => {
    const seq = 100_000 + Math.floor(Math.random() * 100_000);
    const pending = (dc as unknown as { pendingRequests: Map<number, (r: DebugProtocol.Response) => void> }).pendingRequests;
    pending.set(seq, resolve);
    sendRaw(dc, JSON.stringify({ type: 'request', seq, ...message }));
  });
}
