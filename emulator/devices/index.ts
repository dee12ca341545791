/** MMIO devices of the QEMU-virt-compatible machine. */
export { type IrqLine, NO_IRQ } from './irq';
export { Ns16550a, type Ns16550aOptions, UART_SIZE } from './uart';
export { SifiveTest, type SifiveTestOptions, SIFIVE_TEST_SIZE, FINISHER_PASS, FINISHER_FAIL, FINISHER_RESET } from './sifive-test';
export { Clint, type ClintOptions, CLINT_SIZE, CLINT_MAX_HARTS } from './clint';
export { Plic, type PlicOptions, PLIC_SIZE, PLIC_MAX_SOURCES, PLIC_MAX_CONTEXTS, PLIC_PRIORITY_MASK } from './plic';
export { VirtMap, virtioSlot, plicContext, type MmioWindow } from './virt-map';
export * from './dma';
export * from './virtio';
