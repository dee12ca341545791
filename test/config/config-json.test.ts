import { strict as assert } from 'assert';
import { formatPath, JsonSyntaxError, parseJsonLocated } from '../../emulator/system/config-json';

describe('located JSON parser', () => {
  it('parses like JSON.parse', () => {
    const text = '{"a": [1, -2.5e3, true, false, null], "s": "q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9", "o": {}, "e": []}';
    assert.deepEqual(parseJsonLocated(text).value, JSON.parse(text));
  });

  it('records where each member and element starts', () => {
    const { locations } = parseJsonLocated('{\n  "vms": [\n    { "name": "a" },\n    7\n  ],\n  "odd key": 1\n}');
    assert.deepEqual(locations.get(''), { line: 1, column: 1 });
    assert.deepEqual(locations.get('vms'), { line: 2, column: 3 });
    assert.deepEqual(locations.get('vms[0]'), { line: 3, column: 5 });
    assert.deepEqual(locations.get('vms[0].name'), { line: 3, column: 7 });
    assert.deepEqual(locations.get('vms[1]'), { line: 4, column: 5 });
    assert.deepEqual(locations.get('["odd key"]'), { line: 6, column: 3 });
  });

  it('treats "__proto__" as an ordinary key', () => {
    const v = parseJsonLocated('{"__proto__": {"x": 1}}').value as Record<string, unknown>;
    assert.deepEqual(Object.keys(v), ['__proto__']);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
  });

  it('lists duplicate keys with their position', () => {
    assert.deepEqual(parseJsonLocated('{"a": 1,\n "a": 2}').duplicateKeys, [{ path: 'a', location: { line: 2, column: 2 } }]);
  });

  it('ignores a byte-order mark', () => {
    assert.deepEqual(parseJsonLocated('\ufeff{"a":1}').value, { a: 1 });
  });

  it('rejects what JSON does not allow, with a position', () => {
    for (const [text, where] of [['[1,]', '1:4'], ['{"a":1', '1:7'], ['"\u0001"', '1:2'], ['"\\x"', '1:2'], ['-', '1:1'], ['1.', '1:1'], ['NaN', '1:1'], ['[1 2]', '1:4']]) {
      assert.throws(() => parseJsonLocated(text), (e: unknown) => e instanceof JsonSyntaxError && `${e.location.line}:${e.location.column}` === where, text);
    }
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    assert.throws(() => parseJsonLocated('['.repeat(100000)), /nested more than 256 levels/);
  });

  it('formats paths', () => {
    assert.equal(formatPath([]), '');
    assert.equal(formatPath(['vms', 1, 'ramMiB']), 'vms[1].ramMiB');
    assert.equal(formatPath(['a b', 0]), '["a b"][0]');
  });
});
