/**
 * A growable FIFO of bytes (ring buffer). Used for UART receive data, which
 * the host may deliver faster than the guest drains it.
 */
export class ByteQueue {
  private buf: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 256) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Uint8Array(cap);
  }

  get length(): number {
    return this.count;
  }

  push(byte: number): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & (this.buf.length - 1)] = byte;
    this.count++;
  }

  /** Removes and returns the oldest byte, or -1 when empty. */
  shift(): number {
    if (this.count === 0) return -1;
    const b = this.buf[this.head];
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.count--;
    return b;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  // Capacity stays a power of two so indices wrap with a mask.
  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
