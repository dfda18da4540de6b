import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleSpec } from '../serialized-dag.ts';
import { nextDagRunInfo } from './next-run.ts';
import { span, utc } from './test-helpers.ts';
import type { DataInterval } from './types.ts';

const hourlyCron: ScheduleSpec = { kind: 'cron', expression: '0 * * * *', preset: '@hourly' };
const hourlyInterval: ScheduleSpec = { kind: 'interval', seconds: 3600 };
const daily1630: ScheduleSpec = { kind: 'cron', expression: '30 16 * * *' };
const daily: ScheduleSpec = { kind: 'cron', expression: '0 0 * * *', preset: '@daily' };

interface Case {
  name: string;
  spec: ScheduleSpec;
  last?: [string, string];
  earliest?: string | null;
  latest?: string;
  catchup: boolean;
  now: string;
  /** "start → end" of the expected run, or null when no run is due. */
  expected: string | null;
}

const cases: Case[] = [
  // catchup on: start from the aligned start date, then from the previous end.
  { name: 'cron, catchup, first run at the start date', spec: daily, earliest: '2024-01-01T00:00', catchup: true, now: '2024-06-15T10:30', expected: '2024-01-01T00:00 → 2024-01-02T00:00' },
  { name: 'cron, catchup, a start date between points is aligned forward', spec: daily, earliest: '2024-01-01T07:00', catchup: true, now: '2024-06-15T10:30', expected: '2024-01-02T00:00 → 2024-01-03T00:00' },
  { name: 'cron, catchup, next run follows the previous end', spec: hourlyCron, earliest: '2021-09-04T00:00', last: ['2021-09-04T00:00', '2021-09-05T00:00'], catchup: true, now: '2021-09-07T00:00', expected: '2021-09-05T00:00 → 2021-09-05T01:00' },
  { name: 'interval, catchup, next run follows the previous end', spec: hourlyInterval, earliest: '2021-09-04T00:00', last: ['2021-09-04T00:00', '2021-09-05T00:00'], catchup: true, now: '2021-09-07T00:00', expected: '2021-09-05T00:00 → 2021-09-05T01:00' },
  { name: 'interval, catchup, a start date between hours is not aligned', spec: hourlyInterval, earliest: '2024-01-01T00:20', catchup: true, now: '2024-06-15T10:30', expected: '2024-01-01T00:20 → 2024-01-01T01:20' },
  { name: 'cron, catchup, no start date and no previous run means no run', spec: daily, earliest: null, catchup: true, now: '2024-06-15T10:30', expected: null },
  { name: 'cron, a previous run off the schedule is re-aligned (schedule changed)', spec: daily, earliest: null, last: ['2022-08-07T01:00', '2022-08-08T01:00'], catchup: true, now: '2022-08-20T00:00', expected: '2022-08-08T00:00 → 2022-08-09T00:00' },
  { name: 'cron, a previous run on the schedule is followed directly', spec: daily, earliest: null, last: ['2022-08-07T00:00', '2022-08-08T00:00'], catchup: true, now: '2022-08-20T00:00', expected: '2022-08-08T00:00 → 2022-08-09T00:00' },
  { name: 'cron, a start date moved past the previous run wins', spec: daily, earliest: '2022-09-01T00:00', last: ['2022-08-07T00:00', '2022-08-08T00:00'], catchup: true, now: '2022-09-20T00:00', expected: '2022-09-01T00:00 → 2022-09-02T00:00' },
  // catchup off: skip to the latest complete interval.
  { name: 'cron, no catchup, now on a boundary: the interval ending now', spec: hourlyCron, earliest: '2021-09-04T00:00', catchup: false, now: '2021-09-07T00:00', expected: '2021-09-06T23:00 → 2021-09-07T00:00' },
  { name: 'cron, no catchup, skips past an old previous run', spec: hourlyCron, earliest: '2021-09-04T00:00', last: ['2021-09-04T00:00', '2021-09-05T00:00'], catchup: false, now: '2021-09-07T00:00', expected: '2021-09-06T23:00 → 2021-09-07T00:00' },
  { name: 'cron, no catchup, now inside an interval: the last complete one', spec: hourlyCron, earliest: '2021-09-04T00:00', catchup: false, now: '2021-09-07T00:30', expected: '2021-09-06T23:00 → 2021-09-07T00:00' },
  { name: 'interval, no catchup, now on a boundary: the interval ending now', spec: hourlyInterval, earliest: '2021-09-04T00:00', catchup: false, now: '2021-09-07T00:00', expected: '2021-09-06T23:00 → 2021-09-07T00:00' },
  { name: 'interval, no catchup, now inside an interval: the last complete one', spec: hourlyInterval, earliest: '2021-09-04T00:00', catchup: false, now: '2021-09-07T00:30', expected: '2021-09-06T23:00 → 2021-09-07T00:00' },
  { name: 'interval, no catchup, rounding is aligned to the epoch', spec: { kind: 'interval', seconds: 7 * 86_400 }, earliest: '2024-01-01T00:00', catchup: false, now: '2024-06-15T10:30', expected: '2024-06-06T00:00 → 2024-06-13T00:00' },
  { name: 'cron, no catchup, a daily 16:30 with a start date yesterday waits for today', spec: daily1630, earliest: '2021-09-06T00:00', catchup: false, now: '2021-09-07T00:00', expected: '2021-09-06T16:30 → 2021-09-07T16:30' },
  { name: 'cron, no catchup, a start date in the future is respected', spec: daily, earliest: '2024-07-01T12:00', catchup: false, now: '2024-06-15T10:30', expected: '2024-07-02T00:00 → 2024-07-03T00:00' },
  { name: 'cron, no catchup, works without a start date', spec: daily, earliest: null, catchup: false, now: '2024-06-15T10:30', expected: '2024-06-14T00:00 → 2024-06-15T00:00' },
  { name: 'cron, no catchup, a recent previous run is followed', spec: daily1630, earliest: null, last: ['2021-09-06T00:00', '2021-09-07T00:00'], catchup: false, now: '2021-09-07T00:00', expected: '2021-09-06T16:30 → 2021-09-07T16:30' },
  // end date
  { name: 'cron, a start past the end date means no run', spec: daily, earliest: '2024-01-01T00:00', last: ['2024-01-30T00:00', '2024-01-31T00:00'], latest: '2024-01-30T12:00', catchup: true, now: '2024-06-15T10:30', expected: null },
  { name: 'cron, a run starting exactly at the end date is still created', spec: daily, earliest: '2024-01-01T00:00', last: ['2024-01-30T00:00', '2024-01-31T00:00'], latest: '2024-01-31T00:00', catchup: true, now: '2024-06-15T10:30', expected: '2024-01-31T00:00 → 2024-02-01T00:00' },
  { name: 'cron, no catchup, an end date in the past means no run', spec: daily, earliest: '2024-01-01T00:00', latest: '2024-02-01T00:00', catchup: false, now: '2024-06-15T10:30', expected: null },
  // schedules without periodic intervals
  { name: 'none never runs automatically', spec: { kind: 'none' }, earliest: '2024-01-01T00:00', catchup: true, now: '2024-06-15T10:30', expected: null },
  { name: 'dataset never runs on time', spec: { kind: 'dataset', condition: { uri: 's3://a' } }, earliest: '2024-01-01T00:00', catchup: true, now: '2024-06-15T10:30', expected: null },
  { name: '@once runs at the start date, whatever catchup says', spec: { kind: 'once' }, earliest: '2024-01-01T00:00', catchup: false, now: '2024-06-15T10:30', expected: '2024-01-01T00:00 → 2024-01-01T00:00' },
  { name: '@once does not run a second time', spec: { kind: 'once' }, earliest: '2024-01-01T00:00', last: ['2024-01-01T00:00', '2024-01-01T00:00'], catchup: true, now: '2024-06-15T10:30', expected: null },
  { name: '@once needs a start date', spec: { kind: 'once' }, earliest: null, catchup: true, now: '2024-06-15T10:30', expected: null },
  { name: '@once after the end date does not run', spec: { kind: 'once' }, earliest: '2024-03-01T00:00', latest: '2024-02-01T00:00', catchup: true, now: '2024-06-15T10:30', expected: null },
  { name: '@continuous first run covers start date to now', spec: { kind: 'continuous' }, earliest: '2024-06-15T00:00', catchup: false, now: '2024-06-15T10:30', expected: '2024-06-15T00:00 → 2024-06-15T10:30' },
  { name: '@continuous first run waits for a future start date', spec: { kind: 'continuous' }, earliest: '2024-07-01T00:00', catchup: false, now: '2024-06-15T10:30', expected: '2024-07-01T00:00 → 2024-07-01T00:00' },
  { name: '@continuous next run covers the previous end to now', spec: { kind: 'continuous' }, earliest: '2024-06-15T00:00', last: ['2024-06-15T00:00', '2024-06-15T10:00'], catchup: false, now: '2024-06-15T10:30', expected: '2024-06-15T10:00 → 2024-06-15T10:30' },
  { name: '@continuous stops at the end date', spec: { kind: 'continuous' }, earliest: '2024-06-15T00:00', latest: '2024-06-15T10:00', catchup: false, now: '2024-06-15T10:30', expected: null },
  { name: '@continuous needs a start date', spec: { kind: 'continuous' }, earliest: null, catchup: false, now: '2024-06-15T10:30', expected: null },
];

describe('nextDagRunInfo', () => {
  for (const c of cases) {
    test(c.name, () => {
      const last: DataInterval | null = c.last ? { start: utc(c.last[0]), end: utc(c.last[1]) } : null;
      const info = nextDagRunInfo(c.spec, 'UTC', {
        lastAutomatedDataInterval: last,
        restriction: {
          earliest: c.earliest ? utc(c.earliest) : null,
          latest: c.latest ? utc(c.latest) : null,
          catchup: c.catchup,
        },
        now: utc(c.now),
      });
      assert.equal(info === null ? null : span(info.dataInterval), c.expected);
      if (info !== null) {
        assert.equal(info.logicalDate.getTime(), info.dataInterval.start.getTime(), 'logical date is the interval start');
        assert.equal(info.runAfter.getTime(), info.dataInterval.end.getTime(), 'the run is due at the interval end');
      }
    });
  }

  test('catchup off skips to the latest interval in the DAG time zone', () => {
    const info = nextDagRunInfo(daily, 'Europe/Paris', {
      lastAutomatedDataInterval: null,
      restriction: { earliest: utc('2024-01-01T00:00'), latest: null, catchup: false },
      now: utc('2024-06-15T10:30'),
    });
    assert.equal(info && span(info.dataInterval), '2024-06-13T22:00 → 2024-06-14T22:00');
  });
});
