/** LineTable queries and path matching on hand-made rows; no toolchain needed. */
import * as assert from 'assert';
import { LineTable, type LineRow } from '../../emulator/loader';
import { commonSuffixLength, joinPath, normalizePath } from '../../emulator/loader/paths';

function row(file: string, line: number, address: number, isStmt = true, endSequence = false): LineRow {
  return { file, line, column: 0, address, isStmt, endSequence };
}

/** Two sequences over three files named "main.c" and one header. */
const table = new LineTable([
  row('/proj/src/main.c', 10, 0x100),
  row('/proj/src/main.c', 11, 0x104),
  row('/proj/src/main.c', 12, 0x104), // same address: this later row covers 0x104
  row('/proj/inc/util.h', 3, 0x108),
  row('/proj/src/main.c', 11, 0x10c, false),
  row('/proj/src/main.c', 11, 0x110, true, true),
  row('/proj/test/main.c', 5, 0x200),
  row('main.c', 7, 0x204, false),
  row('main.c', 7, 0x208, false),
  row('main.c', 7, 0x20c, false, true),
]);

describe('loader: LineTable queries', () => {
  it('looks up the row covering an address; the last row at an address wins', () => {
    assert.deepStrictEqual(table.lookup(0x100), { file: '/proj/src/main.c', line: 10, column: 0 });
    assert.strictEqual(table.lookup(0x103)?.line, 10);
    assert.strictEqual(table.lookup(0x104)?.line, 12);
    assert.strictEqual(table.lookup(0x10f)?.line, 11);
    assert.strictEqual(table.lookup(0x110), undefined, 'the end_sequence address is past the code');
    assert.strictEqual(table.lookup(0xff), undefined);
    assert.strictEqual(table.lookup(0x20b)?.file, 'main.c');
  });

  it('lists files that have rows, sorted', () => {
    assert.deepStrictEqual(table.files(), ['/proj/inc/util.h', '/proj/src/main.c', '/proj/test/main.c', 'main.c']);
  });

  it('matches an exact path first, after normalization', () => {
    assert.deepStrictEqual(table.matchFiles('/proj/src/main.c'), ['/proj/src/main.c']);
    assert.deepStrictEqual(table.matchFiles('/proj/./src//x/../main.c'), ['/proj/src/main.c']);
    assert.deepStrictEqual(table.matchFiles('main.c'), ['main.c']);
  });

  it('otherwise matches the files sharing the longest path suffix', () => {
    assert.deepStrictEqual(table.matchFiles('/home/u/checkout/src/main.c'), ['/proj/src/main.c']);
    assert.deepStrictEqual(table.matchFiles('C:\\work\\test\\main.c'), ['/proj/test/main.c']);
    assert.deepStrictEqual(table.matchFiles('/elsewhere/main.c'), ['/proj/src/main.c', '/proj/test/main.c', 'main.c']);
    assert.deepStrictEqual(table.matchFiles('/proj/src/other.c'), [], 'the file name must agree');
  });

  it('gives breakpoint addresses: statement rows, else any rows of that line', () => {
    assert.deepStrictEqual(table.addressesForLine('/proj/src/main.c', 11), [0x104], 'the non-stmt row at 0x10c is left out');
    assert.deepStrictEqual(table.addressesForLine('/proj/src/main.c', 12), [0x104]);
    assert.deepStrictEqual(table.addressesForLine('/x/src/main.c', 11), [0x104]);
    assert.deepStrictEqual(table.addressesForLine('/x/main.c', 5), [0x200]);
    assert.deepStrictEqual(table.addressesForLine('main.c', 7), [0x204, 0x208], 'no statement rows: all rows');
    assert.deepStrictEqual(table.addressesForLine('util.h', 3), [0x108]);
    assert.deepStrictEqual(table.addressesForLine('util.h', 4), []);
  });

  it('prefers the innermost of overlapping sequences', () => {
    const t = new LineTable([
      row('a.c', 1, 0x0), row('a.c', 2, 0x100, true, true),
      row('b.c', 9, 0x40), row('b.c', 9, 0x48, true, true),
    ]);
    assert.strictEqual(t.lookup(0x44)?.file, 'b.c');
    assert.strictEqual(t.lookup(0x48)?.file, 'a.c');
  });
});

describe('loader: path helpers', () => {
  it('normalizes lexically', () => {
    assert.strictEqual(normalizePath('/a/./b//c/../d'), '/a/b/d');
    assert.strictEqual(normalizePath('./src/main.c'), 'src/main.c');
    assert.strictEqual(normalizePath('../x/../../y'), '../../y');
    assert.strictEqual(normalizePath('/../a'), '/a');
    assert.strictEqual(normalizePath('.'), '.');
  });

  it('joins a name to its directory unless the name is absolute', () => {
    assert.strictEqual(joinPath('/tmp/b', './src/m.c'), '/tmp/b/src/m.c');
    assert.strictEqual(joinPath('/tmp/b', '/usr/include/x.h'), '/usr/include/x.h');
    assert.strictEqual(joinPath('', 'm.c'), 'm.c');
    assert.strictEqual(joinPath('rel', 'm.c'), 'rel/m.c');
  });

  it('counts shared trailing segments', () => {
    assert.strictEqual(commonSuffixLength('/home/u/proj/src/main.c', './src/main.c'), 2);
    assert.strictEqual(commonSuffixLength('/home/u/proj/main.c', 'src/main.c'), 1);
    assert.strictEqual(commonSuffixLength('a/main.c', 'a/main.h'), 0);
  });
});
