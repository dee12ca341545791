/**
 * Isolation: a VM reaches only its own RAM, its own devices, its shared-info
 * page and the grant slots mapped for it. A load or store anywhere else is an
 * access fault delivered to that guest; a guest that cannot handle it is a
 * fault of that VM only (the neighbour's output is unchanged); a DMA outside
 * the VM's windows is an IOMMU fault of that VM only.
 */
import * as assert from 'assert';
import { buildGuest, collectOutput, needCompiler, systemFrom } from './support';

describe('hypervisor: isolation', function () {
  this.timeout(120000);
  let caught: string;
  let crash: string;
  let bystander: string;
  let baseline: string;
  before(function () {
    needCompiler(this);
    caught = buildGuest('iso.c');
    crash = buildGuest('iso.c', ['NO_TRAP_HANDLER']);
    bystander = buildGuest('bystander.c');
    const rt = systemFrom({ name: 'alone', vms: [{ name: 'bystander', image: bystander, ramMiB: 4, role: 'client' }] });
    const out = collectOutput(rt);
    rt.runSync({ untilMs: 1000 });
    baseline = out.get('bystander') ?? '';
    assert.match(baseline, /VERDICT PASS bystander/);
  });

  it('delivers access faults for loads and stores outside the VM to the guest', () => {
    const rt = systemFrom({ name: 'iso', vms: [{ name: 'iso', image: caught, ramMiB: 4, role: 'client' }] });
    const out = collectOutput(rt);
    rt.runSync({ untilMs: 100 });
    assert.match(out.get('iso') ?? '', /VERDICT PASS iso-caught/, out.get('iso'));
    assert.deepStrictEqual(rt.faults(), []);
  });

  it('an unhandled access fault stops that VM only; the neighbour runs exactly as alone', () => {
    const rt = systemFrom({
      name: 'iso-crash',
      vms: [
        { name: 'iso', image: crash, ramMiB: 4, role: 'client', restart: { maxRestarts: 1, initialBackoffMs: 1, maxBackoffMs: 1 } },
        { name: 'bystander', image: bystander, ramMiB: 4, role: 'client' },
      ],
    });
    const out = collectOutput(rt);
    rt.runSync({ untilMs: 1000 });
    assert.strictEqual(out.get('bystander'), baseline);
    const faults = rt.faults();
    assert.strictEqual(faults.length, 2, JSON.stringify(faults));
    for (const f of faults) {
      assert.strictEqual(f.vm, 'iso');
      assert.strictEqual(f.kind, 'unhandled-trap');
      assert.match(f.detail, /store\/AMO access fault .*stval 0x80800000/);
    }
    assert.strictEqual(faults[0].outcome, 'restarted');
    assert.strictEqual(faults[1].outcome, 'down');
    assert.strictEqual(rt.vm('iso').state, 'down');
    assert.strictEqual(rt.vm('bystander').state, 'halted');
    assert.doesNotMatch(out.get('iso') ?? '', /still alive/);
  });

  it('a DMA outside the VM is an IOMMU fault of the device owner only', () => {
    const rt = systemFrom({
      name: 'iso-dma',
      vms: [
        { name: 'drv', image: caught, ramMiB: 4, role: 'driver', restart: { maxRestarts: 0 } },
        { name: 'bystander', image: bystander, ramMiB: 4, role: 'client' },
      ],
      devices: [{ name: 'disk0', kind: 'virtio-blk', owner: 'drv', disk: { sizeKiB: 64 } }],
    });
    const out = collectOutput(rt);
    const drv = rt.vm('drv');
    // The device may reach the VM's own RAM...
    drv.iommu.write(0x80100000, Uint8Array.of(1, 2, 3, 4));
    assert.deepStrictEqual([...drv.bus.ram.subarray(0x100000, 0x100004)], [1, 2, 3, 4]);
    // ...but not the bystander's (same guest-physical address space layout, other memory) nor anything else.
    rt.inject('drv', 'bad-dma', undefined, { address: 0x80800000 });
    rt.runSync({ untilMs: 1000 });
    assert.strictEqual(out.get('bystander'), baseline);
    const f = rt.faults();
    assert.strictEqual(f.length, 1);
    assert.strictEqual(f[0].vm, 'drv');
    assert.strictEqual(f[0].kind, 'iommu');
    assert.match(f[0].detail, /0x80800000/);
    assert.strictEqual(f[0].injection?.kind, 'bad-dma');
    assert.strictEqual(drv.state, 'down');
  });
});
