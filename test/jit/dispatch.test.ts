/**
 * The WebAssembly regions' dispatch hash (wasm/region.ts): when there is one, it
 * takes every chain start to a slot of its own in a table less than eight times their
 * number; for up to 16 starts there always is one. (That regions dispatched
 * through it run right is the business of jit.test.ts and determinism.test.ts,
 * whose wider regions use it.)
 */
import assert from 'node:assert/strict';
import { dispatchHash, hashOf } from '../../emulator/cpu/wasm/region';

describe('WebAssembly region dispatch hash', () => {
  it('takes the chain starts to distinct slots of a small table, or declines', () => {
    let seed = 7;
    const next = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    let found = 0;
    for (let round = 0; round < 400; round++) {
      const span = 1024 * (1 + next(3));
      const count = 1 + next(round < 200 ? 16 : 120);
      const words = [...new Set(Array.from({ length: count }, () => next(span)))].sort((a, b) => a - b);
      const h = dispatchHash(words);
      if (words.length <= 16) assert.ok(h, `round ${round}: no hash for ${words.length} words`);
      if (!h) continue;
      found++;
      const slots = words.map((w) => hashOf(w, h));
      assert.equal(new Set(slots).size, words.length, `round ${round}: ${words.length} words`);
      assert.ok(slots.every((k) => k >= 0 && k < 1 << h.bits));
      assert.ok(1 << h.bits < Math.max(4, 8 * words.length), `round ${round}: ${1 << h.bits} slots for ${words.length} words`);
    }
    assert.ok(found >= 200);
  });
});
