import assert from 'node:assert/strict';
import { ByteQueue } from '../../emulator/devices/byte-queue';

describe('ByteQueue', () => {
  it('stays FIFO across wrap-around and growth', () => {
    const q = new ByteQueue(16);
    const expected: number[] = [];
    let next = 0;
    // Interleave so the head moves before the buffer has to grow.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 7; i++) {
        q.push(next & 0xff);
        expected.push(next++ & 0xff);
      }
      for (let i = 0; i < 3; i++) assert.equal(q.shift(), expected.shift());
    }
    assert.equal(q.length, expected.length);
    while (q.length) assert.equal(q.shift(), expected.shift());
    assert.equal(q.shift(), -1);
  });

  it('clear empties it', () => {
    const q = new ByteQueue();
    q.push(1);
    q.clear();
    assert.equal(q.length, 0);
    assert.equal(q.shift(), -1);
  });
});
