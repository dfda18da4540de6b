/**
 * Backfills as objects (Airflow 3): a backfill owns one run per logical date of its DAG's
 * schedule in [from, to]. Creating one decides each date at once, in one transaction:
 *
 * - no run at that date → a new `backfill` run, queued;
 * - a queued or running run → left alone (`in flight`);
 * - a finished run → reprocessed (its task instances cleared, the run queued again and
 *   attached to the backfill) when `reprocess_behavior` asks for it — `failed` reprocesses
 *   failed runs, `completed` reprocesses failed and successful runs, `none` nothing — and
 *   otherwise left alone (`already exists`).
 *
 * So a date never gets a second run. The scheduler starts a backfill's queued runs while it is
 * not paused and has fewer than `max_active_runs` running (start-queued-runs.ts), and marks the
 * backfill completed when none of its runs is queued or running. Cancelling fails its queued
 * runs and completes it; running runs finish.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { DagRunState } from '../core/states.ts';
import { dataIntervalsBetween } from '../core/timetable/index.ts';
import { casDagRunState, nowIso, type Schema } from '../store/index.ts';
import type { ReprocessBehavior } from '../store/schema.ts';
import { clearTaskInstances, findTaskInstancesToClear } from './clear-tasks.ts';
import { createDagRun, defaultRunId } from './create-run.ts';

/**
 * Whether a run goes on while its DAG is paused: backfill runs, and runs a backfill reprocesses
 * (whatever their type), as Airflow runs backfills of paused DAGs.
 */
export function runsWhilePaused(run: { run_type: string; backfill_id: number | null }): boolean {
  return run.run_type === 'backfill' || run.backfill_id !== null;
}

/** Why a backfill refused a request; `status` is the HTTP status the API answers. */
export class BackfillError extends Error {
  override readonly name = 'BackfillError';
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** What a new backfill covers and how it runs. */
export interface BackfillRequest {
  from: Date;
  to: Date;
  reprocessBehavior: ReprocessBehavior;
  /** At most this many of its runs running at once (at least 1). */
  maxActiveRuns: number;
  runBackwards: boolean;
  conf: Record<string, unknown>;
  triggeringUser: string | null;
}

/** One logical date of a backfill plan. */
export interface PlannedDate {
  logicalDate: Date;
  dataInterval: { start: Date; end: Date };
  /** `create` a run, `reprocess` the existing one, or `skip` it (with the reason). */
  action: 'create' | 'reprocess' | 'skip';
  existingRunId: string | null;
  /** The state of the existing run (null when there is none). */
  existingState: DagRunState | null;
  reason: 'in flight' | 'already exists' | null;
}

/** A backfill just created, with each of its dates in the order its runs start. */
export interface CreatedBackfill {
  id: number;
  /** Each date's plan and its run: the one created or reprocessed (null when skipped). */
  dates: Array<PlannedDate & { runId: string | null }>;
}

/** Decides each logical date of the range (see the module comment); changes nothing. */
export async function planBackfillDates(db: Kysely<Schema>, dag: SerializedDag, r: Pick<BackfillRequest, 'from' | 'to' | 'reprocessBehavior' | 'runBackwards'>): Promise<PlannedDate[]> {
  if (r.from.getTime() > r.to.getTime()) throw new BackfillError(400, `from_date (${r.from.toISOString()}) must not be after to_date (${r.to.toISOString()}).`);
  let infos;
  try {
    infos = dataIntervalsBetween(dag.schedule, dag.timezone, r.from, r.to);
  } catch (e) {
    throw new BackfillError(400, (e as Error).message);
  }
  const existing = infos.length
    ? await db.selectFrom('dag_run').select(['run_id', 'logical_date', 'state']).where('dag_id', '=', dag.dagId)
      .where('logical_date', '>=', infos[0]!.logicalDate.toISOString()).where('logical_date', '<=', infos.at(-1)!.logicalDate.toISOString()).execute()
    : [];
  const byDate = new Map(existing.map((row) => [row.logical_date, row]));
  const planned = infos.map((info): PlannedDate => {
    const row = byDate.get(info.logicalDate.toISOString());
    const base = { logicalDate: info.logicalDate, dataInterval: info.dataInterval };
    if (!row) return { ...base, action: 'create', existingRunId: null, existingState: null, reason: null };
    const existing = { existingRunId: row.run_id, existingState: row.state };
    if (row.state === 'queued' || row.state === 'running') return { ...base, action: 'skip', ...existing, reason: 'in flight' };
    const reprocess = (r.reprocessBehavior === 'failed' && row.state === 'failed') || (r.reprocessBehavior === 'completed' && (row.state === 'failed' || row.state === 'success'));
    return { ...base, action: reprocess ? 'reprocess' : 'skip', ...existing, reason: reprocess ? null : 'already exists' };
  });
  return r.runBackwards ? planned.reverse() : planned;
}

/**
 * Creates the backfill and its runs (see the module comment) in one transaction: the API's
 * `POST /backfills` and `baton dags backfill` both come here.
 */
export async function createBackfill(db: Kysely<Schema>, dag: SerializedDag, r: BackfillRequest, o: { xcomFolder: string }): Promise<CreatedBackfill> {
  if (!Number.isInteger(r.maxActiveRuns) || r.maxActiveRuns < 1) throw new BackfillError(400, `max_active_runs must be at least 1 (got ${r.maxActiveRuns}).`);
  return db.transaction().execute(async (trx) => {
    const active = await trx.selectFrom('backfill').select('id').where('dag_id', '=', dag.dagId).where('completed_at', 'is', null).executeTakeFirst();
    if (active) throw new BackfillError(409, `Another backfill (id ${active.id}) of DAG '${dag.dagId}' is still running; cancel it or wait for it to complete.`);
    const plan = await planBackfillDates(trx, dag, r);
    const ts = nowIso();
    const { id } = await trx.insertInto('backfill').values({
      dag_id: dag.dagId, from_date: r.from.toISOString(), to_date: r.to.toISOString(), dag_run_conf: JSON.stringify(r.conf), is_paused: 0,
      reprocess_behavior: r.reprocessBehavior, max_active_runs: r.maxActiveRuns, run_backwards: r.runBackwards ? 1 : 0, triggering_user_name: r.triggeringUser,
      created_at: ts, completed_at: null, updated_at: ts,
    }).returning('id').executeTakeFirstOrThrow();
    const reprocess: string[] = [];
    const dates: CreatedBackfill['dates'] = [];
    for (const [i, p] of plan.entries()) {
      let runId = p.existingRunId;
      if (p.action === 'create') {
        const made = await createDagRun(trx, { dag, runType: 'backfill', runId: defaultRunId('backfill', p.logicalDate), logicalDate: p.logicalDate, dataInterval: p.dataInterval, conf: r.conf, externalTrigger: false });
        runId = made.runId;
        await trx.updateTable('dag_run').set({ backfill_id: id, triggering_user_name: r.triggeringUser }).where('id', '=', made.id).execute();
      } else if (p.action === 'reprocess') {
        reprocess.push(runId!);
      }
      await trx.insertInto('backfill_dag_run').values({ backfill_id: id, logical_date: p.logicalDate.toISOString(), run_id: p.action === 'skip' ? null : runId, exception_reason: p.reason, sort_ordinal: i + 1 }).execute();
      dates.push({ ...p, runId: p.action === 'skip' ? null : runId });
    }
    if (reprocess.length) {
      const tis = await findTaskInstancesToClear(trx, dag, { runIds: reprocess });
      await clearTaskInstances(trx, dag, tis, { xcomFolder: o.xcomFolder });
      for (const runId of reprocess) {
        await casDagRunState(trx, { dagId: dag.dagId, runId }, ['success', 'failed'], { state: 'queued', queued_at: ts, start_date: null, end_date: null, last_scheduling_decision: null });
        await trx.updateTable('dag_run').set({ backfill_id: id }).where('dag_id', '=', dag.dagId).where('run_id', '=', runId).execute();
      }
    }
    if (plan.every((p) => p.action === 'skip')) await trx.updateTable('backfill').set({ completed_at: ts }).where('id', '=', id).execute();
    return { id, dates };
  });
}

/** Pauses or resumes a backfill that has not completed. */
export async function setBackfillPaused(db: Kysely<Schema>, id: number, paused: boolean): Promise<void> {
  const b = await db.selectFrom('backfill').select(['completed_at']).where('id', '=', id).executeTakeFirst();
  if (!b) throw new BackfillError(404, `Could not find the Backfill with id: \`${id}\``);
  if (b.completed_at) throw new BackfillError(409, 'Backfill is already completed.');
  await db.updateTable('backfill').set({ is_paused: paused ? 1 : 0, updated_at: nowIso() }).where('id', '=', id).execute();
}

/** Cancels a backfill: its queued runs fail, running ones finish, and it is completed. */
export async function cancelBackfill(db: Kysely<Schema>, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const b = await trx.selectFrom('backfill').select(['completed_at', 'dag_id']).where('id', '=', id).executeTakeFirst();
    if (!b) throw new BackfillError(404, `Could not find the Backfill with id: \`${id}\``);
    if (b.completed_at) throw new BackfillError(409, 'Backfill is already completed.');
    const ts = nowIso();
    const queued = await trx.selectFrom('dag_run').select('run_id').where('backfill_id', '=', id).where('state', '=', 'queued').execute();
    for (const r of queued) await casDagRunState(trx, { dagId: b.dag_id, runId: r.run_id }, 'queued', { state: 'failed', end_date: ts });
    await trx.updateTable('backfill').set({ is_paused: 1, completed_at: ts, updated_at: ts }).where('id', '=', id).execute();
  });
}

/** Marks completed every backfill none of whose runs is queued or running. */
export async function completeFinishedBackfills(db: Kysely<Schema>): Promise<void> {
  const ts = nowIso();
  await db.updateTable('backfill').set({ completed_at: ts, updated_at: ts })
    .where('completed_at', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('dag_run').select('id').whereRef('dag_run.backfill_id', '=', 'backfill.id').where('dag_run.state', 'in', ['queued', 'running']))))
    .execute();
}
