import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleSpec } from '../serialized-dag.ts';
import { firstRuns, utc } from './test-helpers.ts';

const cron = (expression: string): ScheduleSpec => ({ kind: 'cron', expression });

/**
 * Consecutive catchup runs across daylight-saving changes. Zurich: 2023-03-26 02:00 → 03:00
 * and 2023-10-29 03:00 → 02:00. New York: 2024-03-10 02:00 → 03:00 and 2024-11-03 02:00 → 01:00.
 * Los Angeles: 2020-03-08 02:00 → 03:00.
 */
const cases: Array<{ name: string; spec: ScheduleSpec; zone: string; earliest: string; runs: string[] }> = [
  {
    name: 'a daily 03:00 run entering DST keeps its local time (the crossing interval is 23h)',
    spec: cron('0 3 * * *'), zone: 'Europe/Zurich', earliest: '2023-03-24T00:00',
    runs: ['2023-03-24T02:00 → 2023-03-25T02:00', '2023-03-25T02:00 → 2023-03-26T01:00', '2023-03-26T01:00 → 2023-03-27T01:00'],
  },
  {
    name: 'a daily 02:00 run on the day 02:00 does not exist moves to 03:00',
    spec: cron('0 2 * * *'), zone: 'Europe/Zurich', earliest: '2023-03-24T00:00',
    runs: ['2023-03-24T01:00 → 2023-03-25T01:00', '2023-03-25T01:00 → 2023-03-26T01:00', '2023-03-26T01:00 → 2023-03-27T00:00'],
  },
  {
    name: 'a daily 03:00 run leaving DST keeps its local time (the crossing interval is 25h)',
    spec: cron('0 3 * * *'), zone: 'Europe/Zurich', earliest: '2023-10-27T00:00',
    runs: ['2023-10-27T01:00 → 2023-10-28T01:00', '2023-10-28T01:00 → 2023-10-29T02:00', '2023-10-29T02:00 → 2023-10-30T02:00'],
  },
  {
    name: 'a daily 02:00 run on the day 02:00 happens twice uses the second 02:00',
    spec: cron('0 2 * * *'), zone: 'Europe/Zurich', earliest: '2023-10-27T00:00',
    runs: ['2023-10-27T00:00 → 2023-10-28T00:00', '2023-10-28T00:00 → 2023-10-29T01:00', '2023-10-29T01:00 → 2023-10-30T01:00'],
  },
  {
    name: 'a half-hourly run goes through the repeated hour twice',
    spec: cron('*/30 * * * *'), zone: 'Europe/Zurich', earliest: '2023-10-28T23:30',
    runs: [
      '2023-10-28T23:30 → 2023-10-29T00:00', '2023-10-29T00:00 → 2023-10-29T00:30', '2023-10-29T00:30 → 2023-10-29T01:00',
      '2023-10-29T01:00 → 2023-10-29T01:30', '2023-10-29T01:30 → 2023-10-29T02:00',
    ],
  },
  {
    name: 'an hourly run skips the missing hour in New York',
    spec: cron('0 * * * *'), zone: 'America/New_York', earliest: '2024-03-10T05:00',
    runs: ['2024-03-10T05:00 → 2024-03-10T06:00', '2024-03-10T06:00 → 2024-03-10T07:00', '2024-03-10T07:00 → 2024-03-10T08:00'],
  },
  {
    name: 'an hourly run repeats 01:00 in New York when the clock falls back',
    spec: cron('0 * * * *'), zone: 'America/New_York', earliest: '2024-11-03T04:00',
    runs: ['2024-11-03T04:00 → 2024-11-03T05:00', '2024-11-03T05:00 → 2024-11-03T06:00', '2024-11-03T06:00 → 2024-11-03T07:00'],
  },
  {
    name: 'a New York midnight run spans 23 hours over the March change',
    spec: cron('0 0 * * *'), zone: 'America/New_York', earliest: '2024-03-09T05:00',
    runs: ['2024-03-09T05:00 → 2024-03-10T05:00', '2024-03-10T05:00 → 2024-03-11T04:00', '2024-03-11T04:00 → 2024-03-12T04:00'],
  },
  {
    name: 'a Paris midnight run stays at Paris midnight across the March change',
    spec: cron('0 0 * * *'), zone: 'Europe/Paris', earliest: '2024-03-29T23:00',
    runs: ['2024-03-29T23:00 → 2024-03-30T23:00', '2024-03-30T23:00 → 2024-03-31T22:00', '2024-03-31T22:00 → 2024-04-01T22:00'],
  },
  {
    name: 'a 07:00 and 08:00 run in Los Angeles shortens the interval crossing the change',
    spec: cron('0 7-8 * * *'), zone: 'America/Los_Angeles', earliest: '2020-03-07T00:00',
    runs: ['2020-03-07T15:00 → 2020-03-07T16:00', '2020-03-07T16:00 → 2020-03-08T14:00', '2020-03-08T14:00 → 2020-03-08T15:00'],
  },
  {
    name: 'a cron in UTC is unaffected by any daylight-saving change',
    spec: cron('30 16 * * *'), zone: 'UTC', earliest: '2024-03-09T00:00',
    runs: ['2024-03-09T16:30 → 2024-03-10T16:30', '2024-03-10T16:30 → 2024-03-11T16:30'],
  },
];

describe('cron schedules across daylight-saving changes', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(firstRuns(c.spec, c.zone, utc(c.earliest), c.runs.length), c.runs);
    });
  }
});
