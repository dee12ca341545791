/**
 * DWARF call-frame information (.debug_frame, .eh_frame): hand-assembled
 * sections for every instruction kind and malformed input, unwinding one frame
 * with `unwindRow`, and the demo guest images checked row by row against
 * binutils' `readelf --debug-dump=frames-interp`.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CallFrameInfo, ElfError, type FrameRow, parseElf, unwindRow } from '../../emulator/loader';
import { ABI_NAMES } from '../../emulator/isa/registers';
import { Bytes } from './dwarf-builder';
import { randomBytes } from './elf-builder';
import { tool } from './cross';
import { findTool } from '../support/tools';

const IMAGES = path.resolve(__dirname, '../../../examples/driver-isolation/images');

/** A .debug_frame CIE (version 3, no augmentation): code alignment 1, data alignment -4, ra = x1, CFA = sp. */
function cie(initial: number[] = [0x0c, 2, 0], version = 3): number[] {
  const body = new Bytes().u32(0xffffffff).u8(version).str('');
  if (version === 4) body.u8(4, 0);
  body.uleb(1).sleb(-4);
  if (version === 1) body.u8(1);
  else body.uleb(1);
  body.raw(initial);
  return new Bytes().u32(body.length).raw(body.out).out;
}

/** A .debug_frame FDE for [start, start + size) referring to the CIE at `cieOffset`. */
function fde(cieOffset: number, start: number, size: number, code: number[]): number[] {
  const body = new Bytes().u32(cieOffset).u32(start).u32(size).raw(code);
  return new Bytes().u32(body.length).raw(body.out).out;
}

const rules = (row: FrameRow) => Object.fromEntries([...row.registers].map(([r, rule]) => [r, rule.kind === 'offset' || rule.kind === 'valOffset' ? `${rule.kind} ${rule.offset}` : rule.kind === 'register' ? `r${rule.register}` : rule.kind]));
const cfa = (row: FrameRow) => (row.cfa.kind === 'register' ? `x${row.cfa.register}+${row.cfa.offset}` : 'expr');

function fails(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ElfError, `expected ElfError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('loader: DWARF call-frame information', () => {
  it('runs the CIE and FDE instructions to the row of an address (.debug_frame)', () => {
    const c = cie();
    const code = [
      0x44, // advance_loc 4
      0x0e, 16, // def_cfa_offset 16
      0x44,
      0x81, 1, // offset ra, 1 * -4
      0x88, 2, // offset s0, -8
      0x02, 8, // advance_loc1 8 → +16
      0x0a, // remember_state
      0xc1, // restore ra
      0x0e, 0, // def_cfa_offset 0
      0x03, 4, 0, // advance_loc2 4 → +20
      0x0b, // restore_state
      0x11, 9, 0x7d, // offset_extended_sf s1, -3 * -4 = 12
      0x14, 18, 2, // val_offset s2, 2 * -4
      0x09, 19, 5, // register s3 in t0
      0x08, 20, // same_value s4
      0x07, 21, // undefined s5
      0x04, 8, 0, 0, 0, // advance_loc4 8 → +28
      0x0c, 8, 32, // def_cfa s0+32
      0x0d, 2, // def_cfa_register sp (offset kept)
      0x00, 0x00,
    ];
    const bytes = Uint8Array.from([...c, ...fde(0, 0x1000, 0x40, code)]);
    const info = CallFrameInfo.parse(bytes, '.debug_frame');
    assert.strictEqual(info.size, 1);
    assert.strictEqual(info.rowAt(0xfff), undefined);
    assert.strictEqual(info.rowAt(0x1040), undefined);
    const at = (pc: number) => info.rowAt(pc)!;
    assert.deepStrictEqual([cfa(at(0x1000)), rules(at(0x1000)), at(0x1000).start, at(0x1000).end], ['x2+0', {}, 0x1000, 0x1004]);
    assert.deepStrictEqual([cfa(at(0x1004)), rules(at(0x1004))], ['x2+16', {}]);
    assert.deepStrictEqual([cfa(at(0x100c)), rules(at(0x100c)), at(0x100c).start, at(0x100c).end], ['x2+16', { 1: 'offset -4', 8: 'offset -8' }, 0x1008, 0x1010]);
    assert.deepStrictEqual([cfa(at(0x1010)), rules(at(0x1010))], ['x2+0', { 8: 'offset -8' }]);
    const r = at(0x1014);
    assert.deepStrictEqual([cfa(r), rules(r)], ['x2+16', { 1: 'offset -4', 8: 'offset -8', 9: 'offset 12', 18: 'valOffset -8', 19: 'r5', 20: 'same', 21: 'undefined' }]);
    assert.deepStrictEqual([cfa(at(0x103c)), at(0x103c).start, at(0x103c).end, at(0x103c).returnAddressRegister], ['x2+32', 0x101c, 0x1040, 1]);
  });

  it('reads CIE versions 1 and 4, several FDEs per CIE, and 64-bit DWARF', () => {
    for (const version of [1, 4]) {
      const c = cie([0x0c, 2, 0], version);
      const bytes = Uint8Array.from([...c, ...fde(0, 0x100, 8, [0x41, 0x0e, 8]), ...fde(0, 0x200, 8, [0x42, 0x0e, 32])]);
      const info = CallFrameInfo.parse(bytes, '.debug_frame');
      assert.deepStrictEqual([cfa(info.rowAt(0x104)!), cfa(info.rowAt(0x206)!)], ['x2+8', 'x2+32']);
    }
    const body = new Bytes().u32(0xffffffff).u32(0xffffffff).u8(3).str('').uleb(1).sleb(-4).uleb(1).u8(0x0c, 2, 0);
    const c64 = new Bytes().u32(0xffffffff).u64(body.length).raw(body.out).out;
    const fbody = new Bytes().u64(0).u32(0x300).u32(4).u8(0x0e, 4);
    const f64 = new Bytes().u32(0xffffffff).u64(fbody.length).raw(fbody.out).out;
    assert.strictEqual(cfa(CallFrameInfo.parse(Uint8Array.from([...c64, ...f64]), '.debug_frame').rowAt(0x300)!), 'x2+4');
  });

  it('reads .eh_frame: zR augmentation with pc-relative addresses, CIE pointers relative to the entry', () => {
    // CIE at 0: "zR", augmentation data = pointer encoding pcrel|sdata4 (0x1b).
    const cbody = new Bytes().u32(0).u8(1).str('zR').uleb(1).sleb(-4).u8(1).uleb(1).u8(0x1b).u8(0x0c, 2, 0);
    const c = new Bytes().u32(cbody.length).raw(cbody.out).out;
    const sectionAddress = 0x80010000;
    const fdeOffset = c.length;
    // pc_begin is relative to its own address: section + fdeOffset + 8.
    const target = 0x80000100;
    const rel = (target - (sectionAddress + fdeOffset + 8)) | 0;
    const fbody = new Bytes().u32(fdeOffset + 4).u32(rel >>> 0).u32(0x20).uleb(0).u8(0x42, 0x0e, 48);
    const f = new Bytes().u32(fbody.length).raw(fbody.out).out;
    const info = CallFrameInfo.parse(Uint8Array.from([...c, ...f, 0, 0, 0, 0]), '.eh_frame', sectionAddress);
    assert.strictEqual(info.find(target)?.start, target);
    assert.strictEqual(info.find(target)?.end, target + 0x20);
    assert.strictEqual(cfa(info.rowAt(target + 8)!), 'x2+48');
  });

  it('says what is wrong with malformed call-frame information', () => {
    const c = cie();
    fails(() => CallFrameInfo.parse(Uint8Array.from([...c, ...fde(0x40, 0x1000, 4, [])]), '.debug_frame'), /refers to a CIE at 0x00000040/);
    fails(() => CallFrameInfo.parse(Uint8Array.from([...c.slice(0, 8)]), '.debug_frame'), /runs past the end/);
    fails(() => CallFrameInfo.parse(Uint8Array.from([...c, 1, 2]), '.debug_frame'), /stray bytes/);
    fails(() => CallFrameInfo.parse(Uint8Array.from(cie([0x0c, 2, 0], 2)), '.debug_frame'), /CIE version 2/);
    const bad = (code: number[]) => CallFrameInfo.parse(Uint8Array.from([...c, ...fde(0, 0x1000, 0x10, code)]), '.debug_frame').rowAt(0x100c);
    fails(() => bad([0x3f]), /unknown call-frame instruction 0x3f/);
    fails(() => bad([0x0b]), /restore_state without a remembered state/);
    fails(() => bad([0x0e]), /truncated/);
    fails(() => CallFrameInfo.parse(Uint8Array.from([...cie([0xc1]), ...fde(0, 0, 4, [])]), '.debug_frame').rowAt(0), /restore in a CIE/);
    // Random bytes never throw anything but ElfError.
    for (let seed = 1; seed <= 200; seed++) {
      const bytes = Uint8Array.from([...c, ...fde(0, 0x1000, 0x100, [...randomBytes(24, seed)])]);
      try {
        const info = CallFrameInfo.parse(bytes, '.debug_frame');
        for (let pc = 0x1000; pc < 0x1100; pc += 16) info.rowAt(pc);
      } catch (e) {
        assert.ok(e instanceof ElfError, `seed ${seed}: ${String(e)}`);
      }
      try {
        CallFrameInfo.parse(randomBytes(64, seed), seed % 2 ? '.debug_frame' : '.eh_frame');
      } catch (e) {
        assert.ok(e instanceof ElfError, `seed ${seed}: ${String(e)}`);
      }
    }
  });

  it('unwinds one frame: the CFA, saved registers from memory, the return address', () => {
    const code = [0x44, 0x0e, 16, 0x44, 0x81, 1, 0x88, 2, 0x14, 18, 2, 0x09, 19, 5];
    const info = CallFrameInfo.parse(Uint8Array.from([...cie(), ...fde(0, 0x1000, 0x40, code)]), '.debug_frame');
    const regs: (number | undefined)[] = Array.from({ length: 32 }, (_, i) => 0x100 + i);
    regs[2] = 0x8000_0ff0;
    const mem = new Map([[0x8000_0ffc, 0x2222], [0x8000_0ff8, 0x3333]]);
    const u = unwindRow(info.rowAt(0x1010)!, regs, (a) => mem.get(a))!;
    assert.strictEqual(u.cfa, 0x8000_1000);
    assert.strictEqual(u.returnAddress, 0x2222);
    assert.strictEqual(u.registers[2], 0x8000_1000, 'the caller\'s sp is the CFA');
    assert.strictEqual(u.registers[8], 0x3333);
    assert.strictEqual(u.registers[18], 0x8000_0ff8);
    assert.strictEqual(u.registers[19], 0x105);
    assert.strictEqual(u.registers[9], 0x109, 'registers without a rule keep their value');
    // In the prologue, before ra is saved: the return address is still in ra.
    assert.strictEqual(unwindRow(info.rowAt(0x1004)!, regs, () => undefined)!.returnAddress, 0x101);
    // Unknown CFA register: nothing can be said.
    assert.strictEqual(unwindRow(info.rowAt(0x1004)!, regs.map((v, i) => (i === 2 ? undefined : v)), () => undefined), undefined);
  });

  describe('the demo guest images, against readelf --debug-dump=frames-interp', () => {
    before(function () {
      if (!fs.existsSync(IMAGES) || !findTool('riscv64-unknown-elf-readelf')) this.skip();
    });

    for (const image of ['blk-driver.elf', 'client.elf', 'net-driver.elf']) {
      it(image, () => {
        const file = path.join(IMAGES, image);
        const info = CallFrameInfo.fromElf(parseElf(fs.readFileSync(file)));
        const text = tool('readelf', ['--debug-dump=frames-interp', file]);
        let columns: string[] = [];
        let inFde = false;
        let fdes = 0;
        let rows = 0;
        for (const line of text.split('\n')) {
          const f = / FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
          if (f) {
            columns = [];
            inFde = f[1] !== f[2];
            if (!inFde) continue; // an empty FDE (a function the linker dropped)
            fdes++;
            assert.strictEqual(info.find(parseInt(f[1], 16))?.end, parseInt(f[2], 16), line);
            columns = [];
            continue;
          }
          if (/ CIE /.test(line)) {
            columns = [];
            inFde = false;
            continue;
          }
          if (/^\s+LOC\s+CFA/.test(line)) {
            if (!inFde) continue;
            columns = line.trim().split(/\s+/).slice(2);
            continue;
          }
          const m = /^([0-9a-f]{8}) (\S+)\s+(.*)$/.exec(line);
          if (!m || !columns.length) continue;
          const pc = parseInt(m[1], 16);
          const row = info.rowAt(pc)!;
          assert.ok(row, `a row at ${m[1]}`);
          assert.strictEqual(row.start, pc, `${m[1]}: the row starts here`);
          const c = /^(\w+)\+(\d+)$/.exec(m[2])!;
          assert.strictEqual(cfa(row), `x${ABI_NAMES.indexOf(c[1])}+${c[2]}`, `${m[1]}: CFA`);
          m[3].trim().split(/\s+/).forEach((cell, i) => {
            const reg = ABI_NAMES.indexOf(columns[i]);
            const rule = row.registers.get(reg);
            const got = !rule || rule.kind === 'undefined' ? 'u' : rule.kind === 'offset' ? `c${rule.offset}` : rule.kind;
            assert.strictEqual(got, cell, `${m[1]}: ${columns[i]}`);
          });
          rows++;
        }
        assert.strictEqual(fdes, info.size);
        assert.ok(rows > 100, `${rows} rows compared`);
      });
    }
  });
});
