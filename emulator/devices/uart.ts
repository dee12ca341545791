/**
 * ns16550a UART as on QEMU virt: eight byte-wide registers at stride 1.
 * Transmission is instantaneous (the transmitter is always empty); received
 * bytes wait in an unbounded FIFO fed by the host.
 */
import type { MmioDevice } from '../bus/bus';
import { ByteQueue } from './byte-queue';
import type { IrqLine } from './irq';

// Register offsets (reg-shift 0).
const REG_RBR_THR_DLL = 0;
const REG_IER_DLM = 1;
const REG_IIR_FCR = 2;
const REG_LCR = 3;
const REG_MCR = 4;
const REG_LSR = 5;
const REG_MSR = 6;
const REG_SCR = 7;

export const UART_IER_ERBFI = 0x01; // received data available
export const UART_IER_ETBEI = 0x02; // transmitter holding register empty
const IER_WRITABLE = 0x0f;

export const UART_IIR_NONE = 0x01;
export const UART_IIR_THRE = 0x02;
export const UART_IIR_RDA = 0x04;
export const UART_IIR_FIFO = 0xc0;

const FCR_ENABLE = 0x01;
const FCR_CLEAR_RX = 0x02;
const FCR_KEPT = 0xc9; // enable, DMA mode, trigger level; the clear bits self-clear

export const UART_LCR_DLAB = 0x80;

export const UART_MCR_LOOP = 0x10;
const MCR_WRITABLE = 0x1f;

export const UART_LSR_DR = 0x01;
export const UART_LSR_THRE = 0x20;
export const UART_LSR_TEMT = 0x40;

// MSR lines when not in loopback: a terminal is attached (CTS, DSR, DCD).
const MSR_IDLE = 0xb0;

export const UART_SIZE = 0x100;

export interface Ns16550aOptions {
  /** Called with each byte the guest transmits (not in loopback mode). */
  onTransmit(byte: number): void;
  irq?: IrqLine;
  name?: string;
}

export class Ns16550a implements MmioDevice {
  readonly name: string;
  private readonly rx = new ByteQueue();
  private readonly onTransmit: (byte: number) => void;
  private readonly irq: IrqLine | undefined;
  private ier = 0;
  private fcr = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 0;
  private dlm = 0;
  /** The THR-empty interrupt is armed (cleared by reading it from IIR). */
  private thrIpending = false;
  private irqLevel = false;

  constructor(options: Ns16550aOptions) {
    this.name = options.name ?? 'ns16550a';
    this.onTransmit = options.onTransmit;
    this.irq = options.irq;
  }

  /** Queues bytes arriving on the serial line. */
  receive(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.rx.push(bytes[i] & 0xff);
    this.updateIrq();
  }

  /** Bytes received and not yet read by the guest. */
  get rxPending(): number {
    return this.rx.length;
  }

  /** The level currently driven on the interrupt line. */
  get irqAsserted(): boolean {
    return this.irqLevel;
  }

  reset(): void {
    this.rx.clear();
    this.ier = this.fcr = this.lcr = this.mcr = this.scr = this.dll = this.dlm = 0;
    this.thrIpending = false;
    this.irqLevel = false;
    this.irq?.set(false);
  }

  // Wider accesses address the byte register at `offset`; upper bytes read 0.
  read(offset: number, _size: number): number {
    switch (offset) {
      case REG_RBR_THR_DLL: {
        if (this.lcr & UART_LCR_DLAB) return this.dll;
        const b = this.rx.shift();
        if (b < 0) return 0;
        if (this.rx.length === 0) this.updateIrq();
        return b;
      }
      case REG_IER_DLM:
        return this.lcr & UART_LCR_DLAB ? this.dlm : this.ier;
      case REG_IIR_FCR: {
        const id = this.interruptId();
        // Reading IIR while it reports THRE is what acknowledges that interrupt.
        if (id === UART_IIR_THRE) {
          this.thrIpending = false;
          this.updateIrq();
        }
        return id | (this.fcr & FCR_ENABLE ? UART_IIR_FIFO : 0);
      }
      case REG_LCR:
        return this.lcr;
      case REG_MCR:
        return this.mcr;
      case REG_LSR:
        return UART_LSR_THRE | UART_LSR_TEMT | (this.rx.length > 0 ? UART_LSR_DR : 0);
      case REG_MSR:
        return this.mcr & UART_MCR_LOOP ? this.loopbackMsr() : MSR_IDLE;
      case REG_SCR:
        return this.scr;
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    value &= 0xff;
    switch (offset) {
      case REG_RBR_THR_DLL:
        if (this.lcr & UART_LCR_DLAB) {
          this.dll = value;
          return;
        }
        if (this.mcr & UART_MCR_LOOP) this.rx.push(value);
        else this.onTransmit(value);
        // The byte leaves at once, so THR is empty again: re-arm THRE.
        this.thrIpending = true;
        this.updateIrq();
        return;
      case REG_IER_DLM:
        if (this.lcr & UART_LCR_DLAB) {
          this.dlm = value;
          return;
        }
        this.ier = value & IER_WRITABLE;
        // Enabling ETBEI while THR is empty raises THRE (16550 behaviour).
        this.thrIpending = (this.ier & UART_IER_ETBEI) !== 0;
        this.updateIrq();
        return;
      case REG_IIR_FCR:
        // Toggling FIFO enable resets the FIFOs, as does the RX-clear bit.
        if ((value ^ this.fcr) & FCR_ENABLE || value & FCR_CLEAR_RX) this.rx.clear();
        this.fcr = value & FCR_KEPT;
        this.updateIrq();
        return;
      case REG_LCR:
        this.lcr = value;
        return;
      case REG_MCR:
        this.mcr = value & MCR_WRITABLE;
        return;
      case REG_SCR:
        this.scr = value;
        return;
      default:
        return; // LSR, MSR (factory test writes) and holes.
    }
  }

  /** IIR bits 3..0: received data (0x04) outranks THR empty (0x02); 0x01 = none. */
  private interruptId(): number {
    if (this.ier & UART_IER_ERBFI && this.rx.length > 0) return UART_IIR_RDA;
    if (this.ier & UART_IER_ETBEI && this.thrIpending) return UART_IIR_THRE;
    return UART_IIR_NONE;
  }

  // Loopback wires MCR outputs to MSR inputs: DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD.
  private loopbackMsr(): number {
    const m = this.mcr;
    return ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
  }

  private updateIrq(): void {
    const level = this.interruptId() !== UART_IIR_NONE;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq?.set(level);
    }
  }
}
