/**
 * The runtime API: the one seam the CLI and the debug adapter drive. It owns a
 * machine, runs it in slices (so a host event loop is never blocked for long),
 * answers queries about its state and emits events. It knows nothing of DAP.
 *
 * Events: 'output' (text, source), 'stopped' (RuntimeStop), 'exited' (code).
 */
import { EventEmitter } from 'node:events';
import { Access } from '../cpu/constants';
import { disassembleText } from '../isa/disasm';
import { ABI_NAMES } from '../isa/registers';
import { csrNumber } from '../isa/csr-names';
import { ElfFile, LineTable, SymbolTable, parseElf } from '../loader';
import { MachineStop, VirtMachine, VirtMachineOptions } from './virt-machine';

export type RuntimeStop = MachineStop | { kind: 'paused' } | { kind: 'step' };

export interface MemoryRead {
  /** The bytes read, up to the first unreadable byte. */
  data: Uint8Array;
  /** Bytes past `data` that could not be read (unmapped, or MMIO that reading would disturb). */
  unreadable: number;
}

/** How many instructions run between yields to the host event loop. */
const SLICE = 1_000_000;

export class BareMetalRuntime extends EventEmitter {
  readonly machine: VirtMachine;
  readonly symbols: SymbolTable;
  readonly lines: LineTable | undefined;
  /** Why the DWARF line table could not be read, if it could not. */
  readonly lineTableError: string | undefined;
  private pauseRequested = false;
  private outputBuffer: number[] = [];

  constructor(readonly elf: ElfFile, options: Omit<VirtMachineOptions, 'onUartOutput'> = {}) {
    super();
    this.machine = new VirtMachine({ ...options, onUartOutput: (b) => this.outputBuffer.push(b) });
    this.machine.load(elf);
    this.symbols = new SymbolTable(elf.symbols);
    try {
      this.lines = LineTable.fromElf(elf);
    } catch (e) {
      // Broken debug info must not keep a program from running; it only loses source lines.
      this.lines = undefined;
      this.lineTableError = (e as Error).message;
    }
  }

  static fromElfBytes(bytes: Uint8Array, options?: Omit<VirtMachineOptions, 'onUartOutput'>): BareMetalRuntime {
    return new BareMetalRuntime(parseElf(bytes), options);
  }

  get hart() {
    return this.machine.hart;
  }

  /** Delivers buffered UART output as an 'output' event. */
  flushOutput(): void {
    if (this.outputBuffer.length === 0) return;
    const text = Buffer.from(this.outputBuffer).toString('latin1');
    this.outputBuffer = [];
    this.emit('output', text, 'uart0');
  }

  /** Runs synchronously until a stop or `maxInsns` (CLI use). */
  runSync(maxInsns = Infinity): MachineStop {
    let left = maxInsns;
    for (;;) {
      const stop = this.machine.run(Math.min(left, SLICE));
      left -= SLICE;
      this.flushOutput();
      if (stop.kind !== 'limit' || left <= 0) return this.finish(stop);
    }
  }

  /** Runs in slices, yielding to the event loop between them, until a stop, a pause or `maxInsns`. */
  async run(maxInsns = Infinity): Promise<RuntimeStop> {
    this.pauseRequested = false;
    // Resuming from a breakpoint: execute that instruction first, or it would stop again at once.
    if (this.hart.breakpoints.has(this.hart.pc)) {
      const s = this.machine.step();
      maxInsns--;
      if (s) return this.finish(s);
    }
    let left = maxInsns;
    for (;;) {
      const stop = this.machine.run(Math.min(left, SLICE));
      left -= SLICE;
      this.flushOutput();
      if (stop.kind !== 'limit' || left <= 0) return this.finish(stop);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pauseRequested) return this.finish({ kind: 'paused' });
    }
  }

  pause(): void {
    this.pauseRequested = true;
  }

  /** One instruction. */
  stepInstruction(): RuntimeStop {
    const s = this.machine.step();
    this.flushOutput();
    return this.finish(s ?? { kind: 'step' });
  }

  private finish<T extends RuntimeStop>(stop: T): T {
    if (stop.kind === 'exit') this.emit('exited', stop.code);
    else this.emit('stopped', stop);
    return stop;
  }

  // ---- state queries ---------------------------------------------------------

  registers(): { name: string; value: number }[] {
    const x = this.hart.x;
    const regs = ABI_NAMES.map((name, i) => ({ name, value: x[i] >>> 0 }));
    regs.push({ name: 'pc', value: this.hart.pc >>> 0 });
    return regs;
  }

  setRegister(nameOrIndex: string | number, value: number): void {
    if (nameOrIndex === 'pc') {
      this.hart.pc = value >>> 0 & ~3;
      return;
    }
    const i = typeof nameOrIndex === 'number' ? nameOrIndex : ABI_NAMES.indexOf(nameOrIndex);
    if (i < 0 || i > 31) throw new Error(`no register ${nameOrIndex}`);
    if (i !== 0) this.hart.x[i] = value | 0;
  }

  readCsr(nameOrNumber: string | number): number | undefined {
    const num = typeof nameOrNumber === 'number' ? nameOrNumber : csrNumber(nameOrNumber);
    return num === undefined ? undefined : this.hart.csr.read(num);
  }

  writeCsr(nameOrNumber: string | number, value: number): void {
    const num = typeof nameOrNumber === 'number' ? nameOrNumber : csrNumber(nameOrNumber);
    if (num === undefined || !this.hart.csr.exists(num)) throw new Error(`no CSR ${nameOrNumber}`);
    this.hart.csr.write(num, value);
  }

  /**
   * Reads memory without side effects: physical addresses by default, or virtual
   * ones translated as the hart would now (no A/D updates). MMIO is not read.
   */
  readMemory(address: number, length: number, virtual = false): MemoryRead {
    const data: number[] = [];
    const bus = this.machine.bus;
    for (let i = 0; i < length; i++) {
      const a = (address + i) >>> 0;
      const pa = virtual ? this.hart.mmu.peekTranslate(a, Access.Load) : a;
      const off = pa === undefined ? -1 : bus.ramOffset(pa, 1);
      if (off < 0) return { data: Uint8Array.from(data), unreadable: length - i };
      data.push(bus.ram[off]);
    }
    return { data: Uint8Array.from(data), unreadable: 0 };
  }

  /** Writes RAM (physical, or virtual as above); returns the number of bytes written. */
  writeMemory(address: number, bytes: Uint8Array, virtual = false): number {
    const bus = this.machine.bus;
    for (let i = 0; i < bytes.length; i++) {
      const a = (address + i) >>> 0;
      const pa = virtual ? this.hart.mmu.peekTranslate(a, Access.Store) : a;
      if (pa === undefined || bus.ramOffset(pa, 1) < 0) return i;
      bus.loadBytes(pa, bytes.subarray(i, i + 1));
    }
    return bytes.length;
  }

  setInstructionBreakpoints(addresses: Iterable<number>): void {
    this.hart.breakpoints.clear();
    for (const a of addresses) this.hart.breakpoints.add(a >>> 0);
  }

  /** Disassembles `count` instructions from physical/virtual `address`; unreadable words are undefined. */
  disassemble(address: number, count: number, virtual = true): { address: number; word?: number; text: string }[] {
    const out: { address: number; word?: number; text: string }[] = [];
    for (let i = 0; i < count; i++) {
      const a = (address + 4 * i) >>> 0;
      const m = this.readMemory(a, 4, virtual);
      if (m.unreadable) {
        out.push({ address: a, text: '<unreadable>' });
        continue;
      }
      const word = (m.data[0] | (m.data[1] << 8) | (m.data[2] << 16) | (m.data[3] << 24)) >>> 0;
      out.push({ address: a, word, text: disassembleText(word, a, (t) => this.symbolize(t)) });
    }
    return out;
  }

  /** `name` or `name+0x10` for an address, as objdump prints it. */
  symbolize(address: number): string | undefined {
    const s = this.symbols.lookup(address);
    if (!s) return undefined;
    return s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name;
  }
}
