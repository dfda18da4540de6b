/**
 * Creates scheduled runs for DAGs whose next run is due (cron, presets, intervals, @once,
 * @continuous), one per DAG per pass, within maxActiveRuns, and advances `next_dagrun*`.
 */
import type { Kysely } from 'kysely';
import { DagRunType } from '../core/states.ts';
import { forUpdate, nowIso, type Schema, inTransaction } from '../store/index.ts';
import { createDagRun, RunConflictError } from './create-run.ts';
import { fieldsFrom } from './next-run-fields.ts';
import type { SerializedDagCache } from './serialized-dags.ts';

export interface DueRunsResult {
  created: Array<{ dagId: string; runId: string }>;
  /** Earliest `next_dagrun_create_after` in the future among unpaused DAGs. */
  nextDueAt: Date | null;
}

export async function createDueRuns(db: Kysely<Schema>, cache: SerializedDagCache, now: Date, jobId: number | null): Promise<DueRunsResult> {
  const created: DueRunsResult['created'] = [];
  const due = await db
    .selectFrom('dag')
    .select(['dag_id', 'max_active_runs', 'next_dagrun', 'next_dagrun_data_interval_start', 'next_dagrun_data_interval_end', 'next_dagrun_create_after'])
    .where('is_paused', '=', 0)
    .where('is_active', '=', 1)
    .where('next_dagrun_create_after', '<=', now.toISOString())
    .execute();
  for (const row of due) {
    await inTransaction(db, async (trx) => {
      // One scheduler at a time per DAG (PostgreSQL): skip a DAG another scheduler holds, and
      // one whose next run another scheduler created since the query above.
      const locked = await forUpdate(trx, trx.selectFrom('dag').select('next_dagrun_create_after').where('dag_id', '=', row.dag_id), { skipLocked: true }).executeTakeFirst();
      if (!locked || locked.next_dagrun_create_after !== row.next_dagrun_create_after) return;
      const d = await cache.get(trx, row.dag_id);
      if (!d || !row.next_dagrun || !row.next_dagrun_data_interval_start || !row.next_dagrun_data_interval_end) return;
      const active = await trx
        .selectFrom('dag_run')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dag_id', '=', row.dag_id)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirstOrThrow();
      const limit = d.schedule.kind === 'continuous' ? 1 : row.max_active_runs;
      if (Number(active.n) >= limit) return;
      const interval = { start: new Date(row.next_dagrun_data_interval_start), end: new Date(row.next_dagrun_data_interval_end) };
      try {
        const run = await createDagRun(trx, {
          dag: d, runType: DagRunType.Scheduled, logicalDate: new Date(row.next_dagrun), dataInterval: interval,
          externalTrigger: false, creatingJobId: jobId,
        });
        created.push({ dagId: run.dagId, runId: run.runId });
      } catch (e) {
        if (!(e instanceof RunConflictError)) throw e;
      }
      const next = d.schedule.kind === 'once' ? null : fieldsFrom(d, interval, now);
      await trx
        .updateTable('dag')
        .set(next ?? { next_dagrun: null, next_dagrun_data_interval_start: null, next_dagrun_data_interval_end: null, next_dagrun_create_after: null })
        .where('dag_id', '=', row.dag_id)
        .execute();
    });
  }
  const upcoming = await db
    .selectFrom('dag')
    .select((eb) => eb.fn.min('next_dagrun_create_after').as('next'))
    .where('is_paused', '=', 0)
    .where('is_active', '=', 1)
    .where('next_dagrun_create_after', '>', nowIso())
    .executeTakeFirst();
  return { created, nextDueAt: upcoming?.next ? new Date(upcoming.next as string) : null };
}
