/**
 * Linking the units into one image, like a simple linker script: output
 * sections .text, .rodata, .data, .bss from the base address, each collecting
 * the matching input sections unit by unit; branch relaxation (GNU as's
 * branch-over-jal for conditional branches that cannot reach); symbol
 * resolution (locals within their unit, globals across units); fixups.
 */
import { AsmError, type DiagnosticSink, type SourceLoc } from './diagnostics';
import { def, encode, hiLo, withImmI, withImmJ, withImmS, withImmU, withShamt } from './encoder';
import { type EvalEnv, type Val, evaluate } from './expr';
import { type BranchTail, type Fixup, type Frag, type InputSection, anchorAddress } from './sections';
import { type SymbolDef, displayName } from './symbols';
import type { AsmImage, ImageSection, ImageSymbol, LineEntry, SectionKind } from './types';
import type { Unit } from './unit';

const KINDS: readonly SectionKind[] = ['text', 'rodata', 'data', 'bss'];
const INVERTED: Record<string, string> = { beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu' };
const NOP = 0x00000013;

interface Group {
  readonly kind: SectionKind;
  readonly inputs: InputSection[];
  address: number;
  size: number;
  align: number;
}

export interface LinkOptions {
  readonly base: number;
  readonly entry: string;
  readonly entryGiven: boolean;
}

function kindOf(s: InputSection): SectionKind {
  if (s.flags.exec) return 'text';
  if (s.flags.nobits) return 'bss';
  return s.flags.write ? 'data' : 'rodata';
}

const alignUp = (a: number, n: number) => Math.ceil(a / n) * n;

function tailSize(f: Frag, addr: number): number {
  const t = f.tail;
  if (!t) return 0;
  if (t.kind === 'branch') return t.long ? 8 : 4;
  const pad = (t.alignment - (addr % t.alignment)) % t.alignment;
  return t.max !== undefined && pad > t.max ? 0 : pad;
}

/** Assigns addresses to every fragment of `inputs` from `start`; returns the end address. */
function place(inputs: readonly InputSection[], start: number): number {
  let addr = start;
  for (const s of inputs) {
    addr = alignUp(addr, s.align);
    s.address = addr;
    for (const f of s.frags) {
      f.address = addr;
      addr += f.buf.length;
      f.tailSize = tailSize(f, addr);
      addr += f.tailSize;
    }
    s.size = addr - s.address;
  }
  return addr;
}

export class Linker {
  private readonly groups: Group[];
  private readonly globals = new Map<string, SymbolDef>();
  private readonly pcrelHi = new Map<number, number>();
  private readonly envs = new Map<number, EvalEnv>();

  constructor(
    private readonly units: readonly Unit[],
    private readonly files: readonly string[],
    private readonly diags: DiagnosticSink,
    private readonly opts: LinkOptions,
  ) {
    this.groups = KINDS.map((kind) => ({ kind, inputs: [], address: 0, size: 0, align: 1 }));
    for (const u of units) {
      for (const s of u.sections) if (s.flags.alloc) this.groups[KINDS.indexOf(kindOf(s))].inputs.push(s);
    }
  }

  link(): AsmImage | undefined {
    if (!this.layout()) return undefined;
    this.collectGlobals();
    const sections = this.contents();
    const symbols = this.symbolList();
    const lines = this.lineList();
    const entry = this.entry();
    if (this.diags.errorCount > 0) return undefined;
    return { entry, sections, symbols, lines, files: [...this.files] };
  }

  // --- layout and branch relaxation ----------------------------------------------------

  /** Assigns addresses; false when the program does not fit the address space. */
  private layout(): boolean {
    for (let pass = 0; ; pass++) {
      let addr = this.opts.base;
      for (const g of this.groups) {
        g.align = g.inputs.reduce((a, s) => Math.max(a, s.align), 1);
        g.address = alignUp(addr, g.align);
        addr = place(g.inputs, g.address);
        g.size = addr - g.address;
      }
      if (addr > 0x100000000) {
        const first = this.units[0];
        this.diags.error({ file: first.path, line: 1, column: 1 }, `program does not fit in the 32-bit address space (ends at 0x${addr.toString(16)})`);
        return false;
      }
      // Branches only grow, so this ends; GNU as converges to the same sizes.
      let grew = false;
      for (const g of this.groups) {
        for (const s of g.inputs) {
          for (const f of s.frags) {
            const t = f.tail;
            if (!t || t.kind !== 'branch' || t.long || !t.local) continue;
            const off = anchorAddress(t.local.anchor) + t.local.addend - (f.address + f.buf.length);
            if (off < -4096 || off > 4094) {
              t.long = true;
              grew = true;
            }
          }
        }
      }
      if (!grew) break;
    }
    // Sections that are not loaded still give their symbols offsets.
    for (const u of this.units) for (const s of u.sections) if (!s.flags.alloc) place([s], 0);
    return true;
  }

  // --- symbols ---------------------------------------------------------------------

  private collectGlobals(): void {
    for (const u of this.units) {
      for (const s of u.symbols.map.values()) {
        if (s.bind === 'local' || s.kind === 'none') continue;
        const old = this.globals.get(s.name);
        if (old && old.bind === 'global' && s.bind === 'global') {
          const at = old.defLoc ? ` (first defined at ${old.defLoc.file}:${old.defLoc.line}:${old.defLoc.column})` : '';
          this.diags.error(s.defLoc ?? { file: u.path, line: 1, column: 1 }, `multiple definition of '${s.name}'${at}`);
          continue;
        }
        if (!old || (old.bind === 'weak' && s.bind === 'global')) this.globals.set(s.name, s);
      }
    }
  }

  /**
   * Symbols GNU ld's default script defines, for start-up code that uses them;
   * they apply only when no unit defines the name.
   */
  private linkerSymbol(name: string): bigint | undefined {
    const [text, , data, bss] = this.groups;
    const endOf = (g: Group) => BigInt(g.address + g.size);
    switch (name) {
      case '__bss_start': return BigInt(bss.address);
      case '_edata': case 'edata': return endOf(data);
      case '_end': case 'end': return endOf(bss);
      case '__global_pointer$': return BigInt(data.address) + 0x800n;
      case '_etext': case 'etext': return endOf(text);
      default: return undefined;
    }
  }

  /** The definition `name` refers to in unit `unit`, or undefined. */
  private lookup(unit: number, name: string): SymbolDef | undefined {
    const local = this.units[unit].symbols.get(name);
    if (local && local.kind !== 'none') return local;
    return this.globals.get(name);
  }

  private value(s: SymbolDef, loc: SourceLoc): bigint {
    if (s.kind === 'label') return BigInt(anchorAddress(s.anchor as NonNullable<SymbolDef['anchor']>));
    if (s.value) return s.value.anchor ? BigInt(anchorAddress(s.value.anchor)) + s.value.v : s.value.v;
    if (s.evaluating) throw new AsmError(`symbol '${s.name}' is defined in terms of itself`, loc);
    s.evaluating = true;
    try {
      const v = evaluate(s.expr as NonNullable<SymbolDef['expr']>, this.env(s.unit)) as Val;
      s.value = v;
      return v.v;
    } finally {
      s.evaluating = false;
    }
  }

  /** Link-time evaluation in a unit: every symbol and position is an absolute value, or an error. */
  private env(unit: number): EvalEnv {
    let e = this.envs.get(unit);
    if (!e) {
      e = {
        symbol: (n) => {
          const s = this.lookup(unit, n.name);
          if (s) return { v: this.value(s, n.loc) };
          if (this.units[unit].symbols.get(n.name)?.bind === 'weak') return { v: 0n }; // undefined weak: 0
          const provided = this.linkerSymbol(n.name);
          if (provided !== undefined) return { v: provided };
          throw new AsmError(`undefined symbol '${displayName(n.name)}'`, n.loc);
        },
        anchor: (a) => ({ v: BigInt(anchorAddress(a)) }),
      };
      this.envs.set(unit, e);
    }
    return e;
  }

  private eval(unit: number, fx: { expr: Fixup['expr']; loc: SourceLoc }): bigint | undefined {
    try {
      return (evaluate(fx.expr, this.env(unit)) as Val).v;
    } catch (err) {
      this.diags.report(err, fx.loc);
      return undefined;
    }
  }

  // --- contents -------------------------------------------------------------------

  private contents(): ImageSection[] {
    const out: ImageSection[] = [];
    const lo: Array<[InputSection, Fixup, Uint8Array, number]> = [];
    for (const g of this.groups) {
      if (g.size === 0 && !g.inputs.some((s) => s.frags.some((f) => f.buf.length > 0))) continue;
      const nobits = g.kind === 'bss';
      const data = new Uint8Array(nobits ? 0 : g.size);
      const view = new DataView(data.buffer);
      if (!nobits) {
        for (const s of g.inputs) {
          for (const f of s.frags) {
            data.set(f.buf.view(), f.address - g.address);
            this.writeTail(s, f, data, view, f.address + f.buf.length - g.address);
          }
        }
        for (const s of g.inputs) {
          for (const fx of s.fixups) {
            if (fx.kind === 'pcrel_lo12i' || fx.kind === 'pcrel_lo12s') lo.push([s, fx, data, g.address]);
            else this.apply(s, fx, view, g.address);
          }
        }
      }
      out.push({
        name: '.' + g.kind, kind: g.kind, address: g.address, size: g.size, data, align: g.align,
        flags: { read: true, write: g.kind === 'data' || g.kind === 'bss', exec: g.kind === 'text' },
      });
    }
    // %pcrel_lo needs the value its auipc's %pcrel_hi computed.
    for (const [s, fx, data, base] of lo) this.apply(s, fx, new DataView(data.buffer), base);
    return out;
  }

  private writeTail(s: InputSection, f: Frag, data: Uint8Array, view: DataView, at: number): void {
    const t = f.tail;
    if (!t || f.tailSize === 0) return;
    if (t.kind === 'align') {
      if (!t.code) {
        data.fill(t.fill ?? 0, at, at + f.tailSize);
        return;
      }
      // GNU as code padding: a zero byte to even, a 2-byte c.nop to a multiple of 4, then nops.
      const end = at + f.tailSize;
      let p = at;
      const addr = (x: number) => x - at + f.address + f.buf.length;
      if (addr(p) & 1) data[p++] = 0;
      if (p + 2 <= end && addr(p) & 2) {
        view.setUint16(p, 0x0001, true);
        p += 2;
      }
      for (; p + 4 <= end; p += 4) view.setUint32(p, NOP, true);
      return;
    }
    this.writeBranch(s, f, t, view, at);
  }

  private writeBranch(s: InputSection, f: Frag, t: BranchTail, view: DataView, at: number): void {
    const pc = f.address + f.buf.length;
    let target: number;
    if (t.local) target = anchorAddress(t.local.anchor) + t.local.addend;
    else {
      const v = this.eval(s.unit, { expr: t.target, loc: t.loc });
      if (v === undefined) return;
      target = Number(BigInt.asUintN(32, v));
    }
    if (target & 3) this.diags.error(t.loc, `branch target 0x${(target >>> 0).toString(16)} is not 4-byte aligned`);
    if (!t.long) {
      view.setUint32(at, encode(t.def, { rs1: t.rs1, rs2: t.rs2, imm: target - pc }), true);
      return;
    }
    view.setUint32(at, encode(def(INVERTED[t.def.name]), { rs1: t.rs1, rs2: t.rs2, imm: 8 }), true);
    const off = signed32(target - (pc + 4));
    if (off < -0x100000 || off > 0xffffe) {
      this.diags.error(t.loc, `branch target out of range (offset ${off}; even as a branch over a jal it reaches only ±1 MiB)`);
      return;
    }
    view.setUint32(at + 4, encode(def('jal'), { rd: 0, imm: off }), true);
  }

  private apply(s: InputSection, fx: Fixup, view: DataView, base: number): void {
    const f = s.frags[fx.frag];
    const p = f.address + fx.off;
    const at = p - base;
    const word = () => view.getUint32(at, true);
    const put = (w: number, k = 0) => view.setUint32(at + 4 * k, w, true);
    const v = this.eval(s.unit, fx);
    if (v === undefined) return;
    const fail = (m: string) => this.diags.error(fx.loc, m);
    const range = (lo: bigint, hi: bigint, what: string) => {
      if (v < lo || v > hi) {
        fail(`${what} ${v} out of range (${lo}..${hi})`);
        return false;
      }
      return true;
    };
    const v32 = Number(BigInt.asIntN(32, v));
    switch (fx.kind) {
      case 'i12': if (range(-2048n, 2047n, 'immediate')) put(withImmI(word(), v32)); return;
      case 's12': if (range(-2048n, 2047n, 'immediate')) put(withImmS(word(), v32)); return;
      case 'u20': if (range(0n, 0xfffffn, 'immediate')) put(withImmU(word(), v32)); return;
      case 'shamt': if (range(0n, 31n, 'shift amount')) put(withShamt(word(), v32)); return;
      case 'hi20': put(withImmU(word(), hiLo(v32).hi)); return;
      case 'lo12i': put(withImmI(word(), hiLo(v32).lo)); return;
      case 'lo12s': put(withImmS(word(), hiLo(v32).lo)); return;
      case 'pcrel_hi20': {
        const delta = signed32(v32 - p);
        this.pcrelHi.set(p, delta);
        put(withImmU(word(), hiLo(delta).hi));
        return;
      }
      case 'pcrel_lo12i':
      case 'pcrel_lo12s': {
        const delta = this.pcrelHi.get(v32 >>> 0);
        if (delta === undefined) return fail(`%pcrel_lo: no auipc with %pcrel_hi at 0x${(v32 >>> 0).toString(16)} (the operand must be the label of that auipc)`);
        const lo = hiLo(delta).lo;
        put(fx.kind === 'pcrel_lo12i' ? withImmI(word(), lo) : withImmS(word(), lo));
        return;
      }
      case 'jal': {
        const off = signed32(v32 - p);
        if (v32 & 3) return fail(`jump target 0x${(v32 >>> 0).toString(16)} is not 4-byte aligned`);
        if (off < -0x100000 || off > 0xffffe) return fail(`jump target out of range (offset ${off}; jal reaches -1048576..1048574)`);
        put(withImmJ(word(), off));
        return;
      }
      case 'call':
      case 'pair_i':
      case 'pair_s': {
        if (fx.kind === 'call' && v32 & 3) return fail(`call target 0x${(v32 >>> 0).toString(16)} is not 4-byte aligned`);
        const { hi, lo } = hiLo(signed32(v32 - p));
        put(withImmU(word(), hi));
        const second = view.getUint32(at + 4, true);
        put(fx.kind === 'pair_s' ? withImmS(second, lo) : withImmI(second, lo), 1);
        return;
      }
      case 'data': {
        const size = fx.size as number;
        const max = 1n << BigInt(8 * size);
        if (size < 8 && (v >= max || v <= -max)) {
          this.diags.warning(fx.loc, `value 0x${BigInt.asUintN(64, v).toString(16)} truncated to 0x${BigInt.asUintN(8 * size, v).toString(16)}`);
        }
        for (let k = 0; k < size; k++) view.setUint8(at + k, Number((v >> BigInt(8 * k)) & 0xffn));
        return;
      }
    }
  }

  // --- symbols, lines, entry -----------------------------------------------------------

  private sectionName(s: SymbolDef): string | undefined {
    const a = s.kind === 'label' ? s.anchor : s.value?.anchor;
    if (!a || !a.sec.flags.alloc) return undefined;
    return '.' + kindOf(a.sec);
  }

  private symbolList(): ImageSymbol[] {
    const locals: ImageSymbol[] = [];
    const globals: ImageSymbol[] = [];
    for (const u of this.units) {
      for (const s of u.symbols.map.values()) {
        if (s.kind === 'none' || s.name.startsWith('.L')) continue;
        if (s.bind !== 'local' && this.globals.get(s.name) !== s) continue; // a weak definition another unit overrides
        const loc = s.defLoc ?? { file: u.path, line: 1, column: 1 };
        let value: bigint;
        try {
          value = this.value(s, loc);
        } catch (err) {
          this.diags.report(err, loc);
          continue;
        }
        const size = s.size ? this.eval(u.index, { expr: s.size, loc }) : 0n;
        const sym: ImageSymbol = {
          name: s.name, value: Number(BigInt.asUintN(32, value)), size: Number(BigInt.asUintN(32, size ?? 0n)),
          type: s.bind === 'local' ? s.type : this.globalType(s), bind: s.bind, section: this.sectionName(s), file: u.path,
        };
        (s.bind === 'local' ? locals : globals).push(sym);
      }
    }
    return [...locals, ...globals];
  }

  /** A global's type; an untyped definition takes the type another unit declared for it (as GNU ld does). */
  private globalType(s: SymbolDef): SymbolDef['type'] {
    if (s.type !== 'notype') return s.type;
    for (const u of this.units) {
      const ref = u.symbols.get(s.name);
      if (ref && ref.kind === 'none' && ref.type !== 'notype') return ref.type;
    }
    return s.type;
  }

  private lineList(): LineEntry[] {
    const out: LineEntry[] = [];
    for (const g of this.groups) {
      for (const s of g.inputs) {
        for (const m of s.lines) {
          const f = s.frags[m.frag];
          const address = f.address + m.off;
          const row = { address, file: this.files[m.file], line: m.line, column: m.column };
          out.push(row);
          if (m.tail && f.tail?.kind === 'branch' && f.tail.long) out.push({ ...row, address: address + 4 });
        }
      }
    }
    return out.sort((a, b) => a.address - b.address);
  }

  private entry(): number {
    const name = this.opts.entry;
    let s = this.globals.get(name);
    if (!s) for (const u of this.units) s ??= u.symbols.get(name)?.kind === 'label' ? u.symbols.get(name) : undefined;
    if (s) return Number(BigInt.asUintN(32, this.value(s, s.defLoc as SourceLoc)));
    if (this.opts.entryGiven) {
      this.diags.error({ file: this.units[0]?.path ?? '', line: 1, column: 1 }, `entry symbol '${name}' is not defined`);
    }
    const text = this.groups[0];
    return text.inputs.length > 0 ? text.address : this.opts.base >>> 0;
  }
}

function signed32(v: number): number {
  return v | 0;
}
