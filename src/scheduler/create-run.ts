/**
 * Creating a DAG run and its task instances, the one way every run comes to exist (scheduler,
 * `baton dags trigger`, the REST API, TriggerDagRunOperator, dataset events, backfill).
 * Validates conf against the DAG's params and refuses a duplicate run id or logical date.
 */
import { sql, type Kysely } from 'kysely';
import { resolveParams } from '../core/params.ts';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { DagRunState, DagRunType } from '../core/states.ts';
import { inferManualDataInterval, type DataInterval } from '../core/timetable/index.ts';
import { priorityWeights } from '../core/weight-rules.ts';
import { defaultRunId } from '../core/run-id.ts';
import { nowIso, toFlag, type Schema } from '../store/index.ts';

export interface CreateRunInput {
  dag: SerializedDag;
  runType: DagRunType;
  /** Default: derived from run type and logical date (`manual__2024-01-01T00:00:00+00:00`). */
  runId?: string;
  /** Default: now. */
  logicalDate?: Date;
  /** Default: inferred from the timetable (manual runs) or required (scheduled runs). */
  dataInterval?: DataInterval;
  conf?: Record<string, unknown>;
  externalTrigger?: boolean;
  /** Default 'queued'. */
  state?: DagRunState;
  creatingJobId?: number | null;
  note?: string | null;
}

export interface CreatedRun {
  id: number;
  dagId: string;
  runId: string;
  logicalDate: Date;
  dataInterval: DataInterval;
}

export class RunConflictError extends Error {
  override readonly name = 'RunConflictError';
}
export class RunInputError extends Error {
  override readonly name = 'RunInputError';
}

const RUN_ID_RE = /^[A-Za-z0-9_.~:+\-]+$/;

export { defaultRunId };

/** Inserts the run and one task instance per task (state none). Call inside a transaction. */
export async function createDagRun(trx: Kysely<Schema>, input: CreateRunInput): Promise<CreatedRun> {
  const d = input.dag;
  const conf = input.conf ?? {};
  if (conf === null || typeof conf !== 'object' || Array.isArray(conf)) throw new RunInputError('conf must be a JSON object');
  const params = resolveParams(d.params, conf);
  if (!params.ok) throw new RunInputError(`invalid conf for DAG '${d.dagId}': ${params.errors.join('; ')}`);
  const logicalDate = input.logicalDate ?? new Date();
  const interval = input.dataInterval ?? inferManualDataInterval(d.schedule, d.timezone, logicalDate);
  const runId = input.runId ?? defaultRunId(input.runType, logicalDate);
  if (!RUN_ID_RE.test(runId) || runId.length > 250) {
    throw new RunInputError(`run id ${JSON.stringify(runId)} is not valid: use letters, digits and _ . ~ : + - (at most 250 characters)`);
  }
  const clash = await trx
    .selectFrom('dag_run')
    .select(['run_id', 'logical_date'])
    .where('dag_id', '=', d.dagId)
    .where((eb) => eb.or([eb('run_id', '=', runId), eb('logical_date', '=', logicalDate.toISOString())]))
    .executeTakeFirst();
  if (clash) {
    throw new RunConflictError(
      clash.run_id === runId
        ? `DAG '${d.dagId}' already has a run with id '${runId}'`
        : `DAG '${d.dagId}' already has a run at logical date ${logicalDate.toISOString()} ('${clash.run_id}'); pick another logical date`,
    );
  }
  const ts = nowIso();
  const inserted = await trx
    .insertInto('dag_run')
    .values({
      dag_id: d.dagId,
      run_id: runId,
      run_type: input.runType,
      logical_date: logicalDate.toISOString(),
      data_interval_start: interval.start.toISOString(),
      data_interval_end: interval.end.toISOString(),
      conf: JSON.stringify(conf),
      state: input.state ?? 'queued',
      queued_at: ts,
      external_trigger: toFlag(input.externalTrigger ?? input.runType === 'manual'),
      creating_job_id: input.creatingJobId ?? null,
      note: input.note ?? null,
      updated_at: ts,
      // The DAG's latest version (dag-versions.ts): the structure this run is created from.
      dag_version_id: sql<number | null>`(select max(v.id) from dag_version v where v.dag_id = ${d.dagId})`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const weights = priorityWeights(d.tasks);
  const rows = d.tasks.map((t) => ({
    dag_id: d.dagId,
    run_id: runId,
    task_id: t.taskId,
    map_index: -1,
    state: 'none' as const,
    try_number: 0,
    max_tries: t.retries,
    pool: t.pool,
    pool_slots: t.poolSlots,
    queue: t.queue,
    priority_weight: weights.get(t.taskId) ?? t.priorityWeight,
    operator: t.operator,
    updated_at: ts,
  }));
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('task_instance').values(rows.slice(i, i + 200)).execute();
  return { id: inserted.id, dagId: d.dagId, runId, logicalDate, dataInterval: interval };
}
