/** The event log: an append-only audit trail of what users and components did. */
import type { Kysely, Selectable } from 'kysely';
import { fromJson, nowIso, toIso, toJson } from '../codec.ts';
import type { IsoTimestamp, LogTable, Schema } from '../schema.ts';

export interface EventLogEntry {
  id: number;
  dttm: IsoTimestamp;
  event: string;
  dagId: string | null;
  taskId: string | null;
  mapIndex: number | null;
  runId: string | null;
  tryNumber: number | null;
  owner: string | null;
  extra: unknown;
}

export interface NewEventLogEntry {
  event: string;
  /** Defaults to now. */
  dttm?: Date | string;
  dagId?: string | null;
  taskId?: string | null;
  mapIndex?: number | null;
  runId?: string | null;
  tryNumber?: number | null;
  owner?: string | null;
  /** Any JSON-serializable value. */
  extra?: unknown;
}

export interface EventLogFilter {
  dagId?: string;
  runId?: string;
  taskId?: string;
  event?: string;
  owner?: string;
  /** Entries at or after this time. */
  after?: Date | string;
  /** Entries strictly before this time. */
  before?: Date | string;
  /** Default 100. */
  limit?: number;
  offset?: number;
}

/** Appends an entry and returns its id. */
export async function appendEventLog(db: Kysely<Schema>, entry: NewEventLogEntry): Promise<number> {
  if (typeof entry.event !== 'string' || entry.event === '') {
    throw new Error('An event log entry needs a non-empty event name (e.g. "trigger", "clear", "pause").');
  }
  const row = await db
    .insertInto('log')
    .values({
      dttm: entry.dttm === undefined ? nowIso() : toIso(entry.dttm),
      event: entry.event,
      dag_id: entry.dagId ?? null,
      task_id: entry.taskId ?? null,
      map_index: entry.mapIndex ?? null,
      run_id: entry.runId ?? null,
      try_number: entry.tryNumber ?? null,
      owner: entry.owner ?? null,
      extra: entry.extra === undefined ? null : toJson(entry.extra),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Matching entries, newest first. */
export async function listEventLog(db: Kysely<Schema>, filter: EventLogFilter = {}): Promise<EventLogEntry[]> {
  let query = db.selectFrom('log').selectAll();
  if (filter.dagId !== undefined) query = query.where('dag_id', '=', filter.dagId);
  if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
  if (filter.taskId !== undefined) query = query.where('task_id', '=', filter.taskId);
  if (filter.event !== undefined) query = query.where('event', '=', filter.event);
  if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner);
  if (filter.after !== undefined) query = query.where('dttm', '>=', toIso(filter.after));
  if (filter.before !== undefined) query = query.where('dttm', '<', toIso(filter.before));
  const rows = await query
    .orderBy('dttm', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0)
    .execute();
  return rows.map(toEntry);
}

function toEntry(row: Selectable<LogTable>): EventLogEntry {
  return {
    id: row.id,
    dttm: row.dttm,
    event: row.event,
    dagId: row.dag_id,
    taskId: row.task_id,
    mapIndex: row.map_index,
    runId: row.run_id,
    tryNumber: row.try_number,
    owner: row.owner,
    extra: fromJson(row.extra, 'event log extra'),
  };
}
