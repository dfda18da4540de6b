import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MAX_RETRY_DELAY_SECONDS, nextRetryAt, pythonUtcDatetimeStr } from '../../src/core/retry-delay.ts';
import type { NextRetryArgs } from '../../src/core/retry-delay.ts';

const END = new Date('2024-01-01T01:00:00Z');
const LOGICAL = new Date('2024-01-01T00:00:00Z');

function args(over: Partial<NextRetryArgs>): NextRetryArgs {
  return {
    dagId: 'example_dag',
    taskId: 'flaky',
    logicalDate: LOGICAL,
    tryNumber: 1,
    endDate: END,
    retryDelay: 300,
    retryExponentialBackoff: true,
    maxRetryDelay: null,
    ...over,
  };
}

/** Independent restatement of Airflow's formula, for cross-checking. */
function expectedBackoff(key: string, minBackoff: number): number {
  const hash = BigInt('0x' + createHash('sha1').update(key).digest('hex'));
  return minBackoff + Number(hash % BigInt(minBackoff));
}

const seconds = (d: Date) => (d.getTime() - END.getTime()) / 1000;

describe('pythonUtcDatetimeStr', () => {
  const cases: Array<[string, Date, string]> = [
    ['midnight has no fraction', new Date('2024-01-01T00:00:00Z'), '2024-01-01 00:00:00+00:00'],
    ['milliseconds become six-digit microseconds', new Date('2024-03-05T06:07:08.123Z'), '2024-03-05 06:07:08.123000+00:00'],
    ['years are padded to four digits', new Date('0999-12-31T23:59:59Z'), '0999-12-31 23:59:59+00:00'],
  ];
  for (const [name, date, expected] of cases) {
    test(name, () => assert.equal(pythonUtcDatetimeStr(date), expected));
  }
});

describe('nextRetryAt without backoff', () => {
  const cases: Array<[string, Partial<NextRetryArgs>, number]> = [
    ['adds the retry delay to the end date', { retryExponentialBackoff: false }, 300],
    ['keeps fractional seconds', { retryExponentialBackoff: false, retryDelay: 1.5 }, 1.5],
    ['ignores maxRetryDelay', { retryExponentialBackoff: false, maxRetryDelay: 10 }, 300],
    ['ignores the try number', { retryExponentialBackoff: false, tryNumber: 7 }, 300],
  ];
  for (const [name, over, expected] of cases) {
    test(name, () => assert.equal(seconds(nextRetryAt(args(over))), expected));
  }
});

describe('nextRetryAt with exponential backoff', () => {
  // Literal values computed with CPython's hashlib/datetime running Airflow 2.10's formula.
  const literal: Array<[string, Partial<NextRetryArgs>, string]> = [
    ['first retry of a 300s delay', { tryNumber: 1 }, '2024-01-01T01:07:45.000Z'],
    ['second retry doubles the base', { tryNumber: 2 }, '2024-01-01T01:12:14.000Z'],
    ['third retry quadruples the base', { tryNumber: 3 }, '2024-01-01T01:38:02.000Z'],
    ['microseconds appear in the hashed date', { dagId: 'd', taskId: 't', tryNumber: 4, retryDelay: 10, logicalDate: new Date('2024-03-05T06:07:08.123Z') }, '2024-01-01T01:01:31.000Z'],
    ['the one-day ceiling applies', { dagId: 'd', taskId: 't', tryNumber: 10 }, '2024-01-02T01:00:00.000Z'],
    ['maxRetryDelay caps the delay', { dagId: 'd', taskId: 't', tryNumber: 3, maxRetryDelay: 500 }, '2024-01-01T01:08:20.000Z'],
  ];
  for (const [name, over, expected] of literal) {
    test(name, () => assert.equal(nextRetryAt(args(over)).toISOString(), expected));
  }

  // By hand: a zero (or sub-second) delay gives min_backoff = 1, and x % 1 = 0, so 1 + 0 = 1s.
  const byHand: Array<[string, Partial<NextRetryArgs>, number]> = [
    ['a zero delay still waits one second', { retryDelay: 0 }, 1],
    ['a sub-second delay rounds up to one second', { retryDelay: 0.3 }, 1],
    ['maxRetryDelay of 0 means no cap', { retryDelay: 0, maxRetryDelay: 0 }, 1],
    ['an enormous try number is held at one day', { tryNumber: 5000 }, MAX_RETRY_DELAY_SECONDS],
  ];
  for (const [name, over, expected] of byHand) {
    test(name, () => assert.equal(seconds(nextRetryAt(args(over))), expected));
  }

  const crossChecked: Array<[string, Partial<NextRetryArgs>, string, number]> = [
    ['hash of dag#task#date#try', { tryNumber: 2 }, 'example_dag#flaky#2024-01-01 00:00:00+00:00#2', 600],
    ['other ids give another jitter', { dagId: 'etl', taskId: 'load', tryNumber: 1, retryDelay: 60 }, 'etl#load#2024-01-01 00:00:00+00:00#1', 60],
    ['non-integer base is ceiled', { tryNumber: 2, retryDelay: 2.5 }, 'example_dag#flaky#2024-01-01 00:00:00+00:00#2', 5],
  ];
  for (const [name, over, key, minBackoff] of crossChecked) {
    test(`${name} stays within [min_backoff, 2*min_backoff)`, () => {
      const got = seconds(nextRetryAt(args(over)));
      assert.equal(got, expectedBackoff(key, minBackoff));
      assert.ok(got >= minBackoff && got < 2 * minBackoff);
    });
  }

  test('the same attempt always gets the same delay', () => {
    assert.equal(nextRetryAt(args({ tryNumber: 2 })).getTime(), nextRetryAt(args({ tryNumber: 2 })).getTime());
  });
});

describe('nextRetryAt rejects bad input', () => {
  const cases: Array<[string, Partial<NextRetryArgs>, RegExp]> = [
    ['an invalid end date', { endDate: new Date('nope') }, /endDate is not a valid date/],
    ['a negative delay', { retryDelay: -1 }, /non-negative number of seconds/],
  ];
  for (const [name, over, message] of cases) {
    test(name, () => assert.throws(() => nextRetryAt(args(over)), message));
  }
});
