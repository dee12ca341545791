import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeviceTree, FdtError, FDT_MAX_DEPTH } from '../../emulator/hypervisor/fdt';
import { parseDtb } from '../../emulator/hypervisor/fdt-parse';
import { requireTool } from '../support/tools';

function sampleTree(): DeviceTree {
  const t = new DeviceTree();
  t.root.setU32('#address-cells', 2).setU32('#size-cells', 2).setString('model', 'sample');
  const a = t.root.addNode('a@1000')
    .setU32s('reg', [0, 0x1000, 0, 0x100])
    .setU64('big', 0x1234_5678_9abc_def0n)
    .setStrings('compatible', ['acme,widget', 'generic'])
    .setBytes('blob', new Uint8Array([1, 2, 3]))
    .setEmpty('flag');
  const b = t.root.addNode('b').setU32s('reg', [7]);
  b.addNode('c').setU32('x', 0xffffffff);
  t.root.addNode('ref').setU32('target', t.phandle(a));
  t.addMemReserve(0x8000_0000, 0x1000);
  t.bootCpuidPhys = 3;
  return t;
}

/** Structural equality of two trees (names, property bytes, order). */
function sameTree(x: DeviceTree, y: DeviceTree): void {
  assert.deepEqual(y.memReserve, x.memReserve);
  assert.equal(y.bootCpuidPhys, x.bootCpuidPhys);
  const walk = (p: string, a: ReturnType<DeviceTree['find']>, b: ReturnType<DeviceTree['find']>): void => {
    assert.ok(a && b, `node ${p}`);
    assert.deepEqual(b.properties.map((q) => [q.name, [...q.value]]), a.properties.map((q) => [q.name, [...q.value]]), `props of ${p}`);
    assert.deepEqual(b.children.map((c) => c.name), a.children.map((c) => c.name), `children of ${p}`);
    a.children.forEach((c) => walk(`${p}/${c.name}`, c, b.child(c.name)));
  };
  walk('', x.root, y.root);
}

describe('fdt writer', () => {
  it('writes a v17 header with aligned blocks laid out back to back', () => {
    const dtb = sampleTree().toDtb();
    const dv = new DataView(dtb.buffer);
    const h = Array.from({ length: 10 }, (_, i) => dv.getUint32(i * 4));
    const [magic, total, structOff, stringsOff, rsvOff, version, lastComp, boot, stringsSize, structSize] = h;
    assert.equal(magic, 0xd00dfeed);
    assert.equal(total, dtb.length);
    assert.equal(version, 17);
    assert.equal(lastComp, 16);
    assert.equal(boot, 3);
    assert.equal(rsvOff % 8, 0);
    assert.equal(structOff % 4, 0);
    assert.equal(structOff, rsvOff + 32, 'one reservation + terminator');
    assert.equal(stringsOff, structOff + structSize);
    assert.equal(total, stringsOff + stringsSize);
    assert.equal(dv.getUint32(structOff), 1, 'structure starts with FDT_BEGIN_NODE');
    assert.equal(dv.getUint32(stringsOff - 4), 9, 'structure ends with FDT_END');
    assert.equal(dv.getBigUint64(rsvOff), 0x8000_0000n);
    assert.equal(dv.getBigUint64(rsvOff + 16), 0n, 'terminator');
  });

  it('stores each property name once in the strings block', () => {
    const t = new DeviceTree();
    for (let i = 0; i < 5; i++) t.root.addNode(`n${i}`).setU32('reg', i).setString('compatible', 'x');
    const dtb = t.toDtb();
    const dv = new DataView(dtb.buffer);
    const strings = Buffer.from(dtb.subarray(dv.getUint32(12), dv.getUint32(12) + dv.getUint32(32))).toString('latin1');
    assert.equal(strings, 'reg\0compatible\0');
  });

  it('round-trips through the parser', () => {
    const t = sampleTree();
    const back = parseDtb(t.toDtb());
    sameTree(t, back);
    const a = back.find('/a@1000');
    assert.ok(a);
    assert.equal(a.getU64('big'), 0x1234_5678_9abc_def0n);
    assert.deepEqual(a.getStrings('compatible'), ['acme,widget', 'generic']);
    assert.deepEqual(a.getU32s('reg'), [0, 0x1000, 0, 0x100]);
    assert.deepEqual([...(a.get('blob') ?? [])], [1, 2, 3]);
    assert.equal(a.get('flag')?.length, 0);
    assert.equal(back.find('/b/c')?.getU32('x'), 0xffffffff);
    assert.equal(back.find('/ref')?.getU32('target'), a.getU32('phandle'));
    assert.equal(back.find('/nope'), undefined);
  });

  it('gives phandles in increasing order and keeps an existing one', () => {
    const t = new DeviceTree();
    const x = t.root.addNode('x');
    const y = t.root.addNode('y');
    assert.equal(t.phandle(x), 1);
    assert.equal(t.phandle(y), 2);
    assert.equal(t.phandle(x), 1);
  });

  it('replaces a property in place when set twice', () => {
    const t = new DeviceTree();
    t.root.setU32('a', 1).setU32('b', 2).setString('a', 'now a string');
    assert.deepEqual(t.root.properties.map((p) => p.name), ['a', 'b']);
    assert.equal(parseDtb(t.toDtb()).root.getString('a'), 'now a string');
  });

  it('rejects bad names, values and trees with FdtError', () => {
    const t = new DeviceTree();
    assert.throws(() => t.root.addNode('has/slash'), FdtError);
    assert.throws(() => t.root.addNode(''), FdtError);
    assert.throws(() => t.root.addNode('x'.repeat(32)), FdtError);
    t.root.addNode('dup');
    assert.throws(() => t.root.addNode('dup'), FdtError);
    assert.throws(() => t.root.setU32('bad name', 1), FdtError);
    assert.throws(() => t.root.setU32('v', -1), FdtError);
    assert.throws(() => t.root.setU32('v', 2 ** 32), FdtError);
    assert.throws(() => t.root.setU32('v', 1.5), FdtError);
    assert.throws(() => t.root.setU64('v', -1n), FdtError);
    assert.throws(() => t.root.setU64('v', 2 ** 60), FdtError, 'unsafe numbers must be passed as bigint');
    assert.throws(() => t.root.setString('v', 'a\0b'), FdtError);
    assert.throws(() => t.root.setStrings('v', []), FdtError);
    let n = t.root;
    for (let i = 0; i <= FDT_MAX_DEPTH; i++) n = n.addNode('d');
    assert.throws(() => t.toDtb(), /nested deeper/);
  });

  it('typed getters refuse values of the wrong shape', () => {
    const t = new DeviceTree();
    t.root.setBytes('three', new Uint8Array([1, 2, 3])).setU32s('two', [1, 2]).setBytes('unterminated', new Uint8Array([65]));
    assert.equal(t.root.getU32s('three'), undefined);
    assert.equal(t.root.getU32('two'), undefined);
    assert.equal(t.root.getU64('three'), undefined);
    assert.equal(t.root.getString('unterminated'), undefined);
    assert.equal(t.root.getU32('absent'), undefined);
  });
});

describe('fdt and dtc agree', function () {
  let dtc = '';
  let dir = '';
  before(function () {
    dtc = requireTool(this, 'dtc');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-fdt-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dtc decompiles our DTB to the same content', () => {
    const file = path.join(dir, 'ours.dtb');
    fs.writeFileSync(file, sampleTree().toDtb());
    const dts = execFileSync(dtc, ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(dts, /\/memreserve\/\s+0x0*80000000 0x0*1000;/);
    assert.match(dts, /a@1000 \{/);
    assert.match(dts, /compatible = "acme,widget\\0generic";/);
    assert.match(dts, /big = <0x12345678 0x9abcdef0>;/);
    assert.match(dts, /blob = \[01 02 03\];/);
    assert.match(dts, /flag;/);
    assert.match(dts, /target = <0x01>;/);
  });

  it('we parse what dtc compiles, including padding and reservations', () => {
    const src = path.join(dir, 'theirs.dts');
    const out = path.join(dir, 'theirs.dtb');
    fs.writeFileSync(src, `/dts-v1/;
/memreserve/ 0x10000000 0x2000;
/ {
  #address-cells = <1>; #size-cells = <1>;
  model = "from dtc";
  label: node@10 { reg = <0x10 0x20>; list = "one", "two"; bytes = [de ad be ef 01]; };
  other { ref = <&label>; empty; };
};
`);
    execFileSync(dtc, ['-I', 'dts', '-O', 'dtb', '-p', '64', '-b', '2', '-o', out, src], { stdio: 'pipe' });
    const t = parseDtb(new Uint8Array(fs.readFileSync(out)));
    assert.deepEqual(t.memReserve, [{ address: 0x10000000n, size: 0x2000n }]);
    assert.equal(t.bootCpuidPhys, 2);
    assert.equal(t.root.getString('model'), 'from dtc');
    const node = t.find('/node@10');
    assert.deepEqual(node?.getU32s('reg'), [0x10, 0x20]);
    assert.deepEqual(node?.getStrings('list'), ['one', 'two']);
    assert.deepEqual([...(node?.get('bytes') ?? [])], [0xde, 0xad, 0xbe, 0xef, 1]);
    assert.equal(t.find('/other')?.getU32('ref'), node?.getU32('phandle'));
    assert.equal(t.find('/other')?.get('empty')?.length, 0);
  });
});
