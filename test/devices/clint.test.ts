import assert from 'node:assert/strict';
import { Clint } from '../../emulator/devices/clint';
import { fakeIrqs } from './fake-irq';

const MTIMECMP = 0x4000, MTIME = 0xbff8;
const TWO32 = 2 ** 32;

function make(harts = 2) {
  const clock = { t: 0 };
  const msip = fakeIrqs(harts);
  const mtip = fakeIrqs(harts);
  const clint = new Clint({ harts, now: () => clock.t, msip, mtip });
  return { clint, clock, msip, mtip };
}

function setCmp(clint: Clint, hart: number, value: number): void {
  clint.write(MTIMECMP + 8 * hart + 4, 4, 0xffffffff); // avoid a spurious match between the halves
  clint.write(MTIMECMP + 8 * hart, 4, value >>> 0);
  clint.write(MTIMECMP + 8 * hart + 4, 4, Math.floor(value / TWO32));
}

describe('Clint', () => {
  it('resets mtimecmp to all ones and reads mtime from the clock', () => {
    const { clint, clock } = make();
    assert.equal(clint.read(MTIMECMP, 4), 0xffffffff);
    assert.equal(clint.read(MTIMECMP + 4, 4), 0xffffffff);
    assert.equal(clint.read(MTIMECMP + 12, 4), 0xffffffff);
    clock.t = 5 * TWO32 + 123;
    assert.equal(clint.read(MTIME, 4), 123);
    assert.equal(clint.read(MTIME + 4, 4), 5);
    assert.equal(clint.mtime(), 5 * TWO32 + 123);
  });

  it('drives MSIP from bit 0 of msip[h], per hart', () => {
    const { clint, msip } = make();
    clint.write(4, 4, 0xffffffff);
    assert.equal(msip[1].level, true);
    assert.equal(msip[0].level, false);
    assert.equal(clint.read(4, 4), 1, 'only bit 0 is kept');
    clint.write(4, 4, 2);
    assert.equal(msip[1].level, false);
    assert.equal(clint.read(8, 4), 0, 'no hart 2');
    clint.write(8, 4, 1); // ignored
  });

  it('raises MTIP exactly when now() reaches mtimecmp, on update()', () => {
    const { clint, clock, mtip } = make();
    setCmp(clint, 0, 100);
    assert.equal(mtip[0].level, false);
    clock.t = 99;
    clint.update();
    assert.equal(mtip[0].level, false);
    clock.t = 100;
    clint.update();
    assert.equal(mtip[0].level, true);
    assert.equal(mtip[1].level, false);
  });

  it('updates MTIP at once on mtimecmp writes (raise and clear)', () => {
    const { clint, clock, mtip } = make();
    clock.t = 50;
    setCmp(clint, 1, 50);
    assert.equal(mtip[1].level, true);
    setCmp(clint, 1, 51);
    assert.equal(mtip[1].level, false);
    clint.write(MTIMECMP + 8, 4, 10); // low half only: 10 < 50
    assert.equal(mtip[1].level, true);
  });

  it('compares all 64 bits (high half decides)', () => {
    const { clint, clock, mtip } = make(1);
    clock.t = TWO32 + 5; // mtime = 0x1_00000005
    clint.write(MTIMECMP + 4, 4, 1);
    clint.write(MTIMECMP, 4, 6);
    assert.equal(mtip[0].level, false, '0x1_00000006 is in the future');
    clint.write(MTIMECMP, 4, 0xffffffff);
    clint.write(MTIMECMP + 4, 4, 0);
    assert.equal(mtip[0].level, true, '0x0_ffffffff has passed');
    assert.equal(clint.mtimecmp(0), 0xffffffffn);
  });

  it('reports the earliest future deadline across harts', () => {
    const { clint, clock } = make(3);
    assert.equal(clint.nextDeadline(), undefined, 'all-ones never fires');
    setCmp(clint, 0, 500);
    setCmp(clint, 2, 300);
    assert.equal(clint.nextDeadline(), 300);
    clock.t = 300;
    assert.equal(clint.nextDeadline(), 500, 'a fired timer is not in the future');
    clock.t = 1000;
    assert.equal(clint.nextDeadline(), undefined);
    setCmp(clint, 1, 2 ** 40);
    assert.equal(clint.nextDeadline(), 2 ** 40);
  });

  it('keeps an offset when mtime is written and counts on from it', () => {
    const { clint, clock, mtip } = make(1);
    clock.t = 1000;
    clint.write(MTIME, 4, 10);
    assert.equal(clint.read(MTIME, 4), 10);
    assert.equal(clint.read(MTIME + 4, 4), 0);
    clock.t = 1007;
    assert.equal(clint.mtime(), 17);
    setCmp(clint, 0, 20);
    assert.equal(clint.nextDeadline(), 1010, 'deadline is in the clock\'s time base');
    clock.t = 1010;
    clint.update();
    assert.equal(mtip[0].level, true);
  });

  it('handles mtime writes to the high half and carries between halves', () => {
    const { clint, clock } = make(1);
    clock.t = 0;
    clint.write(MTIME, 4, 0xfffffffe);
    clint.write(MTIME + 4, 4, 7);
    clock.t = 3; // carries out of the low half
    assert.equal(clint.read(MTIME, 4), 1);
    assert.equal(clint.read(MTIME + 4, 4), 8);
    assert.equal(clint.mtime(), 8 * TWO32 + 1);
  });

  it('raises MTIP immediately when an mtime write passes mtimecmp', () => {
    const { clint, mtip } = make(1);
    setCmp(clint, 0, 1000);
    clint.write(MTIME, 4, 1000);
    assert.equal(mtip[0].level, true);
    clint.write(MTIME, 4, 0);
    assert.equal(mtip[0].level, false);
  });

  it('supports narrow and misaligned accesses on the 32-bit registers', () => {
    const { clint, clock } = make(1);
    clock.t = 0x11223344;
    assert.equal(clint.read(MTIME + 1, 2), 0x2233);
    assert.equal(clint.read(MTIME + 3, 1), 0x11);
    assert.equal(clint.read(MTIME + 2, 4), 0x1122, 'spans into mtime hi (0)');
    clint.write(MTIMECMP + 1, 1, 0x00);
    assert.equal(clint.read(MTIMECMP, 4), 0xffff00ff);
    clint.write(MTIMECMP + 2, 4, 0x12345678);
    assert.equal(clint.read(MTIMECMP, 4), 0x567800ff);
    assert.equal(clint.read(MTIMECMP + 4, 4), 0xffff1234);
  });

  it('reads 0 and ignores writes in unmapped space', () => {
    const { clint } = make(1);
    assert.equal(clint.read(0x3ffc, 4), 0);
    assert.equal(clint.read(0x4010, 4), 0, 'mtimecmp of a missing hart');
    assert.equal(clint.read(0xc000, 4), 0);
    clint.write(0xc000, 4, 1);
    clint.write(0x4010, 4, 0);
  });

  it('reset clears msip, restores mtimecmp and the clock offset', () => {
    const { clint, clock, msip, mtip } = make(1);
    clint.write(0, 4, 1);
    setCmp(clint, 0, 0);
    clint.write(MTIME, 4, 99);
    assert.equal(mtip[0].level, true);
    clock.t = 4;
    clint.reset();
    assert.equal(msip[0].level, false);
    assert.equal(mtip[0].level, false);
    assert.equal(clint.read(MTIMECMP, 4), 0xffffffff);
    assert.equal(clint.mtime(), 4);
  });

  it('rejects bad wiring', () => {
    assert.throws(() => new Clint({ harts: 2, now: () => 0, msip: fakeIrqs(1), mtip: fakeIrqs(2) }), RangeError);
    assert.throws(() => new Clint({ harts: 0, now: () => 0, msip: [], mtip: [] }), RangeError);
  });
});
