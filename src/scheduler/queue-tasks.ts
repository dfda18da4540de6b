/**
 * Moves scheduled task instances to `queued` (within pools and concurrency limits) and builds
 * the workloads an executor runs. The try number is incremented here, as Airflow does.
 */
import { sql, type Kysely } from 'kysely';
import { pickTasksToQueue, type Candidate } from '../core/pick-tasks.ts';
import { resolveParams } from '../core/params.ts';
import type { Json } from '../core/serialized-dag.ts';
import { taskOf, tasksWithActiveLimit } from '../core/task-index.ts';
import type { TaskWorkload } from '../executors/executor.ts';
import { casTaskInstanceStates, dialectOf, executePipelined, forUpdate, nowIso, taskInstanceCasStatements, TI_OCCUPYING, TI_SCHEDULED, type Schema, inTransaction } from '../store/index.ts';
import { runsWhilePaused } from './backfills.ts';
import { tryLogPath } from './log-path.ts';
import { READY_FROM, type ReadyTi } from './schedule-run.ts';
import type { SerializedDagCache } from './serialized-dags.ts';

export interface QueueOptions {
  executorSlots: number;
  logsFolder: string;
  jobId: number | null;
  executorName: string;
  /** Put the hash of each DAG's serialized form in its workloads (`TaskWorkload.dagHash`). Default false. */
  withDagHash?: boolean;
  /**
   * How many scheduled TIs to read per pool with free slots, per pass. Default: 4 × the slots the
   * pool can fill (its free slots, or the executor's open slots when fewer), at least 8.
   */
  maxCandidates?: number;
  onUnknownPool?: (pool: string, taskIds: string[]) => void;
  /**
   * Also read (the best 32) scheduled TIs whose pool does not exist, for `onUnknownPool`; this
   * scans every scheduled TI. Default true.
   */
  lookForUnknownPools?: boolean;
  /**
   * TIs the pass found ready (see `ScheduleRunInput.deferReady`): moved to `scheduled` first, by
   * the statement that reads the candidates on PostgreSQL, and considered with the others.
   */
  ready?: readonly ReadyTi[];
  /**
   * PostgreSQL: commit the caller's transaction in the same round trip as the queueing UPDATE
   * (when there is one). The caller then must run no further statement in that transaction.
   * Default false.
   */
  commitWithQueueing?: boolean;
}

interface CandidateRow extends Candidate {
  tryNumber: number;
  maxTries: number;
  queue: string;
  nextMethod: string | null;
  nextKwargs: string | null;
}

export async function queueScheduledTasks(db: Kysely<Schema>, cache: SerializedDagCache, o: QueueOptions): Promise<TaskWorkload[]> {
  return (await queueScheduled(db, cache, o)).workloads;
}

/** What a queueing step did. */
export interface QueueOutcome {
  workloads: TaskWorkload[];
  /**
   * Whether scheduled TIs may still wait (not picked: pools or limits full, a paused DAG, more
   * than were read). When false, queueing can be skipped until a TI becomes scheduled again.
   */
  waiting: boolean;
  /** Which of `QueueOptions.ready` moved to `scheduled` (the others had moved on meanwhile). */
  readyMoved: ReadyTi[];
}

/** Ready TIs at most folded into the candidates statement (4 bound parameters each). */
const MAX_FOLDED_READY = 2000;

/** Moves ready TIs to `scheduled` (compare-and-set); returns those that moved. */
export async function scheduleReadyTis(trx: Kysely<Schema>, ready: readonly ReadyTi[]): Promise<ReadyTi[]> {
  if (ready.length === 0) return [];
  return casTaskInstanceStates(trx, ready, READY_FROM, { state: 'scheduled', next_try_at: null }, { bumpRunVersion: false });
}

/** `queueScheduledTasks`, also telling whether scheduled TIs remain. */
export async function queueScheduled(db: Kysely<Schema>, cache: SerializedDagCache, o: QueueOptions): Promise<QueueOutcome> {
  const ready = o.ready ?? [];
  if (o.executorSlots <= 0) {
    return { workloads: [], waiting: true, readyMoved: ready.length ? await inTransaction(db, (trx) => scheduleReadyTis(trx, ready)) : [] };
  }
  const limits: CandidateLimits = { executorSlots: o.executorSlots, perPool: o.maxCandidates ?? null, unknownPools: o.lookForUnknownPools === false ? 0 : (o.maxCandidates ?? 32) };
  let waiting = true;
  let readyMoved: ReadyTi[] = [];
  const workloads = await inTransaction(db, async (trx) => {
    const pg = dialectOf(trx) === 'postgres';
    const fold = pg && ready.length <= MAX_FOLDED_READY;
    if (!fold) readyMoved = await scheduleReadyTis(trx, ready);
    // Pool rows first, locked on PostgreSQL until the pass commits: schedulers queue one at a
    // time, so slot counts stay exact however many schedulers run.
    const poolsQuery = forUpdate(trx, trx.selectFrom('slot_pool').select(['pool', 'slots']).orderBy('pool'));
    // What occupies slots, the scheduled TIs to consider (leaving out pools that are full) and
    // their runs: one query on PostgreSQL (which also moves the ready TIs to scheduled), sent in
    // the same round trip as the pool lock (it starts once the lock is granted, so it reads the
    // slots other schedulers took until then); three on SQLite (where a statement costs no round
    // trip).
    let pools: Array<{ pool: string; slots: number }>;
    let state: QueueState;
    if (pg) {
      const folded = fold ? ready : [];
      const [poolRows, stateRows] = await executePipelined(trx, [poolsQuery.compile(), queueStatePgQuery(limits, folded).compile(trx)]);
      pools = poolRows!.rows as Array<{ pool: string; slots: number }>;
      state = queueStatePgFromRow(stateRows!.rows[0] as QueueStatePgRow, pools);
    } else {
      pools = await poolsQuery.execute();
      state = await readQueueState(trx, limits, pools);
    }
    if (fold) readyMoved = state.readyMoved;
    const { active, scheduled, runInfo } = state;
    const poolUsed = new Map<string, number>();
    const dagActive = new Map<string, number>();
    const taskActive = new Map<string, number>();
    for (const a of active) {
      poolUsed.set(a.pool, (poolUsed.get(a.pool) ?? 0) + Number(a.slots));
      dagActive.set(a.dag_id, (dagActive.get(a.dag_id) ?? 0) + Number(a.n));
      taskActive.set(`${a.dag_id}\u0000${a.task_id}`, (taskActive.get(`${a.dag_id}\u0000${a.task_id}`) ?? 0) + Number(a.n));
    }
    const fullPools = fullPoolsOf(pools, poolUsed);
    if (scheduled.length === 0) {
      // Pools that are full were left out of the query: their TIs may still wait.
      waiting = fullPools.length > 0;
      return [];
    }
    const rows = scheduled
      .map((r) => ({ ...r, run: runInfo.get(`${r.dag_id}\u0000${r.run_id}`) }))
      .filter((r) => r.run?.state === 'running' && (!r.run.is_paused || runsWhilePaused(r.run)))
      .map((r) => ({ ...r, logical_date: r.run!.logical_date, max_active_tasks: r.run!.max_active_tasks }));
    if (rows.length === 0) return [];

    const maxActiveTasks = new Map<string, number>();
    const taskLimit = new Map<string, number>();
    const dags = new Map<string, Awaited<ReturnType<SerializedDagCache['get']>>>();
    for (const r of rows) {
      maxActiveTasks.set(r.dag_id, r.max_active_tasks);
      if (!dags.has(r.dag_id)) dags.set(r.dag_id, await cache.get(trx, r.dag_id));
    }
    for (const [dagId, d] of dags) if (d) for (const t of tasksWithActiveLimit(d)) taskLimit.set(`${dagId}\u0000${t.taskId}`, t.maxActiveTisPerDag!);

    const candidates: CandidateRow[] = rows.map((r) => ({
      dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: r.map_index, pool: r.pool, poolSlots: r.pool_slots,
      priorityWeight: r.priority_weight, logicalDate: r.logical_date, tryNumber: r.try_number, maxTries: r.max_tries,
      queue: r.queue, nextMethod: r.next_method, nextKwargs: r.next_kwargs,
    }));
    const { picked, unknownPool } = pickTasksToQueue(candidates, {
      executorSlots: o.executorSlots,
      poolSlots: new Map(pools.map((p) => [p.pool, p.slots === -1 ? Infinity : p.slots])),
      poolUsed, maxActiveTasks, dagActive, taskLimit, taskActive,
    });
    if (unknownPool.length && o.onUnknownPool) {
      const byPool = new Map<string, string[]>();
      for (const c of unknownPool) (byPool.get(c.pool) ?? byPool.set(c.pool, []).get(c.pool)!).push(`${c.dagId}.${c.taskId}`);
      for (const [pool, ids] of byPool) o.onUnknownPool(pool, ids);
    }
    waiting = picked.length < rows.length || rows.length < scheduled.length || state.moreBehind || fullPools.length > 0;
    if (picked.length === 0) return [];

    const ts = nowIso();
    // Workloads are built before the queueing UPDATE, which on PostgreSQL may commit the
    // transaction with it: nothing may read the database after it.
    const built: TaskWorkload[] = [];
    for (const p of picked) {
      const d = dags.get(p.dagId);
      const run = runInfo.get(`${p.dagId}\u0000${p.runId}`);
      const task = d && taskOf(d, p.taskId);
      if (!d || !run || !task) continue;
      const tryNumber = p.nextMethod ? p.tryNumber : p.tryNumber + 1;
      const conf = JSON.parse(run.conf) as Record<string, unknown>;
      const params = resolveParams(d.params, conf);
      built.push({
        key: { dagId: p.dagId, runId: p.runId, taskId: p.taskId, mapIndex: p.mapIndex },
        tryNumber,
        maxTries: p.maxTries,
        dagFile: d.fileloc,
        run: {
          runId: run.run_id, runType: run.run_type, logicalDate: run.logical_date,
          dataIntervalStart: run.data_interval_start ?? run.logical_date, dataIntervalEnd: run.data_interval_end ?? run.logical_date,
          conf, externalTrigger: run.external_trigger === 1,
        },
        params: params.ok ? params.params : ({} as Record<string, Json>),
        logPath: tryLogPath(o.logsFolder, { ...p, tryNumber }),
        queue: p.queue,
        executionTimeout: task.executionTimeout,
        nextMethod: p.nextMethod,
        triggerEvent: p.nextKwargs ? (JSON.parse(p.nextKwargs) as Json) : null,
        firstTryStartedAt: task.sensor?.mode === 'reschedule' ? await firstRescheduleStart(trx, p, tryNumber) : null,
        queuedAt: ts,
        ...(o.withDagHash ? { dagHash: cache.hashOf(p.dagId) } : {}),
      });
    }
    const statements = taskInstanceCasStatements(picked, 'scheduled', {
      state: 'queued',
      queued_at: ts,
      try_number: sql<number>`case when next_method is null then try_number + 1 else try_number end`,
      queued_by_job_id: o.jobId,
      executor: o.executorName,
      hostname: null,
      pid: null,
      start_date: sql<string | null>`case when next_method is null then null else start_date end`,
      end_date: null,
    });
    const results = await executePipelined(trx, statements.map((st) => st.query.compile(trx)), { commit: o.commitWithQueueing === true });
    const movedSet = new Set<string>();
    statements.forEach((st, i) => {
      for (const k of st.moved(results[i]!.rows as Array<{ task_id: string; map_index: number }>)) movedSet.add(`${k.dagId}\u0000${k.runId}\u0000${k.taskId}\u0000${k.mapIndex}`);
    });
    return built.filter((w) => movedSet.has(`${w.key.dagId}\u0000${w.key.runId}\u0000${w.key.taskId}\u0000${w.key.mapIndex}`));
  });
  return { workloads, waiting, readyMoved };
}

/** Slots occupied by (pool, DAG, task): queued and running TIs. */
interface ActiveRow {
  pool: string;
  dag_id: string;
  task_id: string;
  slots: number;
  n: number;
}

const CANDIDATE_COLUMNS = ['dag_id', 'run_id', 'task_id', 'map_index', 'pool', 'pool_slots', 'priority_weight', 'try_number', 'max_tries', 'queue', 'next_method', 'next_kwargs'] as const;

interface ScheduledRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  pool: string;
  pool_slots: number;
  priority_weight: number;
  try_number: number;
  max_tries: number;
  queue: string;
  next_method: string | null;
  next_kwargs: string | null;
}

type RunInfo = { run_id: string; run_type: Schema['dag_run']['run_type']; backfill_id: number | null; state: string; logical_date: string; data_interval_start: string | null; data_interval_end: string | null; conf: string; external_trigger: number; is_paused: number; max_active_tasks: number };

/**
 * How many scheduled TIs a pass reads: for each pool with free slots its best `perPool` (default:
 * 4 × the slots it can fill, at least 8), so a pool with thousands of waiting TIs costs a handful
 * of rows and cannot crowd another pool's TIs out; and the best `unknownPools` of pools that do
 * not exist (0: not looked for).
 */
interface CandidateLimits {
  executorSlots: number;
  perPool: number | null;
  unknownPools: number;
}

/** The per-pool read limit of `CandidateLimits` for a pool of `slots` (-1: unlimited) with `used` occupied. */
function poolLimit(l: CandidateLimits, slots: number, used: number): number {
  return l.perPool ?? Math.max(8, 4 * Math.min(l.executorSlots, slots === -1 ? l.executorSlots : slots - used));
}

interface QueueState {
  active: ActiveRow[];
  /** Scheduled TIs, the best of each pool with free slots (and of unknown pools), none in a full pool. */
  scheduled: ScheduledRow[];
  /** Whether a pool's read reached its limit: more TIs may wait behind. */
  moreBehind: boolean;
  /** The runs of `scheduled`, by `dagId\0runId`. */
  runInfo: Map<string, RunInfo>;
  /** The ready TIs this read moved to `scheduled` (PostgreSQL). */
  readyMoved: ReadyTi[];
}

/** Pools whose occupied slots reach their size (a pool of -1 slots is never full; an unknown one neither). */
function fullPoolsOf(pools: ReadonlyArray<{ pool: string; slots: number }>, poolUsed: ReadonlyMap<string, number>): string[] {
  const poolTotal = new Map(pools.map((p) => [p.pool, p.slots]));
  return [...poolUsed].filter(([pool, used]) => (poolTotal.get(pool) ?? Infinity) !== -1 && used >= (poolTotal.get(pool) ?? Infinity)).map(([pool]) => pool);
}

/** SQLite: occupancy, then the candidates of the pools with free slots, then their runs. */
async function readQueueState(trx: Kysely<Schema>, limits: CandidateLimits, pools: ReadonlyArray<{ pool: string; slots: number }>): Promise<QueueState> {
  const active = await trx
    .selectFrom('task_instance')
    .select(['pool', 'dag_id', 'task_id', sql<number>`sum(pool_slots)`.as('slots'), sql<number>`count(*)`.as('n')])
    .where(TI_OCCUPYING)
    .groupBy(['pool', 'dag_id', 'task_id'])
    .execute();
  const poolUsed = new Map<string, number>();
  for (const a of active) poolUsed.set(a.pool, (poolUsed.get(a.pool) ?? 0) + Number(a.slots));
  const fullPools = new Set(fullPoolsOf(pools, poolUsed));
  // Scheduled TIs first (index on state), then their runs and DAGs: a join here lets the
  // planner scan every TI of a DAG when the DAG has many runs. One query per pool with free
  // slots (index on pool and priority), all in one statement.
  const branches = pools
    .filter((p) => !fullPools.has(p.pool))
    .map((p) => ({ pool: p.pool as string | null, limit: poolLimit(limits, p.slots, poolUsed.get(p.pool) ?? 0) }));
  if (limits.unknownPools > 0) branches.push({ pool: null, limit: limits.unknownPools });
  const columns = sql.join(CANDIDATE_COLUMNS.map((c) => sql.ref(c)));
  const branchQuery = (b: { pool: string | null; limit: number }, i: number) => sql`select ${sql.lit(i)} as branch, ${columns} from task_instance where ${TI_SCHEDULED}
    ${b.pool === null ? sql`and pool not in (${sql.join(pools.map((p) => p.pool))})` : sql`and pool = ${b.pool}`}
    order by priority_weight desc limit ${b.limit}`;
  const read = branches.length === 0
    ? []
    : ((await (branches.length === 1
      ? branchQuery(branches[0]!, 0)
      : sql`${sql.join(branches.map((b, i) => sql`select * from (${branchQuery(b, i)}) as ${sql.id(`b${i}`)}`), sql` union all `)}`
    ).execute(trx)) as { rows: Array<ScheduledRow & { branch: number }> }).rows;
  const perBranch = new Map<number, number>();
  for (const r of read) perBranch.set(Number(r.branch), (perBranch.get(Number(r.branch)) ?? 0) + 1);
  const moreBehind = branches.some((b, i) => (perBranch.get(i) ?? 0) >= b.limit);
  const scheduled: ScheduledRow[] = read.map(({ branch: _branch, ...r }) => r).sort((a, b) => b.priority_weight - a.priority_weight);
  const runInfo = scheduled.length ? await loadRuns(trx, [...new Set(scheduled.map((r) => `${r.dag_id}\u0000${r.run_id}`))]) : new Map<string, RunInfo>();
  return { active, scheduled, moreBehind, runInfo, readyMoved: [] };
}

/**
 * PostgreSQL: the same three reads in one statement (one round trip), each part returned as a
 * JSON array. With `ready` TIs, the statement first moves them to `scheduled` (a compare-and-set
 * from the states they were decided in) and returns those that moved, which join the candidates
 * here (they are not in the statement's snapshot of scheduled TIs). It runs after the pool rows
 * were locked, in a statement of its own (sent in the same round trip): a statement that waited
 * for that lock would still read occupancy as it was before the wait.
 */
function queueStatePgQuery(limits: CandidateLimits, ready: readonly ReadyTi[]) {
  const columns = sql.join(CANDIDATE_COLUMNS.map((c) => sql.ref(c)));
  const readied = ready.length
    ? sql`readied as (
        update task_instance set state = 'scheduled', next_try_at = null, updated_at = ${nowIso()}
        where (dag_id, run_id, task_id, map_index) in (values ${sql.join(ready.map((r) => sql`(${r.dagId}, ${r.runId}, ${r.taskId}, cast(${r.mapIndex} as integer))`))})
          and state in (${sql.join(READY_FROM.map((s) => sql.lit(s)))})
        returning ${columns}
      ),`
    : sql``;
  return sql<QueueStatePgRow>`
    with ${readied}
    active as (
      select pool, dag_id, task_id, sum(pool_slots) as slots, count(*) as n
      from task_instance where ${TI_OCCUPYING} group by pool, dag_id, task_id
    ),
    used as (select pool, sum(slots) as used from active group by pool),
    -- Per pool with free slots, its best candidates (index on pool and priority); the limit is
    -- poolLimit()'s, computed here from the occupancy read by this statement.
    scheduled as (
      select c.*, l.lim from slot_pool p
      left join used u on u.pool = p.pool
      cross join lateral (select cast(${limits.perPool ?? sql`greatest(8, 4 * least(${limits.executorSlots}, case when p.slots = -1 then ${limits.executorSlots} else p.slots - coalesce(u.used, 0) end))`} as bigint) as lim) l
      cross join lateral (
        select ${columns} from task_instance
        where ${TI_SCHEDULED} and pool = p.pool
        order by priority_weight desc limit l.lim
      ) c
      where p.slots = -1 or coalesce(u.used, 0) < p.slots${limits.unknownPools > 0 ? sql`
      union all
      select * from (
        select ${columns}, cast(${limits.unknownPools} as bigint) as lim from task_instance
        where ${TI_SCHEDULED} and pool not in (select pool from slot_pool)
        order by priority_weight desc limit ${limits.unknownPools}
      ) unknown_pools` : sql``}
    ),
    runs as (
      select r.dag_id, r.run_id, r.run_type, r.backfill_id, r.state, r.logical_date, r.data_interval_start, r.data_interval_end, r.conf, r.external_trigger, d.is_paused, d.max_active_tasks
      from dag_run r inner join dag d on d.dag_id = r.dag_id
      where (r.dag_id, r.run_id) in (select dag_id, run_id from scheduled${ready.length ? sql` union select dag_id, run_id from readied` : sql``})
    )
    select (select coalesce(json_agg(a), '[]') from active a) as active,
           (select coalesce(json_agg(s), '[]') from scheduled s) as scheduled,
           (select coalesce(json_agg(r), '[]') from runs r) as runs${ready.length ? sql`,
           (select coalesce(json_agg(x), '[]') from readied x) as readied` : sql``}`;
}

/** The one row of `queueStatePgQuery`. */
interface QueueStatePgRow {
  active: ActiveRow[];
  scheduled: Array<ScheduledRow & { lim: number }>;
  runs: Array<RunInfo & { dag_id: string }>;
  readied?: ScheduledRow[];
}

/** The queue state in the row `queueStatePgQuery` returned, given the pools it was read with. */
function queueStatePgFromRow(row: QueueStatePgRow, pools: ReadonlyArray<{ pool: string; slots: number }>): QueueState {
  const runInfo = new Map<string, RunInfo>();
  for (const r of row.runs) runInfo.set(`${r.dag_id}\u0000${r.run_id}`, r);
  // A pool's read that reached its limit (`lim`) may have more behind it.
  const known = new Set(pools.map((p) => p.pool));
  const perRead = new Map<string, { n: number; lim: number }>();
  for (const r of row.scheduled) {
    const k = known.has(r.pool) ? r.pool : '\u0000unknown';
    const e = perRead.get(k) ?? perRead.set(k, { n: 0, lim: Number(r.lim) }).get(k)!;
    e.n++;
  }
  const moreBehind = [...perRead.values()].some((e) => e.n >= e.lim);
  const read: ScheduledRow[] = row.scheduled.map(({ lim: _lim, ...r }) => r);
  const readiedRows = row.readied ?? [];
  if (readiedRows.length === 0) return { active: row.active, scheduled: read, moreBehind, runInfo, readyMoved: [] };
  // The TIs just moved join the candidates unless their pool is full.
  const poolUsed = new Map<string, number>();
  for (const a of row.active) poolUsed.set(a.pool, (poolUsed.get(a.pool) ?? 0) + Number(a.slots));
  const full = new Set(fullPoolsOf(pools, poolUsed));
  const scheduled = [...read, ...readiedRows.filter((r) => !full.has(r.pool))];
  return { active: row.active, scheduled, moreBehind, runInfo, readyMoved: readiedRows.map((r) => ({ dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: r.map_index })) };
}

/** The runs of these keys (`dagId\0runId`) with their DAG's pause flag and task limit, in one query per 400 runs. */
async function loadRuns(trx: Kysely<Schema>, keys: string[]) {
  const out = new Map<string, RunInfo>();
  for (let i = 0; i < keys.length; i += 400) {
    const pairs = sql.join(keys.slice(i, i + 400).map((k) => {
      const [dagId, runId] = k.split('\u0000') as [string, string];
      return sql`(${dagId}, ${runId})`;
    }));
    const { rows } = await sql<RunInfo & { dag_id: string }>`
      select r.dag_id, r.run_id, r.run_type, r.backfill_id, r.state, r.logical_date, r.data_interval_start, r.data_interval_end, r.conf, r.external_trigger, d.is_paused, d.max_active_tasks
      from dag_run r inner join dag d on d.dag_id = r.dag_id where (r.dag_id, r.run_id) in (values ${pairs})`.execute(trx);
    for (const r of rows) out.set(`${r.dag_id}\u0000${r.run_id}`, { ...r, external_trigger: Number(r.external_trigger), is_paused: Number(r.is_paused), max_active_tasks: Number(r.max_active_tasks) });
  }
  return out;
}

async function firstRescheduleStart(trx: Kysely<Schema>, p: Candidate, tryNumber: number): Promise<string | null> {
  const r = await trx
    .selectFrom('task_reschedule')
    .select('start_date')
    .where('dag_id', '=', p.dagId)
    .where('run_id', '=', p.runId)
    .where('task_id', '=', p.taskId)
    .where('map_index', '=', p.mapIndex)
    .where('try_number', '=', tryNumber)
    .orderBy('id', 'asc')
    .limit(1)
    .executeTakeFirst();
  return r?.start_date ?? null;
}
