/**
 * DWARF call-frame information (DWARF 4 §6.4; .debug_frame versions 1, 3 and 4,
 * and the GNU .eh_frame variant): CIEs and FDEs, and the rule row for an
 * address, obtained by running the CIE's initial instructions and the FDE's
 * instructions up to that address. `unwindRow` applies a row to register
 * values and a memory reader: the caller's registers and return address.
 *
 * Pure: no file system, no machine. Malformed input throws ElfError naming
 * the section and offset. Expression rules (DW_CFA_*expression) are kept as
 * such; `unwindRow` cannot evaluate them and says so (undefined).
 */
import type { ElfFile } from './elf';
import { ByteReader } from './byte-reader';
import { ElfError, hex } from './errors';
import { IntervalIndex } from './intervals';

/** How to find a register's value in the caller (DWARF §6.4.1). */
export type RegisterRule =
  | { readonly kind: 'undefined' }
  | { readonly kind: 'same' }
  /** Saved at CFA + offset. */
  | { readonly kind: 'offset'; readonly offset: number }
  /** The value is CFA + offset. */
  | { readonly kind: 'valOffset'; readonly offset: number }
  /** Held in another register. */
  | { readonly kind: 'register'; readonly register: number }
  | { readonly kind: 'expression'; readonly expression: Uint8Array }
  | { readonly kind: 'valExpression'; readonly expression: Uint8Array };

export type CfaRule =
  | { readonly kind: 'register'; readonly register: number; readonly offset: number }
  | { readonly kind: 'expression'; readonly expression: Uint8Array };

/** The rules in effect from `start` up to (not including) `end`. */
export interface FrameRow {
  readonly start: number;
  readonly end: number;
  readonly cfa: CfaRule;
  /** Registers with a rule; a register not listed keeps its value (gcc's convention for callee-saved registers). */
  readonly registers: ReadonlyMap<number, RegisterRule>;
  /** The column that holds the return address (RISC-V: 1, ra). */
  readonly returnAddressRegister: number;
}

export interface CommonInformation {
  /** Offset of the CIE in its section. */
  readonly offset: number;
  readonly version: number;
  readonly augmentation: string;
  readonly codeAlignment: number;
  readonly dataAlignment: number;
  readonly returnAddressRegister: number;
  readonly initialInstructions: Uint8Array;
  /** .eh_frame: the encoding of FDE addresses ('R' augmentation). */
  readonly pointerEncoding: number;
  readonly signalFrame: boolean;
}

export interface FrameDescription {
  /** Offset of the FDE in its section. */
  readonly offset: number;
  readonly section: '.debug_frame' | '.eh_frame';
  readonly start: number;
  readonly end: number;
  readonly cie: CommonInformation;
  readonly instructions: Uint8Array;
}

// DW_EH_PE_* pointer encodings (.eh_frame).
const PE_OMIT = 0xff;
const PE_ABSPTR = 0x00;
const PE_ULEB128 = 0x01;
const PE_UDATA2 = 0x02;
const PE_UDATA4 = 0x03;
const PE_UDATA8 = 0x04;
const PE_SLEB128 = 0x09;
const PE_SDATA2 = 0x0a;
const PE_SDATA4 = 0x0b;
const PE_SDATA8 = 0x0c;
const PE_PCREL = 0x10;
const PE_INDIRECT = 0x80;

/** Reads an .eh_frame pointer of encoding `enc` at the reader's position (whose address is `sectionAddress + pos`). */
function readEncoded(r: ByteReader, enc: number, sectionAddress: number, addressSize: number, applyRelative: boolean): number {
  if (enc === PE_OMIT) return 0;
  const at = sectionAddress + r.pos;
  let v: number;
  switch (enc & 0x0f) {
    case PE_ABSPTR: v = r.uint(addressSize); break;
    case PE_ULEB128: v = r.uleb(); break;
    case PE_UDATA2: v = r.u16(); break;
    case PE_UDATA4: v = r.u32(); break;
    case PE_UDATA8: v = r.u64(); break;
    case PE_SLEB128: v = r.sleb(); break;
    case PE_SDATA2: v = (r.u16() << 16) >> 16; break;
    case PE_SDATA4: v = r.u32() | 0; break;
    case PE_SDATA8: v = r.u64(); break;
    default: throw new ElfError(`${r.what}: unsupported pointer encoding 0x${enc.toString(16)}`);
  }
  if (applyRelative) {
    const rel = enc & 0x70;
    if (rel === PE_PCREL) v += at;
    else if (rel !== 0) throw new ElfError(`${r.what}: unsupported pointer encoding 0x${enc.toString(16)} (only absolute and pc-relative pointers)`);
  }
  if (enc & PE_INDIRECT) throw new ElfError(`${r.what}: indirect pointers (encoding 0x${enc.toString(16)}) are not supported`);
  return v >>> 0;
}

/** Parses the CIEs and FDEs of one section. */
function parseSection(bytes: Uint8Array, section: '.debug_frame' | '.eh_frame', sectionAddress: number, addressSize: number): FrameDescription[] {
  const eh = section === '.eh_frame';
  const cies = new Map<number, CommonInformation>();
  const fdes: FrameDescription[] = [];
  const pendingFdes: { offset: number; ciePointer: number; body: ByteReader }[] = [];
  const top = new ByteReader(bytes, section);
  while (top.remaining > 0) {
    const offset = top.pos;
    if (top.remaining < 4) throw new ElfError(`${section}: ${top.remaining} stray bytes at offset ${hex(offset)}`);
    let length = top.u32();
    let dwarf64 = false;
    if (length === 0) {
      if (eh) break; // the terminator
      continue; // a zero-length pad
    }
    if (length === 0xffffffff) {
      length = top.u64();
      dwarf64 = true;
    } else if (length >= 0xfffffff0) {
      throw new ElfError(`${section}: reserved length 0x${length.toString(16)} at offset ${hex(offset)}`);
    }
    if (length > top.remaining) throw new ElfError(`${section}: the entry at offset ${hex(offset)} (${length} bytes) runs past the end of the section`);
    const idPos = top.pos;
    const body = top.sub(length, `${section} entry at ${hex(offset)}`);
    const lo = body.u32();
    const hi = dwarf64 ? body.u32() : 0;
    // The CIE id: 0 in .eh_frame, all ones in .debug_frame.
    const isCie = eh ? lo === 0 && hi === 0 : lo === 0xffffffff && (!dwarf64 || hi === 0xffffffff);
    const id = hi * 0x100000000 + lo;
    if (isCie) {
      cies.set(offset, parseCie(body, offset, eh, addressSize));
    } else {
      // .debug_frame: the CIE's offset in the section; .eh_frame: the distance back from the id field.
      pendingFdes.push({ offset, ciePointer: eh ? idPos - id : id, body });
    }
  }
  for (const f of pendingFdes) {
    const cie = cies.get(f.ciePointer);
    if (!cie) throw new ElfError(`${section}: the FDE at offset ${hex(f.offset)} refers to a CIE at ${hex(f.ciePointer)}, which is not there`);
    const r = f.body;
    let start: number;
    let range: number;
    if (eh) {
      start = readEncoded(r, cie.pointerEncoding, sectionAddress, addressSize, true);
      range = readEncoded(r, cie.pointerEncoding & 0x0f, sectionAddress, addressSize, false);
      if (cie.augmentation.startsWith('z')) r.skip(r.uleb());
    } else {
      start = r.uint(addressSize);
      range = r.uint(addressSize);
    }
    const instructions = r.take(r.remaining);
    if (range === 0) continue;
    fdes.push({ offset: f.offset, section, start, end: start + range, cie, instructions });
  }
  return fdes;
}

function parseCie(r: ByteReader, offset: number, eh: boolean, addressSize: number): CommonInformation {
  const version = r.u8();
  if (eh ? version !== 1 && version !== 3 : version !== 1 && version !== 3 && version !== 4) {
    throw new ElfError(`${r.what}: CIE version ${version} is not supported`);
  }
  const augmentation = r.cstr();
  if (version === 4) {
    const size = r.u8();
    const segment = r.u8();
    if (size !== addressSize) throw new ElfError(`${r.what}: address size ${size} (expected ${addressSize})`);
    if (segment !== 0) throw new ElfError(`${r.what}: segment selectors are not supported`);
  }
  const codeAlignment = r.uleb();
  const dataAlignment = r.sleb();
  const returnAddressRegister = version === 1 ? r.u8() : r.uleb();
  let pointerEncoding = PE_ABSPTR;
  let signalFrame = false;
  if (augmentation.startsWith('z')) {
    const data = r.sub(r.uleb(), `${r.what} augmentation data`);
    for (const c of augmentation.slice(1)) {
      if (c === 'R') pointerEncoding = data.u8();
      else if (c === 'L') data.u8();
      else if (c === 'P') {
        const enc = data.u8();
        readEncoded(data, enc & 0x7f, 0, addressSize, false);
      } else if (c === 'S') signalFrame = true;
      else break; // an unknown letter: the rest of the data is not understood, but its length is known
    }
  } else if (augmentation !== '' && augmentation !== 'eh') {
    throw new ElfError(`${r.what}: CIE augmentation "${augmentation}" is not supported`);
  }
  if (augmentation === 'eh') r.skip(addressSize); // an old GNU extension: the address of the exception table
  return { offset, version, augmentation, codeAlignment, dataAlignment, returnAddressRegister, initialInstructions: r.take(r.remaining), pointerEncoding, signalFrame };
}

interface RuleState {
  cfa: CfaRule;
  registers: Map<number, RegisterRule>;
}

const copyState = (s: RuleState): RuleState => ({ cfa: s.cfa, registers: new Map(s.registers) });

/**
 * Runs call-frame instructions from `loc` until the location passes `pc`.
 * Returns the state in effect at `pc` and where that state ends (or `limit`).
 */
function execute(
  code: Uint8Array, what: string, cie: CommonInformation, state: RuleState, initial: RuleState | undefined,
  loc: number, pc: number, limit: number, addressSize: number,
): { loc: number; end: number; stopped: boolean } {
  const r = new ByteReader(code, what);
  const stack: RuleState[] = [];
  const caf = cie.codeAlignment;
  const daf = cie.dataAlignment;
  const advance = (to: number): boolean => {
    if (to > pc) return true; // the rows from here on start after pc
    loc = to;
    return false;
  };
  const restore = (reg: number) => {
    const rule = initial?.registers.get(reg);
    if (rule) state.registers.set(reg, rule);
    else state.registers.delete(reg);
  };
  const cfaRegister = (): number => {
    if (state.cfa.kind !== 'register') throw new ElfError(`${what}: DW_CFA_def_cfa_offset after a CFA expression`);
    return state.cfa.register;
  };
  const cfaOffset = (): number => (state.cfa.kind === 'register' ? state.cfa.offset : 0);
  while (r.remaining > 0) {
    const op = r.u8();
    const high = op >> 6;
    const low = op & 0x3f;
    if (high === 1) {
      const to = loc + low * caf;
      if (advance(to)) return { loc, end: to, stopped: true };
      continue;
    }
    if (high === 2) {
      state.registers.set(low, { kind: 'offset', offset: r.uleb() * daf });
      continue;
    }
    if (high === 3) {
      if (!initial) throw new ElfError(`${what}: DW_CFA_restore in a CIE's initial instructions`);
      restore(low);
      continue;
    }
    switch (op) {
      case 0x00: // nop
        break;
      case 0x01: { // set_loc
        const to = r.uint(addressSize);
        if (advance(to)) return { loc, end: to, stopped: true };
        break;
      }
      case 0x02: case 0x03: case 0x04: { // advance_loc1/2/4
        const delta = op === 0x02 ? r.u8() : op === 0x03 ? r.u16() : r.u32();
        const to = loc + delta * caf;
        if (advance(to)) return { loc, end: to, stopped: true };
        break;
      }
      case 0x05: { // offset_extended
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'offset', offset: r.uleb() * daf });
        break;
      }
      case 0x06: // restore_extended
        if (!initial) throw new ElfError(`${what}: DW_CFA_restore_extended in a CIE's initial instructions`);
        restore(r.uleb());
        break;
      case 0x07: // undefined
        state.registers.set(r.uleb(), { kind: 'undefined' });
        break;
      case 0x08: // same_value
        state.registers.set(r.uleb(), { kind: 'same' });
        break;
      case 0x09: { // register
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'register', register: r.uleb() });
        break;
      }
      case 0x0a: // remember_state
        stack.push(copyState(state));
        break;
      case 0x0b: { // restore_state
        const s = stack.pop();
        if (!s) throw new ElfError(`${what}: DW_CFA_restore_state without a remembered state`);
        // The CFA rule is part of the remembered state (DWARF 4; gcc relies on it).
        state.cfa = s.cfa;
        state.registers = s.registers;
        break;
      }
      case 0x0c: { // def_cfa
        const reg = r.uleb();
        state.cfa = { kind: 'register', register: reg, offset: r.uleb() };
        break;
      }
      case 0x0d: // def_cfa_register
        state.cfa = { kind: 'register', register: r.uleb(), offset: cfaOffset() };
        break;
      case 0x0e: // def_cfa_offset
        state.cfa = { kind: 'register', register: cfaRegister(), offset: r.uleb() };
        break;
      case 0x0f: // def_cfa_expression
        state.cfa = { kind: 'expression', expression: r.take(r.uleb()) };
        break;
      case 0x10: { // expression
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'expression', expression: r.take(r.uleb()) });
        break;
      }
      case 0x11: { // offset_extended_sf
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'offset', offset: r.sleb() * daf });
        break;
      }
      case 0x12: { // def_cfa_sf
        const reg = r.uleb();
        state.cfa = { kind: 'register', register: reg, offset: r.sleb() * daf };
        break;
      }
      case 0x13: // def_cfa_offset_sf
        state.cfa = { kind: 'register', register: cfaRegister(), offset: r.sleb() * daf };
        break;
      case 0x14: case 0x15: { // val_offset, val_offset_sf
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'valOffset', offset: (op === 0x14 ? r.uleb() : r.sleb()) * daf });
        break;
      }
      case 0x16: { // val_expression
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'valExpression', expression: r.take(r.uleb()) });
        break;
      }
      case 0x2e: // GNU_args_size
        r.uleb();
        break;
      case 0x2f: { // GNU_negative_offset_extended
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'offset', offset: -r.uleb() * daf });
        break;
      }
      default:
        throw new ElfError(`${what}: unknown call-frame instruction 0x${op.toString(16)} at offset 0x${(r.pos - 1).toString(16)}`);
    }
  }
  return { loc, end: limit, stopped: false };
}

export class CallFrameInfo {
  private readonly index: IntervalIndex<FrameDescription>;

  /**
   * The call-frame information of an ELF file: .debug_frame, then .eh_frame for
   * addresses .debug_frame does not cover. Empty when it has neither. Throws
   * ElfError for malformed sections.
   */
  static fromElf(elf: ElfFile, addressSize = 4): CallFrameInfo {
    const fdes: FrameDescription[] = [];
    const debugFrame = elf.section('.debug_frame');
    if (debugFrame?.length) fdes.push(...parseSection(debugFrame, '.debug_frame', 0, addressSize));
    const ehFrame = elf.section('.eh_frame');
    const ehHeader = elf.sections.find((s) => s.name === '.eh_frame');
    if (ehFrame?.length && ehHeader) fdes.push(...parseSection(ehFrame, '.eh_frame', ehHeader.addr, addressSize));
    return new CallFrameInfo(fdes);
  }

  /** Parses one section's bytes (`sectionAddress`: where an .eh_frame is loaded, for pc-relative pointers). */
  static parse(bytes: Uint8Array, section: '.debug_frame' | '.eh_frame', sectionAddress = 0, addressSize = 4): CallFrameInfo {
    return new CallFrameInfo(parseSection(bytes, section, sectionAddress, addressSize));
  }

  constructor(readonly descriptions: readonly FrameDescription[], private readonly addressSize = 4) {
    // Earlier descriptions win for the same start: .debug_frame before .eh_frame.
    this.index = new IntervalIndex(descriptions.map((d) => ({ start: d.start, end: d.end, value: d })));
  }

  get size(): number {
    return this.descriptions.length;
  }

  /** The FDE covering `pc`. */
  find(pc: number): FrameDescription | undefined {
    return this.index.find(pc >>> 0)?.value;
  }

  /** The rules in effect at `pc`, or undefined when no FDE covers it. Throws ElfError for malformed instructions. */
  rowAt(pc: number): FrameRow | undefined {
    pc >>>= 0;
    const fde = this.find(pc);
    if (!fde) return undefined;
    const cie = fde.cie;
    const what = `${fde.section} FDE at ${hex(fde.offset)}`;
    const state: RuleState = { cfa: { kind: 'register', register: 2, offset: 0 }, registers: new Map() };
    execute(cie.initialInstructions, `${fde.section} CIE at ${hex(cie.offset)}`, cie, state, undefined, fde.start, Infinity, fde.end, this.addressSize);
    const initial = copyState(state);
    const { loc, end } = execute(fde.instructions, what, cie, state, initial, fde.start, pc, fde.end, this.addressSize);
    return { start: loc, end: Math.min(end, fde.end), cfa: state.cfa, registers: state.registers, returnAddressRegister: cie.returnAddressRegister };
  }
}

/** What unwinding one frame recovered. */
export interface UnwoundRegisters {
  /** The canonical frame address (RISC-V: sp before the call). */
  readonly cfa: number;
  /** The return address: where the caller goes on (undefined when the rules say it is not known). */
  readonly returnAddress: number | undefined;
  /** The caller's registers 0–31 (undefined where not recoverable); sp (x2) is the CFA. */
  readonly registers: (number | undefined)[];
}

/**
 * Applies a row: from the registers of a frame (`regs[i]`, undefined when not
 * known) and a reader of 32-bit words, the caller's registers. Undefined when
 * the CFA cannot be computed (its register is not known, or it is an expression).
 */
export function unwindRow(row: FrameRow, regs: readonly (number | undefined)[], readWord: (address: number) => number | undefined): UnwoundRegisters | undefined {
  if (row.cfa.kind !== 'register') return undefined;
  const base = regs[row.cfa.register];
  if (base === undefined) return undefined;
  const cfa = (base + row.cfa.offset) >>> 0;
  const value = (reg: number): number | undefined => {
    const rule = row.registers.get(reg);
    if (!rule || rule.kind === 'same') return regs[reg];
    switch (rule.kind) {
      case 'offset': return readWord((cfa + rule.offset) >>> 0);
      case 'valOffset': return (cfa + rule.offset) >>> 0;
      case 'register': return regs[rule.register];
      default: return undefined;
    }
  };
  const registers: (number | undefined)[] = [];
  for (let i = 0; i < 32; i++) registers.push(value(i));
  const returnAddress = value(row.returnAddressRegister);
  registers[0] = 0;
  registers[2] = cfa;
  return { cfa, returnAddress, registers };
}
