import { strict as assert } from 'assert';
import { DeviceTree, FdtError } from '../../emulator/hypervisor/fdt';
import { parseDtb } from '../../emulator/hypervisor/fdt-parse';
import { buildVmDeviceTree } from '../../emulator/hypervisor/vm-devicetree';
import { rawDtb, type RawToken } from './raw-dtb';
import { sampleVm } from './sample-vm';

/** Asserts that parsing fails with a one-line FdtError whose message matches. */
function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseDtb(bytes), (e: unknown) => {
    assert.ok(e instanceof FdtError, `expected FdtError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.doesNotMatch(e.message, /internal error/);
    assert.match(e.message, pattern);
    return true;
  });
}

const root = (...inner: RawToken[]): RawToken[] => [{ begin: '' }, ...inner, { end: true }, { fdtEnd: true }];

function setWord(bytes: Uint8Array, at: number, v: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, v >>> 0);
  return copy;
}

describe('fdt reader: malformed input', () => {
  const good = rawDtb(root({ prop: 'model', value: [...Buffer.from('x\0')] }, { begin: 'child' }, { end: true }));

  it('accepts the well-formed baseline', () => {
    assert.equal(parseDtb(good).root.getString('model'), 'x');
  });

  it('rejects truncated input at every length', () => {
    for (let n = 0; n < good.length; n++) {
      assert.throws(() => parseDtb(good.subarray(0, n)), FdtError, `length ${n}`);
    }
  });

  it('rejects a bad magic and unsupported versions', () => {
    rejects(setWord(good, 0, 0xfeedd00d), /bad magic 0xfeedd00d/);
    rejects(rawDtb(root(), { version: 15 }), /unsupported version 15/);
    rejects(rawDtb(root(), { lastComp: 18 }), /unsupported version/);
  });

  it('reads a version-16 tree, which has no structure size', () => {
    assert.ok(parseDtb(rawDtb(root({ begin: 'n' }, { end: true }), { version: 16, header: { 9: 0 } })).find('/n'));
  });

  it('rejects sizes and offsets outside the blob', () => {
    rejects(setWord(good, 4, good.length + 4), /totalsize/);
    rejects(setWord(good, 4, 8), /totalsize/);
    rejects(setWord(good, 8, 0xfffffff0), /structure block/);
    rejects(setWord(good, 8, 4), /structure block/);
    rejects(setWord(good, 8, 42), /not 4-byte aligned/);
    rejects(setWord(good, 36, 0xfffffff0), /structure block/);
    rejects(setWord(good, 36, 6), /not a multiple of 4/);
    rejects(setWord(good, 12, good.length + 1), /strings block/);
    rejects(setWord(good, 32, 0xffffffff), /strings block/);
    rejects(setWord(good, 16, 44), /not 8-byte aligned/);
    rejects(setWord(good, 16, (good.length - 8) & ~7), /no terminating entry/);
    rejects(setWord(good, 12, new DataView(good.buffer).getUint32(8)), /overlap/);
  });

  it('rejects broken token streams', () => {
    rejects(rawDtb([{ begin: '' }, { end: true }]), /without FDT_END/);
    rejects(rawDtb([{ begin: '' }, { fdtEnd: true }]), /inside open node \//);
    rejects(rawDtb([{ begin: '' }, { begin: 'a' }, { end: true }, { fdtEnd: true }]), /inside open node \/$/);
    rejects(rawDtb([{ end: true }, { fdtEnd: true }]), /FDT_END_NODE without an open node/);
    rejects(rawDtb([{ fdtEnd: true }]), /no root node/);
    rejects(rawDtb([{ prop: 'p' }, { begin: '' }, { end: true }, { fdtEnd: true }]), /property outside any node/);
    rejects(rawDtb([{ begin: 'named' }, { end: true }, { fdtEnd: true }]), /root node has a name/);
    rejects(rawDtb([...root().slice(0, 2), { begin: '' }, { end: true }, { fdtEnd: true }]), /second root node/);
    rejects(rawDtb(root({ word: 7 })), /unknown token 0x7/);
    rejects(rawDtb([...root(), { nop: true }]), /bytes after FDT_END/);
    rejects(rawDtb(root({ begin: 'a' }, { end: true }, { prop: 'late' })), /'late' follows a subnode in \//);
  });

  it('skips FDT_NOP tokens anywhere in the stream', () => {
    const t = parseDtb(rawDtb([{ nop: true }, { begin: '' }, { nop: true }, { prop: 'p', value: [0, 0, 0, 5] }, { nop: true }, { end: true }, { nop: true }, { fdtEnd: true }]));
    assert.equal(t.root.getU32('p'), 5);
  });

  it('rejects unterminated names and strings', () => {
    // A node name running to the end of the structure block with no NUL.
    const bytes = rawDtb(root({ begin: 'abc' }, { end: true }));
    const structOff = new DataView(bytes.buffer).getUint32(8);
    const structSize = new DataView(bytes.buffer).getUint32(36);
    const unterminated = bytes.slice();
    unterminated.fill(0x41, structOff + 12, structOff + structSize);
    rejects(unterminated, /unterminated node name|node name/);
    // Property name whose string runs off the end of the strings block.
    const s = rawDtb(root({ prop: 'name', value: [] }));
    const t = s.slice();
    t[t.length - 1] = 0x41;
    rejects(t, /unterminated property name/);
    rejects(rawDtb(root({ prop: 'p', nameOff: 400 })), /name offset 400 outside the strings block/);
  });

  it('rejects property lengths that run past the structure block', () => {
    rejects(rawDtb(root({ prop: 'p', len: 0x7fffffff })), /runs past the structure block/);
    rejects(rawDtb([{ begin: '' }, { word: 3 }]), /property header .* runs past/);
  });

  it('rejects nesting deeper than the limit without recursion', () => {
    const deep: RawToken[] = [{ begin: '' }];
    for (let i = 0; i < 100_000; i++) deep.push({ begin: 'n' });
    for (let i = 0; i < 100_000; i++) deep.push({ end: true });
    deep.push({ end: true }, { fdtEnd: true });
    rejects(rawDtb(deep), /nested deeper than 64/);
  });

  it('rejects duplicate nodes, properties and phandles', () => {
    rejects(rawDtb(root({ begin: 'a' }, { end: true }, { begin: 'a' }, { end: true })), /duplicate node 'a'/);
    rejects(rawDtb(root({ prop: 'p' }, { prop: 'p' })), /duplicate property 'p'/);
    const ph = (v: number): RawToken => ({ prop: 'phandle', value: [0, 0, 0, v] });
    rejects(rawDtb(root({ begin: 'a' }, ph(1), { end: true }, { begin: 'b' }, ph(1), { end: true })), /phandle 1 already used by \/a/);
    rejects(rawDtb(root({ begin: 'a' }, ph(0), { end: true })), /invalid phandle/);
    rejects(rawDtb(root({ begin: 'a' }, { prop: 'phandle', value: [1] }, { end: true })), /not 4/);
  });

  it('rejects names with control characters or slashes', () => {
    rejects(rawDtb(root({ begin: 'a/b' }, { end: true })), /invalid node name/);
    rejects(rawDtb(root({ prop: 'bad\tname' })), /invalid property name/);
  });

  it('refuses input that is not a Uint8Array', () => {
    assert.throws(() => parseDtb('nope' as unknown as Uint8Array), FdtError);
  });

  it('survives random corruption: only FdtError, never a hang', function () {
    this.timeout(20000);
    const base = buildVmDeviceTree(sampleVm());
    const extra = new DeviceTree();
    extra.root.addNode('x').setU32s('reg', [1, 2, 3]);
    const seeds = [base, extra.toDtb(), good];
    // Deterministic xorshift so a failure is reproducible.
    let s = 0x1234567;
    const rnd = (n: number): number => {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      return (s >>> 0) % n;
    };
    let parsed = 0;
    const started = Date.now();
    for (let iter = 0; iter < 20000; iter++) {
      const src = seeds[iter % seeds.length];
      const b = src.slice(0, rnd(4) === 0 ? rnd(src.length + 1) : src.length);
      const flips = 1 + rnd(4);
      for (let k = 0; k < flips && b.length > 0; k++) {
        const at = rnd(b.length);
        // Mix single bit flips, random bytes and small word values (plausible tokens and lengths).
        const mode = rnd(4);
        if (mode === 0) b[at] ^= 1 << rnd(8);
        else if (mode === 1) b[at] = rnd(256);
        else if (mode === 2 && at + 4 <= b.length) new DataView(b.buffer).setUint32(at & ~3, rnd(16));
        else if (b.length >= 40) new DataView(b.buffer).setUint32(4 * rnd(10), rnd(2) ? rnd(0x10000) : (rnd(0x10000) << 16) | rnd(0x10000));
      }
      try {
        const tree = parseDtb(b);
        parsed++;
        // Whatever the reader accepts, the writer can write back and the reader reads the same again.
        const out = tree.toDtb();
        assert.deepEqual(parseDtb(out).toDtb(), out);
      } catch (e) {
        if (!(e instanceof FdtError) || /internal error/.test(e.message)) throw new Error(`iteration ${iter}: ${String(e)}`, { cause: e });
      }
    }
    assert.ok(parsed > 0 && parsed < 20000, `some mutants parse, most do not (${parsed})`);
    assert.ok(Date.now() - started < 15000);
  });
});
