/**
 * Records what executors report, in one transaction per batch: a try started, finished (with
 * XComs, skips, dataset events, triggered runs) or was lost (worker died, killed, timed out).
 * Every state change is a compare-and-set; an event about a TI that moved on meanwhile
 * (cleared, marked by a user) changes nothing. Plain results (success, failure, skip without a
 * retry, deferral or triggered run) are written together in one statement (on PostgreSQL with
 * their history rows and first tries' XComs); the rest one by one.
 * The TI moves are reported back so the scheduler can update its picture of each run; they do
 * not bump the runs' `ti_version` (the scheduler bumps each run it touched once per pass).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { nextRetryAt } from '../core/retry-delay.ts';
import { taskOf } from '../core/task-index.ts';
import type { TaskInstanceState } from '../core/states.ts';
import { tiKeyString, type ExecutorEvent, type TiKey } from '../executors/executor.ts';
import type { TryResult } from '../runner/try-result.ts';
import { casTaskInstanceState, casTaskInstanceStates, nowIso, type Schema, type TiCasOptions, inTransaction } from '../store/index.ts';
import { createDagRun } from './create-run.ts';
import { recordAliasEvents, recordDatasetEvents } from './datasets.ts';
import { tryLogPath } from './log-path.ts';
import type { SerializedDagCache } from './serialized-dags.ts';
import { recordPlainFinishes, type AlongFinishes, type PlainFinish } from './record-finishes.ts';
import { prepareXComRows, replaceXComs, upsertXComs, type XComStoreOptions } from './xcom-store.ts';

/** The scheduling pass bumps run versions itself, once per run. */
const NO_BUMP = { bumpRunVersion: false } as const;

/** A task instance this batch moved to a new state. */
export interface TiMove {
  key: TiKey;
  state: TaskInstanceState;
  nextTryAt: Date | null;
}

export interface ApplyContext {
  cache: SerializedDagCache;
  xcom: XComStoreOptions;
  logsFolder: string;
  jobId: number | null;
  /**
   * Statements to send with the plain results' statement (one round trip on PostgreSQL), given
   * the runs touched by this batch; their results go back through the callback.
   */
  alongFinishes?: (touchedRuns: ReadonlySet<string>) => AlongFinishes | undefined;
}

export interface ApplyOutcome {
  /** Runs whose TIs changed (`dagId\0runId`). */
  touchedRuns: Set<string>;
  /** DAGs that got dataset events queued, or new runs. */
  touchedDags: Set<string>;
  /** Tries whose TI had moved on: the executor should stop them. */
  stale: TiKey[];
  /** How many tries deferred to a trigger in this batch. */
  deferred: number;
  /** Every TI this batch moved, in order (a try's start is not reported: no decision depends on it). */
  moves: TiMove[];
}

/** A finished event whose result is written by the one-statement fast path. */
function isPlain(e: ExecutorEvent): e is Extract<ExecutorEvent, { kind: 'finished' }> & { result: { state: PlainFinish['state'] } } {
  if (e.kind !== 'finished') return false;
  const r = e.result;
  return (r.state === 'success' || r.state === 'failed' || r.state === 'skipped') && r.triggerRequests.length === 0 && r.defer === null;
}

export async function applyExecutorEvents(db: Kysely<Schema>, events: ExecutorEvent[], ctx: ApplyContext): Promise<ApplyOutcome> {
  const out: ApplyOutcome = { touchedRuns: new Set(), touchedDags: new Set(), stale: [], deferred: 0, moves: [] };
  const real = events.filter((e): e is Exclude<ExecutorEvent, { kind: 'slots' }> => e.kind !== 'slots');
  if (real.length === 0) return out;
  const ts = nowIso();
  const tryKey = (k: TiKey, n: number) => `${tiKeyString(k)}\u0000${n}`;
  // A try that started and ended within this batch is written once, with its start folded in.
  const ending = new Set(real.filter((e) => e.kind !== 'started').map((e) => tryKey(e.key, e.tryNumber)));
  const folded = new Map<string, Extract<ExecutorEvent, { kind: 'started' }>>();
  const xcomRows = new Map<ExecutorEvent, ReturnType<typeof prepareXComRows>>();
  for (const e of real) {
    if (e.kind === 'finished' && e.result.xcoms.length) {
      xcomRows.set(e, prepareXComRows(ctx.xcom, e.result.xcoms.map((x) => ({ ...e.key, key: x.key, value: x.value })), ts));
    }
  }
  await inTransaction(db, async (trx) => {
    const plain = real.filter(isPlain);
    const plainSet = new Set<ExecutorEvent>(plain);
    const rows = await loadTiRows(trx, real.filter((e) => e.kind !== 'started' && !plainSet.has(e)).map((e) => e.key));
    const batch: Batch = { history: [], freshXComs: [] };
    for (const e of real) {
      const runKey = `${e.key.dagId}\u0000${e.key.runId}`;
      if (e.kind === 'started') {
        if (ending.has(tryKey(e.key, e.tryNumber))) {
          folded.set(tryKey(e.key, e.tryNumber), e);
          continue;
        }
        const ok = await casTaskInstanceState(trx, e.key, ['queued'], {
          state: 'running',
          start_date: sql<string>`coalesce(start_date, ${e.at})`,
          hostname: e.hostname,
          pid: e.pid,
          last_heartbeat_at: e.at,
        }, NO_BUMP);
        if (!ok) out.stale.push(e.key);
        continue;
      }
      out.touchedRuns.add(runKey);
      if (plainSet.has(e)) continue;
      const row = rows.get(tiKeyString(e.key));
      const start = folded.get(tryKey(e.key, e.tryNumber));
      if (row && start) {
        row.start_date ??= start.at;
        row.hostname = start.hostname;
        row.pid = start.pid;
      }
      if (e.kind === 'lost') {
        if (row && (row.state === 'running' || row.state === 'queued') && row.try_number === e.tryNumber) {
          const moved = await failTry(trx, e.key, row, e.reason, e.at, ctx, NO_BUMP);
          if (moved) out.moves.push({ key: e.key, state: moved.state, nextTryAt: moved.nextTryAt });
        }
        continue;
      }
      await applyFinished(trx, e.key, e.tryNumber, e.result, row, start ?? null, xcomRows.get(e) ?? [], ctx, out, batch);
    }
    if (plain.length) await applyPlainFinishes(trx, plain, folded, xcomRows, ctx, out, batch, (k, n) => tryKey(k, n), ctx.alongFinishes?.(out.touchedRuns));
    for (let i = 0; i < batch.history.length; i += 200) await insertHistory(trx, batch.history.slice(i, i + 200));
    for (let i = 0; i < batch.freshXComs.length; i += 200) await upsertXComs(trx, batch.freshXComs.slice(i, i + 200));
  });
  return out;
}

/**
 * Writes plain results in one statement (on PostgreSQL with their history rows and first tries'
 * XComs), then what that statement did not write: history, XComs, skips and dataset events.
 */
async function applyPlainFinishes(
  trx: Kysely<Schema>,
  plain: Array<Extract<ExecutorEvent, { kind: 'finished' }>>,
  folded: Map<string, Extract<ExecutorEvent, { kind: 'started' }>>,
  xcomRows: Map<ExecutorEvent, ReturnType<typeof prepareXComRows>>,
  ctx: ApplyContext,
  out: ApplyOutcome,
  batch: Batch,
  tryKey: (k: TiKey, n: number) => string,
  along?: AlongFinishes,
): Promise<void> {
  const byKey = new Map(plain.map((e) => [tryKey(e.key, e.tryNumber), e]));
  const recorded = await recordPlainFinishes(
    trx,
    plain.map((e) => {
      const s = folded.get(tryKey(e.key, e.tryNumber));
      return {
        key: e.key,
        tryNumber: e.tryNumber,
        state: e.result.state as PlainFinish['state'],
        endDate: e.result.endedAt,
        renderedFields: e.result.renderedFields ? JSON.stringify(e.result.renderedFields) : null,
        started: s ? { at: s.at, hostname: s.hostname, pid: s.pid } : null,
        xcoms: xcomRows.get(e) ?? [],
      };
    }),
    along,
  );
  const moved = new Set<string>();
  for (const r of recorded) {
    const e = byKey.get(tryKey(r.key, r.tryNumber))!;
    moved.add(tryKey(r.key, r.tryNumber));
    out.moves.push({ key: r.key, state: r.state, nextTryAt: null });
    if (!r.historyWritten) batch.history.push(historyRow(r.key, r.tryNumber, r.state, { start_date: r.startDate, hostname: r.hostname, pid: r.pid, executor: r.executor, operator: r.operator }, r.endDate));
    if (!r.xcomsWritten) {
      const xcoms = xcomRows.get(e) ?? [];
      if (r.tryNumber === 1) batch.freshXComs.push(...xcoms);
      else await replaceXComs(trx, r.key, xcoms);
    }
    if (r.state === 'success') await applySuccessEffects(trx, r.key, e.result, out);
  }
  for (const e of plain) if (!moved.has(tryKey(e.key, e.tryNumber))) out.stale.push(e.key);
}

/** A successful try's skip decisions (branching) and dataset events. */
async function applySuccessEffects(trx: Kysely<Schema>, key: TiKey, result: TryResult, out: ApplyOutcome): Promise<void> {
  const end = result.endedAt;
  if (result.skip.length) {
    const tis = await trx
      .selectFrom('task_instance')
      .select(['task_id', 'map_index'])
      .where('dag_id', '=', key.dagId)
      .where('run_id', '=', key.runId)
      .where('task_id', 'in', result.skip)
      .execute();
    const skipped = await casTaskInstanceStates(
      trx,
      tis.map((t) => ({ dagId: key.dagId, runId: key.runId, taskId: t.task_id, mapIndex: t.map_index })),
      ['none', 'scheduled', 'up_for_retry', 'up_for_reschedule'],
      { state: 'skipped', end_date: end },
      NO_BUMP,
    );
    for (const k of skipped) out.moves.push({ key: k, state: 'skipped', nextTryAt: null });
  }
  if (result.datasetEvents.length) {
    const dags = await recordDatasetEvents(trx, result.datasetEvents, { dagId: key.dagId, taskId: key.taskId, runId: key.runId, mapIndex: key.mapIndex }, {}, new Date(end));
    for (const d of dags) out.touchedDags.add(d);
  }
  if (result.aliasEvents?.length) {
    const dags = await recordAliasEvents(trx, result.aliasEvents, { dagId: key.dagId, taskId: key.taskId, runId: key.runId, mapIndex: key.mapIndex }, new Date(end));
    for (const d of dags) out.touchedDags.add(d);
  }
}

interface Batch {
  history: HistoryRow[];
  /** XComs of first tries: no older value can exist, so they are upserted together. */
  freshXComs: ReturnType<typeof prepareXComRows>;
}

type TiRow = NonNullable<Awaited<ReturnType<typeof tiRow>>>;

/** The rows of these TIs (with their run's logical date), in as few queries as runs. */
async function loadTiRows(trx: Kysely<Schema>, keys: TiKey[]): Promise<Map<string, TiRow>> {
  const out = new Map<string, TiRow>();
  const byRun = new Map<string, TiKey[]>();
  for (const k of keys) (byRun.get(`${k.dagId}\u0000${k.runId}`) ?? byRun.set(`${k.dagId}\u0000${k.runId}`, []).get(`${k.dagId}\u0000${k.runId}`)!).push(k);
  for (const list of byRun.values()) {
    const { dagId, runId } = list[0]!;
    const taskIds = [...new Set(list.map((k) => k.taskId))];
    for (let i = 0; i < taskIds.length; i += 500) {
      const found = await trx
        .selectFrom('task_instance as ti')
        .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'ti.dag_id').onRef('r.run_id', '=', 'ti.run_id'))
        .select(['ti.task_id', 'ti.map_index', 'ti.state', 'ti.try_number', 'ti.max_tries', 'ti.start_date', 'ti.hostname', 'ti.pid', 'ti.executor', 'ti.operator', 'r.logical_date'])
        .where('ti.dag_id', '=', dagId)
        .where('ti.run_id', '=', runId)
        .where('ti.task_id', 'in', taskIds.slice(i, i + 500))
        .execute();
      for (const f of found) {
        const { task_id, map_index, ...row } = f;
        out.set(tiKeyString({ dagId, runId, taskId: task_id, mapIndex: map_index }), row);
      }
    }
  }
  return out;
}

async function tiRow(trx: Kysely<Schema>, key: TiKey) {
  return trx
    .selectFrom('task_instance as ti')
    .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'ti.dag_id').onRef('r.run_id', '=', 'ti.run_id'))
    .select(['ti.state', 'ti.try_number', 'ti.max_tries', 'ti.start_date', 'ti.hostname', 'ti.pid', 'ti.executor', 'ti.operator', 'r.logical_date'])
    .where('ti.dag_id', '=', key.dagId)
    .where('ti.run_id', '=', key.runId)
    .where('ti.task_id', '=', key.taskId)
    .where('ti.map_index', '=', key.mapIndex)
    .executeTakeFirst();
}

async function applyFinished(
  trx: Kysely<Schema>,
  key: TiKey,
  tryNumber: number,
  result: TryResult,
  row: TiRow | undefined,
  started: Extract<ExecutorEvent, { kind: 'started' }> | null,
  xcoms: ReturnType<typeof prepareXComRows>,
  ctx: ApplyContext,
  out: ApplyOutcome,
  batch: Batch,
): Promise<void> {
  if (!row || (row.state !== 'running' && row.state !== 'queued') || row.try_number !== tryNumber) {
    out.stale.push(key);
    return;
  }
  let state: TaskInstanceState = result.state;
  let error = result.error;
  const end = result.endedAt;
  const dag = await ctx.cache.get(trx, key.dagId);
  const task = dag && taskOf(dag, key.taskId);

  if (state === 'success' && result.triggerRequests.length) {
    try {
      for (const req of result.triggerRequests) {
        const target = await ctx.cache.get(trx, req.dagId);
        if (!target) throw new Error(`TriggerDagRunOperator: DAG '${req.dagId}' does not exist`);
        await createDagRun(trx, {
          dag: target, runType: 'manual', runId: req.runId ?? undefined, conf: req.conf,
          logicalDate: req.logicalDate ? new Date(req.logicalDate) : undefined, externalTrigger: true,
        });
        out.touchedDags.add(req.dagId);
      }
    } catch (e) {
      state = 'failed';
      error = (e as Error).message;
      appendLog(ctx, key, tryNumber, `ERROR - ${error}`);
    }
  }

  const patch: Parameters<typeof casTaskInstanceState>[3] = {
    state,
    end_date: end,
    duration: row.start_date ? (Date.parse(end) - Date.parse(row.start_date)) / 1000 : null,
    rendered_fields: result.renderedFields ? JSON.stringify(result.renderedFields) : null,
  };
  if (started) {
    patch.start_date = row.start_date;
    patch.hostname = started.hostname;
    patch.pid = started.pid;
  }
  if (state === 'up_for_retry') {
    patch.next_try_at = nextRetryAt({
      dagId: key.dagId, taskId: key.taskId, logicalDate: new Date(row.logical_date), tryNumber, endDate: new Date(end),
      retryDelay: task?.retryDelay ?? 300, retryExponentialBackoff: task?.retryExponentialBackoff ?? false, maxRetryDelay: task?.maxRetryDelay ?? null,
    }).toISOString();
  }
  if (state === 'up_for_reschedule') {
    patch.next_try_at = result.rescheduleAt;
    patch.try_number = tryNumber - 1;
    await trx.insertInto('task_reschedule').values({
      dag_id: key.dagId, run_id: key.runId, task_id: key.taskId, map_index: key.mapIndex, try_number: tryNumber,
      start_date: result.startedAt, end_date: end, reschedule_date: result.rescheduleAt!,
    }).execute();
  }
  if (state === 'deferred' && result.defer) {
    const d = result.defer;
    const timeoutAt = d.timeout !== null ? new Date(Date.parse(end) + d.timeout * 1000).toISOString() : null;
    const trig = await trx
      .insertInto('trigger')
      .values({ classpath: d.trigger, kwargs: JSON.stringify({ ...d.kwargs, __timeoutAt: timeoutAt }), created_date: end })
      .returning('id')
      .executeTakeFirstOrThrow();
    patch.trigger_id = trig.id;
    patch.next_method = d.method;
    patch.next_kwargs = null;
  } else {
    patch.next_method = null;
    patch.next_kwargs = null;
    patch.trigger_id = null;
  }
  const moved = await casTaskInstanceState(trx, key, ['running', 'queued'], patch, NO_BUMP);
  if (!moved) {
    out.stale.push(key);
    return;
  }
  out.moves.push({ key, state, nextTryAt: typeof patch.next_try_at === 'string' ? new Date(patch.next_try_at) : null });
  if (state === 'deferred') out.deferred++;
  if (state !== 'deferred' && state !== 'up_for_reschedule') batch.history.push(historyRow(key, tryNumber, state, row, end));
  if (tryNumber === 1) batch.freshXComs.push(...xcoms);
  else await replaceXComs(trx, key, xcoms);
  if (state === 'success') await applySuccessEffects(trx, key, result, out);
}

/** Fails the current try of a TI (zombie, lost worker, timeout): up_for_retry when retries remain. */
export async function failTry(
  trx: Kysely<Schema>,
  key: TiKey,
  row: NonNullable<Awaited<ReturnType<typeof tiRow>>>,
  reason: string,
  at: string,
  ctx: Pick<ApplyContext, 'cache' | 'logsFolder'>,
  opts: TiCasOptions = {},
): Promise<{ state: TaskInstanceState; nextTryAt: Date | null } | null> {
  const retry = row.max_tries > 0 && row.try_number <= row.max_tries;
  const dag = await ctx.cache.get(trx, key.dagId);
  const task = dag && taskOf(dag, key.taskId);
  const state: TaskInstanceState = retry ? 'up_for_retry' : 'failed';
  const nextTryAt = retry
    ? nextRetryAt({
        dagId: key.dagId, taskId: key.taskId, logicalDate: new Date(row.logical_date), tryNumber: row.try_number, endDate: new Date(at),
        retryDelay: task?.retryDelay ?? 300, retryExponentialBackoff: task?.retryExponentialBackoff ?? false, maxRetryDelay: task?.maxRetryDelay ?? null,
      })
    : null;
  const moved = await casTaskInstanceState(trx, key, [row.state], {
    state,
    end_date: at,
    duration: row.start_date ? (Date.parse(at) - Date.parse(row.start_date)) / 1000 : null,
    next_try_at: nextTryAt?.toISOString() ?? null,
  }, opts);
  if (!moved) return null;
  appendLog(ctx, key, row.try_number, `ERROR - ${reason}`, `INFO - Marking task as ${state.toUpperCase()}.`);
  await writeHistory(trx, key, row.try_number, state, row, at);
  return { state, nextTryAt };
}

export { tiRow };

type HistoryRow = ReturnType<typeof historyRow>;

function historyRow(key: TiKey, tryNumber: number, state: TaskInstanceState, row: { start_date: string | null; hostname: string | null; pid: number | null; executor: string | null; operator: string | null }, end: string) {
  return {
    dag_id: key.dagId, run_id: key.runId, task_id: key.taskId, map_index: key.mapIndex, try_number: tryNumber, state,
    start_date: row.start_date, end_date: end, duration: row.start_date ? (Date.parse(end) - Date.parse(row.start_date)) / 1000 : null,
    hostname: row.hostname, pid: row.pid, executor: row.executor, operator: row.operator,
  };
}

async function insertHistory(trx: Kysely<Schema>, rows: HistoryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('task_instance_history')
    .values(rows)
    .onConflict((oc) => oc.columns(['dag_id', 'run_id', 'task_id', 'map_index', 'try_number']).doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), end_date: eb.ref('excluded.end_date') })))
    .execute();
}

async function writeHistory(trx: Kysely<Schema>, key: TiKey, tryNumber: number, state: TaskInstanceState, row: Parameters<typeof historyRow>[3], end: string): Promise<void> {
  await insertHistory(trx, [historyRow(key, tryNumber, state, row, end)]);
}

function appendLog(ctx: Pick<ApplyContext, 'logsFolder'>, key: TiKey, tryNumber: number, ...lines: string[]): void {
  try {
    const path = tryLogPath(ctx.logsFolder, { ...key, tryNumber });
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, lines.map((l) => `[${new Date().toISOString()}] ${l}\n`).join(''));
  } catch {
    /* the log folder is not writable: the state change still stands */
  }
}
