import assert from 'node:assert/strict';
import { readNarrow, writeNarrow, type WordRegisterFile } from '../../emulator/devices/word-registers';

class Regs implements WordRegisterFile {
  readonly w = new Uint32Array(4);
  readonly writes: [number, number][] = [];
  peekWord(o: number): number {
    return o < 16 ? this.w[o >>> 2] : 0;
  }
  writeWord(o: number, v: number): void {
    this.writes.push([o, v]);
    if (o < 16) this.w[o >>> 2] = v;
  }
}

describe('word-registers', () => {
  it('reads bytes, halves and spanning words little-endian', () => {
    const r = new Regs();
    r.w[0] = 0x44332211;
    r.w[1] = 0x88776655;
    assert.equal(readNarrow(r, 0, 1), 0x11);
    assert.equal(readNarrow(r, 3, 1), 0x44);
    assert.equal(readNarrow(r, 2, 2), 0x4433);
    assert.equal(readNarrow(r, 3, 2), 0x5544);
    assert.equal(readNarrow(r, 1, 4), 0x55443322);
    assert.equal(readNarrow(r, 4, 4), 0x88776655);
  });

  it('merges narrow writes and splits spanning ones', () => {
    const r = new Regs();
    r.w[0] = 0xffffffff;
    r.w[1] = 0xffffffff;
    writeNarrow(r, 1, 1, 0x1234);
    assert.equal(r.w[0], 0xffff34ff);
    writeNarrow(r, 2, 4, 0xaabbccdd);
    assert.equal(r.w[0], 0xccdd34ff);
    assert.equal(r.w[1], 0xffffaabb);
    assert.deepEqual(r.writes.map(([o]) => o), [0, 0, 4], 'aligned parts only');
  });
});
