/**
 * The bare-metal machine: one hart on a QEMU-`virt`-compatible memory map (RAM at
 * 0x80000000, ns16550a UART, SiFive test finisher, CLINT, PLIC) plus HTIF `tohost`.
 * Programs built for `qemu-system-riscv32 -M virt -bios none` run unmodified.
 *
 * Time is virtual: the hart retires one instruction per cycle at a nominal
 * 100 MHz and mtime ticks at 10 MHz (CYCLES_PER_TICK), so every run is exact.
 */
import { Bus } from '../bus/bus';
import { Hart, HartHost, HartOptions, MemoryUsage, StopReason, Tier } from '../cpu/hart';
import './process-options';
import { Access, Cause, Irq } from '../cpu/constants';
import { WATCH_STORE } from '../cpu/mmu';
import { Clint, Ns16550a, Plic, SifiveTest, VirtMap } from '../devices';
import { ElfFile, SymbolTable, loadElf } from '../loader';

export const CYCLES_PER_TICK = 10;
export const TIMEBASE_HZ = 10_000_000;
export const DEFAULT_RAM_MIB = 128;

export interface VirtMachineOptions {
  ramMiB?: number;
  /** Bytes the guest writes to the UART. */
  onUartOutput?: (byte: number) => void;
  /** Execution tier of the hart (default: PVLAB_TIER, else the JIT). */
  tier?: Tier;
  /** JIT tuning (tests lower the hot threshold to exercise compiled code). */
  jit?: HartOptions['jit'];
  /** The interpreter tier's interpreter (default: PVLAB_INTERPRETER, else WebAssembly). */
  interpreter?: HartOptions['interpreter'];
}

/** Why `run` returned. */
export type MachineStop =
  | { kind: 'exit'; code: number; via: 'finisher' | 'htif' }
  | { kind: 'breakpoint'; pc: number }
  | { kind: 'limit' }
  | { kind: 'requested'; why: string }
  /** Waiting for an interrupt that nothing will ever raise. */
  | { kind: 'deadlock'; pc: number }
  | { kind: 'error'; message: string };

export class VirtMachine implements HartHost {
  readonly bus: Bus;
  readonly hart: Hart;
  readonly uart: Ns16550a;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly finisher: SifiveTest;
  /** Set once the guest has asked to end the run. */
  exit: { code: number; via: 'finisher' | 'htif' } | undefined;
  /** A fatal condition found by the machine (for example the pc in unmapped memory). */
  private fatal: string | undefined;
  private tohost: number | undefined;

  constructor(options: VirtMachineOptions = {}) {
    const ramMiB = options.ramMiB ?? DEFAULT_RAM_MIB;
    this.bus = new Bus(ramMiB * 1024 * 1024, VirtMap.RAM.base);
    this.hart = new Hart(this.bus, 0, this, { tier: options.tier, jit: options.jit, interpreter: options.interpreter });
    const hart = this.hart;
    const out = options.onUartOutput ?? (() => undefined);
    // PLIC context 0 is hart 0's M-mode, context 1 its S-mode (as on QEMU virt).
    this.plic = new Plic({ contexts: [hart.irqLine(Irq.MEI), hart.irqLine(Irq.SEI)] });
    this.uart = new Ns16550a({ onTransmit: out, irq: this.plic.source(VirtMap.UART0.irq) });
    this.clint = new Clint({
      harts: 1,
      now: () => this.mtime(),
      msip: [hart.irqLine(Irq.MSI)],
      mtip: [hart.irqLine(Irq.MTI)],
    });
    this.finisher = new SifiveTest({
      onExit: (code) => this.finish(code, 'finisher'),
      onReset: () => this.hart.requestStop('reset requested by the guest (not supported)'),
    });
    this.bus.map(VirtMap.TEST.base, VirtMap.TEST.size, this.finisher);
    // A write to the CLINT may move a timer deadline into the current slice: end the slice so it is re-planned.
    const clint = this.clint;
    this.bus.map(VirtMap.CLINT.base, VirtMap.CLINT.size, {
      name: clint.name,
      read: (offset, size) => clint.read(offset, size),
      write: (offset, size, value) => {
        clint.write(offset, size, value);
        hart.endSlice();
      },
    });
    this.bus.map(VirtMap.PLIC.base, VirtMap.PLIC.size, this.plic);
    this.bus.map(VirtMap.UART0.base, VirtMap.UART0.size, this.uart);
  }

  /** RAM plus the CPU tiers' overhead (decoded pages, compiled code), in bytes. */
  memoryUsage(): MemoryUsage {
    return this.hart.memoryUsage();
  }

  /** Virtual cycles since power-on. */
  get cycles(): number {
    return this.hart.retired + this.hart.idleCycles;
  }

  mtime(): number {
    return Math.floor(this.cycles / CYCLES_PER_TICK);
  }

  time(): number {
    return this.mtime();
  }

  /** Loads an ELF, resets the hart to its entry (a0 = hart id), and arms HTIF when `tohost` exists. */
  load(elf: ElfFile): void {
    loadElf(this.bus, elf);
    this.hart.reset(elf.entry);
    this.hart.x[10] = this.hart.hartId;
    const tohost = new SymbolTable(elf.symbols).byName('tohost');
    if (tohost && this.bus.ramOffset(tohost.value, 4) >= 0) {
      this.tohost = tohost.value >>> 0;
      this.hart.mmu.addWatch(this.tohost, 4, WATCH_STORE);
    }
  }

  onWatch(_hart: Hart, pa: number, _size: number, access: Access, value: number): void {
    if (access !== Access.Store || pa !== this.tohost || value === 0) return;
    // Spike's convention: 1 = pass; an odd value carries (exit code << 1) | 1.
    if (value & 1) this.finish(value >>> 1, 'htif');
  }

  onMachineTrap(hart: Hart, mcause: number, tval: number): boolean {
    const fetchFault = mcause === Cause.InsnAccessFault || mcause === Cause.InsnPageFault;
    // A fetch fault whose handler cannot be fetched either would loop forever: stop with the reason.
    if (fetchFault && this.bus.ramOffset(hart.csr.mtvec & ~3, 4) < 0) {
      this.fatal = `cannot fetch an instruction at 0x${hex(tval)}: no memory is mapped there (and mtvec 0x${hex(hart.csr.mtvec)} has no handler)`;
      hart.requestStop(this.fatal);
      return true;
    }
    return false;
  }

  private finish(code: number, via: 'finisher' | 'htif'): void {
    if (this.exit) return;
    this.exit = { code, via };
    this.hart.requestStop('exit');
  }

  /**
   * Runs up to `maxInsns` instructions in slices that end exactly at timer deadlines.
   * Returns what stopped it.
   */
  run(maxInsns: number): MachineStop {
    let left = maxInsns;
    while (left > 0) {
      if (this.exit) return { kind: 'exit', ...this.exit };
      let slice = left;
      const deadline = this.clint.nextDeadline();
      if (deadline !== undefined) slice = Math.max(1, Math.min(slice, deadline * CYCLES_PER_TICK - this.cycles));
      const before = this.hart.retired;
      this.hart.run(slice);
      left -= Math.max(1, this.hart.retired - before);
      this.clint.update();
      const stop = this.afterRun();
      if (stop) return stop;
    }
    return this.exit ? { kind: 'exit', ...this.exit } : { kind: 'limit' };
  }

  /** Executes one instruction (or takes one trap) regardless of breakpoints. */
  step(): MachineStop | undefined {
    this.hart.step();
    this.clint.update();
    return this.afterRun();
  }

  private afterRun(): MachineStop | undefined {
    const hart = this.hart;
    if (this.fatal) return { kind: 'error', message: this.fatal };
    if (this.exit) return { kind: 'exit', ...this.exit };
    switch (hart.stopReason) {
      case StopReason.Breakpoint:
        return { kind: 'breakpoint', pc: hart.pc };
      case StopReason.Requested:
        return { kind: 'requested', why: hart.stopRequestReason ?? 'stop requested' };
      case StopReason.Wfi: {
        // Idle: skip virtual time to the next timer deadline.
        const deadline = this.clint.nextDeadline();
        if (deadline === undefined) return { kind: 'deadlock', pc: hart.pc };
        hart.idleCycles += Math.max(0, deadline * CYCLES_PER_TICK - this.cycles);
        this.clint.update();
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
