/**
 * Passthrough devices: a virtio-mmio device appears only in its owner VM, its
 * DMA goes through the owner's IOMMU (its RAM and the grant pages mapped in
 * its window, nothing else), and a passed-through UART writes to the owner's console.
 */
import * as assert from 'assert';
import { BusError } from '../../emulator/bus/bus';
import { MMIO, STATUS, VIRTIO_MMIO_MAGIC } from '../../emulator/devices/virtio';
import { PVIO_GRANT_WINDOW_BASE } from '../../emulator/hypervisor/abi.generated';
import { parseDtb } from '../../emulator/hypervisor/fdt-parse';
import { buildGuest, collectOutput, needCompiler, systemFrom } from './support';
import { splitSystem } from './split-system';

const SLOT0 = 0x10001000;

describe('hypervisor: passthrough devices', function () {
  this.timeout(120000);
  let spin: string;
  before(function () {
    needCompiler(this);
    spin = buildGuest('spin.c');
  });

  const system = () => systemFrom({
    name: 'dev',
    vms: [
      { name: 'client', image: spin, ramMiB: 4, role: 'client' },
      { name: 'drv', image: spin, ramMiB: 4, role: 'driver', restart: { maxRestarts: 0 } },
    ],
    devices: [
      { name: 'disk0', kind: 'virtio-blk', owner: 'drv', disk: { sizeKiB: 64 } },
      { name: 'console', kind: 'uart', owner: 'client' },
    ],
  });

  it('maps a device only into its owner VM, and describes it in that VM\'s DTB', () => {
    const rt = system();
    const drv = rt.vm('drv');
    const client = rt.vm('client');
    assert.strictEqual(drv.bus.read(SLOT0 + MMIO.MAGIC_VALUE, 4), VIRTIO_MMIO_MAGIC);
    assert.strictEqual(drv.bus.read(SLOT0 + MMIO.DEVICE_ID, 4), 2);
    assert.throws(() => client.bus.read(SLOT0, 4), BusError);
    assert.throws(() => drv.bus.read(0x10000000, 1), BusError); // the UART belongs to the client
    const names = (dtb: Uint8Array) => parseDtb(dtb).root.children.find((n) => n.name === 'soc')!.children.map((n) => n.name);
    assert.ok(names(drv.dtb).includes('virtio_mmio@10001000'));
    assert.ok(!names(client.dtb).includes('virtio_mmio@10001000'));
    assert.ok(names(client.dtb).includes('serial@10000000'));
  });

  it('a device DMA outside the owner\'s memory is an IOMMU fault of the owner only', () => {
    const rt = system();
    const drv = rt.vm('drv');
    const w = (off: number, v: number) => drv.bus.write(SLOT0 + off, 4, v);
    // A driver that puts its virtqueue where it has no memory (as a buggy or hostile driver could).
    w(MMIO.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    w(MMIO.DRIVER_FEATURES_SEL, 1);
    w(MMIO.DRIVER_FEATURES, 1); // VIRTIO_F_VERSION_1
    w(MMIO.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    w(MMIO.QUEUE_SEL, 0);
    w(MMIO.QUEUE_NUM, 8);
    w(MMIO.QUEUE_DESC_LOW, 0x80800000); // beyond the VM's 4 MiB
    w(MMIO.QUEUE_DRIVER_LOW, 0x80801000);
    w(MMIO.QUEUE_DEVICE_LOW, 0x80802000);
    w(MMIO.QUEUE_READY, 1);
    w(MMIO.STATUS, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
    w(MMIO.QUEUE_NOTIFY, 0);
    rt.runSync({ untilMs: 1 });
    const f = rt.faults();
    assert.strictEqual(f.length, 1, JSON.stringify(f));
    assert.strictEqual(f[0].vm, 'drv');
    assert.strictEqual(f[0].kind, 'iommu');
    assert.strictEqual(drv.state, 'down');
    assert.strictEqual(rt.vm('client').state, 'running');
    // Containment reset the device.
    assert.strictEqual(drv.bus.read(SLOT0 + MMIO.STATUS, 4), 0);
  });

  it('lets a driver VM\'s devices reach the grant pages mapped in its window', function () {
    const { rt } = splitSystem();
    rt.runSync({ untilMs: 5 });
    const drv = rt.vm('drv');
    const ring = rt.grants('client').issued[0];
    assert.ok(drv.iommu.allows(PVIO_GRANT_WINDOW_BASE, 4096, 'write'));
    drv.iommu.write(PVIO_GRANT_WINDOW_BASE + 0x800, Uint8Array.of(0xde, 0xad));
    assert.deepStrictEqual([...rt.readMemory('client', ring.gfn * 4096 + 0x800, 2).data], [0xde, 0xad]);
    assert.ok(!drv.iommu.allows(PVIO_GRANT_WINDOW_BASE + 4096, 4, 'read'), 'an empty slot is not reachable');
  });

  it('a passed-through UART writes to its owner\'s console', () => {
    const rt = system();
    const out = collectOutput(rt);
    for (const ch of 'hi\n') rt.vm('client').bus.write(0x10000000, 1, ch.charCodeAt(0));
    rt.flushOutput();
    assert.strictEqual(out.get('client'), 'hi\n');
  });
});
