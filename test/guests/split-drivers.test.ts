/**
 * The driver-isolation guests on the real hypervisor, from the committed
 * images: the blkif/netif handshake and data path; a driver VM that crashes
 * with requests in flight, during the handshake, repeatedly (back-off), that
 * programs a rogue DMA (the IOMMU stops it), that hangs (the watchdog); a
 * corrupted response on the ring. In every case the client reconnects and
 * reissues, and no acknowledged write is lost.
 */
import * as assert from 'assert';
import { symbolAddress } from '../../scripts/demo';
import { assertClientUnharmed, consoles, ms, runSplit, SMALL_BUSY_MS } from './support';

describe('guests: split drivers (client, blk driver VM, net driver VM)', function () {
  this.timeout(120000);

  it('connects both devices through the registry handshake and runs both workloads', () => {
    const o = runSplit();
    assertClientUnharmed(o);
    const rt = o.run.rt;
    assert.strictEqual(rt.registryDump('/vm/1/device/blk/0/state')?.value, '4');
    assert.strictEqual(rt.registryDump('/vm/2/backend/blk/1/0/state')?.value, '4');
    assert.strictEqual(rt.registryDump('/vm/1/device/net/0/state')?.value, '4');
    assert.strictEqual(rt.registryDump('/vm/3/backend/net/1/0/state')?.value, '4');
    assert.strictEqual(rt.registryDump('/vm/2/backend/blk/1/0/sectors')?.value, '16384');
    assert.match(o.client, /VERDICT PASS storage records=64 written=64 verified=64 lost=0 corrupted=0 failed=0/);
    assert.match(o.client, /VERDICT PASS network requests=16 answered=16 lost=0/);
    assert.deepStrictEqual(rt.faults(), []);
    // Zero copy: the backend maps the client's pages; everything was unmapped again.
    assert.strictEqual(rt.grants('blkdrv').mapped.length, 1, 'only the ring stays mapped');
    const disk = rt.vm('blkdrv').devices[0].describe?.() as { stats: { writes: number; reads: number } };
    assert.strictEqual(disk.stats.writes, 64);
    assert.strictEqual(disk.stats.reads, 64);
  });

  it('reissues the requests in flight when the blk driver VM crashes, and loses no acknowledged write', () => {
    const o = runSplit({ setup: (run) => run.rt.inject('blkdrv', 'crash', 15) });
    assertClientUnharmed(o);
    const kept = /blkfront: backend \w+; (\d+) request\(s\) kept for reissue/.exec(o.client);
    assert.ok(kept && Number(kept[1]) > 0, `requests were in flight at the crash\n${consoles(o)}`);
    assert.strictEqual(o.verdicts.storage.fields.reissued, Number(kept[1]));
    assert.strictEqual(o.verdicts.storage.fields.reconnects, 1);
    const [f] = o.run.rt.faults();
    assert.strictEqual(f.vm, 'blkdrv');
    assert.strictEqual(f.outcome, 'restarted');
    assert.match(o.blkdrv, /PANIC: unexpected trap: illegal instruction/);
  });

  for (const when of ['InitWait', 'Initialised'] as const) {
    it(`survives a crash of the blk driver VM during the handshake (after ${when})`, () => {
      // Crash the backend right after the registry write that marks the step.
      const path = when === 'InitWait' ? '/vm/2/backend/blk/1/0/state' : '/vm/1/device/blk/0/state';
      const want = when === 'InitWait' ? '2' : '3';
      let injectedAt: number | undefined;
      const o = runSplit({
        setup: (run) => {
          run.rt.on('trace', (e: { kind: string; detail?: string }) => {
            if (injectedAt !== undefined || e.kind !== 'registry' || e.detail !== path) return;
            if (run.rt.registryDump(path)?.value !== want) return;
            injectedAt = run.rt.nowMs;
            run.rt.inject('blkdrv', 'crash');
          });
        },
      });
      assert.ok(injectedAt !== undefined, 'the handshake step was seen');
      assertClientUnharmed(o);
      const [f] = o.run.rt.faults();
      assert.strictEqual(f.vm, 'blkdrv');
      // The fault came before the first connection: the backend never reached Connected before it.
      assert.ok(!/blkback\[1\]: state Connected[\s\S]*PANIC/.test(o.blkdrv), o.blkdrv);
      assert.strictEqual(o.run.rt.vm('blkdrv').restarts, 1);
    });
  }

  it('survives repeated crashes with the restart back-off (at once, then 4, 8 ms)', () => {
    const o = runSplit({
      vmOverrides: { blkdrv: { restart: { maxRestarts: 5, initialBackoffMs: 4, maxBackoffMs: 100, multiplier: 2 } } },
      setup: (run) => {
        for (const at of [8, 14, 22]) run.rt.inject('blkdrv', 'crash', at);
      },
    });
    assertClientUnharmed(o);
    const f = o.run.rt.faults();
    assert.deepStrictEqual(f.map((x) => [x.vm, x.outcome]), [['blkdrv', 'restarted'], ['blkdrv', 'restarted'], ['blkdrv', 'restarted']]);
    assert.deepStrictEqual(f.map((x) => Math.round(ms(x.recoveredAt! - x.detectedAt))), [0, 4, 8]);
    assert.strictEqual(o.verdicts.storage.fields.reconnects, 3);
    assert.ok(Number(o.verdicts.storage.fields.waited_us) >= 12000, o.verdicts.storage.line);
  });

  it('has the IOMMU stop a rogue DMA programmed by the blk driver VM, which is restarted; the client data is intact', () => {
    let armedAt = 0;
    const o = runSplit({
      setup: (run) => {
        const addr = symbolAddress(run.rt.images.get('blkdrv')!.files[0], 'blkback_rogue_dma');
        // At 12 ms, as a debugger would: the driver's next write request becomes a device write into read-only grants.
        run.rt.runSync({ untilMs: 12 });
        armedAt = run.rt.nowMs;
        assert.strictEqual(run.rt.writeMemory('blkdrv', addr, Uint8Array.of(1, 0, 0, 0)), 4);
      },
    });
    assertClientUnharmed(o);
    assert.ok(armedAt > 0);
    const [f] = o.run.rt.faults();
    assert.strictEqual(f.vm, 'blkdrv');
    assert.strictEqual(f.kind, 'iommu');
    assert.match(f.detail, /DMA write of \d+ bytes at 0x304[0-9a-f]{5} refused .*read-only/);
    assert.strictEqual(f.outcome, 'restarted');
    assert.match(o.blkdrv, /ROGUE: programming a device write into read-only grant pages/);
    const disk = o.run.rt.vm('blkdrv').devices[0].describe?.() as { transport: { dmaFaults: number } };
    assert.ok(disk.transport.dmaFaults >= 0);
  });

  it('catches a hung blk driver VM with the watchdog and carries on after its restart', () => {
    const o = runSplit({ setup: (run) => run.rt.inject('blkdrv', 'hang', 15) });
    assertClientUnharmed(o);
    const [f] = o.run.rt.faults();
    assert.strictEqual(f.kind, 'watchdog');
    const waited = ms(f.detectedAt - f.injection!.at);
    // The frontend notifies a backend that stopped answering within 10 ms; the watchdog (50 ms) then sees the pending event.
    assert.ok(waited >= 50 && waited < 50 + 25, `detected ${waited} ms after the hang (watchdog 50 ms)`);
    assert.ok(Number(o.verdicts.storage.fields.reissued) > 0, o.verdicts.storage.line);
  });

  it('reconnects the network after the net driver VM crashes; the requests are retried, none lost', () => {
    const o = runSplit({ params: 'blk.records=16 blk.passes=1 net.requests=40 net.size=512', setup: (run) => run.rt.inject('netdrv', 'crash', 9) });
    assertClientUnharmed(o);
    assert.strictEqual(o.verdicts.network.fields.reconnects, 1);
    assert.strictEqual(o.verdicts.network.fields.lost, 0);
    assert.strictEqual(o.run.rt.vm('netdrv').restarts, 1);
  });

  it('treats a corrupted response on the ring as a misbehaving backend: orderly close, reconnect, reissue', () => {
    let done = false;
    const o = runSplit({
      setup: (run) => {
        // Right after the backend notified the client of new responses, before the client runs: flip a bit of the newest one.
        run.rt.on('hypercall', (e: { vm: string; name: string }) => {
          if (done || e.vm !== 'blkdrv' || e.name !== 'PVIO_FID_EVTCHN_SEND' || run.rt.nowMs < 10) return;
          done = true;
          run.rt.inject('blkdrv', 'ring-corrupt', undefined, { slotBytes: 128, bit: 3 });
        });
      },
    });
    assertClientUnharmed(o);
    assert.ok(done);
    assert.match(o.client, /blkfront: bad response/, consoles(o));
    assert.match(o.client, /blkfront: backend released the ring; \d+ request\(s\) kept for reissue/);
    assert.strictEqual(o.verdicts.storage.fields.bad_responses, 1);
    assert.deepStrictEqual(o.run.rt.faults(), [], 'no VM failed: the backend was asked to close');
  });

  it('keeps every acknowledged write through every fault kind, injected at random times into either driver VM', () => {
    const kinds = ['crash', 'bad-pointer', 'hang', 'reg-flip', 'mem-flip', 'wild-write', 'bad-dma', 'ring-corrupt', 'panic'] as const;
    let seed = 0x1234567;
    const rnd = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const summary: string[] = [];
    for (const vm of ['blkdrv', 'netdrv']) {
      for (const kind of kinds) {
        const at = SMALL_BUSY_MS[0] + rnd() * (SMALL_BUSY_MS[1] - SMALL_BUSY_MS[0]);
        const o = runSplit({ seed: 1 + Math.floor(rnd() * 1000), setup: (run) => run.rt.inject(vm, kind, at) });
        assertClientUnharmed(o, `${kind} into ${vm} at ${at.toFixed(3)} ms`);
        summary.push(`${vm}:${kind}@${at.toFixed(1)}→${o.run.rt.faults().map((f) => f.kind).join('+') || 'no fault'}`);
      }
    }
    assert.strictEqual(summary.length, 18, summary.join(' '));
  });

  it('runs the monolithic baseline (drivers in the client kernel) with the same verdicts', () => {
    const o = runSplit({ system: 'monolithic' });
    assert.ok(o.passed, consoles(o));
    assert.match(o.client, /VERDICT PASS storage records=64 written=64 verified=64 lost=0 corrupted=0/);
    assert.match(o.client, /VERDICT PASS network requests=16 answered=16 lost=0/);
    assert.strictEqual(o.run.rt.report().stats.hypercalls < 50, true, 'no split-driver hypercalls');
  });
});
