/**
 * The .debug_line decoder on hand-assembled units: every DWARF version,
 * opcode kind and v5 entry form, then malformed input. No toolchain needed.
 */
import * as assert from 'assert';
import { ElfError, LineTable, type LineRow, parseDebugLine, readCompileUnits } from '../../emulator/loader';
import { Bytes, lineUnit, op, v5Table } from './dwarf-builder';
import { randomBytes } from './elf-builder';

const LNCT = { path: 1, dir: 2, timestamp: 3, size: 4, md5: 5, vendor: 0x2001 };
const FORM = { block: 0x09, data1: 0x0b, data2: 0x05, data4: 0x06, data8: 0x07, data16: 0x1e, string: 0x08, strp: 0x0e, udata: 0x0f, line_strp: 0x1f };

const compact = (rows: readonly LineRow[]) =>
  rows.map((r) => `${r.file}:${r.line}:${r.column}@${r.address.toString(16)}${r.isStmt ? '' : ' !stmt'}${r.endSequence ? ' end' : ''}`);

function decodes(units: number[][], extra: { debugStr?: number[]; debugLineStr?: number[] } = {}): string[] {
  return compact(parseDebugLine({
    debugLine: Uint8Array.from(units.flat()),
    debugStr: extra.debugStr && Uint8Array.from(extra.debugStr),
    debugLineStr: extra.debugLineStr && Uint8Array.from(extra.debugLineStr),
  }));
}

/** Asserts an ElfError with a one-line message matching `pattern`. */
function fails(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ElfError, `expected ElfError, got ${String(e)}`);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  });
}

/** A small valid v5 unit whose file table uses several forms (string table offsets are fixed below). */
function v5Unit(): { unit: number[]; debugLineStr: number[]; debugStr: number[] } {
  const debugLineStr = new Bytes().str('/root').str('main.c').out; // offsets 0 and 6
  const debugStr = new Bytes().str('inc').str('util.h').str('/opt').out; // offsets 0, 4 and 11
  const dirTable = v5Table([[LNCT.path, FORM.string]], [new Bytes().str('/root').out, new Bytes().str('inc').out]);
  const fileTable = v5Table(
    [[LNCT.path, FORM.line_strp], [LNCT.dir, FORM.udata], [LNCT.md5, FORM.data16], [LNCT.size, FORM.data8],
      [LNCT.timestamp, FORM.block], [LNCT.vendor, FORM.data1], [LNCT.vendor, FORM.data2], [LNCT.vendor, FORM.data4], [LNCT.vendor, FORM.strp]],
    [
      new Bytes().u32(6).uleb(0).raw(new Array(16).fill(0xab)).u64(1234).uleb(2).u8(7, 7).u8(1).u16(2).u32(3).u32(0).out,
      new Bytes().u32(6).uleb(0).raw(new Array(16).fill(0xcd)).u64(99).uleb(0).u8(1).u16(2).u32(3).u32(4).out,
    ],
  );
  // The second entry names main.c again, as GCC's file 0/1 pair does.
  const unit = lineUnit({
    version: 5,
    v5Tables: [...dirTable, ...fileTable],
    program: [...op.setAddress(0x80000000), ...op.setColumn(5), ...op.copy(), ...op.special(1, 4), ...op.endSequence()],
  });
  return { unit, debugLineStr, debugStr };
}

describe('loader: .debug_line decoding', () => {
  it('runs a version 2 program with opcode_base 10, where opcodes 10..12 are special', () => {
    const rows = decodes([lineUnit({
      version: 2, minInst: 4, lineBase: 1, lineRange: 4, opcodeBase: 10,
      dirs: ['/src'], files: [{ name: 'a.c', dir: 1 }, { name: 'b.c', dir: 0 }],
      program: [
        ...op.setAddress(0x1000),
        10, // adjusted 0: address +0, line +1
        13, // adjusted 3: address +0, line +4
        14, // adjusted 4: address +4, line +1
        ...op.setFile(2), ...op.advancePc(2), ...op.copy(),
        ...op.defineFile('c.c', 1), ...op.setFile(3), ...op.advanceLine(-3), 12,
        ...op.advancePc(1), ...op.endSequence(),
      ],
    })]);
    assert.deepStrictEqual(rows, [
      '/src/a.c:2:0@1000', '/src/a.c:6:0@1000', '/src/a.c:7:0@1004', 'b.c:7:0@100c', '/src/c.c:7:0@100c', '/src/c.c:7:0@1010 end',
    ]);
  });

  it('runs version 3 and 4 programs: const_add_pc, fixed_advance_pc, is_stmt, columns, unknown opcodes', () => {
    const program = [
      ...op.setAddress(0x2000), ...op.setColumn(7), ...op.negateStmt(), ...op.copy(),
      ...op.constAddPc(), // (255 - 14) / 14 = 17 operations
      ...op.negateStmt(), ...op.advanceLine(10), ...op.copy(),
      ...op.fixedAdvancePc(0x102), ...op.setDiscriminator(3), 13, 0x81, 0x01, 0x05, // opcode 13 has two ULEB arguments here
      0, 3, 0x80, 0xaa, 0xbb, // an unknown extended opcode is skipped
      ...op.copy(), ...op.advancePc(1), ...op.endSequence(),
    ];
    for (const version of [3, 4]) {
      const rows = decodes([lineUnit({ version, opcodeBase: 14, stdLengths: [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 2], files: [{ name: 'x.S', dir: 0 }], program })]);
      assert.deepStrictEqual(rows, ['x.S:1:7@2000 !stmt', 'x.S:11:7@2011', 'x.S:11:7@2113', 'x.S:11:7@2114 end'], `version ${version}`);
    }
  });

  it('counts operations within VLIW instructions (maximum_operations_per_instruction > 1)', () => {
    const rows = decodes([lineUnit({
      version: 4, minInst: 4, maxOps: 2, files: [{ name: 'v.c', dir: 0 }],
      program: [...op.setAddress(0x100), ...op.advancePc(3), ...op.copy(), ...op.special(0, 1), ...op.advancePc(2), ...op.endSequence()],
    })]);
    // 3 ops = 1 instruction + 1 op -> 0x104; special opcode with 1 op -> op_index wraps, 0x108; 2 ops -> 0x10c.
    assert.deepStrictEqual(rows, ['v.c:1:0@104', 'v.c:1:0@108', 'v.c:1:0@10c end']);
  });

  it('reads version 5 entry formats: string, line_strp, strp, udata, data1/2/4/8/16 and block', () => {
    const { unit, debugLineStr, debugStr } = v5Unit();
    assert.deepStrictEqual(decodes([unit], { debugLineStr, debugStr }), ['/root/main.c:1:5@80000000', '/root/main.c:2:5@80000004', '/root/main.c:2:5@80000004 end']);

    const dirs = v5Table([[LNCT.path, FORM.strp]], [new Bytes().u32(11).out, new Bytes().u32(0).out]);
    const files = v5Table([[LNCT.path, FORM.strp], [LNCT.dir, FORM.data1]], [new Bytes().u32(4).u8(1).out, new Bytes().u32(4).u8(1).out]);
    const strpUnit = lineUnit({ version: 5, v5Tables: [...dirs, ...files], program: [...op.setAddress(0x10), ...op.setFile(0), ...op.copy(), ...op.advancePc(4), ...op.endSequence()] });
    assert.deepStrictEqual(decodes([strpUnit], { debugStr }), ['/opt/inc/util.h:1:0@10', '/opt/inc/util.h:1:0@14 end']);
  });

  it('resolves relative v5 directories against directory 0, and several units and sequences in order', () => {
    const dirs = v5Table([[LNCT.path, FORM.string]], [new Bytes().str('/work').out, new Bytes().str('./lib/../src').out]);
    const files = v5Table([[LNCT.path, FORM.string], [LNCT.dir, FORM.data2]], [new Bytes().str('m.c').u16(0).out, new Bytes().str('s.c').u16(1).out]);
    const a = lineUnit({ version: 5, dwarf64: true, v5Tables: [...dirs, ...files], program: [
      ...op.setAddress(0x400), ...op.copy(), ...op.advancePc(8), ...op.endSequence(),
      ...op.setAddress(0x300), ...op.setFile(1), ...op.copy(), ...op.advancePc(4), ...op.endSequence(),
    ] });
    const b = lineUnit({ version: 3, files: [{ name: '/abs/z.S', dir: 0 }], program: [...op.setAddress(0x500), ...op.copy(), ...op.advancePc(2), ...op.endSequence()] });
    const rows = decodes([a, b]);
    assert.deepStrictEqual(rows, ['/work/src/s.c:1:0@400', '/work/src/s.c:1:0@408 end', '/work/src/s.c:1:0@300', '/work/src/s.c:1:0@304 end', '/abs/z.S:1:0@500', '/abs/z.S:1:0@502 end']);
  });

  it('joins relative paths to DW_AT_comp_dir from .debug_info (versions 4 and 5 unit headers)', () => {
    const line = lineUnit({ version: 3, dirs: ['sub'], files: [{ name: 'a.c', dir: 0 }, { name: 'b.c', dir: 1 }], program: [
      ...op.setAddress(0x80), ...op.copy(), ...op.setFile(2), ...op.special(1, 0), ...op.advancePc(4), ...op.endSequence(),
    ] });
    const debugStr = new Bytes().str('GNU AS').str('/home/u/proj').out; // "/home/u/proj" at offset 7
    // Abbreviation 1: compile unit, no children; producer strp, language implicit_const, low_pc addr, name string, comp_dir strp, stmt_list sec_offset.
    const abbrev = new Bytes().uleb(1).uleb(0x11).u8(0)
      .uleb(0x25).uleb(0x0e).uleb(0x13).uleb(0x21).sleb(0x1d).uleb(0x11).uleb(0x01)
      .uleb(0x03).uleb(0x08).uleb(0x1b).uleb(0x0e).uleb(0x10).uleb(0x17).u8(0, 0).u8(0).bytes();
    const die = new Bytes().uleb(1).u32(0).u32(0x80).str('a.c').u32(7).u32(0).out;
    const v4 = new Bytes().u16(4).u32(0).u8(4).raw(die);
    const v5 = new Bytes().u16(5).u8(1).u8(4).u32(0).raw(die);
    for (const unit of [v4, v5]) {
      const debugInfo = new Bytes().u32(unit.length).raw(unit.out).bytes();
      const units = readCompileUnits({ debugInfo, debugAbbrev: abbrev, debugStr: Uint8Array.from(debugStr) });
      assert.deepStrictEqual([...units.values()], [{ stmtList: 0, compDir: '/home/u/proj', name: 'a.c' }]);
      const rows = compact(parseDebugLine({ debugLine: Uint8Array.from(line) }, units));
      assert.deepStrictEqual(rows, ['/home/u/proj/a.c:1:0@80', '/home/u/proj/sub/b.c:2:0@80', '/home/u/proj/sub/b.c:2:0@84 end']);
    }
  });

  it('gives an empty table for an empty section', () => {
    assert.deepStrictEqual(parseDebugLine({ debugLine: new Uint8Array(0) }), []);
    assert.deepStrictEqual(new LineTable([]).files(), []);
  });
});

describe('loader: malformed .debug_line and .debug_info', () => {
  const simple = (over: Partial<Parameters<typeof lineUnit>[0]> = {}) => lineUnit({
    version: 3, files: [{ name: 'a.c', dir: 0 }],
    program: [...op.setAddress(0x10), ...op.copy(), ...op.advancePc(4), ...op.endSequence()],
    ...over,
  });
  const parse = (bytes: number[]) => () => parseDebugLine({ debugLine: Uint8Array.from(bytes) });

  it('rejects unsupported versions and impossible header values', () => {
    fails(parse(simple({ version: 1 })), /unsupported version 1 \(supported: 2 to 5\)/);
    fails(parse(simple({ version: 6 })), /unsupported version 6/);
    fails(parse(simple({ lineRange: 0 })), /line_range 0/);
    fails(parse(simple({ version: 4, maxOps: 0 })), /maximum_operations_per_instruction 0/);
    fails(parse(simple({ opcodeBase: 0 })), /opcode_base 0/);
  });

  it('rejects lengths that run past their container', () => {
    const unit = simple();
    fails(parse(unit.slice(0, unit.length - 1)), /claims \d+ bytes but only \d+ remain/);
    const longHeader = unit.slice();
    longHeader[6] = 0xff; // header_length low byte
    fails(parse(longHeader), /header length \d+ runs past the end of the unit/);
    fails(parse([0xf0, 0xff, 0xff, 0xff]), /reserved length value 0xfffffff0/);
    fails(parse([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x40, 0]), /too large|claims/);
    fails(parse(simple({ program: [...op.setAddress(0x10), 0, 0x20, 2] })), /truncated/);
    fails(parse(simple({ program: [0, 0] })), /extended opcode with length 0/);
    fails(parse(simple({ program: [2, 0x80, 0x80] })), /truncated/);
  });

  it('rejects rows naming files or directories that do not exist', () => {
    fails(parse(simple({ program: [...op.setFile(9), ...op.copy(), ...op.endSequence()] })), /row refers to file 9, but the file table has 1 entries/);
    fails(parse(simple({ program: [...op.setFile(0), ...op.copy(), ...op.endSequence()] })), /row refers to file 0/);
    fails(parse(simple({ files: [{ name: 'a.c', dir: 4 }] })), /file refers to directory 4, but the table has 0/);
  });

  it('rejects a line program that stops inside a sequence', () => {
    fails(parse(simple({ program: [...op.setAddress(0x10), ...op.copy()] })), /ends inside a sequence/);
  });

  it('rejects bad version 5 entry tables', () => {
    const v5 = (tables: number[]) => parse(lineUnit({ version: 5, v5Tables: tables, program: op.endSequence() }));
    const noFiles = v5Table([], []);
    fails(v5(v5Table([[LNCT.dir, FORM.udata]], [[0]])), /directory table has entries but no path field/);
    fails(v5([...v5Table([[LNCT.path, FORM.string]], []).slice(0, -1), 0xff, 0xff, 0xff, 0x7f, ...noFiles]), /claims 268435455 entries/);
    fails(v5(v5Table([[LNCT.path, 0x99]], [[0]])), /unsupported DWARF form 0x99/);
    fails(v5(v5Table([[LNCT.path, FORM.strp]], [[0, 0, 0, 0]])), /refers to \.debug_str but the file has no such section/);
    fails(v5(v5Table([[LNCT.path, FORM.udata]], [[0]])), /directory entry 0 has a path in an unsupported form/);
    fails(() => parseDebugLine({ debugLine: Uint8Array.from(lineUnit({ version: 5, v5Tables: v5Table([[LNCT.path, FORM.line_strp]], [[9, 0, 0, 0]]), program: [] })), debugLineStr: new Uint8Array(4) }),
      /string offset 0x9 lies outside the string table/);
  });

  it('rejects a malformed .debug_info', () => {
    const info = (bytes: number[], abbrev?: number[]) => () => readCompileUnits({ debugInfo: Uint8Array.from(bytes), debugAbbrev: abbrev && Uint8Array.from(abbrev) });
    fails(info([1, 0, 0, 0, 0]), /\.debug_abbrev is missing/);
    fails(info([2, 0, 0, 0, 9, 0], []), /unsupported DWARF version 9/);
    fails(info([7, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4], [0]), /truncated/);
    fails(info([8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, 2], [1, 0x11, 0, 0, 0, 0]), /uses abbreviation 2, which \.debug_abbrev does not define/);
  });

  it('refuses compressed debug sections', () => {
    const section = { index: 1, name: '.debug_line', type: 1, flags: 0x800, addr: 0, offset: 0, size: 4, link: 0, info: 0, addralign: 1, entsize: 0 };
    const elf = { entry: 0, flags: 0, programHeaders: [], segments: [], symbols: [], sections: [section], section: () => new Uint8Array(4) };
    fails(() => LineTable.fromElf(elf), /^section \.debug_line is compressed \(SHF_COMPRESSED\), which is not supported$/);
  });

  it('survives random corruption and every truncation: rows or ElfError, never another exception or a hang', function () {
    const { unit, debugLineStr, debugStr } = v5Unit();
    const good = [...unit, ...simple(), ...lineUnit({ version: 4, files: [{ name: 'q.c', dir: 0 }], program: [...op.setAddress(1), ...op.constAddPc(), 0x30, ...op.fixedAdvancePc(9), ...op.endSequence()] })];
    const tryParse = (bytes: Uint8Array, what: string) => {
      try {
        parseDebugLine({ debugLine: bytes, debugLineStr: Uint8Array.from(debugLineStr), debugStr: Uint8Array.from(debugStr) });
      } catch (e) {
        assert.ok(e instanceof ElfError, `${what}: ${String(e)}`);
      }
    };
    for (let n = 0; n < good.length; n++) tryParse(Uint8Array.from(good.slice(0, n)), `truncated to ${n}`);
    for (let i = 0; i < 5000; i++) {
      const bytes = Uint8Array.from(good);
      const noise = randomBytes(6, i + 1);
      for (let k = 0; k < 1 + (noise[0] & 3); k++) bytes[((noise[1 + k] << 8) | noise[2 + k]) % bytes.length] = noise[3 + k];
      tryParse(bytes, `mutation ${i}`);
    }
  });
});
