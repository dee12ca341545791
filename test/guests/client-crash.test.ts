/**
 * Containment works both ways: when the client VM fails mid-workload, the driver
 * VMs whose devices were still doing DMA into the client's granted pages must not
 * be blamed (no IOMMU fault, no restart) — the orphaned grant slots absorb it.
 */
import * as assert from 'assert';
import { consoles, runSplit, SMALL_BUSY_MS } from './support';

describe('guests: a client crash harms no driver VM', function () {
  this.timeout(120000);

  it('crashing the client during disk I/O leaves blkdrv and netdrv running, unrestarted and unfaulted', () => {
    const at = (SMALL_BUSY_MS[0] + SMALL_BUSY_MS[1]) / 2;
    const o = runSplit({ setup: (run) => run.rt.inject('client', 'crash', at), untilMs: at + 40 });
    const rt = o.run.rt;
    const info = `\n${consoles(o)}\nfaults: ${JSON.stringify(rt.faults().map((f) => `${f.vm} ${f.kind}`))}`;
    assert.ok(rt.faults().some((f) => f.vm === 'client'), `the client fault was detected${info}`);
    assert.deepStrictEqual(rt.faults().filter((f) => f.vm !== 'client').map((f) => `${f.vm} ${f.kind}`), [], info);
    for (const name of ['blkdrv', 'netdrv']) {
      const vm = rt.vm(name);
      assert.strictEqual(vm.state, 'running', `${name}${info}`);
      assert.strictEqual(vm.restarts, 0, `${name}${info}`);
    }
  });
});
