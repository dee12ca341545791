/**
 * Breakpoints of one VM target: source lines (C and assembly, through the DWARF
 * line table), functions (ELF symbols, after the prologue), instructions and data
 * (watchpoints). Resolution to addresses happens here; the runtime keeps the
 * addresses with their conditions. A breakpoint that cannot be placed comes back
 * unverified with a message that says why.
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import type { InstallResult, WatchAccess } from '../emulator/system/runtime';
import { baseName, hex32, parseAddress } from './format';
import type { SourceResolver } from './sources';
import type { TargetRuntime } from './system';

export type BreakpointKind = 'source' | 'function' | 'instruction' | 'data';

interface SourceRequest {
  source: DebugProtocol.Source;
  breakpoints: DebugProtocol.SourceBreakpoint[];
}

export class BreakpointManager {
  private nextId = 1;
  private readonly ids = new Map<string, number>();
  private readonly kinds = new Map<number, BreakpointKind>();
  /** Source breakpoints per path, as last requested (re-resolved when a program loads). */
  private readonly sources = new Map<string, SourceRequest>();
  private sourceSpecs = new Map<string, { id: number; address: number; condition?: string; hitCondition?: string; logMessage?: string }[]>();
  private runtime: TargetRuntime | undefined;
  /**
   * Whether breakpoints go into the runtime. A system (parent) session resolves
   * them, to answer, but leaves them to the VM sessions, which own the targets.
   */
  install = true;
  /** Turns DWARF paths into files the client can open (set at launch). */
  resolver: SourceResolver | undefined;

  /** Breakpoint ids stay the same for the same place, so hit counts and the client's view survive edits. */
  private idFor(key: string, kind: BreakpointKind): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(key, id);
    }
    this.kinds.set(id, kind);
    return id;
  }

  kindOf(id: number): BreakpointKind | undefined {
    return this.kinds.get(id);
  }

  /** Binds the manager to a loaded program and resolves what was set before; returns the breakpoints that changed. */
  attach(runtime: TargetRuntime): DebugProtocol.Breakpoint[] {
    this.runtime = runtime;
    const changed: DebugProtocol.Breakpoint[] = [];
    for (const req of this.sources.values()) changed.push(...this.setSourceBreakpoints(req.source, req.breakpoints));
    return changed;
  }

  // ---- source lines --------------------------------------------------------------

  setSourceBreakpoints(source: DebugProtocol.Source, bps: DebugProtocol.SourceBreakpoint[]): DebugProtocol.Breakpoint[] {
    const path = source.path ?? source.name ?? '';
    this.sources.set(path, { source, breakpoints: bps });
    const rt = this.runtime;
    const results: DebugProtocol.Breakpoint[] = [];
    const specs: { id: number; address: number; condition?: string; hitCondition?: string; logMessage?: string }[] = [];
    const lines = rt?.lines;
    const known = lines ? lines.matchFiles(path).length > 0 : false;
    for (const bp of bps) {
      const id = this.idFor(`source:${path}:${bp.line}`, 'source');
      const result: DebugProtocol.Breakpoint = { id, verified: false, line: bp.line, source };
      results.push(result);
      if (!rt) {
        result.message = 'the program is not loaded yet';
        continue;
      }
      if (!lines || !known) {
        result.message = rt.lineTableError
          ? `the program's line table cannot be read: ${rt.lineTableError}`
          : `${baseName(path)} is not part of the program's debug information (is it compiled with -g?)`;
        continue;
      }
      const addresses = this.onePerFunction(rt, lines.addressesForLine(path, bp.line));
      if (addresses.length === 0) {
        const next = this.nextLineWithCode(path, bp.line);
        result.message = `no code at line ${bp.line} of ${baseName(path)}` + (next ? ` (the next line with code is ${next})` : '');
        continue;
      }
      for (const address of addresses) specs.push({ id, address, condition: bp.condition, hitCondition: bp.hitCondition, logMessage: bp.logMessage });
      result.verified = true;
      result.instructionReference = hex32(addresses[0]);
    }
    if (rt && this.install) {
      this.sourceSpecs.set(path, specs);
      const all = [...this.sourceSpecs.values()].flat();
      const installed = rt.setBreakpoints('source', all);
      this.applyResults(results, all, installed);
    }
    return results;
  }

  /**
   * A line can have several statement rows in one function (a loop's test at the
   * bottom, the code after a call); as gdb does, the breakpoint goes to the first
   * of each function only, so it stops once per execution of the line.
   */
  private onePerFunction(rt: TargetRuntime, addresses: number[]): number[] {
    return onePerFunction(addresses, (a) => rt.functionStart(a));
  }

  private applyResults(results: DebugProtocol.Breakpoint[], specs: { id: number }[], installed: InstallResult[]): void {
    installed.forEach((r, i) => {
      if (r.ok) return;
      const res = results.find((b) => b.id === specs[i].id);
      if (res) {
        res.verified = false;
        res.message = r.message;
      }
    });
  }

  private nextLineWithCode(path: string, line: number): number | undefined {
    const lines = this.runtime?.lines;
    if (!lines) return undefined;
    const files = new Set(lines.matchFiles(path));
    let best: number | undefined;
    for (const r of lines.rows) {
      if (!files.has(r.file) || r.endSequence || r.line <= line) continue;
      if (best === undefined || r.line < best) best = r.line;
    }
    return best && best - line <= 50 ? best : undefined;
  }

  /** Lines between `line` and `endLine` of a source that have code (breakpointLocations). */
  locations(path: string, line: number, endLine = line): DebugProtocol.BreakpointLocation[] {
    const lines = this.runtime?.lines;
    if (!lines) return [];
    const files = new Set(lines.matchFiles(path));
    const found = new Set<number>();
    for (const r of lines.rows) if (files.has(r.file) && !r.endSequence && r.line >= line && r.line <= endLine) found.add(r.line);
    return [...found].sort((a, b) => a - b).map((l) => ({ line: l }));
  }

  // ---- functions -----------------------------------------------------------------

  setFunctionBreakpoints(bps: DebugProtocol.FunctionBreakpoint[]): DebugProtocol.Breakpoint[] {
    const rt = this.requireRuntime();
    const specs: { id: number; address: number; condition?: string; hitCondition?: string }[] = [];
    const results = bps.map((bp) => {
      const name = bp.name.trim();
      const id = this.idFor(`function:${name}`, 'function');
      const result: DebugProtocol.Breakpoint = { id, verified: false };
      let address: number | undefined;
      const sym = rt.symbols.byName(name);
      if (sym && sym.type !== 'object' && sym.type !== 'section' && sym.type !== 'file') {
        address = rt.prologueEnd(sym.value >>> 0);
      } else {
        address = parseAddress(name.replace(/^\*/, ''));
        if (address === undefined) {
          result.message = sym ? `${name} is data, not code (use a data breakpoint)` : `no function named ${name}`;
          return result;
        }
      }
      specs.push({ id, address, condition: bp.condition, hitCondition: bp.hitCondition });
      result.verified = true;
      result.instructionReference = hex32(address);
      this.addLocation(result, address);
      return result;
    });
    if (this.install) this.applyResults(results, specs, rt.setBreakpoints('function', specs));
    return results;
  }

  // ---- instructions ----------------------------------------------------------------

  setInstructionBreakpoints(bps: DebugProtocol.InstructionBreakpoint[]): DebugProtocol.Breakpoint[] {
    const rt = this.requireRuntime();
    const specs: { id: number; address: number; condition?: string; hitCondition?: string }[] = [];
    const results = bps.map((bp) => {
      const base = parseAddress(bp.instructionReference);
      const address = base === undefined ? undefined : base + (bp.offset ?? 0);
      const id = this.idFor(`instruction:${address ?? bp.instructionReference}`, 'instruction');
      const result: DebugProtocol.Breakpoint = { id, verified: false };
      if (address === undefined || address < 0 || address > 0xffffffff) {
        result.message = `'${bp.instructionReference}' is not an address`;
        return result;
      }
      if (address & 3) {
        result.message = `${hex32(address)} is not on an instruction boundary (RV32 instructions are 4-byte aligned)`;
        return result;
      }
      specs.push({ id, address, condition: bp.condition, hitCondition: bp.hitCondition });
      result.verified = true;
      result.instructionReference = hex32(address);
      this.addLocation(result, address);
      return result;
    });
    if (this.install) this.applyResults(results, specs, rt.setBreakpoints('instruction', specs));
    return results;
  }

  private addLocation(result: DebugProtocol.Breakpoint, address: number): void {
    const loc = this.runtime?.lines?.lookup(address);
    if (loc) {
      result.source = this.resolver ? this.resolver.source(loc.file) : { name: baseName(loc.file), path: loc.file };
      result.line = loc.line;
    }
  }

  // ---- data ------------------------------------------------------------------------

  /** dataBreakpointInfo: what can be watched for a name (an expression or an address). */
  dataInfo(name: string, opts: { asAddress?: boolean; bytes?: number; hart?: number }): DebugProtocol.DataBreakpointInfoResponse['body'] {
    const rt = this.requireRuntime();
    let address: number | undefined;
    let size = opts.bytes ?? 4;
    let what = name;
    if (opts.asAddress) {
      address = parseAddress(name);
      if (address === undefined) return { dataId: null, description: `'${name}' is not an address` };
      what = hex32(address);
    } else {
      let v;
      try {
        v = rt.evaluate(name, { hart: opts.hart });
      } catch (e) {
        return { dataId: null, description: (e as Error).message };
      }
      if (v.lvalue?.kind === 'memory') {
        address = v.lvalue.address;
        size = opts.bytes ?? v.lvalue.size;
      } else if (v.isAddress) {
        address = v.value;
        const sym = rt.symbols.byName(name.trim());
        if (opts.bytes === undefined && sym && sym.size > 0 && sym.size <= 4096) size = sym.size;
      } else {
        return { dataId: null, description: `${name} is not in memory (registers cannot be watched); watch an address such as *(u32*)0x80001000` };
      }
    }
    if (!rt.machine.bus || rt.machine.bus.ramOffset(address >>> 0, size) < 0) {
      return { dataId: null, description: `${hex32(address)}: only RAM can be watched` };
    }
    return {
      dataId: `${hex32(address)}/${size}`,
      description: `${what} (${size} byte${size === 1 ? '' : 's'} at ${hex32(address)})`,
      accessTypes: ['read', 'write', 'readWrite'],
      canPersist: true,
    };
  }

  setDataBreakpoints(bps: DebugProtocol.DataBreakpoint[]): DebugProtocol.Breakpoint[] {
    const rt = this.requireRuntime();
    const specs: { id: number; address: number; size: number; access: WatchAccess; condition?: string; hitCondition?: string }[] = [];
    const results = bps.map((bp) => {
      const access: WatchAccess = bp.accessType === 'read' || bp.accessType === 'readWrite' ? bp.accessType : 'write';
      const id = this.idFor(`data:${bp.dataId}:${access}`, 'data');
      const result: DebugProtocol.Breakpoint = { id, verified: false };
      const m = /^(0x[0-9a-f]+)\/(\d+)$/i.exec(String(bp.dataId));
      if (!m) {
        result.message = `'${bp.dataId}' is not a data breakpoint id of this adapter`;
        return result;
      }
      const address = parseAddress(m[1]) as number;
      specs.push({ id, address, size: Number(m[2]), access, condition: bp.condition, hitCondition: bp.hitCondition });
      result.verified = true;
      result.instructionReference = hex32(address);
      return result;
    });
    if (this.install) this.applyResults(results, specs, rt.setWatchpoints(specs));
    return results;
  }

  private requireRuntime(): TargetRuntime {
    if (!this.runtime) throw new Error('the program is not loaded yet: launch first');
    return this.runtime;
  }
}

/**
 * Of a line's statement addresses, the first in each function (the addresses
 * sorted ascending): a breakpoint on the line stops once per execution of it.
 */
export function onePerFunction(addresses: readonly number[], functionStart: (address: number) => number | undefined): number[] {
  const seen = new Set<number>();
  return addresses.filter((a) => {
    const f = functionStart(a) ?? a;
    if (seen.has(f)) return false;
    seen.add(f);
    return true;
  });
}
