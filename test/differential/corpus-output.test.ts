/** The parsers the differential test relies on to read program output. */
import * as assert from 'assert';
import { firstDifference, mismatchedLabels, verdict } from '../support/corpus-output';

describe('corpus output parsing', () => {
  const sample = [
    'add(1, 2) = 0x00000003',
    'Q1 beq to pc+10: mtval = target = 0x00000000 MISMATCH expected 0x00000001',
    '  count = 5 MISMATCH expected 6',
    'FAIL demo (2 failed)',
    '',
  ].join('\n');

  it('extracts the labels of failed checks, keeping " = " inside labels', () => {
    assert.deepStrictEqual(mismatchedLabels(sample), ['Q1 beq to pc+10: mtval = target', 'count']);
  });

  it('finds the last verdict line', () => {
    assert.strictEqual(verdict(sample), 'FAIL demo (2 failed)');
    assert.strictEqual(verdict('PASS x\nnoise\n'), 'PASS x');
    assert.strictEqual(verdict('no verdict\n'), undefined);
  });

  it('locates the first differing line, including a missing tail', () => {
    assert.strictEqual(firstDifference('a\nb\n', 'a\nb\n'), 'outputs are identical');
    assert.match(firstDifference('a\nb\n', 'a\nX\n'), /line 2 - reference "b", actual "X"/);
    assert.match(firstDifference('a\nb\nc', 'a\nb'), /line 3 - reference "c", actual "<end>"/);
  });
});
