/**
 * Compare-and-set state changes for task instances and DAG runs.
 *
 * These helpers are the only way a task instance's or a DAG run's `state` changes anywhere in
 * Baton. Each one is a single `UPDATE … WHERE <key> AND state IN (<expected>)`: the row moves
 * only if it is still in a state the caller saw, so two actors racing on the same row (two
 * schedulers, a worker and the scheduler, a user marking a task) can never both win. The
 * loser gets `false` (or is left out of the returned keys) and must re-read before deciding
 * anything else. On PostgreSQL at READ COMMITTED, a racing UPDATE waits for the winner's
 * transaction and then re-checks the state, so exactly one succeeds.
 *
 * `updated_at` is set to now unless the patch sets it.
 *
 * A task instance CAS that moves rows also increments their runs' `ti_version`, which tells a
 * scheduler that its in-memory picture of those runs is out of date. The scheduling pass itself
 * passes `{ bumpRunVersion: false }`: it updates its own picture and bumps each run once
 * (`bumpRunVersions`); so do moves between states no decision depends on (queued → running).
 */
import { sql, type Kysely, type RawBuilder, type UpdateObject } from 'kysely';
import { isDagRunState, isTiState } from '../core/states.ts';
import type { DagRunState, TaskInstanceState } from '../core/states.ts';
import { nowIso } from './codec.ts';
import { dialectOf } from './dialect.ts';
import type { Schema } from './schema.ts';

/** The identity of a task instance. `mapIndex` is -1 for a task that is not mapped. */
export interface TaskInstanceKey {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

/** The identity of a DAG run. */
export interface DagRunKey {
  dagId: string;
  runId: string;
}

/** Columns a task instance CAS may set: anything but its identity. Values or SQL expressions. */
export type TaskInstancePatch = Omit<UpdateObject<Schema, 'task_instance'>, 'dag_id' | 'run_id' | 'task_id' | 'map_index'>;
/** Columns a DAG run CAS may set: anything but its identity. Values or SQL expressions. */
export type DagRunPatch = Omit<UpdateObject<Schema, 'dag_run'>, 'id' | 'dag_id' | 'run_id'>;

/** Options of the task instance compare-and-set helpers. */
export interface TiCasOptions {
  /** Increment the moved TIs' runs' `ti_version` (default true). */
  bumpRunVersion?: boolean;
}

/** Keys per UPDATE in the bulk form, well under both dialects' bound-parameter limits. */
const CHUNK = 500;

/**
 * Moves one task instance from one of the `expected` states, applying `patch`.
 * Returns true when exactly one row moved; false when the TI is missing or in another state.
 */
export async function casTaskInstanceState(
  trx: Kysely<Schema>,
  key: TaskInstanceKey,
  expected: TaskInstanceState | readonly TaskInstanceState[],
  patch: TaskInstancePatch,
  opts: TiCasOptions = {},
): Promise<boolean> {
  const states = expectedStates(expected, isTiState, 'task instance');
  checkPatchState(patch.state, isTiState, 'task instance');
  // Written as one SQL template: this runs several times per task on the scheduler's hot path.
  const result = await sql`update task_instance set ${setClause(patch)}
    where dag_id = ${key.dagId} and run_id = ${key.runId} and task_id = ${key.taskId} and map_index = ${key.mapIndex}
    and state in (${sql.join(states)})`.execute(trx);
  const moved = result.numAffectedRows === 1n;
  if (moved && opts.bumpRunVersion !== false) await bumpRunVersions(trx, [key]);
  return moved;
}

/**
 * The bulk form of `casTaskInstanceState`: moves every listed task instance that is in one of
 * the `expected` states and returns the keys of those that moved (in no particular order).
 */
export async function casTaskInstanceStates(
  trx: Kysely<Schema>,
  keys: readonly TaskInstanceKey[],
  expected: TaskInstanceState | readonly TaskInstanceState[],
  patch: TaskInstancePatch,
  opts: TiCasOptions = {},
): Promise<TaskInstanceKey[]> {
  const moved: TaskInstanceKey[] = [];
  for (const s of taskInstanceCasStatements(keys, expected, patch)) {
    const { rows } = await s.query.execute(trx);
    moved.push(...s.moved(rows));
  }
  if (moved.length && opts.bumpRunVersion !== false) await bumpRunVersions(trx, moved);
  return moved;
}

/** One statement of a bulk task instance compare-and-set, and the keys it moved from its rows. */
export interface TiCasStatement {
  query: RawBuilder<{ task_id: string; map_index: number }>;
  moved(rows: ReadonlyArray<{ task_id: string; map_index: number }>): TaskInstanceKey[];
}

/**
 * The statements of `casTaskInstanceStates` (one per run and chunk of keys), for callers that
 * send them otherwise (several in one round trip). They do not bump run versions.
 */
export function taskInstanceCasStatements(
  keys: readonly TaskInstanceKey[],
  expected: TaskInstanceState | readonly TaskInstanceState[],
  patch: TaskInstancePatch,
): TiCasStatement[] {
  const states = expectedStates(expected, isTiState, 'task instance');
  checkPatchState(patch.state, isTiState, 'task instance');
  const byRun = new Map<string, TaskInstanceKey[]>();
  for (const k of keys) {
    const rk = `${k.dagId}\u0000${k.runId}`;
    const list = byRun.get(rk);
    if (list) list.push(k);
    else byRun.set(rk, [k]);
  }
  const set = setClause(patch);
  const out: TiCasStatement[] = [];
  for (const list of byRun.values()) {
    const { dagId, runId } = list[0]!;
    for (let i = 0; i < list.length; i += CHUNK) {
      const chunk = list.slice(i, i + CHUNK);
      const pairs = sql.join(chunk.map((k) => sql`(${k.taskId}, cast(${k.mapIndex} as integer))`));
      out.push({
        query: sql<{ task_id: string; map_index: number }>`update task_instance set ${set}
          where dag_id = ${dagId} and run_id = ${runId} and (task_id, map_index) in (values ${pairs})
          and state in (${sql.join(states)})
          returning task_id, map_index`,
        moved: (rows) => rows.map((r) => ({ dagId, runId, taskId: r.task_id, mapIndex: r.map_index })),
      });
    }
  }
  return out;
}

/**
 * Increments `ti_version` of each distinct run among `keys` (in a stable order, so concurrent
 * bumps lock runs in the same order) and returns the new versions by `dagId\0runId`.
 */
export async function bumpRunVersions(trx: Kysely<Schema>, keys: readonly DagRunKey[]): Promise<Map<string, number>> {
  const runs = new Map<string, DagRunKey>();
  for (const k of keys) runs.set(`${k.dagId}\u0000${k.runId}`, k);
  const out = new Map<string, number>();
  for (const [rk, k] of [...runs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const row = await sql<{ ti_version: number }>`update dag_run set ti_version = ti_version + 1
      where dag_id = ${k.dagId} and run_id = ${k.runId} returning ti_version`.execute(trx);
    if (row.rows[0]) out.set(rk, Number(row.rows[0].ti_version));
  }
  return out;
}

/**
 * `bumpRunVersions` for runs another transaction may hold locked: on PostgreSQL it bumps, in
 * one statement, only the runs it can lock at once (`SKIP LOCKED`) and never waits, so two
 * schedulers that each hold some runs and bump the other's cannot deadlock. Returns the new
 * versions of the runs it bumped; the caller bumps the others later. SQLite (one writer at a
 * time) bumps them all.
 */
export async function bumpRunVersionsSkipLocked(trx: Kysely<Schema>, keys: readonly DagRunKey[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  if (dialectOf(trx) !== 'postgres') return bumpRunVersions(trx, keys);
  const runs = new Map<string, DagRunKey>();
  for (const k of keys) runs.set(`${k.dagId}\u0000${k.runId}`, k);
  const out = new Map<string, number>();
  const list = [...runs.values()];
  for (let i = 0; i < list.length; i += CHUNK) {
    const pairs = sql.join(list.slice(i, i + CHUNK).map((k) => sql`(${k.dagId}, ${k.runId})`));
    const { rows } = await sql<{ dag_id: string; run_id: string; ti_version: number }>`update dag_run set ti_version = dag_run.ti_version + 1
      where id in (select id from dag_run where (dag_id, run_id) in (values ${pairs}) order by id for no key update skip locked)
      returning dag_id, run_id, ti_version`.execute(trx);
    for (const r of rows) out.set(`${r.dag_id}\u0000${r.run_id}`, Number(r.ti_version));
  }
  return out;
}

/** `col = value, …` for a patch whose values are plain values or SQL expressions; sets updated_at. */
function setClause(patch: TaskInstancePatch): RawBuilder<unknown> {
  const entries = Object.entries({ updated_at: nowIso(), ...patch }).filter(([, v]) => v !== undefined);
  return sql.join(entries.map(([col, v]) => sql`${sql.ref(col)} = ${v as unknown}`));
}

/**
 * Moves one DAG run from one of the `expected` states, applying `patch`.
 * Returns true when exactly one row moved; false when the run is missing or in another state.
 */
export async function casDagRunState(
  trx: Kysely<Schema>,
  key: DagRunKey,
  expected: DagRunState | readonly DagRunState[],
  patch: DagRunPatch,
): Promise<boolean> {
  const states = expectedStates(expected, isDagRunState, 'DAG run');
  checkPatchState(patch.state, isDagRunState, 'DAG run');
  const result = await trx
    .updateTable('dag_run')
    .set({ updated_at: nowIso(), ...patch })
    .where('dag_id', '=', key.dagId)
    .where('run_id', '=', key.runId)
    .where('state', 'in', states)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

function expectedStates<S extends string>(expected: S | readonly S[], isState: (v: unknown) => v is S, what: string): S[] {
  const states = typeof expected === 'string' ? [expected] : [...expected];
  if (states.length === 0) {
    throw new Error(`A ${what} compare-and-set needs at least one expected state; pass the state(s) the row was read in.`);
  }
  for (const s of states) {
    if (!isState(s)) throw new Error(`${JSON.stringify(s)} is not a ${what} state; use one of the states in core/states.ts (a TI with no state is 'none').`);
  }
  return states;
}

function checkPatchState(state: unknown, isState: (v: unknown) => boolean, what: string): void {
  if (typeof state === 'string' && !isState(state)) {
    throw new Error(`Cannot set a ${what} to ${JSON.stringify(state)}: it is not a ${what} state. Use one of the states in core/states.ts.`);
  }
}
