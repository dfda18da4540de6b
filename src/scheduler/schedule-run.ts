/**
 * One scheduling decision over one DAG run: bring the scheduler's picture of the run up to date
 * (or read the run in full when the picture is missing or out of date), let the pure core decide
 * what changed, and apply the decision with compare-and-set updates: settled states, mapped
 * expansions, ready TIs moved to `scheduled`, and the run's end.
 */
import type { Kysely } from 'kysely';
import type { TiView } from '../core/run-decisions.ts';
import { RunTracker } from '../core/run-tracker.ts';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { TaskInstanceState } from '../core/states.ts';
import { priorityWeights } from '../core/weight-rules.ts';
import { casDagRunState, casTaskInstanceStates, nowIso, type Schema } from '../store/index.ts';
import type { TiMove } from './apply-events.ts';
import type { RunModel, RunModels } from './run-models.ts';

/** The scheduling pass bumps run versions itself, once per run. */
const NO_BUMP = { bumpRunVersion: false } as const;

export interface RunRef {
  id: number;
  dagId: string;
  runId: string;
}

export interface ScheduleRunOutcome {
  runState: 'running' | 'success' | 'failed';
  /** TIs moved to `scheduled` by this decision. */
  scheduled: number;
  /** When a waiting retry/reschedule of this run becomes due. */
  nextWakeAt: Date | null;
  /** Whether this decision wrote any task instance of the run. */
  wrote: boolean;
  /**
   * A compare-and-set moved fewer rows than the picture expected: something else changed the
   * run meanwhile. The picture was dropped; decide the run again (it is then read in full).
   */
  stale: boolean;
}

export interface ScheduleRunInput {
  run: RunRef & { tiVersion: number };
  dag: SerializedDag;
  now: Date;
  models: RunModels;
  /** What this pass already recorded for the run's TIs (results, lost tries), oldest first. */
  moves: readonly TiMove[];
  /**
   * When given, TIs found ready are not written here: they are added to this list, counted as
   * scheduled in the picture, and the caller moves them to `scheduled` later in the same
   * transaction (with `scheduleReadyTis`, or folded into the queueing step's statement). The caller
   * must then drop the picture of, and decide again, any run whose ready TIs did not all move.
   */
  deferReady?: ReadyTi[];
}

/** A TI a decision found ready to be scheduled, from the states it may be moved out of. */
export type ReadyTi = { dagId: string; runId: string; taskId: string; mapIndex: number };

/** The states a ready TI is moved to `scheduled` from. */
export const READY_FROM: readonly TaskInstanceState[] = ['none', 'up_for_retry', 'up_for_reschedule'];

export async function scheduleRun(trx: Kysely<Schema>, input: ScheduleRunInput): Promise<ScheduleRunOutcome> {
  const { run, dag, now, models } = input;
  const key = `${run.dagId}\u0000${run.runId}`;
  let model = models.current(key, run.tiVersion, dag);
  if (model) {
    for (const m of input.moves) {
      if (!model.tracker.update(m.key.taskId, m.key.mapIndex, m.state, m.nextTryAt)) {
        models.forget(key);
        model = undefined;
        break;
      }
    }
  }
  let wrote = input.moves.length > 0;
  if (!model) {
    const loaded = await loadModel(trx, run, dag);
    model = loaded.model;
    wrote ||= loaded.wrote;
  }
  models.set(key, model);
  const tracker = model.tracker;

  const lengths = new Map<string, number>();
  const needed = tracker.mapSourcesNeeded();
  if (needed.length) {
    const rows = await trx
      .selectFrom('xcom')
      .select(['task_id', 'key', 'list_length'])
      .where('dag_id', '=', run.dagId)
      .where('run_id', '=', run.runId)
      .where('map_index', '=', -1)
      .where('task_id', 'in', [...new Set(needed.map((n) => n.taskId))])
      .where('list_length', 'is not', null)
      .execute();
    for (const r of rows) lengths.set(`${r.task_id}\u0000${r.key}`, r.list_length!);
  }

  const decision = tracker.decide(now, (taskId, xcomKey) => lengths.get(`${taskId}\u0000${xcomKey}`));
  const ts = now.toISOString();
  let stale = false;

  for (const e of decision.expansions) {
    await expand(trx, run, e.taskId, e.length, ts);
    wrote = true;
  }

  const byTarget = new Map<TaskInstanceState, Array<{ key: { dagId: string; runId: string; taskId: string; mapIndex: number }; from: TaskInstanceState }>>();
  for (const c of decision.changes) {
    const list = byTarget.get(c.to) ?? byTarget.set(c.to, []).get(c.to)!;
    list.push({ key: { dagId: run.dagId, runId: run.runId, taskId: c.taskId, mapIndex: c.mapIndex }, from: c.from });
  }
  for (const [to, list] of byTarget) {
    const froms = [...new Set(list.map((l) => l.from))];
    const moved = await casTaskInstanceStates(trx, list.map((l) => l.key), froms, { state: to, end_date: ts }, NO_BUMP);
    if (moved.length !== list.length) stale = true;
    wrote = true;
  }

  let scheduled = 0;
  if (decision.ready.length && input.deferReady) {
    for (const r of decision.ready) {
      input.deferReady.push({ dagId: run.dagId, runId: run.runId, taskId: r.taskId, mapIndex: r.mapIndex });
      tracker.update(r.taskId, r.mapIndex, 'scheduled');
    }
    scheduled = decision.ready.length;
    wrote = true;
  } else if (decision.ready.length) {
    const moved = await casTaskInstanceStates(
      trx,
      decision.ready.map((r) => ({ dagId: run.dagId, runId: run.runId, taskId: r.taskId, mapIndex: r.mapIndex })),
      READY_FROM,
      { state: 'scheduled', next_try_at: null },
      NO_BUMP,
    );
    scheduled = moved.length;
    for (const m of moved) tracker.update(m.taskId, m.mapIndex, 'scheduled');
    if (moved.length !== decision.ready.length) stale = true;
    wrote = true;
  }

  if (stale) {
    models.forget(key);
    return { runState: 'running', scheduled, nextWakeAt: null, wrote, stale };
  }
  if (decision.runState !== 'running') {
    models.forget(key);
    const moved = await casDagRunState(trx, { dagId: run.dagId, runId: run.runId }, ['running'], { state: decision.runState, end_date: ts, last_scheduling_decision: ts });
    if (!moved) return { runState: 'running', scheduled, nextWakeAt: null, wrote, stale: false };
  }
  return { runState: decision.runState, scheduled, nextWakeAt: decision.nextWakeAt, wrote, stale: false };
}

/** Reads every TI of the run, reconciles them with the DAG's tasks and builds its picture. */
async function loadModel(trx: Kysely<Schema>, run: RunRef & { tiVersion: number }, dag: SerializedDag): Promise<{ model: RunModel; wrote: boolean }> {
  const tis = await trx
    .selectFrom('task_instance')
    .select(['task_id', 'map_index', 'state', 'next_try_at'])
    .where('dag_id', '=', run.dagId)
    .where('run_id', '=', run.runId)
    .execute();
  const wrote = await reconcileTasks(trx, run, dag, tis);
  const views: TiView[] = tis.map((t) => ({ taskId: t.task_id, mapIndex: t.map_index, state: t.state, nextTryAt: t.next_try_at ? new Date(t.next_try_at) : null }));
  return { model: { tracker: new RunTracker(dag.tasks, views), dag, version: run.tiVersion }, wrote };
}

/**
 * Adds TIs for tasks added to the DAG since the run began; marks TIs of deleted tasks removed.
 * Returns whether it changed anything.
 */
async function reconcileTasks(
  trx: Kysely<Schema>,
  run: RunRef,
  dag: SerializedDag,
  tis: Array<{ task_id: string; map_index: number; state: TaskInstanceState; next_try_at: string | null }>,
): Promise<boolean> {
  const known = new Set(tis.map((t) => t.task_id));
  const taskIds = new Set(dag.tasks.map((t) => t.taskId));
  const missing = dag.tasks.filter((t) => !known.has(t.taskId));
  if (missing.length) {
    const weights = priorityWeights(dag.tasks);
    const ts = nowIso();
    await trx
      .insertInto('task_instance')
      .values(missing.map((t) => ({
        dag_id: run.dagId, run_id: run.runId, task_id: t.taskId, map_index: -1, state: 'none' as const, try_number: 0,
        max_tries: t.retries, pool: t.pool, pool_slots: t.poolSlots, queue: t.queue,
        priority_weight: weights.get(t.taskId) ?? t.priorityWeight, operator: t.operator, updated_at: ts,
      })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    for (const t of missing) tis.push({ task_id: t.taskId, map_index: -1, state: 'none', next_try_at: null });
  }
  const gone = tis.filter((t) => !taskIds.has(t.task_id) && t.state !== 'removed');
  if (gone.length) {
    await casTaskInstanceStates(
      trx,
      gone.map((t) => ({ dagId: run.dagId, runId: run.runId, taskId: t.task_id, mapIndex: t.map_index })),
      [...new Set(gone.map((t) => t.state))],
      { state: 'removed' },
      NO_BUMP,
    );
    for (const t of gone) t.state = 'removed';
  }
  for (let i = tis.length - 1; i >= 0; i--) if (!taskIds.has(tis[i]!.task_id)) tis.splice(i, 1);
  return missing.length > 0 || gone.length > 0;
}

/** Turns the unexpanded TI (map index -1) into copies 0..length-1. */
async function expand(trx: Kysely<Schema>, run: RunRef, taskId: string, length: number, ts: string): Promise<void> {
  const base = await trx
    .selectFrom('task_instance')
    .selectAll()
    .where('dag_id', '=', run.dagId)
    .where('run_id', '=', run.runId)
    .where('task_id', '=', taskId)
    .where('map_index', '=', -1)
    .where('state', '=', 'none')
    .executeTakeFirst();
  if (!base) return;
  await trx.updateTable('task_instance').set({ map_index: 0, updated_at: ts }).where('dag_id', '=', run.dagId).where('run_id', '=', run.runId).where('task_id', '=', taskId).where('map_index', '=', -1).execute();
  const rest = [];
  for (let i = 1; i < length; i++) rest.push({ ...base, map_index: i, updated_at: ts });
  for (let i = 0; i < rest.length; i += 200) await trx.insertInto('task_instance').values(rest.slice(i, i + 200)).execute();
}
