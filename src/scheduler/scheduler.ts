/**
 * The scheduler: creates runs, decides what runs next, queues task instances on an executor and
 * records what executors report. It is event-driven: an executor event or a `wake()` starts a
 * pass at once (several events batch into one pass); timers exist only for work that is due at
 * a time (a retry, a cron run, the periodic sweep that backs up missed hints).
 */
import { hostname } from 'node:os';
import type { BatonConfig } from '../config.ts';
import type { Executor, ExecutorEvent, TaskWorkload, TiKey } from '../executors/executor.ts';
import type { Kysely } from 'kysely';
import { tiKeyString } from '../executors/executor.ts';
import { casTaskInstanceStates, endJob, heartbeatJob, startJob, type BatonDb, type Schema } from '../store/index.ts';
import { applyExecutorEvents } from './apply-events.ts';
import { createDatasetRuns } from './dataset-runs.ts';
import { createDueRuns } from './create-due-runs.ts';
import { queueScheduledTasks } from './queue-tasks.ts';
import { adoptOrphans, failStuckQueued, failZombies } from './recovery.ts';
import { scheduleRun } from './schedule-run.ts';
import { SerializedDagCache } from './serialized-dags.ts';
import { startQueuedRuns } from './start-queued-runs.ts';
import { dbWorkerServices } from './worker-services.ts';
import { failTimedOutRuns } from './run-timeouts.ts';

/** Runs whose evaluation costs more than this (ms) are rate-limited… */
const EVAL_BUDGET_MS = 2;
/** …to at most one evaluation per this many times its cost (about 20% of the scheduler's time). */
const EVAL_SPACING = 4;

export interface SchedulerLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface SchedulerOptions {
  db: BatonDb;
  executor: Executor;
  config: BatonConfig;
  log?: SchedulerLogger;
  /** Seconds between sweeps (heartbeats, zombies, external changes). Default: config.heartbeatInterval. */
  sweepInterval?: number;
}

export class Scheduler {
  readonly cache = new SerializedDagCache();
  private jobId: number | null = null;
  private pending: ExecutorEvent[] = [];
  private dirtyRuns = new Set<string>();
  private checkDue = true;
  private sweepAll = true;
  private running = false;
  private again = false;
  private stopped = true;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeTimerAt: number | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private nextDueAt: Date | null = null;
  private readonly log: SchedulerLogger;
  private readonly warnedPools = new Set<string>();
  private lastError: string | null = null;
  /** When each run was last evaluated and what it cost, to rate-limit large runs. */
  private readonly evalStats = new Map<string, { at: number; costMs: number }>();
  private readonly deferralListeners = new Set<() => void>();

  constructor(private readonly o: SchedulerOptions) {
    this.log = o.log ?? { info: () => {}, warn: (m) => process.stderr.write(`${m}\n`), error: (m) => process.stderr.write(`${m}\n`) };
  }

  get db() {
    return this.o.db.db;
  }

  private get xcomOptions() {
    return { folder: this.o.config.xcomFolder, maxInlineBytes: this.o.config.xcomMaxInlineBytes };
  }

  async start(): Promise<void> {
    const job = await startJob(this.db, { jobType: 'scheduler', hostname: hostname(), pid: process.pid });
    this.jobId = job.id;
    this.stopped = false;
    await this.o.executor.start((e) => this.onEvent(e), dbWorkerServices(this.db, this.xcomOptions));
    const touched = await adoptOrphans(this.db, this.recoveryContext(), new Date(), this.o.config.zombieThreshold);
    for (const r of touched) this.dirtyRuns.add(r);
    const every = (this.o.sweepInterval ?? this.o.config.heartbeatInterval) * 1000;
    this.sweepTimer = setInterval(() => {
      this.sweepAll = true;
      this.checkDue = true;
      this.wake();
    }, every);
    this.sweepTimer.unref?.();
    // Work created by other processes (a CLI trigger, a second API server) is noticed within a
    // second; in-process callers wake the scheduler directly.
    this.checkTimer = setInterval(() => {
      this.checkDue = true;
      this.wake();
    }, Math.min(every, 1000));
    this.checkTimer.unref?.();
    this.log.info(`scheduler started (job ${this.jobId}, executor ${this.o.executor.name})`);
    this.wake();
  }

  /** Asks for a scheduling pass as soon as possible (new run, unpaused DAG, new dataset event…). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    setImmediate(() => void this.loop());
  }

  /** Marks everything for re-examination and wakes (used after external changes). */
  poke(): void {
    this.cache.invalidate();
    this.checkDue = true;
    this.sweepAll = true;
    this.wake();
  }

  /** Calls `listener` after a pass that recorded deferred tasks (the triggerer wakes on it). */
  onDeferred(listener: () => void): () => void {
    this.deferralListeners.add(listener);
    return () => this.deferralListeners.delete(listener);
  }

  /** Resolves when no pass is running and none is pending (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await this.idle();
    await this.o.executor.stop(graceMs);
    // Results that arrived while stopping are still recorded.
    this.stopped = false;
    const events = this.pending.splice(0);
    if (events.length) await applyExecutorEvents(this.db, events, this.applyContext()).catch((e) => this.log.error(`could not record final results: ${(e as Error).message}`));
    this.stopped = true;
    if (this.jobId !== null) await endJob(this.db, this.jobId, 'success').catch(() => {});
    this.log.info('scheduler stopped');
  }

  private onEvent(e: ExecutorEvent): void {
    if (e.kind !== 'slots') this.pending.push(e);
    if (!this.stopped) this.wake();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.pass();
          this.lastError = null;
        } catch (e) {
          const msg = (e as Error).stack ?? String(e);
          if (msg !== this.lastError) this.log.error(`scheduler pass failed (will retry): ${msg}`);
          this.lastError = msg;
          this.armTimer(new Date(Date.now() + 1000));
        }
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private applyContext() {
    return { cache: this.cache, xcom: this.xcomOptions, logsFolder: this.o.config.logsFolder, jobId: this.jobId };
  }

  private recoveryContext() {
    return { cache: this.cache, logsFolder: this.o.config.logsFolder, jobId: this.jobId, activeKeys: new Set(this.o.executor.activeKeys().map(tiKeyString)) };
  }

  /**
   * One scheduling pass, in one transaction: record executor events, create due runs, start
   * queued runs, decide dirty runs, and queue what is ready. Workloads reach the executor only
   * after the commit; if the pass fails, its events are put back and retried.
   */
  private async pass(): Promise<void> {
    const now = new Date();
    let wakeAt: Date | null = null;
    const soonest = (d: Date | null) => {
      if (d && (!wakeAt || d < wakeAt)) wakeAt = d;
    };

    if (this.sweepAll) {
      this.sweepAll = false;
      await this.sweep(now);
    }

    const events = this.pending.splice(0);
    const dirtyBefore = new Set(this.dirtyRuns);
    let workloads: TaskWorkload[] = [];
    let stale: TiKey[] = [];
    let deferred = 0;
    try {
      workloads = await this.db.transaction().execute(async (trx) => {
        if (events.length) {
          const applied = await applyExecutorEvents(trx, events, this.applyContext());
          for (const r of applied.touchedRuns) this.dirtyRuns.add(r);
          if (applied.touchedDags.size) this.checkDue = true;
          stale = applied.stale;
          deferred = applied.deferred;
        }
        if (this.checkDue || (this.nextDueAt && this.nextDueAt <= now)) {
          this.checkDue = false;
          const due = await createDueRuns(trx, this.cache, now, this.jobId);
          this.nextDueAt = due.nextDueAt;
          await createDatasetRuns(trx, this.cache, now, this.jobId);
        }
        soonest(this.nextDueAt);
        // One indexed query: runs queued by anyone (this process, the CLI, the API) start promptly.
        for (const r of await startQueuedRuns(trx)) this.dirtyRuns.add(`${r.dagId}\u0000${r.runId}`);
        await this.decideDirtyRuns(trx, now, soonest);
        const slots = this.o.executor.openSlots();
        return slots > 0 ? queueScheduledTasks(trx, this.cache, this.queueOptions(slots)) : [];
      });
    } catch (e) {
      this.pending.unshift(...events);
      for (const r of dirtyBefore) this.dirtyRuns.add(r);
      throw e;
    }
    for (const k of stale) this.o.executor.terminate(k, 'its task instance was changed while it ran');
    for (const w of workloads) this.o.executor.queue(w);
    if (deferred) for (const l of this.deferralListeners) l();
    this.armTimer(wakeAt);
  }

  private queueOptions(slots: number) {
    return {
      executorSlots: slots,
      logsFolder: this.o.config.logsFolder,
      jobId: this.jobId,
      executorName: this.o.executor.name,
      onUnknownPool: (pool: string, ids: string[]) => {
        if (this.warnedPools.has(pool)) return;
        this.warnedPools.add(pool);
        this.log.warn(`tasks ${ids.slice(0, 5).join(', ')} use pool '${pool}', which does not exist: they wait until it is created (baton pools set ${pool} <slots> "<description>")`);
      },
    };
  }

  /** Decides every dirty run (large runs at most once per their evaluation cost). */
  private async decideDirtyRuns(trx: Kysely<Schema>, now: Date, soonest: (d: Date | null) => void): Promise<void> {
    if (this.dirtyRuns.size === 0) return;
    const keys = [...this.dirtyRuns];
    this.dirtyRuns.clear();
    for (const key of keys) {
      // A run whose evaluation is expensive (thousands of TIs) is re-evaluated at most every
      // EVAL_SPACING × cost ms; events keep accumulating meanwhile and are decided together, and
      // tasks already scheduled keep being dispatched. Small runs are always evaluated at once.
      const stat = this.evalStats.get(key);
      if (stat && stat.costMs > EVAL_BUDGET_MS && Date.now() - stat.at < stat.costMs * EVAL_SPACING) {
        this.dirtyRuns.add(key);
        soonest(new Date(stat.at + stat.costMs * EVAL_SPACING));
        continue;
      }
      const [dagId, runId] = key.split('\u0000') as [string, string];
      const t0 = performance.now();
      const run = await trx
        .selectFrom('dag_run as r')
        .innerJoin('dag as d', 'd.dag_id', 'r.dag_id')
        .select(['r.id', 'r.state', 'r.run_type', 'd.is_paused'])
        .where('r.dag_id', '=', dagId)
        .where('r.run_id', '=', runId)
        .executeTakeFirst();
      // Backfill runs proceed even while their DAG is paused, as Airflow's backfill does.
      const dag = run && run.state === 'running' && (!run.is_paused || run.run_type === 'backfill') ? await this.cache.get(trx, dagId) : undefined;
      if (!run || !dag) {
        this.evalStats.delete(key);
        continue;
      }
      const outcome = await scheduleRun(trx, { id: run.id, dagId, runId }, dag, now);
      this.evalStats.set(key, { at: Date.now(), costMs: performance.now() - t0 });
      soonest(outcome.nextWakeAt);
      if (outcome.runState !== 'running') {
        this.evalStats.delete(key);
        this.checkDue = true;
        this.again = true;
        this.log.info(`DAG run ${dagId} ${runId} finished: ${outcome.runState}`);
      }
    }
  }

  /**
   * Makes sure a pass runs at `at`. A timer only ever moves earlier: a pass that did not look at
   * some waiting retry must not cancel the timer set for it.
   */
  private armTimer(at: Date | null): void {
    if (!at || this.stopped) return;
    if (this.wakeTimer && this.wakeTimerAt !== null && this.wakeTimerAt <= at.getTime()) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimerAt = at.getTime();
    const ms = Math.max(0, at.getTime() - Date.now());
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wakeTimerAt = null;
      this.dirtyRunsFromDueRetries().then(() => this.wake(), () => this.wake());
    }, Math.min(ms + 5, 2 ** 31 - 1));
    this.wakeTimer.unref?.();
  }

  /** When a retry or reschedule comes due, its run must be looked at again. */
  private async dirtyRunsFromDueRetries(): Promise<void> {
    const rows = await this.db
      .selectFrom('task_instance')
      .select(['dag_id', 'run_id'])
      .distinct()
      .where('state', 'in', ['up_for_retry', 'up_for_reschedule'])
      .where('next_try_at', '<=', new Date().toISOString())
      .execute();
    for (const r of rows) this.dirtyRuns.add(`${r.dag_id}\u0000${r.run_id}`);
  }

  /** Periodic work: heartbeats, zombies, stuck tasks, run timeouts, and a look at every running run. */
  private async sweep(now: Date): Promise<void> {
    const db = this.db;
    if (this.jobId !== null) await heartbeatJob(db, this.jobId);
    const active = this.o.executor.activeKeys();
    if (active.length) await casTaskInstanceStates(db, active, 'running', { last_heartbeat_at: now.toISOString() });
    const ctx = this.recoveryContext();
    const touched = [
      ...(await adoptOrphans(db, ctx, now, this.o.config.zombieThreshold)),
      ...(await failZombies(db, ctx, now, this.o.config.zombieThreshold)),
      ...(await failStuckQueued(db, ctx, now, this.o.config.queuedTimeout)),
      ...(await failTimedOutRuns(db, this.cache, now)),
    ];
    for (const r of touched) this.dirtyRuns.add(r);
    const running = await db.selectFrom('dag_run').select(['dag_id', 'run_id']).where('state', '=', 'running').execute();
    for (const r of running) this.dirtyRuns.add(`${r.dag_id}\u0000${r.run_id}`);
    await this.dirtyRunsFromDueRetries();
  }
}
