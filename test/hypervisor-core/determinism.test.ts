/**
 * Determinism: the same system, seed and injections give the same run,
 * instruction for instruction (the trace hash covers every hypercall, event,
 * fault and restart, and every scheduling slice: vCPU, instructions, pc,
 * time). Injections are inputs: replaying their records reproduces the run
 * even with another PRNG seed.
 */
import * as assert from 'assert';
import type { InjectionRecord } from '../../emulator/hypervisor/injector';
import { needCompiler } from './support';
import { splitSystem } from './split-system';

interface Outcome {
  hash: string;
  client: string;
  drv: string;
  injections: readonly InjectionRecord[];
  instructions: number;
}

function run(seed: number, replay?: readonly InjectionRecord[]): Outcome {
  const { rt, out } = splitSystem({ seed, watchdogMs: 4, quantum: 3000 });
  if (replay) rt.replay(replay);
  else {
    rt.inject('drv', 'crash', 4);
    rt.inject('drv', 'reg-flip', 8);
    rt.inject('drv', 'wild-write', 11);
    rt.inject('client', 'mem-flip', 13);
    rt.inject('drv', 'hang', 15);
  }
  rt.runSync({ untilMs: 30 });
  return {
    hash: rt.traceHash(),
    client: out.get('client') ?? '',
    drv: out.get('drv') ?? '',
    injections: rt.injections().map((r) => ({ ...r })),
    instructions: rt.hypervisor.vcpus.reduce((n, v) => n + v.hart.retired, 0),
  };
}

describe('hypervisor: determinism', function () {
  this.timeout(120000);
  before(function () {
    needCompiler(this);
  });

  it('two runs with the same inputs give identical trace hashes', () => {
    const a = run(1);
    const b = run(1);
    assert.strictEqual(a.hash, b.hash);
    assert.strictEqual(a.instructions, b.instructions);
    assert.strictEqual(a.client, b.client);
    assert.strictEqual(a.drv, b.drv);
    assert.match(a.client, /front-reconnect/);
  });

  it('another seed draws other injection parameters, and the hash shows it', () => {
    const a = run(1);
    const c = run(2);
    assert.notDeepStrictEqual(a.injections.map((r) => r.params), c.injections.map((r) => r.params));
    assert.notStrictEqual(a.hash, c.hash);
  });

  it('replaying the recorded injections reproduces the run without the seed', () => {
    const a = run(1);
    const d = run(12345, a.injections);
    assert.strictEqual(d.hash, a.hash);
    assert.strictEqual(d.client, a.client);
  });
});
