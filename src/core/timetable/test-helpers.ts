/** Helpers shared by the timetable tests. */
import type { ScheduleSpec } from '../serialized-dag.ts';
import { nextDagRunInfo } from './next-run.ts';
import type { DagRunInfo, DataInterval } from './types.ts';

/** A UTC instant from a short ISO string ("2024-03-10T05:00" gets a "Z"). */
export function utc(iso: string): Date {
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
}

/** "start → end" in ISO UTC without seconds, for compact expectations. */
export function span(interval: DataInterval): string {
  const short = (d: Date): string => d.toISOString().slice(0, 16);
  return `${short(interval.start)} → ${short(interval.end)}`;
}

/** The first `count` automated runs with catchup on, each following the previous one. */
export function firstRuns(spec: ScheduleSpec, timezone: string, earliest: Date, count: number): string[] {
  const spans: string[] = [];
  let last: DataInterval | null = null;
  for (let i = 0; i < count; i++) {
    const info: DagRunInfo | null = nextDagRunInfo(spec, timezone, {
      lastAutomatedDataInterval: last,
      restriction: { earliest, latest: null, catchup: true },
      now: earliest,
    });
    if (info === null) break;
    spans.push(span(info.dataInterval));
    last = info.dataInterval;
  }
  return spans;
}
