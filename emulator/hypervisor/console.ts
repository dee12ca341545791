/**
 * One VM's console: what the guest writes through SBI DBCN, the legacy
 * putchar call or a passed-through UART, and the input it reads. Output is
 * buffered until the runtime takes it; complete lines are also reported with
 * the virtual time at which they ended (verdict lines, docs/hypervisor.md).
 */

/** Longest line kept for line callbacks; longer lines are cut. */
const MAX_LINE = 4096;

export class VmConsole {
  private out: number[] = [];
  private line: number[] = [];
  private readonly input: number[] = [];
  /** Bytes written since creation (for the debugger). */
  written = 0;
  /** Called for each complete line (without the newline) with the time it ended. */
  onLine: ((line: string) => void) | undefined;

  writeByte(b: number): void {
    b &= 0xff;
    this.out.push(b);
    this.written++;
    if (b === 0x0a) {
      const text = Buffer.from(this.line).toString('latin1').replace(/\r$/, '');
      this.line = [];
      this.onLine?.(text);
    } else if (this.line.length < MAX_LINE) this.line.push(b);
  }

  writeBytes(bytes: Uint8Array): void {
    for (const b of bytes) this.writeByte(b);
  }

  /** Takes the buffered output (latin1 text), or '' if none. */
  takeOutput(): string {
    if (this.out.length === 0) return '';
    const text = Buffer.from(this.out).toString('latin1');
    this.out = [];
    return text;
  }

  get hasOutput(): boolean {
    return this.out.length > 0;
  }

  /** Queues input bytes for the guest to read. */
  feed(bytes: Uint8Array | string): void {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    for (const x of b) this.input.push(x);
  }

  /** Next input byte, or -1. */
  readByte(): number {
    return this.input.length ? this.input.shift()! : -1;
  }

  get inputAvailable(): number {
    return this.input.length;
  }
}
