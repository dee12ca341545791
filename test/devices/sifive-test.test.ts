import assert from 'node:assert/strict';
import { SifiveTest } from '../../emulator/devices/sifive-test';

function make() {
  const exits: [number, boolean][] = [];
  let resets = 0;
  const dev = new SifiveTest({ onExit: (code, failed) => exits.push([code, failed]), onReset: () => resets++ });
  return { dev, exits, resets: () => resets };
}

describe('SifiveTest', () => {
  it('0x5555 passes with exit code 0', () => {
    const { dev, exits } = make();
    dev.write(0, 4, 0x5555);
    assert.deepEqual(exits, [[0, false]]);
  });

  it('(code << 16) | 0x3333 fails with that code', () => {
    const { dev, exits } = make();
    dev.write(0, 4, (42 << 16) | 0x3333);
    dev.write(0, 4, 0xffff3333);
    dev.write(0, 4, 0x3333);
    assert.deepEqual(exits, [[42, true], [0xffff, true], [0, true]]);
  });

  it('0x7777 requests a reset', () => {
    const { dev, exits, resets } = make();
    dev.write(0, 4, 0x7777);
    assert.equal(resets(), 1);
    assert.deepEqual(exits, []);
  });

  it('accepts 16-bit stores; ignores bytes, other offsets and unknown commands', () => {
    const { dev, exits } = make();
    dev.write(0, 2, 0x5555);
    dev.write(0, 1, 0x55);
    dev.write(4, 4, 0x5555);
    dev.write(0, 4, 0x1234);
    assert.deepEqual(exits, [[0, false]]);
  });

  it('reads return 0 and a missing onReset is harmless', () => {
    const dev = new SifiveTest({ onExit: () => assert.fail('no exit expected') });
    assert.equal(dev.read(0, 4), 0);
    dev.write(0, 4, 0x7777);
  });
});
