/**
 * What v2 routes look up: task instances with what their views need of their run, and the DAG
 * versions rows point at (read in one query per page).
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/index.ts';
import { notFound } from './errors.ts';
import type { DagVersionLike } from './views/dag-version.ts';
import type { TiRow } from './views/runs.ts';

/** Task instances joined with their run's logical date, `has_logical_date` and version. */
export function tiQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('task_instance as ti')
    .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'ti.dag_id').onRef('r.run_id', '=', 'ti.run_id'))
    .selectAll('ti')
    .select(['r.logical_date', 'r.has_logical_date', 'r.dag_version_id']);
}

/** One task instance, or 404. */
export async function requireTiRow(db: Kysely<Schema>, k: { dagId: string; runId: string; taskId: string; mapIndex: number }): Promise<TiRow> {
  const ti = await tiQuery(db).where('ti.dag_id', '=', k.dagId).where('ti.run_id', '=', k.runId).where('ti.task_id', '=', k.taskId).where('ti.map_index', '=', k.mapIndex).executeTakeFirst();
  if (!ti) throw notFound(`The Task Instance with dag_id: \`${k.dagId}\`, run_id: \`${k.runId}\`, task_id: \`${k.taskId}\` and map_index: \`${k.mapIndex}\` was not found`);
  return ti as TiRow;
}

/** The DAG versions with these ids, by id. */
export async function versionsById(db: Kysely<Schema>, ids: Array<number | null>): Promise<Map<number, DagVersionLike>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (!wanted.length) return new Map();
  const rows = await db.selectFrom('dag_version').select(['id', 'dag_id', 'version_number', 'created_at']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r]));
}
