/**
 * The adapter-side TargetRuntime of a system: a view of one VM of a
 * SystemRuntime (emulator/system/system-runtime.ts). Everything is in terms of
 * that VM: guest-physical addresses, its image's symbols and line table, its
 * vCPUs. No DAP here.
 */
import { CallFrameInfo, unwindRow, type SourceLocation } from '../emulator/loader';
import type { ExprContext } from '../emulator/system/runtime-expr';
import { unwindStack } from '../emulator/system/runtime-unwind';
import type { MemoryRead, SystemRuntime } from '../emulator/system/system-runtime';

export interface VmFrame {
  /** The frame's pc; for outer frames the return address. */
  readonly pc: number;
  readonly sp: number;
  /** sp at the function's entry (the caller's sp), when known. */
  readonly cfa?: number;
  readonly functionName?: string;
  /** Of the pc (innermost frame) or of the call (outer frames). */
  readonly source?: SourceLocation;
  /** How the frame's caller was found: DWARF CFI, or prologue analysis (no CFI for this code). */
  readonly unwind?: 'cfi' | 'prologue';
  /** The frame's registers x0–x31 as far as they are known (innermost: all; outer: what unwinding recovered). */
  readonly registers: readonly (number | undefined)[];
}

/** Frames shown at most (a corrupted stack can look endless). */
const MAX_FRAMES = 64;

export class VmRuntime {
  private cfi: CallFrameInfo | null | undefined;
  /** Why the image's call-frame information cannot be used, if it cannot. */
  cfiError: string | undefined;

  constructor(readonly system: SystemRuntime, readonly name: string) {}

  /** The image's DWARF call-frame information (.debug_frame / .eh_frame); null without any (or broken). */
  callFrameInfo(): CallFrameInfo | null {
    if (this.cfi === undefined) {
      const elf = this.system.images.get(this.name)?.elf;
      try {
        this.cfi = elf ? CallFrameInfo.fromElf(elf) : null;
      } catch (e) {
        this.cfi = null; // broken CFI loses unwinding through CFI only: prologue analysis remains
        this.cfiError = (e as Error).message;
      }
    }
    return this.cfi;
  }

  get vcpuCount(): number {
    return this.system.vm(this.name).vcpus.length;
  }

  pc(vcpu: number): number {
    return this.system.vcpu(this.name, vcpu).hart.pc >>> 0;
  }

  reg(vcpu: number, name: string): number {
    return this.system.registers(this.name, vcpu).find((r) => r.name === name)?.value ?? 0;
  }

  registers(vcpu: number): { name: string; value: number }[] {
    return this.system.registers(this.name, vcpu);
  }

  readMemory(address: number, length: number): MemoryRead {
    return this.system.readMemory(this.name, address, length);
  }

  writeMemory(address: number, bytes: Uint8Array): number {
    return this.system.writeMemory(this.name, address, bytes);
  }

  word(address: number): number | undefined {
    const m = this.readMemory(address, 4);
    if (m.unreadable) return undefined;
    return (m.data[0] | (m.data[1] << 8) | (m.data[2] << 16) | (m.data[3] << 24)) >>> 0;
  }

  /**
   * Memory as vCPU `vcpu` sees it: through its current translation when it
   * has paging on (satp.MODE), else guest-physical. Device registers are never read.
   */
  readAs(vcpu: number, address: number, length: number): MemoryRead {
    return this.system.readMemory(this.name, address >>> 0, length, this.paging(vcpu) ? { vcpu } : undefined);
  }

  /** Whether the vCPU translates addresses now (satp.MODE = Sv32). */
  paging(vcpu: number): boolean {
    try {
      return ((this.system.readCsr(this.name, vcpu, 'satp') ?? 0) >>> 31) === 1;
    } catch {
      return false;
    }
  }

  /** A little-endian value of 1, 2 or 4 bytes as vCPU `vcpu` sees memory; undefined when unreadable. */
  readValue(vcpu: number, address: number, size: number): number | undefined {
    const m = this.readAs(vcpu, address, size);
    if (m.unreadable) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v |= m.data[i] << (8 * i);
    return v >>> 0;
  }

  /**
   * The expression context of a vCPU (emulator/system/runtime-expr.ts), read
   * only: breakpoint conditions and log messages evaluate in it.
   */
  exprContext(vcpu: number): ExprContext {
    const hart = this.system.vcpu(this.name, vcpu).hart;
    return {
      register: (i) => hart.x[i],
      pc: () => hart.pc >>> 0,
      csr: (n) => {
        try {
          return this.system.readCsr(this.name, vcpu, n);
        } catch {
          return undefined;
        }
      },
      symbol: (name) => this.symbolAddress(name),
      read: (address, size) => this.readValue(vcpu, address, size),
    };
  }

  location(pc: number): SourceLocation | undefined {
    return this.system.lineTable(this.name)?.lookup(pc);
  }

  symbolize(address: number): string | undefined {
    return this.system.symbolize(this.name, address);
  }

  /** Address of a symbol (a function breakpoint, an expression). */
  symbolAddress(name: string): number | undefined {
    const s = this.system.symbols(this.name)?.byName(name);
    return s ? s.value >>> 0 : undefined;
  }

  /** Entry of the function containing pc. */
  functionStart(pc: number): number | undefined {
    const m = this.system.symbols(this.name)?.lookup(pc);
    return m ? (m.symbol.value >>> 0) : undefined;
  }

  /** The address a function breakpoint uses: past the prologue when the line table says where it ends. */
  functionBreakAddress(name: string): number | undefined {
    const entry = this.symbolAddress(name);
    if (entry === undefined) return undefined;
    const lines = this.system.lineTable(this.name);
    const first = lines?.lookup(entry);
    if (!lines || !first) return entry;
    // The first statement of a later line in the same function (gcc's prologue ends there).
    for (let a = entry + 4; a < entry + 64; a += 4) {
      const l = lines.lookup(a);
      if (this.functionStart(a) !== entry) break;
      if (l && l.line !== first.line && lines.addressesForLine(l.file, l.line).includes(a)) return a;
    }
    return entry;
  }

  /** Statement addresses of a source line (by path suffix); [] if none. */
  lineAddresses(file: string, line: number): { addresses: number[]; known: boolean } {
    const t = this.system.lineTable(this.name);
    if (!t) return { addresses: [], known: false };
    const files = t.matchFiles(file);
    const addresses: number[] = [];
    for (const f of files) addresses.push(...t.addressesForLine(f, line));
    return { addresses: [...new Set(addresses)], known: files.length > 0 };
  }

  /**
   * The vCPU's call stack. Each step up uses the image's DWARF CFI where an
   * FDE covers the pc (outer frames: the call, return address - 1), else
   * prologue analysis (emulator/system/runtime-unwind.ts) for code without
   * CFI. Memory is read as the vCPU sees it (readAs). Unwinding stops at a
   * return address that is not code of the image, or a frame that does not
   * move up the stack.
   */
  stackFrames(vcpu: number, maxFrames = MAX_FRAMES): VmFrame[] {
    const hart = this.system.vcpu(this.name, vcpu).hart;
    const cfi = this.callFrameInfo();
    const readWord = (a: number) => this.readValue(vcpu, a, 4);
    const isCode = (a: number) => (a & 3) === 0 && this.functionStart(a) !== undefined && readWord(a) !== undefined;
    let regs: (number | undefined)[] = Array.from({ length: 32 }, (_, i) => hart.x[i] >>> 0);
    let pc = hart.pc >>> 0;
    const frames: VmFrame[] = [];
    for (let depth = 0; depth < maxFrames; depth++) {
      const sp = regs[2] ?? 0;
      const at = depth === 0 ? pc : pc - 4;
      const frame = { pc, sp, functionName: this.symbolize(pc), source: this.location(at), registers: regs };
      let row;
      try {
        row = cfi?.rowAt(depth === 0 ? pc : pc - 1);
      } catch {
        row = undefined;
      }
      let next: { pc: number; regs: (number | undefined)[]; cfa: number } | undefined;
      let how: 'cfi' | 'prologue' = 'cfi';
      if (row) {
        const u = unwindRow(row, regs, readWord);
        const raRule = row.registers.get(row.returnAddressRegister);
        // Only the innermost frame can still have its return address in ra (a leaf, or before the prologue saved it).
        const raKnown = depth === 0 || (raRule !== undefined && raRule.kind !== 'same');
        if (!u || u.returnAddress === undefined || !raKnown) {
          frames.push({ ...frame, cfa: u?.cfa, unwind: how });
          break;
        }
        next = { pc: u.returnAddress >>> 0, regs: u.registers, cfa: u.cfa };
      } else {
        how = 'prologue';
        const x = regs.map((v) => v ?? 0);
        if (depth > 0) x[1] = 0; // ra is the innermost frame's only
        const two = unwindStack(x, pc, { readWord, functionStart: (a) => this.functionStart(a) }, 2);
        if (two.length < 2 || two[0].cfa === undefined) {
          frames.push({ ...frame, cfa: two[0]?.cfa, unwind: how });
          break;
        }
        const callerRegs = regs.map(() => undefined as number | undefined);
        callerRegs[0] = 0;
        callerRegs[2] = two[1].sp;
        callerRegs[8] = two[1].fp;
        next = { pc: two[1].pc, regs: callerRegs, cfa: two[0].cfa };
      }
      frames.push({ ...frame, cfa: next.cfa, unwind: how });
      if (!isCode(next.pc)) break;
      if (next.cfa < sp || (next.cfa === sp && next.pc === pc)) break; // not moving up the stack
      pc = next.pc;
      regs = next.regs;
    }
    return frames;
  }

  disassemble(address: number, count: number): { address: number; word?: number; text: string }[] {
    return this.system.disassemble(this.name, address, count);
  }
}
