/**
 * Fuzzing the debug adapter over stdio (the real process,
 * out/debug-adapter/main.js): random and malformed DAP requests — unknown
 * commands, wrong argument types, huge or negative numbers, requests before
 * initialize and before launch, broken JSON. Every well-framed request must get
 * a response with the same request_seq (success false with a message when it
 * fails); the process must not exit, must keep answering (a valid request at
 * the end), and its memory must stay bounded. Skipped visibly when the adapter
 * has not been built.
 */
import * as assert from 'assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../hypervisor-core/support';
import { FUZZ_SECONDS, FUZZ_SEED, Prng } from './fuzz-support';

const COMMANDS = ['initialize', 'launch', 'attach', 'configurationDone', 'threads', 'stackTrace', 'scopes', 'variables', 'setVariable', 'continue', 'next', 'stepIn',
  'stepOut', 'pause', 'evaluate', 'readMemory', 'writeMemory', 'disassemble', 'setBreakpoints', 'setFunctionBreakpoints', 'setInstructionBreakpoints',
  'setDataBreakpoints', 'dataBreakpointInfo', 'setExceptionBreakpoints', 'source', 'loadedSources', 'restart', 'goto', 'stepBack',
  'pvlab.injectFault', 'pvlab.vmControl', 'pvlab.trace', 'nonsense', '', '__proto__', 'constructor', 'toString'];
const KEYS = ['threadId', 'frameId', 'variablesReference', 'memoryReference', 'offset', 'count', 'instructionCount', 'expression', 'context', 'name', 'value', 'source',
  'breakpoints', 'lines', 'filters', 'program', 'system', 'data', 'address', 'vm', 'kind', 'atMs', 'levels', 'startFrame', 'resolveSymbols', 'instructionOffset'];

function value(p: Prng, depth = 0): unknown {
  switch (p.below(depth > 2 ? 7 : 10)) {
    case 0: return p.u32() | 0;
    case 1: return [-1, 0, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, 0.5][p.below(8)];
    case 2: return ['', '0x80000000', '0xffffffffffffffff', 'x'.repeat(p.below(10000)), '-1', 'NaN', '../../etc/passwd', '${env:HOME}', 'a.b.c', '0x'][p.below(10)];
    case 3: return null;
    case 4: return p.below(2) === 0;
    case 5: return Buffer.from(new Uint8Array(p.below(64)).map(() => p.below(256))).toString('base64');
    case 6: return undefined;
    case 7: return Array.from({ length: p.below(5) }, () => value(p, depth + 1));
    default: return obj(p, depth + 1);
  }
}

function obj(p: Prng, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = p.below(5);
  for (let i = 0; i < n; i++) o[KEYS[p.below(KEYS.length)]] = value(p, depth);
  return o;
}

class Adapter {
  readonly proc: ChildProcessWithoutNullStreams;
  private buf = Buffer.alloc(0);
  readonly responses = new Map<number, { success: boolean; message?: string; command: string }>();
  exited: number | null | undefined;
  stderr = '';

  constructor(main: string) {
    this.proc = spawn(process.execPath, ['--max-old-space-size=512', main], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.on('exit', (code) => { this.exited = code; });
    this.proc.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.proc.stdout.on('data', (d: Buffer) => this.data(d));
    this.proc.stdin.on('error', () => { /* the exit check reports it */ });
  }

  private data(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, sep).toString());
      assert.ok(m, `adapter wrote a bad header: ${this.buf.subarray(0, sep).toString()}`);
      const len = Number(m[1]);
      if (this.buf.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString()) as { type: string; request_seq: number; success: boolean; message?: string; command: string };
      this.buf = this.buf.subarray(sep + 4 + len);
      if (msg.type === 'response') this.responses.set(msg.request_seq, msg);
    }
  }

  raw(s: string | Buffer): void {
    this.proc.stdin.write(s);
  }

  send(seq: number, command: string, args: unknown): void {
    const text = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.raw(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  }

  async waitFor(seqs: number[], ms: number): Promise<number[]> {
    const end = Date.now() + ms;
    while (Date.now() < end && this.exited === undefined && seqs.some((s) => !this.responses.has(s))) await new Promise((r) => setTimeout(r, 10));
    return seqs.filter((s) => !this.responses.has(s));
  }

  rssMiB(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  }
}

describe('fuzz: debug adapter requests over stdio', function () {
  this.timeout(120000);
  const main = path.join(repoRoot(), 'out', 'debug-adapter', 'main.js');

  it('answers random and malformed requests, keeps running, memory bounded', async function () {
    if (!fs.existsSync(main)) {
      console.log(`      SKIPPED: ${main} not built`);
      this.skip();
    }
    const p = new Prng(FUZZ_SEED);
    const a = new Adapter(main);
    try {
      let seq = 1;
      const end = Date.now() + Math.min(FUZZ_SECONDS, 60) * 1000 * 2;
      let rss0 = 0, rssMax = 0, batches = 0, sent = 0;
      while (Date.now() < end && a.exited === undefined) {
        const batch: number[] = [];
        for (let i = 0; i < 20; i++) {
          const s = seq++;
          const kind = p.below(20);
          if (kind === 0) {
            // Broken JSON with a correct frame: the adapter cannot know the seq; it must survive.
            const junk = `{"seq":${s},"type":"request","command":` + 'x'.repeat(p.below(50));
            a.raw(`Content-Length: ${Buffer.byteLength(junk)}\r\n\r\n${junk}`);
          } else if (kind === 1) {
            const text = JSON.stringify({ seq: s, type: ['event', 'response', 'request', 'nope'][p.below(4)], command: 7, arguments: 'x' });
            a.raw(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
          } else {
            const cmd = COMMANDS[p.below(COMMANDS.length)];
            // No launch of a real program: keep requests that would start a debuggee harmless.
            const args = cmd === 'launch' || cmd === 'attach' ? { program: `/nonexistent/${p.below(1000)}.elf`, ...obj(p) } : p.below(8) === 0 ? value(p) : obj(p);
            a.send(s, cmd, args);
            if (cmd !== 'disconnect' && cmd !== 'terminate') batch.push(s);
          }
          sent++;
        }
        const missing = await a.waitFor(batch, 10000);
        if (a.exited !== undefined) break;
        assert.deepStrictEqual(missing, [], `requests without a response (seed ${FUZZ_SEED}); stderr: ${a.stderr.slice(-2000)}`);
        for (const s of batch) {
          const r = a.responses.get(s)!;
          if (!r.success) assert.ok(typeof r.message === 'string' && r.message.length > 0, `a failed response carries a message: ${JSON.stringify(r)}`);
        }
        batches++;
        const rss = a.rssMiB();
        if (batches === 3) rss0 = rss;
        rssMax = Math.max(rssMax, rss);
      }
      if (a.exited !== undefined) {
        // A disconnect/terminate request may end the session cleanly; anything else is a crash.
        const ended = [...a.responses.values()].some((r) => r.command === 'disconnect' || r.command === 'terminate');
        assert.ok(ended && a.exited === 0, `adapter exited with ${a.exited} (seed ${FUZZ_SEED}); stderr: ${a.stderr.slice(-2000)}`);
        console.log(`      adapter ended cleanly on a disconnect/terminate after ${sent} messages`);
        return;
      }
      const last = seq++;
      a.send(last, 'threads', {});
      assert.deepStrictEqual(await a.waitFor([last], 10000), [], 'still answering after the fuzzing');
      assert.ok(rssMax - rss0 < 200, `RSS grew from ${rss0.toFixed(0)} to ${rssMax.toFixed(0)} MiB`);
      console.log(`      ${sent} messages, ${a.responses.size} responses, RSS ${rss0.toFixed(0)}→${rssMax.toFixed(0)} MiB`);
    } finally {
      a.proc.kill();
    }
  });
});
