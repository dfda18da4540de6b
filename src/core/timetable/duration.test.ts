import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  const valid: Array<[string | number, number]> = [
    [0, 0],
    [90, 90],
    [1.5, 1.5],
    ['45', 45],
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['2d', 172_800],
    ['1w', 604_800],
    ['1h30m', 5400],
    ['1h 30m', 5400],
    [' 2m5s ', 125],
    ['500ms', 0.5],
    ['1.5h', 5400],
    ['1m500ms', 60.5],
  ];
  for (const [input, seconds] of valid) {
    test(`reads ${JSON.stringify(input)} as ${seconds} seconds`, () => {
      assert.equal(parseDuration(input, 'timeout'), seconds);
    });
  }

  const invalid: Array<[unknown, RegExp]> = [
    ['', /timeout: empty duration/],
    ['abc', /timeout: invalid duration "abc"; write a number of seconds/],
    ['1h30', /invalid duration "1h30"/],
    ['5 minutes', /invalid duration "5 minutes"/],
    ['-5s', /invalid duration "-5s"/],
    [-1, /timeout must be a non-negative number of seconds, got -1/],
    [Number.NaN, /got NaN/],
    [Number.POSITIVE_INFINITY, /got Infinity/],
    [{}, /timeout must be a number of seconds, or a string such as "30s".*got an object/],
  ];
  for (const [input, message] of invalid) {
    test(`rejects ${String(JSON.stringify(input) ?? input)} with a message naming the value`, () => {
      assert.throws(() => parseDuration(input as string, 'timeout'), message);
    });
  }
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [30, '30s'],
    [3600, '1h'],
    [5400, '1h30m'],
    [86_400, '1d'],
    [90_061.5, '1d1h1m1s500ms'],
    [0.5, '500ms'],
  ];
  for (const [seconds, text] of cases) {
    test(`writes ${seconds} seconds as "${text}", which reads back the same`, () => {
      assert.equal(formatDuration(seconds), text);
      assert.equal(parseDuration(text, 'x'), seconds);
    });
  }
});
