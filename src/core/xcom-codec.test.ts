import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeXCom, encodeXCom } from './xcom-codec.ts';

const roundTrip = (v: unknown) => decodeXCom(encodeXCom(v));

describe('XCom codec', () => {
  test('a Date at the top level comes back as an equal Date', () => {
    const d = new Date('2024-03-04T05:06:07.089Z');
    const back = roundTrip(d);
    assert.ok(back instanceof Date);
    assert.equal((back as Date).toISOString(), d.toISOString());
  });

  test('Dates nested in objects and arrays come back as Dates', () => {
    const value = {
      when: new Date('2024-01-01T00:00:00Z'),
      list: [new Date('2024-01-02T00:00:00Z'), { deep: [new Date('2024-01-03T12:30:00.500Z')] }],
      n: 1,
      s: 'x',
      nil: null,
    };
    const back = roundTrip(value);
    assert.deepEqual(back, value);
    const b = back as typeof value;
    assert.ok(b.when instanceof Date);
    assert.ok(b.list[0] instanceof Date);
    assert.ok((b.list[1] as { deep: Date[] }).deep[0] instanceof Date);
  });

  const plain: Array<[string, unknown]> = [
    ['a number', 42],
    ['a string', 'hello'],
    ['a boolean', false],
    ['null', null],
    ['a nested object', { a: [1, { b: 'c' }] }],
    ['an empty array', []],
  ];
  for (const [name, v] of plain) {
    test(`${name} round-trips unchanged`, () => {
      assert.deepEqual(roundTrip(v), v);
    });
  }

  test('undefined is stored as null', () => {
    assert.equal(encodeXCom(undefined), 'null');
    assert.equal(decodeXCom(null), null);
  });

  test('a string that looks like a date stays a string', () => {
    assert.equal(roundTrip('2024-01-01T00:00:00.000Z'), '2024-01-01T00:00:00.000Z');
  });

  test('a BigInt is rejected with a TypeError saying what to do', () => {
    assert.throws(() => encodeXCom({ big: 10n }), (e: Error) => e instanceof TypeError && /BigInt cannot be stored/.test(e.message) && /string or number/.test(e.message));
    assert.throws(() => encodeXCom(1n), /BigInt/);
  });

  test('a function is rejected with a TypeError naming the key', () => {
    assert.throws(() => encodeXCom({ fn: () => 1 }), (e: Error) => e instanceof TypeError && /a function cannot be stored \(key "fn"\)/.test(e.message));
    assert.throws(() => encodeXCom([1, () => 2]), /function cannot be stored/);
  });
});
