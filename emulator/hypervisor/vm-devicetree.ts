/**
 * The device tree handed to each VM at boot (a1 = its guest-physical address).
 * Modelled on what QEMU's rv32 `virt` machine generates, minus what a guest
 * without M-mode cannot use (CLINT, test finisher, M-mode PLIC contexts), plus
 * a node describing pvlab's paravirtual bus. docs/devicetree.md describes it.
 */
import { DeviceTree } from './fdt';

/** Firmware-specific SBI extension id of pvlab's paravirtual I/O services ("\nPVI"). */
export const PVBUS_HYPERCALL_EID = 0x0a505649;
/** Timebase of pvlab's virtual `time` CSR, in Hz. */
export const PVLAB_TIMEBASE_HZ = 10_000_000;
/** Input clock QEMU declares for its ns16550a (1.8432 MHz × 2). */
export const UART_CLOCK_HZ = 3_686_400;
/** Supervisor external interrupt: the cause the PLIC's contexts raise at each hart's intc. */
const IRQ_S_EXT = 9;
const PAGE = 0x1000;
const RAM_ALIGN = 4 << 20;

export interface MmioWindowDesc {
  readonly base: number;
  readonly size: number;
}

export interface VmDeviceTreeDesc {
  readonly vmName: string;
  readonly domid: number;
  /** Guest-physical RAM base; 4 MiB-aligned (pvlab uses 0x80000000). */
  readonly ramBase: number;
  readonly ramSize: number;
  /** Number of vCPUs; hart ids are 0..harts-1. */
  readonly harts: number;
  readonly timebaseFrequency: number;
  /** The `riscv,isa` string, e.g. "rv32ima_zicsr_zifencei". */
  readonly isa: string;
  /** ndev = highest source id (sources are 1..ndev). */
  readonly plic: MmioWindowDesc & { readonly ndev: number };
  readonly uart?: { readonly base: number; readonly irq: number };
  readonly virtio: readonly (MmioWindowDesc & { readonly irq: number })[];
  readonly pvbus: {
    /** Guest-physical address of the shared-info page. */
    readonly sharedInfo: number;
    /** Where pages granted by other VMs are mapped. */
    readonly grantWindow: MmioWindowDesc;
    readonly hypercallEid: number;
  };
  readonly bootargs?: string;
  /** /chosen/stdout-path; defaults to the UART's node when there is one. */
  readonly stdoutPath?: string;
}

/** PLIC context of a vCPU in a VM's PLIC: the tree lists only S-mode contexts, so context N is hart N's S-mode. */
export function vmPlicContext(hart: number): number {
  return hart;
}

const hexAddr = (v: number): string => v.toString(16);
/** Two-cell (#address-cells = 2 / #size-cells = 2) encoding of a 32-bit address or size. */
const cells2 = (v: number): number[] => [Math.floor(v / 0x1_0000_0000), v >>> 0];
const reg = (base: number, size: number): number[] => [...cells2(base), ...cells2(size)];

function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`VM device tree: ${what}`);
}

const isU32 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Validates the description: alignment, sizes, interrupt numbers, overlapping windows. */
function validate(d: VmDeviceTreeDesc): void {
  check(/^[A-Za-z_][A-Za-z0-9_-]*$/.test(d.vmName), `bad VM name '${d.vmName}'`);
  check(isU32(d.domid), `bad domid ${d.domid}`);
  check(isU32(d.ramBase) && d.ramBase % RAM_ALIGN === 0, 'RAM base must be 4 MiB-aligned');
  check(Number.isInteger(d.ramSize) && d.ramSize > 0 && d.ramSize % PAGE === 0 && d.ramBase + d.ramSize <= 2 ** 32, 'RAM size must be a positive number of pages inside 4 GiB');
  check(Number.isInteger(d.harts) && d.harts >= 1 && d.harts <= 32, `bad hart count ${d.harts}`);
  check(isU32(d.timebaseFrequency) && d.timebaseFrequency > 0, 'bad timebase frequency');
  check(/^rv32[a-z0-9_]+$/.test(d.isa), `riscv,isa '${d.isa}' is not an rv32 ISA string`);
  check(Number.isInteger(d.plic.ndev) && d.plic.ndev >= 1 && d.plic.ndev <= 1023, `bad PLIC ndev ${d.plic.ndev}`);
  check(isU32(d.pvbus.hypercallEid), 'bad hypercall EID');
  check(isU32(d.pvbus.sharedInfo) && d.pvbus.sharedInfo % PAGE === 0, 'shared-info address must be page-aligned');
  const windows: [string, number, number][] = [
    ['RAM', d.ramBase, d.ramSize], ['PLIC', d.plic.base, d.plic.size],
    ['grant window', d.pvbus.grantWindow.base, d.pvbus.grantWindow.size],
  ];
  if (d.uart) windows.push(['UART', d.uart.base, 0x100]);
  d.virtio.forEach((v, i) => windows.push([`virtio ${i}`, v.base, v.size]));
  for (const [name, base, size] of windows) {
    check(isU32(base) && Number.isInteger(size) && size > 0 && base + size <= 2 ** 32, `bad ${name} window`);
  }
  windows.forEach(([a, ab, as], i) => windows.slice(i + 1).forEach(([b, bb, bs]) => {
    check(ab + as <= bb || bb + bs <= ab, `${a} and ${b} windows overlap`);
  }));
  const irqs = [...(d.uart ? [d.uart.irq] : []), ...d.virtio.map((v) => v.irq)];
  for (const irq of irqs) check(Number.isInteger(irq) && irq >= 1 && irq <= d.plic.ndev, `interrupt ${irq} outside PLIC sources 1..${d.plic.ndev}`);
  check(new Set(irqs).size === irqs.length, 'two devices share a PLIC source');
}

/** /cpus: one cpu@N per vCPU, each with its local interrupt controller; returns the intc phandles. */
function addCpus(tree: DeviceTree, d: VmDeviceTreeDesc): number[] {
  const cpus = tree.root.addNode('cpus')
    .setU32('#address-cells', 1)
    .setU32('#size-cells', 0)
    .setU32('timebase-frequency', d.timebaseFrequency);
  const intcs: number[] = [];
  for (let hart = 0; hart < d.harts; hart++) {
    const cpu = cpus.addNode(`cpu@${hexAddr(hart)}`)
      .setString('device_type', 'cpu')
      .setU32('reg', hart)
      .setString('status', 'okay')
      .setString('compatible', 'riscv')
      .setString('riscv,isa', d.isa)
      .setString('mmu-type', 'riscv,sv32');
    const intc = cpu.addNode('interrupt-controller')
      .setU32('#interrupt-cells', 1)
      .setEmpty('interrupt-controller')
      .setString('compatible', 'riscv,cpu-intc');
    intcs.push(tree.phandle(intc));
  }
  return intcs;
}

function addSoc(tree: DeviceTree, d: VmDeviceTreeDesc, intcs: number[]): void {
  const soc = tree.root.addNode('soc')
    .setU32('#address-cells', 2)
    .setU32('#size-cells', 2)
    .setString('compatible', 'simple-bus')
    .setEmpty('ranges');
  const plic = soc.addNode(`plic@${hexAddr(d.plic.base)}`)
    .setU32('#address-cells', 0)
    .setU32('#interrupt-cells', 1)
    .setStrings('compatible', ['sifive,plic-1.0.0', 'riscv,plic0'])
    .setEmpty('interrupt-controller')
    .setU32s('reg', reg(d.plic.base, d.plic.size))
    .setU32('riscv,ndev', d.plic.ndev)
    // Context N of this PLIC is hart N's S-mode external interrupt (see vmPlicContext).
    .setU32s('interrupts-extended', intcs.flatMap((ph) => [ph, IRQ_S_EXT]));
  const plicPhandle = tree.phandle(plic);
  if (d.uart) {
    soc.addNode(`serial@${hexAddr(d.uart.base)}`)
      .setString('compatible', 'ns16550a')
      .setU32s('reg', reg(d.uart.base, 0x100))
      .setU32('clock-frequency', UART_CLOCK_HZ)
      .setU32('interrupts', d.uart.irq)
      .setU32('interrupt-parent', plicPhandle);
  }
  for (const v of d.virtio) {
    soc.addNode(`virtio_mmio@${hexAddr(v.base)}`)
      .setString('compatible', 'virtio,mmio')
      .setU32s('reg', reg(v.base, v.size))
      .setU32('interrupts', v.irq)
      .setU32('interrupt-parent', plicPhandle);
  }
}

/** Event channels are signalled with SSIP (docs/abi.md), so this node has no interrupts property. */
function addPvbus(tree: DeviceTree, d: VmDeviceTreeDesc): void {
  const pv = d.pvbus;
  tree.root.addNode(`pvbus@${hexAddr(pv.grantWindow.base)}`)
    .setString('compatible', 'pvlab,pvbus')
    .setU32s('reg', reg(pv.grantWindow.base, pv.grantWindow.size))
    .setU32('pvlab,domid', d.domid)
    .setString('pvlab,vm-name', d.vmName)
    .setU32('pvlab,hypercall-eid', pv.hypercallEid)
    .setU32s('pvlab,shared-info', cells2(pv.sharedInfo));
}

/** Builds the VM's device tree (as a tree, for inspection). */
export function buildVmDeviceTreeNodes(d: VmDeviceTreeDesc): DeviceTree {
  validate(d);
  const tree = new DeviceTree();
  tree.root
    .setU32('#address-cells', 2)
    .setU32('#size-cells', 2)
    .setString('compatible', 'pvlab,vm')
    .setString('model', `pvlab virtual machine '${d.vmName}' (domain ${d.domid})`);
  const chosen = tree.root.addNode('chosen');
  tree.root.addNode(`memory@${hexAddr(d.ramBase)}`)
    .setString('device_type', 'memory')
    .setU32s('reg', reg(d.ramBase, d.ramSize));
  const intcs = addCpus(tree, d);
  addSoc(tree, d, intcs);
  addPvbus(tree, d);

  const stdout = d.stdoutPath ?? (d.uart ? `/soc/serial@${hexAddr(d.uart.base)}` : undefined);
  if (stdout !== undefined) {
    // The part after ':' is options (e.g. baud rate); the path must name a node of this tree.
    check(tree.find(stdout.split(':')[0]) !== undefined, `stdout-path '${stdout}' names no node`);
    chosen.setString('stdout-path', stdout);
  }
  if (d.bootargs !== undefined) chosen.setString('bootargs', d.bootargs);
  // pvlab's shared-info page lies outside RAM (docs/abi.md); were it moved into RAM, the guest's allocator must not use it.
  const si = d.pvbus.sharedInfo;
  if (si >= d.ramBase && si < d.ramBase + d.ramSize) tree.addMemReserve(si, PAGE);
  tree.bootCpuidPhys = 0;
  return tree;
}

/** The VM's device tree as a DTB, ready to be copied into guest memory. */
export function buildVmDeviceTree(d: VmDeviceTreeDesc): Uint8Array {
  return buildVmDeviceTreeNodes(d).toDtb();
}
