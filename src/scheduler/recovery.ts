/**
 * Finding work that lost its owner: task instances queued or running under a scheduler job
 * that is gone (restarted, killed), zombies whose heartbeat stopped, and tasks stuck in queued.
 */
import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { TiKey } from '../executors/executor.ts';
import { casTaskInstanceState, nowIso, TI_OCCUPYING, TI_QUEUED, TI_RUNNING, type Schema } from '../store/index.ts';
import { failTry, tiRow } from './apply-events.ts';
import type { SerializedDagCache } from './serialized-dags.ts';

export interface RecoveryContext {
  cache: SerializedDagCache;
  logsFolder: string;
  jobId: number | null;
  /** TIs this process's executor is running (never treated as lost). */
  activeKeys: Set<string>;
  /**
   * Name of this scheduler's executor when its tries outlive schedulers (remote workers): its
   * TIs are never orphans of a dead scheduler; lost dispatches and zombies catch what is lost.
   */
  detachedExecutor?: string | null;
}

const keyOf = (k: TiKey) => `${k.dagId}\u0000${k.runId}\u0000${k.taskId}\u0000${k.mapIndex}`;

function processAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Job ids whose owner is gone: ended, heartbeat older than `staleAfterSec`, or a dead pid on this host. */
export async function deadJobIds(db: Kysely<Schema>, now: Date, staleAfterSec: number, selfJobId: number | null): Promise<Set<number>> {
  const jobs = await db.selectFrom('job').select(['id', 'state', 'hostname', 'pid', 'latest_heartbeat']).where('job_type', '=', 'scheduler').execute();
  const dead = new Set<number>();
  const host = hostname();
  for (const j of jobs) {
    if (j.id === selfJobId) continue;
    const stale = !j.latest_heartbeat || now.getTime() - Date.parse(j.latest_heartbeat) > staleAfterSec * 1000;
    if (j.state !== 'running' || stale || (j.hostname === host && !processAlive(j.pid))) dead.add(j.id);
  }
  return dead;
}

/**
 * TIs owned by dead jobs: queued ones go back to scheduled (no try was spent), running ones fail
 * this try (retried when retries remain). Returns the runs touched.
 */
export async function adoptOrphans(db: Kysely<Schema>, ctx: RecoveryContext, now: Date, staleAfterSec: number): Promise<Set<string>> {
  const touched = new Set<string>();
  const dead = await deadJobIds(db, now, staleAfterSec, ctx.jobId);
  const orphans = await db
    .selectFrom('task_instance')
    .select(['dag_id', 'run_id', 'task_id', 'map_index', 'state', 'queued_by_job_id', 'executor'])
    .where(TI_OCCUPYING)
    .execute();
  for (const o of orphans) {
    if (ctx.detachedExecutor && o.executor === ctx.detachedExecutor) continue;
    const key = { dagId: o.dag_id, runId: o.run_id, taskId: o.task_id, mapIndex: o.map_index };
    if (ctx.activeKeys.has(keyOf(key))) continue;
    const owner = o.queued_by_job_id;
    if (owner !== null && !dead.has(owner) && owner !== ctx.jobId) continue;
    if (owner === ctx.jobId) continue;
    await db.transaction().execute(async (trx) => {
      if (o.state === 'queued') {
        await casTaskInstanceState(trx, key, 'queued', { state: 'scheduled', try_number: sql<number>`case when next_method is null then try_number - 1 else try_number end`, queued_by_job_id: null });
      } else {
        const row = await tiRow(trx, key);
        if (row) await failTry(trx, key, row, 'The process running this try ended without reporting a result (its scheduler or worker stopped); failing this try.', now.toISOString(), ctx);
      }
    });
    touched.add(`${o.dag_id}\u0000${o.run_id}`);
  }
  if (dead.size) await db.updateTable('job').set({ state: 'failed', end_date: nowIso() }).where('id', 'in', [...dead]).where('state', '=', 'running').execute();
  return touched;
}

/** Running TIs whose heartbeat is older than the threshold (and not ours): zombies. */
export function failZombies(db: Kysely<Schema>, ctx: RecoveryContext, now: Date, thresholdSec: number): Promise<Set<string>> {
  return failOverdue(db, ctx, now, 'running', 'last_heartbeat_at', thresholdSec, `Detected zombie: no heartbeat for more than ${thresholdSec}s.`);
}

/** Queued TIs (not in our executor) waiting longer than the timeout: fail the try. */
export function failStuckQueued(db: Kysely<Schema>, ctx: RecoveryContext, now: Date, timeoutSec: number): Promise<Set<string>> {
  return failOverdue(db, ctx, now, 'queued', 'queued_at', timeoutSec, `Task stayed queued for more than ${timeoutSec}s without starting.`);
}

/** Fails the try of every TI in `state` whose `since` column is older than `seconds`, unless this executor runs it. */
async function failOverdue(
  db: Kysely<Schema>,
  ctx: RecoveryContext,
  now: Date,
  state: 'running' | 'queued',
  since: 'last_heartbeat_at' | 'queued_at',
  seconds: number,
  reason: string,
): Promise<Set<string>> {
  const limit = new Date(now.getTime() - seconds * 1000).toISOString();
  // The literal state predicate lets the query use the partial index of TIs in that state.
  const rows = await db.selectFrom('task_instance').select(['dag_id', 'run_id', 'task_id', 'map_index']).where(state === 'running' ? TI_RUNNING : TI_QUEUED).where(since, '<', limit).execute();
  const touched = new Set<string>();
  // A try whose result waits in the executor inbox is not a zombie: it ended, and is recorded soon.
  const reported = rows.length && ctx.detachedExecutor ? await keysInInbox(db) : new Set<string>();
  for (const r of rows) {
    const key = { dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: r.map_index };
    if (ctx.activeKeys.has(keyOf(key)) || reported.has(keyOf(key))) continue;
    await db.transaction().execute(async (trx) => {
      const row = await tiRow(trx, key);
      if (row?.state === state) await failTry(trx, key, row, reason, now.toISOString(), ctx);
    });
    touched.add(`${r.dag_id}\u0000${r.run_id}`);
  }
  return touched;
}

/** Task instances that have a result waiting in the executor inbox. */
async function keysInInbox(db: Kysely<Schema>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const r of await db.selectFrom('executor_event').select('payload').execute()) {
    try {
      const k = (JSON.parse(r.payload) as { key?: TiKey }).key;
      if (k) out.add(keyOf(k));
    } catch {
      /* not an event: the inbox reader drops it */
    }
  }
  return out;
}
