/**
 * The adapter-side TargetRuntime of a system: a view of one VM of a
 * SystemRuntime (emulator/system/system-runtime.ts). Everything is in terms of
 * that VM: guest-physical addresses, its image's symbols and line table, its
 * vCPUs. No DAP here.
 */
import type { SourceLocation } from '../emulator/loader';
import type { MemoryRead, SystemRuntime } from '../emulator/system/system-runtime';

export interface VmFrame {
  readonly pc: number;
  readonly sp: number;
  readonly functionName?: string;
  readonly source?: SourceLocation;
}

export class VmRuntime {
  constructor(readonly system: SystemRuntime, readonly name: string) {}

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

  /** pc frame plus the caller from `ra` (and s0-based frames when the function saved them). */
  stackFrames(vcpu: number): VmFrame[] {
    const pc = this.pc(vcpu);
    const sp = this.reg(vcpu, 'sp');
    const frames: VmFrame[] = [{ pc, sp, functionName: this.symbolize(pc), source: this.location(pc) }];
    const ra = this.reg(vcpu, 'ra');
    const start = this.functionStart(pc);
    if (ra && ra !== pc && this.functionStart(ra - 4) !== undefined && this.functionStart(ra - 4) !== start) {
      frames.push({ pc: ra - 4, sp, functionName: this.symbolize(ra - 4), source: this.location(ra - 4) });
    }
    return frames;
  }

  disassemble(address: number, count: number): { address: number; word?: number; text: string }[] {
    return this.system.disassemble(this.name, address, count);
  }
}
