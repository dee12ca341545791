/** Reading DWARF attribute values by form (DWARF 2–5 §7.5.6), shared by .debug_info and v5 .debug_line headers. */
import { ByteReader, stringAt } from './byte-reader';
import { ElfError } from './errors';

export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08,
  block: 0x09, block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f,
  ref_addr: 0x10, ref1: 0x11, ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16,
  sec_offset: 0x17, exprloc: 0x18, flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c,
  strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f, ref_sig8: 0x20, implicit_const: 0x21,
  loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25, strx2: 0x26, strx3: 0x27, strx4: 0x28,
  addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

/**
 * A decoded value: text (string, strp, line_strp), a number, or raw bytes
 * (blocks, data16). Index forms (strx, addrx) and references into other files
 * yield their raw index or offset, so a caller wanting text checks the type.
 */
export type FormValue = string | number | Uint8Array;

export interface FormContext {
  readonly version: number;
  readonly offsetSize: 4 | 8;
  readonly addressSize: number;
  readonly debugStr?: Uint8Array;
  readonly debugLineStr?: Uint8Array;
}

function strFrom(table: Uint8Array | undefined, section: string, offset: number): string {
  if (!table) throw new ElfError(`DWARF refers to ${section} but the file has no such section`);
  return stringAt(table, offset, section);
}

/** An 8-byte datum as a number (precision may be lost above 2^53; harmless for sizes and timestamps). */
function data8(r: ByteReader): number {
  const lo = r.u32();
  return r.u32() * 0x100000000 + lo;
}

/** Reads one value of `form`; `implicitConst` is the value an abbreviation gives DW_FORM_implicit_const. */
export function readForm(r: ByteReader, form: number, ctx: FormContext, implicitConst = 0): FormValue {
  const F = DW_FORM;
  switch (form) {
    case F.string: return r.cstr();
    case F.strp: return strFrom(ctx.debugStr, '.debug_str', r.uint(ctx.offsetSize));
    case F.line_strp: return strFrom(ctx.debugLineStr, '.debug_line_str', r.uint(ctx.offsetSize));
    case F.data1: case F.ref1: case F.flag: case F.strx1: case F.addrx1: return r.u8();
    case F.data2: case F.ref2: case F.strx2: case F.addrx2: return r.u16();
    case F.strx3: case F.addrx3: return r.uint(3);
    case F.data4: case F.ref4: case F.ref_sup4: case F.strx4: case F.addrx4: return r.u32();
    case F.data8: case F.ref8: case F.ref_sig8: case F.ref_sup8: return data8(r);
    case F.data16: return r.take(16);
    case F.udata: case F.ref_udata: case F.strx: case F.addrx: case F.loclistx: case F.rnglistx:
    case F.GNU_addr_index: case F.GNU_str_index:
      return r.uleb();
    case F.sdata: return r.sleb();
    case F.addr: return r.uint(ctx.addressSize);
    case F.ref_addr: return r.uint(ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize);
    case F.sec_offset: case F.strp_sup: case F.GNU_ref_alt: case F.GNU_strp_alt: return r.uint(ctx.offsetSize);
    case F.block1: return r.take(r.u8());
    case F.block2: return r.take(r.u16());
    case F.block4: return r.take(r.u32());
    case F.block: case F.exprloc: return r.take(r.uleb());
    case F.flag_present: return 1;
    case F.implicit_const: return implicitConst;
    case F.indirect: {
      const actual = r.uleb();
      if (actual === F.indirect || actual === F.implicit_const) {
        throw new ElfError(`${r.what}: DW_FORM_indirect names form 0x${actual.toString(16)}, which it may not`);
      }
      return readForm(r, actual, ctx, implicitConst);
    }
    default:
      throw new ElfError(`${r.what}: unsupported DWARF form 0x${form.toString(16)}`);
  }
}
