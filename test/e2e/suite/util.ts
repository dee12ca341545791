/** Helpers for the extension-host cases. */
import * as vscode from 'vscode';

export const EXTENSION_ID = 'pvlab.pvlab';

/** Thrown by a case that cannot run here; the runner records it as skipped, with the message. */
export class SkipError extends Error {}

export function skip(message: string): never {
  throw new SkipError(message);
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `pred` until it returns a truthy value. */
export async function waitFor<T>(pred: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

export interface DapMessage {
  seq?: number;
  type: string;
  command?: string;
  event?: string;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown> & { reason?: string; exitCode?: number };
}

/** Records every DAP message of pvlab sessions, per session id. */
export class DapRecorder implements vscode.Disposable {
  readonly sent = new Map<string, DapMessage[]>();
  private readonly reg: vscode.Disposable;

  constructor() {
    this.reg = vscode.debug.registerDebugAdapterTrackerFactory('pvlab', {
      createDebugAdapterTracker: (s) => ({
        onDidSendMessage: (m: DapMessage) => {
          const list = this.sent.get(s.id) ?? [];
          list.push(m);
          this.sent.set(s.id, list);
        },
      }),
    });
  }

  all(): DapMessage[] {
    return [...this.sent.values()].flat();
  }

  events(name: string): DapMessage[] {
    return this.all().filter((m) => m.type === 'event' && m.event === name);
  }

  response(command: string): DapMessage | undefined {
    return this.all().find((m) => m.type === 'response' && m.command === command);
  }

  clear(): void {
    this.sent.clear();
  }

  dispose(): void {
    this.reg.dispose();
  }
}

/** The bytes an ELF32 file loads at `address` (from its PT_LOAD segments). */
export function elfBytesAt(elf: Uint8Array, address: number, count: number): Uint8Array | undefined {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = dv.getUint32(0x1c, true);
  const phentsize = dv.getUint16(0x2a, true);
  const phnum = dv.getUint16(0x2c, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (dv.getUint32(ph, true) !== 1) continue; // PT_LOAD
    const offset = dv.getUint32(ph + 4, true);
    const paddr = dv.getUint32(ph + 12, true);
    const filesz = dv.getUint32(ph + 16, true);
    if (address >= paddr && address + count <= paddr + filesz) return elf.subarray(offset + address - paddr, offset + address - paddr + count);
  }
  return undefined;
}

export function elfEntry(elf: Uint8Array): number {
  return new DataView(elf.buffer, elf.byteOffset, elf.byteLength).getUint32(0x18, true);
}
