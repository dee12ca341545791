/**
 * Helpers for the guest tests: the example systems of examples/driver-isolation
 * run from the committed images (no toolchain), with a small workload patched
 * into the client image so each run takes well under a second of host time.
 */
import * as assert from 'assert';
import { CYCLES_PER_MS } from '../../emulator/hypervisor/time';
import { prepareExample, runToVerdict, type ExampleOptions, type ExampleRun, type RunResult } from '../../scripts/demo';

/** A small workload: 2 passes of 32 records of 4 KiB (8 in flight), 16 network requests. */
export const SMALL = 'blk.records=32 blk.passes=2 blk.size=4096 blk.depth=8 net.requests=16';
/** Virtual-time span in which the small workload is busy on the disk (after the handshake). */
export const SMALL_BUSY_MS: readonly [number, number] = [6, 34];

export interface Outcome extends RunResult {
  readonly run: ExampleRun;
  readonly client: string;
  readonly blkdrv: string;
  readonly netdrv: string;
}

/** Builds a run of the driver-isolation system; `setup` may inject faults before it runs. */
export function runSplit(o: ExampleOptions & { setup?: (run: ExampleRun) => void; untilMs?: number } = {}): Outcome {
  const run = prepareExample({ params: SMALL, diskFile: false, ...o });
  try {
    o.setup?.(run);
    const r = runToVerdict(run, o.untilMs ?? 5000);
    return {
      ...r, run,
      client: run.output.get('client') ?? '', blkdrv: run.output.get('blkdrv') ?? '', netdrv: run.output.get('netdrv') ?? '',
    };
  } finally {
    run.cleanup();
  }
}

/** Every console, for assertion messages. */
export function consoles(o: Outcome): string {
  return [...o.run.output].map(([vm, t]) => t.split('\n').filter(Boolean).map((l) => `[${vm}] ${l}`).join('\n')).join('\n');
}

/** The verdict every test expects: the workload finished, nothing lost or corrupted, the client never stopped. */
export function assertClientUnharmed(o: Outcome, what = ''): void {
  const info = `${what}\n${consoles(o)}\nfaults: ${JSON.stringify(o.run.rt.faults().map((f) => `${f.vm} ${f.kind} ${f.outcome}`))}`;
  assert.ok(o.finished, `the client did not finish its workload (${o.stop} at ${o.endMs.toFixed(1)} ms)${info}`);
  const s = o.verdicts.storage;
  assert.ok(s, `no storage verdict${info}`);
  assert.strictEqual(s.fields.lost, 0, `records lost${info}`);
  assert.strictEqual(s.fields.corrupted, 0, `records corrupted${info}`);
  assert.strictEqual(s.passed, true, `storage verdict: ${s.line}${info}`);
  assert.strictEqual(o.verdicts.network?.passed, true, `network verdict: ${o.verdicts.network?.line}${info}`);
  assert.strictEqual(o.passed, true, info);
  const client = o.run.rt.vm('client');
  assert.strictEqual(client.state, 'running', info);
  assert.strictEqual(client.restarts, 0, info);
  assert.deepStrictEqual(o.run.rt.faults().filter((f) => f.vm === 'client'), [], info);
}

export const ms = (cycles: number): number => cycles / CYCLES_PER_MS;
