/**
 * The `next_dagrun*` columns of a DAG: when its next scheduled run is due and which interval
 * it covers, from its timetable and its last automated run.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import { nextDagRunInfo, type DataInterval } from '../core/timetable/index.ts';
import type { Schema } from '../store/index.ts';

export interface NextRunFields {
  next_dagrun: string | null;
  next_dagrun_data_interval_start: string | null;
  next_dagrun_data_interval_end: string | null;
  next_dagrun_create_after: string | null;
}

const NONE: NextRunFields = { next_dagrun: null, next_dagrun_data_interval_start: null, next_dagrun_data_interval_end: null, next_dagrun_create_after: null };

/** Interval of the latest scheduled run of the DAG, if any (backfills do not move the schedule). */
export async function lastAutomatedInterval(db: Kysely<Schema>, dagId: string): Promise<DataInterval | null> {
  const row = await db
    .selectFrom('dag_run')
    .select(['data_interval_start', 'data_interval_end'])
    .where('dag_id', '=', dagId)
    .where('run_type', '=', 'scheduled')
    .orderBy('logical_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row?.data_interval_start || !row.data_interval_end) return null;
  return { start: new Date(row.data_interval_start), end: new Date(row.data_interval_end) };
}

export async function nextRunFields(db: Kysely<Schema>, d: SerializedDag, now: Date): Promise<NextRunFields> {
  if (d.schedule.kind === 'none' || d.schedule.kind === 'dataset') return NONE;
  const last = await lastAutomatedInterval(db, d.dagId);
  if (d.schedule.kind === 'once' && last) return NONE;
  return fieldsFrom(d, last, now);
}

export function fieldsFrom(d: SerializedDag, last: DataInterval | null, now: Date): NextRunFields {
  const info = nextDagRunInfo(d.schedule, d.timezone, {
    lastAutomatedDataInterval: last,
    restriction: { earliest: d.startDate ? new Date(d.startDate) : null, latest: d.endDate ? new Date(d.endDate) : null, catchup: d.catchup },
    now,
  });
  if (!info) return NONE;
  return {
    next_dagrun: info.logicalDate.toISOString(),
    next_dagrun_data_interval_start: info.dataInterval.start.toISOString(),
    next_dagrun_data_interval_end: info.dataInterval.end.toISOString(),
    next_dagrun_create_after: info.runAfter.toISOString(),
  };
}
