import assert from 'node:assert/strict';
import { Plic } from '../../emulator/devices/plic';
import { fakeIrqs } from './fake-irq';

const PENDING = 0x1000;
const enableAt = (ctx: number, word = 0) => 0x2000 + 0x80 * ctx + 4 * word;
const thresholdAt = (ctx: number) => 0x200000 + 0x1000 * ctx;
const claimAt = (ctx: number) => 0x200004 + 0x1000 * ctx;

function make(contexts = 2, sources?: number) {
  const out = fakeIrqs(contexts);
  const plic = new Plic({ sources, contexts: out });
  return { plic, out };
}

function setup(plic: Plic, ctx: number, prio: Record<number, number>): void {
  let mask = 0;
  for (const [id, p] of Object.entries(prio)) {
    plic.write(4 * Number(id), 4, p);
    mask |= 1 << Number(id);
  }
  plic.write(enableAt(ctx), 4, mask >>> 0);
}

describe('Plic', () => {
  it('stores 3-bit priorities; source 0 and missing sources read 0', () => {
    const { plic } = make();
    plic.write(4 * 5, 4, 0xff);
    assert.equal(plic.read(4 * 5, 4), 7);
    plic.write(0, 4, 3);
    assert.equal(plic.read(0, 4), 0);
    assert.equal(plic.read(4 * 96, 4), 0, 'default has sources 1..95');
    plic.write(4 * 95, 4, 2);
    assert.equal(plic.read(4 * 95, 4), 2);
  });

  it('shows pending bits for level-high sources (read-only)', () => {
    const { plic } = make();
    plic.source(3).set(true);
    plic.source(33).set(true);
    assert.equal(plic.read(PENDING, 4), 1 << 3);
    assert.equal(plic.read(PENDING + 4, 4), 1 << 1);
    plic.write(PENDING, 4, 0);
    assert.equal(plic.read(PENDING, 4), 1 << 3);
  });

  it('hard-wires enable bit 0 and bits past the last source', () => {
    const { plic } = make(2, 40);
    plic.write(enableAt(1, 0), 4, 0xffffffff);
    plic.write(enableAt(1, 1), 4, 0xffffffff);
    assert.equal(plic.read(enableAt(1, 0), 4), 0xfffffffe);
    assert.equal(plic.read(enableAt(1, 1), 4), 0xff, 'sources 32..39');
    assert.equal(plic.read(enableAt(1, 2), 4), 0);
    assert.equal(plic.read(enableAt(0, 0), 4), 0, 'per context');
  });

  it('raises only the contexts that enable a source', () => {
    const { plic, out } = make(4);
    plic.write(4 * 10, 4, 1);
    plic.write(enableAt(1), 4, 1 << 10);
    plic.source(10).set(true);
    assert.deepEqual(out.map((o) => o.level), [false, true, false, false]);
    plic.write(enableAt(3), 4, 1 << 10);
    assert.deepEqual(out.map((o) => o.level), [false, true, false, true]);
    plic.write(enableAt(1), 4, 0);
    assert.deepEqual(out.map((o) => o.level), [false, false, false, true]);
  });

  it('never interrupts for priority 0 and masks at or below the threshold', () => {
    const { plic, out } = make();
    setup(plic, 0, { 4: 0 });
    plic.source(4).set(true);
    assert.equal(out[0].level, false);
    assert.equal(plic.read(claimAt(0), 4), 0, 'nothing claimable');
    plic.write(4 * 4, 4, 3);
    assert.equal(out[0].level, true);
    plic.write(thresholdAt(0), 4, 3);
    assert.equal(plic.read(thresholdAt(0), 4), 3);
    assert.equal(out[0].level, false, 'priority must exceed the threshold');
    assert.equal(plic.read(claimAt(0), 4), 0);
    plic.write(thresholdAt(0), 4, 2);
    assert.equal(out[0].level, true);
  });

  it('claims by priority, ties to the lowest id, and clears the pending bit', () => {
    const { plic, out } = make();
    setup(plic, 0, { 2: 1, 5: 6, 7: 6, 9: 3 });
    for (const id of [2, 5, 7, 9]) plic.source(id).set(true);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) order.push(plic.read(claimAt(0), 4));
    assert.deepEqual(order, [5, 7, 9, 2, 0]);
    assert.equal(plic.read(PENDING, 4), 0);
    assert.equal(out[0].level, false);
  });

  it('ignores the threshold of other contexts and only claims enabled sources', () => {
    const { plic } = make();
    plic.write(4 * 1, 4, 1);
    plic.write(4 * 2, 4, 1);
    plic.write(enableAt(0), 4, 1 << 1);
    plic.write(enableAt(1), 4, 1 << 2);
    plic.write(thresholdAt(0), 4, 7);
    plic.source(1).set(true);
    plic.source(2).set(true);
    assert.equal(plic.read(claimAt(0), 4), 0);
    assert.equal(plic.read(claimAt(1), 4), 2);
  });

  it('does not re-pend a source held high while claimed, until complete', () => {
    const { plic, out } = make();
    setup(plic, 1, { 10: 1 });
    plic.source(10).set(true);
    assert.equal(plic.read(claimAt(1), 4), 10);
    assert.equal(out[1].level, false);
    plic.source(10).set(false);
    plic.source(10).set(true);
    assert.equal(plic.isPending(10), false, 'in service');
    assert.equal(plic.read(claimAt(1), 4), 0);
    plic.write(claimAt(1), 4, 10); // complete while still high → next request
    assert.equal(plic.isPending(10), true);
    assert.equal(out[1].level, true);
    assert.equal(plic.read(claimAt(1), 4), 10);
    plic.source(10).set(false);
    plic.write(claimAt(1), 4, 10); // complete with the line low → quiet
    assert.equal(plic.isPending(10), false);
    assert.equal(out[1].level, false);
    assert.deepEqual(out[1].edges, [true, false, true, false]);
  });

  it('keeps a forwarded request pending when the line drops before the claim', () => {
    const { plic, out } = make();
    setup(plic, 0, { 6: 2 });
    plic.source(6).set(true);
    plic.source(6).set(false);
    assert.equal(out[0].level, true);
    assert.equal(plic.read(claimAt(0), 4), 6);
  });

  it('ignores completions for sources not enabled for that context or not claimed', () => {
    const { plic } = make();
    setup(plic, 0, { 3: 1 });
    plic.source(3).set(true);
    assert.equal(plic.read(claimAt(0), 4), 3);
    plic.write(claimAt(1), 4, 3); // context 1 does not enable 3
    assert.equal(plic.isClaimed(3), true);
    plic.write(claimAt(0), 4, 4); // not claimed
    plic.write(claimAt(0), 4, 999); // no such source
    assert.equal(plic.isClaimed(3), true);
    plic.write(claimAt(0), 4, 3);
    assert.equal(plic.isClaimed(3), false);
    assert.equal(plic.isPending(3), true, 'line still high');
  });

  it('lets the other context see a source claimed elsewhere drop out', () => {
    const { plic, out } = make();
    plic.write(4 * 8, 4, 1);
    plic.write(enableAt(0), 4, 1 << 8);
    plic.write(enableAt(1), 4, 1 << 8);
    plic.source(8).set(true);
    assert.deepEqual(out.map((o) => o.level), [true, true]);
    assert.equal(plic.read(claimAt(1), 4), 8);
    assert.deepEqual(out.map((o) => o.level), [false, false]);
    assert.equal(plic.read(claimAt(0), 4), 0);
  });

  it('handles sources above 31 (second pending/enable word)', () => {
    const { plic, out } = make();
    plic.write(4 * 40, 4, 2);
    plic.write(enableAt(0, 1), 4, 1 << 8);
    plic.source(40).set(true);
    assert.equal(out[0].level, true);
    assert.equal(plic.read(claimAt(0), 4), 40);
  });

  it('narrow reads of the claim register do not claim; holes read 0', () => {
    const { plic } = make();
    setup(plic, 0, { 1: 1 });
    plic.source(1).set(true);
    assert.equal(plic.read(claimAt(0), 1), 0);
    assert.equal(plic.isPending(1), true);
    plic.write(4 * 1 + 1, 1, 0xff); // merges into priority[1]: upper bits are WARL 0
    assert.equal(plic.read(4 * 1, 4), 1);
    assert.equal(plic.read(thresholdAt(5), 4), 0, 'no context 5');
    assert.equal(plic.read(0x1f00, 4), 0);
    plic.write(claimAt(7), 4, 1);
  });

  it('reset clears registers and re-pends sources whose lines are high', () => {
    const { plic, out } = make();
    setup(plic, 0, { 2: 5 });
    plic.source(2).set(true);
    plic.write(thresholdAt(0), 4, 1);
    assert.equal(plic.read(claimAt(0), 4), 2);
    plic.reset();
    assert.equal(out[0].level, false);
    assert.equal(plic.read(4 * 2, 4), 0);
    assert.equal(plic.read(thresholdAt(0), 4), 0);
    assert.equal(plic.isClaimed(2), false);
    assert.equal(plic.isPending(2), true);
    setup(plic, 0, { 2: 1 });
    assert.equal(out[0].level, true);
  });

  it('rejects source ids outside 1..sources-1', () => {
    const { plic } = make();
    assert.throws(() => plic.source(0), RangeError);
    assert.throws(() => plic.source(96), RangeError);
  });
});
