import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDtb } from '../../emulator/hypervisor/fdt-parse';
import { buildVmDeviceTree, PVBUS_HYPERCALL_EID, vmPlicContext } from '../../emulator/hypervisor/vm-devicetree';
import { requireTool } from '../support/tools';
import { sampleVm } from './sample-vm';

describe('VM device tree', () => {
  const tree = parseDtb(buildVmDeviceTree(sampleVm()));
  const node = (p: string): NonNullable<ReturnType<typeof tree.find>> => {
    const n = tree.find(p);
    assert.ok(n, `missing ${p}`);
    return n;
  };

  it('has QEMU-virt-style root cells, memory and chosen', () => {
    assert.equal(tree.root.getU32('#address-cells'), 2);
    assert.equal(tree.root.getU32('#size-cells'), 2);
    assert.equal(tree.root.getString('compatible'), 'pvlab,vm');
    assert.match(tree.root.getString('model') ?? '', /netdrv/);
    assert.equal(node('/memory@80000000').getString('device_type'), 'memory');
    assert.deepEqual(node('/memory@80000000').getU32s('reg'), [0, 0x8000_0000, 0, 16 << 20]);
    assert.equal(node('/chosen').getString('stdout-path'), '/soc/serial@10000000');
    assert.equal(node('/chosen').getString('bootargs'), 'console=ttyS0 earlycon=sbi');
  });

  it('describes each vCPU with an S-mode-capable interrupt controller', () => {
    const cpus = node('/cpus');
    assert.equal(cpus.getU32('timebase-frequency'), 10_000_000);
    assert.equal(cpus.getU32('#address-cells'), 1);
    assert.equal(cpus.getU32('#size-cells'), 0);
    assert.deepEqual(cpus.children.map((c) => c.name), ['cpu@0', 'cpu@1']);
    for (const [i, cpu] of cpus.children.entries()) {
      assert.equal(cpu.getU32('reg'), i);
      assert.equal(cpu.getString('device_type'), 'cpu');
      assert.equal(cpu.getString('status'), 'okay');
      assert.equal(cpu.getString('compatible'), 'riscv');
      assert.equal(cpu.getString('riscv,isa'), 'rv32ima_zicsr_zifencei');
      assert.equal(cpu.getString('mmu-type'), 'riscv,sv32');
      const intc = cpu.child('interrupt-controller');
      assert.ok(intc);
      assert.equal(intc.getString('compatible'), 'riscv,cpu-intc');
      assert.equal(intc.getU32('#interrupt-cells'), 1);
      assert.ok(intc.has('interrupt-controller'));
      assert.ok(intc.getU32('phandle'));
    }
  });

  it('wires the PLIC to S-mode external interrupts only, context N = hart N', () => {
    const plic = node('/soc/plic@c000000');
    assert.deepEqual(plic.getStrings('compatible'), ['sifive,plic-1.0.0', 'riscv,plic0']);
    assert.deepEqual(plic.getU32s('reg'), [0, 0x0c00_0000, 0, 0x60_0000]);
    assert.equal(plic.getU32('riscv,ndev'), 95);
    const intcs = node('/cpus').children.map((c) => c.child('interrupt-controller')?.getU32('phandle'));
    const ext = plic.getU32s('interrupts-extended') ?? [];
    assert.deepEqual(ext, intcs.flatMap((ph) => [ph, 9]));
    // Context index = position in interrupts-extended.
    assert.equal(ext[2 * vmPlicContext(1)], intcs[1]);
    assert.equal(node('/soc').getString('compatible'), 'simple-bus');
    assert.ok(node('/soc').has('ranges'));
  });

  it('lists the UART and the virtio-mmio slots with PLIC interrupts', () => {
    const plicPh = node('/soc/plic@c000000').getU32('phandle');
    const uart = node('/soc/serial@10000000');
    assert.equal(uart.getString('compatible'), 'ns16550a');
    assert.equal(uart.getU32('clock-frequency'), 3_686_400);
    assert.equal(uart.getU32('interrupts'), 10);
    assert.equal(uart.getU32('interrupt-parent'), plicPh);
    for (const [addr, irq] of [[0x1000_1000, 1], [0x1000_3000, 3]]) {
      const v = node(`/soc/virtio_mmio@${addr.toString(16)}`);
      assert.equal(v.getString('compatible'), 'virtio,mmio');
      assert.deepEqual(v.getU32s('reg'), [0, addr, 0, 0x1000]);
      assert.equal(v.getU32('interrupts'), irq);
      assert.equal(v.getU32('interrupt-parent'), plicPh);
    }
  });

  it('describes the paravirtual bus', () => {
    const pv = node('/pvbus@30400000');
    assert.equal(pv.getString('compatible'), 'pvlab,pvbus');
    assert.deepEqual(pv.getU32s('reg'), [0, 0x3040_0000, 0, 0x10_0000]);
    assert.equal(pv.getU32('pvlab,domid'), 2);
    assert.equal(pv.getString('pvlab,vm-name'), 'netdrv');
    assert.equal(pv.getU32('pvlab,hypercall-eid'), PVBUS_HYPERCALL_EID);
    assert.deepEqual(pv.getU32s('pvlab,shared-info'), [0, 0x3000_0000]);
    assert.equal(pv.has('interrupts'), false, 'events arrive as SSIP, not through the PLIC');
    assert.deepEqual(tree.memReserve, [], 'shared info outside RAM needs no reservation');
  });

  it('adapts to optional parts: no UART, no virtio, one hart, shared info inside RAM', () => {
    const t = parseDtb(buildVmDeviceTree(sampleVm({
      uart: undefined, virtio: [], bootargs: undefined, harts: 1,
      pvbus: { sharedInfo: 0x80ff_f000, grantWindow: { base: 0x4000_0000, size: 0x1000 }, hypercallEid: PVBUS_HYPERCALL_EID },
    })));
    assert.equal(t.find('/soc')?.children.length, 1, 'only the PLIC');
    assert.equal(t.find('/chosen')?.has('stdout-path'), false);
    assert.equal(t.find('/chosen')?.has('bootargs'), false);
    assert.ok(t.find('/pvbus@40000000'));
    assert.deepEqual(t.memReserve, [{ address: 0x80ff_f000n, size: 0x1000n }]);
    assert.deepEqual(t.find('/soc/plic@c000000')?.getU32s('interrupts-extended'), [t.find('/cpus/cpu@0/interrupt-controller')?.getU32('phandle'), 9]);
  });

  it('refuses inconsistent descriptions', () => {
    const bad = (over: Parameters<typeof sampleVm>[0], msg: RegExp): void => {
      assert.throws(() => buildVmDeviceTree(sampleVm(over)), msg);
    };
    bad({ ramBase: 0x8010_0000 }, /4 MiB-aligned/);
    bad({ ramSize: 1000 }, /RAM size/);
    bad({ harts: 0 }, /hart count/);
    bad({ isa: 'rv64imac' }, /not an rv32 ISA/);
    bad({ virtio: [{ base: 0x1000_1000, size: 0x1000, irq: 10 }] }, /share a PLIC source/);
    bad({ virtio: [{ base: 0x1000_1000, size: 0x1000, irq: 96 }] }, /outside PLIC sources 1..95/);
    bad({ virtio: [{ base: 0x1000_0080, size: 0x1000, irq: 2 }] }, /UART and virtio 0 windows overlap/);
    bad({ stdoutPath: '/soc/nowhere' }, /names no node/);
    bad({ vmName: 'has space' }, /bad VM name/);
  });
});

describe('VM device tree checked by dtc', function () {
  let dtc = '';
  let dir = '';
  before(function () {
    dtc = requireTool(this, 'dtc');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-vmdt-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('decompiles without errors and only the known cpu-intc warning', () => {
    const file = path.join(dir, 'vm.dtb');
    fs.writeFileSync(file, buildVmDeviceTree(sampleVm()));
    const r = spawnSync(dtc, ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.trim() !== '');
    // dtc 1.6 asks every interrupt provider for #address-cells; QEMU's cpu intc nodes omit it too.
    for (const w of warnings) assert.match(w, /Warning \(interrupt_provider\): \/cpus\/cpu@\d\/interrupt-controller: Missing #address-cells/);
    for (const expected of [
      /cpus \{/, /cpu@1 \{/, /riscv,isa = "rv32ima_zicsr_zifencei";/,
      /mmu-type = "riscv,sv32";/, /timebase-frequency = <0x989680>;/, /plic@c000000 \{/,
      /compatible = "sifive,plic-1.0.0\\0riscv,plic0";/, /serial@10000000 \{/, /virtio_mmio@10003000 \{/,
      /pvbus@30400000 \{/, /stdout-path = "\/soc\/serial@10000000";/, /memory@80000000 \{/,
    ]) assert.match(r.stdout, expected);
  });

  it('recompiles its own output (dts -> dtb) without errors', () => {
    const dtb = path.join(dir, 'vm.dtb');
    const dts = path.join(dir, 'vm.dts');
    fs.writeFileSync(dtb, buildVmDeviceTree(sampleVm()));
    fs.writeFileSync(dts, spawnSync(dtc, ['-I', 'dtb', '-O', 'dts', dtb], { encoding: 'utf8' }).stdout);
    const r = spawnSync(dtc, ['-I', 'dts', '-O', 'dtb', '-o', path.join(dir, 'again.dtb'), dts], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const again = parseDtb(new Uint8Array(fs.readFileSync(path.join(dir, 'again.dtb'))));
    assert.deepEqual(again.find('/soc/plic@c000000')?.getU32s('interrupts-extended'), [1, 9, 2, 9]);
  });
});
