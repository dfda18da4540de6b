import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleSpec } from '../serialized-dag.ts';
import { dataIntervalsBetween } from './backfill.ts';
import { parseSchedule } from './schedule.ts';
import { inferAutomatedDataInterval, inferManualDataInterval } from './next-run.ts';
import { span, utc } from './test-helpers.ts';

const daily: ScheduleSpec = { kind: 'cron', expression: '0 0 * * *', preset: '@daily' };
const hourlyInterval: ScheduleSpec = { kind: 'interval', seconds: 3600 };
const none: ScheduleSpec = { kind: 'none' };
const once: ScheduleSpec = { kind: 'once' };
const continuous: ScheduleSpec = { kind: 'continuous' };
const dataset: ScheduleSpec = { kind: 'dataset', condition: { uri: 's3://a' } };

describe('inferManualDataInterval', () => {
  const cases: Array<[string, ScheduleSpec, string, string, string]> = [
    ['cron: the last complete interval before a time between points', daily, 'UTC', '2022-08-08T01:00', '2022-08-07T00:00 → 2022-08-08T00:00'],
    ['cron: the interval ending exactly at a schedule point', daily, 'UTC', '2022-08-08T00:00', '2022-08-07T00:00 → 2022-08-08T00:00'],
    ['cron: intervals are computed in the DAG time zone', daily, 'America/New_York', '2024-03-11T12:00', '2024-03-10T05:00 → 2024-03-11T04:00'],
    ['interval: the interval ending at the trigger time', hourlyInterval, 'UTC', '2022-08-08T01:20', '2022-08-08T00:20 → 2022-08-08T01:20'],
    ['none: an empty interval at the trigger time', none, 'UTC', '2022-08-08T01:20', '2022-08-08T01:20 → 2022-08-08T01:20'],
    ['@once: an empty interval at the trigger time', once, 'UTC', '2022-08-08T01:20', '2022-08-08T01:20 → 2022-08-08T01:20'],
    ['@continuous: an empty interval at the trigger time', continuous, 'UTC', '2022-08-08T01:20', '2022-08-08T01:20 → 2022-08-08T01:20'],
    ['dataset: an empty interval at the trigger time', dataset, 'UTC', '2022-08-08T01:20', '2022-08-08T01:20 → 2022-08-08T01:20'],
  ];
  for (const [name, spec, zone, runAfter, expected] of cases) {
    test(name, () => {
      assert.equal(span(inferManualDataInterval(spec, zone, utc(runAfter))), expected);
    });
  }
});

describe('inferAutomatedDataInterval', () => {
  const cases: Array<[string, ScheduleSpec, string, string]> = [
    ['cron: from the logical date to the next schedule point', daily, '2022-08-07T00:00', '2022-08-07T00:00 → 2022-08-08T00:00'],
    ['interval: from the logical date one interval on', hourlyInterval, '2022-08-07T00:20', '2022-08-07T00:20 → 2022-08-07T01:20'],
    ['@once: an empty interval at the logical date', once, '2022-08-07T00:20', '2022-08-07T00:20 → 2022-08-07T00:20'],
    ['dataset: an empty interval at the logical date', dataset, '2022-08-07T00:20', '2022-08-07T00:20 → 2022-08-07T00:20'],
  ];
  for (const [name, spec, logicalDate, expected] of cases) {
    test(name, () => {
      assert.equal(span(inferAutomatedDataInterval(spec, 'UTC', utc(logicalDate))), expected);
    });
  }
  test('continuous runs cannot be inferred and say so', () => {
    assert.throws(() => inferAutomatedDataInterval(continuous, 'UTC', utc('2022-08-07T00:00')), /continuous run cannot be inferred/);
  });
});

describe('dataIntervalsBetween', () => {
  const cases: Array<[string, ScheduleSpec, string, string, string, string[]]> = [
    ['daily cron: every logical date in the range, both ends included', daily, 'UTC', '2024-01-01T00:00', '2024-01-03T00:00',
      ['2024-01-01T00:00 → 2024-01-02T00:00', '2024-01-02T00:00 → 2024-01-03T00:00', '2024-01-03T00:00 → 2024-01-04T00:00']],
    ['daily cron: a start between points begins at the next point', daily, 'UTC', '2024-01-01T06:00', '2024-01-03T06:00',
      ['2024-01-02T00:00 → 2024-01-03T00:00', '2024-01-03T00:00 → 2024-01-04T00:00']],
    ['daily cron in New York across the March change', daily, 'America/New_York', '2024-03-09T05:00', '2024-03-11T04:00',
      ['2024-03-09T05:00 → 2024-03-10T05:00', '2024-03-10T05:00 → 2024-03-11T04:00', '2024-03-11T04:00 → 2024-03-12T04:00']],
    ['quarterly preset: first day of every third month', { kind: 'cron', expression: '0 0 1 */3 *', preset: '@quarterly' }, 'UTC', '2024-01-01T00:00', '2024-12-31T00:00',
      ['2024-01-01T00:00 → 2024-04-01T00:00', '2024-04-01T00:00 → 2024-07-01T00:00', '2024-07-01T00:00 → 2024-10-01T00:00', '2024-10-01T00:00 → 2025-01-01T00:00']],
    ['@hourly preset', parseSchedule('@hourly'), 'UTC', '2024-01-01T00:30', '2024-01-01T02:00',
      ['2024-01-01T01:00 → 2024-01-01T02:00', '2024-01-01T02:00 → 2024-01-01T03:00']],
    ['@weekly preset: Sunday midnights', parseSchedule('@weekly'), 'UTC', '2024-01-01T00:00', '2024-01-14T00:00',
      ['2024-01-07T00:00 → 2024-01-14T00:00', '2024-01-14T00:00 → 2024-01-21T00:00']],
    ['@monthly preset: first of each month', parseSchedule('@monthly'), 'UTC', '2024-01-15T00:00', '2024-03-01T00:00',
      ['2024-02-01T00:00 → 2024-03-01T00:00', '2024-03-01T00:00 → 2024-04-01T00:00']],
    ['@yearly preset: every January 1st', parseSchedule('@yearly'), 'UTC', '2023-06-01T00:00', '2025-01-01T00:00',
      ['2024-01-01T00:00 → 2025-01-01T00:00', '2025-01-01T00:00 → 2026-01-01T00:00']],
    ['interval: steps from the start itself', hourlyInterval, 'UTC', '2024-01-01T00:20', '2024-01-01T02:20',
      ['2024-01-01T00:20 → 2024-01-01T01:20', '2024-01-01T01:20 → 2024-01-01T02:20', '2024-01-01T02:20 → 2024-01-01T03:20']],
    ['@once: one run at the start', once, 'UTC', '2024-01-01T00:00', '2024-01-05T00:00', ['2024-01-01T00:00 → 2024-01-01T00:00']],
    ['a range before its first schedule point is empty', daily, 'UTC', '2024-01-01T06:00', '2024-01-01T18:00', []],
    ['a reversed range is empty', daily, 'UTC', '2024-01-05T00:00', '2024-01-01T00:00', []],
  ];
  for (const [name, spec, zone, start, end, expected] of cases) {
    test(name, () => {
      assert.deepEqual(dataIntervalsBetween(spec, zone, utc(start), utc(end)).map((r) => span(r.dataInterval)), expected);
    });
  }

  for (const spec of [none, continuous, dataset]) {
    test(`refuses a ${spec.kind} schedule, saying backfill needs a time-based schedule`, () => {
      assert.throws(() => dataIntervalsBetween(spec, 'UTC', utc('2024-01-01T00:00'), utc('2024-01-02T00:00')), /Backfill needs a time-based schedule/);
    });
  }
});
