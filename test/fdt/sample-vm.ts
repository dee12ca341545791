import { PVBUS_HYPERCALL_EID, PVLAB_TIMEBASE_HZ, type VmDeviceTreeDesc } from '../../emulator/hypervisor/vm-devicetree';

/** A driver-VM description on the QEMU virt map, with overrides for individual tests. */
export function sampleVm(over: Partial<VmDeviceTreeDesc> = {}): VmDeviceTreeDesc {
  return {
    vmName: 'netdrv',
    domid: 2,
    ramBase: 0x8000_0000,
    ramSize: 16 << 20,
    harts: 2,
    timebaseFrequency: PVLAB_TIMEBASE_HZ,
    isa: 'rv32ima_zicsr_zifencei',
    plic: { base: 0x0c00_0000, size: 0x60_0000, ndev: 95 },
    uart: { base: 0x1000_0000, irq: 10 },
    virtio: [{ base: 0x1000_1000, size: 0x1000, irq: 1 }, { base: 0x1000_3000, size: 0x1000, irq: 3 }],
    // Shared info and grant window where docs/abi.md puts them.
    pvbus: { sharedInfo: 0x3000_0000, grantWindow: { base: 0x3040_0000, size: 0x10_0000 }, hypercallEid: PVBUS_HYPERCALL_EID },
    bootargs: 'console=ttyS0 earlycon=sbi',
    ...over,
  };
}
