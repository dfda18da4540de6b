import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTimeZone, fromWallTime, toWallTime, utcOffsetAt } from './time-zone.ts';
import { utc } from './test-helpers.ts';

const wall = (iso: string): number => utc(iso).getTime();

describe('toWallTime', () => {
  const cases: Array<[string, string, string]> = [
    ['UTC', '2024-03-10T07:30:15.250Z', '2024-03-10T07:30:15.250Z'],
    ['America/New_York', '2024-01-15T17:00Z', '2024-01-15T12:00:00.000Z'],
    ['America/New_York', '2024-07-15T16:00Z', '2024-07-15T12:00:00.000Z'],
    ['Europe/Paris', '2024-03-31T00:30Z', '2024-03-31T01:30:00.000Z'],
    ['Asia/Kolkata', '2024-03-31T00:00Z', '2024-03-31T05:30:00.000Z'],
  ];
  for (const [zone, instant, expected] of cases) {
    test(`reads ${instant} in ${zone} as local ${expected.slice(0, 23)}`, () => {
      assert.equal(new Date(toWallTime(utc(instant).getTime(), zone)).toISOString(), expected);
    });
  }
});

describe('fromWallTime', () => {
  const cases: Array<[string, string, string, string]> = [
    ['an ordinary time', 'America/New_York', '2024-01-15T12:00', '2024-01-15T17:00:00.000Z'],
    ['a time skipped by spring forward, moved forward by the gap', 'America/New_York', '2024-03-10T02:30', '2024-03-10T07:30:00.000Z'],
    ['a repeated time at fall back, as its second occurrence', 'America/New_York', '2024-11-03T01:30', '2024-11-03T06:30:00.000Z'],
    ['a skipped time in Paris', 'Europe/Paris', '2024-03-31T02:15', '2024-03-31T01:15:00.000Z'],
    ['a repeated time in Paris', 'Europe/Paris', '2024-10-27T02:15', '2024-10-27T01:15:00.000Z'],
  ];
  for (const [name, zone, local, expected] of cases) {
    test(`places ${name} (${local} ${zone})`, () => {
      assert.equal(new Date(fromWallTime(wall(local), zone)).toISOString(), expected);
    });
  }
});

describe('time zone names', () => {
  test('reports the offset in force at an instant', () => {
    assert.equal(utcOffsetAt(utc('2024-07-01T00:00').getTime(), 'America/New_York'), -4 * 3_600_000);
  });
  test('rejects an unknown zone with an example of a valid one', () => {
    assert.throws(() => assertTimeZone('Mars/Olympus'), /Unknown time zone "Mars\/Olympus": use an IANA name such as "UTC"/);
  });
});
