/**
 * The scheduler: creates runs, decides what runs next, queues task instances on an executor and
 * records what executors report. It is event-driven: an executor event or a `wake()` starts a
 * pass at once (several events batch into one pass); timers exist only for work that is due at
 * a time (a retry, a cron run, the periodic sweep that backs up missed hints).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BatonConfig } from '../config.ts';
import type { Executor, ExecutorEvent, QueuedTry, Receipted, TaskWorkload, TiKey } from '../executors/executor.ts';
import type { Kysely } from 'kysely';
import { tiKeyString } from '../executors/executor.ts';
import { sql } from 'kysely';
import { bumpRunVersions, bumpRunVersionsSkipLocked, casTaskInstanceStates, CHANNELS, dialectOf, endJob, heartbeatJob, PgListener, startJob, TI_QUEUED, TI_WAITING, type BatonDb, type Schema } from '../store/index.ts';
import { applyExecutorEvents, type TiMove } from './apply-events.ts';
import { addRunHeads, loadRunHeads, lockedRuns, runHeadsQueries, type RunHead } from './run-heads.ts';
import { runsWhilePaused } from './backfills.ts';
import { createDatasetRuns } from './dataset-runs.ts';
import { createDueRuns } from './create-due-runs.ts';
import { queueScheduled, scheduleReadyTis } from './queue-tasks.ts';
import { adoptOrphans, failStuckQueued, failZombies } from './recovery.ts';
import { RunModels } from './run-models.ts';
import { scheduleRun, type ReadyTi } from './schedule-run.ts';
import { SerializedDagCache } from './serialized-dags.ts';
import { startQueuedRuns } from './start-queued-runs.ts';
import { fernetKeyRing } from '../security/keys.ts';
import { dbWorkerServices } from './worker-services.ts';
import { failTimedOutRuns } from './run-timeouts.ts';

/**
 * A try's start is recorded when the try ends or this long after it began, whichever comes
 * first: a short try then costs one write instead of two, and a long one shows as running
 * within this delay. (No decision depends on queued vs running.)
 */
const START_RECORD_DELAY_MS = 100;

/** A run another scheduler holds (PostgreSQL) is looked at again this much later. */
const LOCKED_RUN_RETRY_MS = 20;

/** A try queued on a detached executor this long ago and missing there is dispatched again. */
const LOST_DISPATCH_AFTER_MS = 5000;
/** How often queueing also looks for scheduled TIs whose pool does not exist. */
const UNKNOWN_POOL_CHECK_MS = 10_000;

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
  /**
   * The environment `config` came from, when it is not this process's: workers' services then
   * read BATON_VAR_/BATON_CONN_ from it, decrypt with the keys of `config` and keep artifacts
   * under its home. Default: this process's environment and keys.
   */
  env?: NodeJS.ProcessEnv;
}

export class Scheduler {
  readonly cache = new SerializedDagCache();
  private jobId: number | null = null;
  private pending: ExecutorEvent[] = [];
  /** Starts not recorded yet (see START_RECORD_DELAY_MS), by try, with when they arrived. */
  private readonly pendingStarts = new Map<string, { event: Extract<ExecutorEvent, { kind: 'started' }>; at: number }>();
  private startsTimer: NodeJS.Timeout | null = null;
  private dirtyRuns = new Set<string>();
  private checkDue = true;
  /** Whether queued runs may be able to start (a run was created or ended, a DAG unpaused…). */
  private checkQueuedRuns = true;
  /** Whether scheduled TIs may wait to be queued (false after a queueing step that left none). */
  private scheduledWaiting = true;
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
  private unknownPoolsCheckedAt = 0;
  private lastError: string | null = null;
  /** The in-memory picture of each running run this scheduler decides. */
  private readonly models = new RunModels();
  private readonly deferralListeners = new Set<() => void>();
  private readonly runFinishedListeners = new Set<(run: { dagId: string; runId: string; state: 'success' | 'failed' }) => void>();
  /** LISTENs for wake-ups from other processes (PostgreSQL). */
  private listener: PgListener | null = null;
  /**
   * Runs (`dagId\0runId`) whose TIs a committed pass changed while another scheduler held them
   * locked, and whose version that pass could not bump without waiting: the next pass that locks
   * one bumps it, so the other scheduler's picture of it is dropped.
   */
  private readonly owedBumps = new Set<string>();

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
    await this.o.executor.start((e) => this.onEvent(e), (this.o.env ? dbWorkerServices(this.db, this.xcomOptions, () => fernetKeyRing(this.o.config), { env: this.o.env, artifactsDir: join(this.o.config.home, 'artifacts') }) : dbWorkerServices(this.db, this.xcomOptions)));
    const touched = await adoptOrphans(this.db, this.recoveryContext(), new Date(), this.o.config.zombieThreshold);
    for (const r of touched) this.dirtyRuns.add(r);
    const every = (this.o.sweepInterval ?? this.o.config.heartbeatInterval) * 1000;
    if (dialectOf(this.db) === 'postgres') {
      // Work created by other processes (a CLI trigger, an API server, a triggerer, another
      // scheduler's backfill) arrives as a notification the moment it commits.
      this.listener = new PgListener({
        url: this.o.config.databaseUrl,
        channels: [CHANNELS.scheduler],
        onNotify: (_channel, payload) => this.onNotify(payload),
        onConnect: () => this.onNotify(''),
        warn: (m) => this.log.warn(m),
      });
      await this.listener.start();
    }
    this.sweepTimer = setInterval(() => {
      this.sweepAll = true;
      this.checkDue = true;
      this.kick();
    }, every);
    this.sweepTimer.unref?.();
    // On SQLite (one machine), work created by other processes (a CLI trigger) is noticed within
    // a second; in-process callers wake the scheduler directly.
    if (!this.listener) {
      this.checkTimer = setInterval(() => {
        this.checkDue = true;
        this.checkQueuedRuns = true;
        this.kick();
      }, Math.min(every, 1000));
      this.checkTimer.unref?.();
    }
    this.log.info(`scheduler started (job ${this.jobId}, executor ${this.o.executor.name})`);
    this.kick();
  }

  /** Asks for a scheduling pass as soon as possible (new run, unpaused DAG, new dataset event…). */
  wake(): void {
    // An outside caller may have queued a run or scheduled a task instance.
    this.checkQueuedRuns = true;
    this.scheduledWaiting = true;
    this.kick();
  }

  /** Starts a pass now, or right after the one running. */
  private kick(): void {
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
    this.models.clear();
    this.checkDue = true;
    this.checkQueuedRuns = true;
    this.scheduledWaiting = true;
    this.sweepAll = true;
    this.kick();
  }

  /** A notification: a run to look at (`dagId` U+0001 `runId`), or anything else (empty). */
  private onNotify(payload: string): void {
    const i = payload.indexOf('\u0001');
    if (i > 0) this.dirtyRuns.add(`${payload.slice(0, i)}\u0000${payload.slice(i + 1)}`);
    this.checkDue = true;
    this.checkQueuedRuns = true;
    this.scheduledWaiting = true;
    this.kick();
  }

  /** Calls `listener` after a pass that recorded deferred tasks (the triggerer wakes on it). */
  onDeferred(listener: () => void): () => void {
    this.deferralListeners.add(listener);
    return () => this.deferralListeners.delete(listener);
  }

  /** Calls `listener` when this scheduler ends a DAG run (after its pass commits). */
  onRunFinished(listener: (run: { dagId: string; runId: string; state: 'success' | 'failed' }) => void): () => void {
    this.runFinishedListeners.add(listener);
    return () => this.runFinishedListeners.delete(listener);
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
    await this.listener?.stop();
    await this.idle();
    await this.o.executor.stop(graceMs);
    if (this.startsTimer) clearTimeout(this.startsTimer);
    // Results (and starts) that arrived while stopping are still recorded.
    this.stopped = false;
    this.flushStarts(Infinity);
    const events = this.pending.splice(0);
    if (events.length) {
      await this.db
        .transaction()
        .execute(async (trx) => {
          await applyExecutorEvents(trx, await this.acknowledge(trx, events), this.applyContext());
        })
        .catch((e) => this.log.error(`could not record final results: ${(e as Error).message}`));
    }
    this.stopped = true;
    if (this.jobId !== null) await endJob(this.db, this.jobId, 'success').catch(() => {});
    this.log.info('scheduler stopped');
  }

  private onEvent(e: ExecutorEvent): void {
    if (e.kind === 'started') {
      this.pendingStarts.set(`${tiKeyString(e.key)}\u0000${e.tryNumber}`, { event: e, at: Date.now() });
      this.armStartsTimer();
      return;
    }
    if (e.kind !== 'slots') {
      const tryKey = `${tiKeyString(e.key)}\u0000${e.tryNumber}`;
      const start = this.pendingStarts.get(tryKey);
      if (start) {
        this.pendingStarts.delete(tryKey);
        this.pending.push(start.event);
      }
      this.pending.push(e);
    }
    if (!this.stopped) this.kick();
  }

  /** Moves starts older than `ageMs` to the pending events; returns how many it moved. */
  private flushStarts(ageMs: number): number {
    const now = Date.now();
    let moved = 0;
    for (const [k, s] of this.pendingStarts) {
      if (ageMs !== Infinity && now - s.at < ageMs) continue;
      this.pendingStarts.delete(k);
      this.pending.push(s.event);
      moved++;
    }
    return moved;
  }

  private armStartsTimer(): void {
    if (this.startsTimer || this.stopped) return;
    this.startsTimer = setTimeout(() => {
      this.startsTimer = null;
      if (this.flushStarts(START_RECORD_DELAY_MS)) this.kick();
      if (this.pendingStarts.size) this.armStartsTimer();
    }, START_RECORD_DELAY_MS);
    this.startsTimer.unref?.();
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

  /**
   * Removes the events about to be recorded from the executor's inbox (executors that have one)
   * and returns those to record: an event whose inbox row another scheduler took is dropped, and
   * so is a second delivery of the same row.
   */
  private async acknowledge(trx: Kysely<Schema>, events: ExecutorEvent[]): Promise<ExecutorEvent[]> {
    if (!this.o.executor.acknowledge) return events;
    const receipts: number[] = [];
    for (const e of events as Receipted[]) if (e.receipt !== undefined) receipts.push(e.receipt);
    if (!receipts.length) return events;
    const taken = await this.o.executor.acknowledge(trx, receipts);
    if (!taken) return events;
    const left = new Set(taken);
    return (events as Receipted[]).filter((e) => e.receipt === undefined || left.delete(e.receipt));
  }

  private applyContext() {
    return { cache: this.cache, xcom: this.xcomOptions, logsFolder: this.o.config.logsFolder, jobId: this.jobId };
  }

  private recoveryContext() {
    return {
      cache: this.cache, logsFolder: this.o.config.logsFolder, jobId: this.jobId, activeKeys: new Set(this.o.executor.activeKeys().map(tiKeyString)),
      detachedExecutor: this.o.executor.detached ? this.o.executor.name : null,
    };
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
      this.checkQueuedRuns = true;
      this.scheduledWaiting = true;
      await this.sweep(now);
    }

    const events = this.pending.splice(0);
    const dirtyBefore = new Set(this.dirtyRuns);
    let workloads: TaskWorkload[] = [];
    let stale: TiKey[] = [];
    let deferred = 0;
    let moves: TiMove[] = [];
    const finishedRuns: Array<{ dagId: string; runId: string; state: 'success' | 'failed' }> = [];
    let bumps: { bumped: string[]; owed: string[] } = { bumped: [], owed: [] };
    // On PostgreSQL the runs to decide are locked in the same round trip as the results are
    // recorded: the runs already dirty and those the results touch.
    const pg = dialectOf(this.db) === 'postgres';
    let locked: LockedAlong | null = null;
    const lockRunsAlong = (touched: ReadonlySet<string>) => {
      const keys = [...new Set([...this.dirtyRuns, ...touched])];
      const bump = new Set(touched);
      for (const k of keys) if (this.owedBumps.has(k)) bump.add(k);
      return {
        queries: runHeadsQueries(keys, true, bump).map((q) => q.compile(this.db)),
        results: (results: Array<{ rows: unknown[] }>) => {
          const heads = new Map<string, RunHead>();
          for (const r of results) addRunHeads(heads, r.rows as Parameters<typeof addRunHeads>[1]);
          locked = { attempted: new Set(keys), heads };
        },
      };
    };
    try {
      workloads = await this.db.transaction().execute(async (trx) => {
        if (events.length) {
          const applied = await applyExecutorEvents(trx, await this.acknowledge(trx, events), { ...this.applyContext(), alongFinishes: pg ? lockRunsAlong : undefined });
          for (const r of applied.touchedRuns) this.dirtyRuns.add(r);
          if (applied.touchedDags.size) this.checkDue = true;
          stale = applied.stale;
          deferred = applied.deferred;
          moves = applied.moves;
        }
        if (this.checkDue || (this.nextDueAt && this.nextDueAt <= now)) {
          this.checkDue = false;
          this.checkQueuedRuns = true;
          const due = await createDueRuns(trx, this.cache, now, this.jobId);
          this.nextDueAt = due.nextDueAt;
          await createDatasetRuns(trx, this.cache, now, this.jobId);
        }
        soonest(this.nextDueAt);
        // Runs queued by anyone (this process, the CLI, the API) start promptly: whoever queues a
        // run wakes the scheduler (in-process, by notification, or by the 1-second check on SQLite).
        if (this.checkQueuedRuns || this.checkDue) {
          this.checkQueuedRuns = false;
          for (const r of await startQueuedRuns(trx)) this.dirtyRuns.add(`${r.dagId}\u0000${r.runId}`);
        }
        // TIs the decisions found ready are moved to scheduled by the queueing step (on
        // PostgreSQL in the statement that reads the candidates), or here when it does not run.
        const ready: ReadyTi[] = [];
        bumps = await this.decideDirtyRuns(trx, now, soonest, finishedRuns, moves, ready, locked);
        const slots = this.o.executor.openSlots();
        // TIs naming a pool that does not exist are looked for now and then (it scans every
        // scheduled TI): they are warned about, and queued once the pool is created.
        const lookForUnknownPools = Date.now() - this.unknownPoolsCheckedAt >= UNKNOWN_POOL_CHECK_MS;
        if (slots <= 0 || (!this.scheduledWaiting && !lookForUnknownPools)) {
          this.readyMoved(ready, await scheduleReadyTis(trx, ready));
          return [];
        }
        if (lookForUnknownPools) this.unknownPoolsCheckedAt = Date.now();
        // On PostgreSQL the queueing UPDATE also commits the pass (one round trip less): no
        // statement may follow it here.
        const queued = await queueScheduled(trx, this.cache, { ...this.queueOptions(slots), ready, lookForUnknownPools, commitWithQueueing: dialectOf(trx) === 'postgres' });
        this.readyMoved(ready, queued.readyMoved);
        this.scheduledWaiting = queued.waiting;
        return queued.workloads;
      });
    } catch (e) {
      this.pending.unshift(...events);
      for (const r of dirtyBefore) this.dirtyRuns.add(r);
      // The pictures may hold changes that were rolled back, and so may the flags.
      this.models.clear();
      this.scheduledWaiting = true;
      this.checkQueuedRuns = true;
      throw e;
    }
    for (const k of bumps.bumped) this.owedBumps.delete(k);
    for (const k of bumps.owed) this.owedBumps.add(k);
    for (const k of stale) this.o.executor.terminate(k, 'its task instance was changed while it ran');
    for (const w of workloads) this.o.executor.queue(w);
    if (deferred) for (const l of this.deferralListeners) l();
    for (const r of finishedRuns) for (const l of this.runFinishedListeners) l(r);
    this.armTimer(wakeAt);
  }

  /**
   * A ready TI that did not move to scheduled was changed meanwhile (marked, cleared): the picture
   * of its run, which counts it as scheduled, is dropped and the run decided again.
   */
  private readyMoved(ready: readonly ReadyTi[], moved: readonly ReadyTi[]): void {
    if (moved.length === ready.length) return;
    const movedKeys = new Set(moved.map((k) => tiKeyString(k)));
    for (const r of ready) {
      if (movedKeys.has(tiKeyString(r))) continue;
      const key = `${r.dagId}\u0000${r.runId}`;
      this.models.forget(key);
      this.dirtyRuns.add(key);
      this.again = true;
    }
  }

  private queueOptions(slots: number) {
    return {
      executorSlots: slots,
      logsFolder: this.o.config.logsFolder,
      jobId: this.jobId,
      executorName: this.o.executor.name,
      withDagHash: this.o.executor.checksDagVersion === true,
      onUnknownPool: (pool: string, ids: string[]) => {
        if (this.warnedPools.has(pool)) return;
        this.warnedPools.add(pool);
        this.log.warn(`tasks ${ids.slice(0, 5).join(', ')} use pool '${pool}', which does not exist: they wait until it is created (baton pools set ${pool} <slots> "<description>")`);
      },
    };
  }

  /**
   * Decides every dirty run: each from the scheduler's picture of it, brought up to date with the
   * results this pass recorded (`moves`), or read in full when the picture is out of date. Each
   * run whose task instances this pass changed gets its version bumped once.
   */
  private async decideDirtyRuns(trx: Kysely<Schema>, now: Date, soonest: (d: Date | null) => void, finished: Array<{ dagId: string; runId: string; state: 'success' | 'failed' }>, moves: TiMove[], ready: ReadyTi[], locked: LockedAlong | null = null): Promise<{ bumped: string[]; owed: string[] }> {
    const bumped: string[] = [];
    if (this.dirtyRuns.size === 0) return { bumped, owed: [] };
    const keys = [...this.dirtyRuns];
    this.dirtyRuns.clear();
    const movesByRun = new Map<string, TiMove[]>();
    for (const m of moves) {
      const k = `${m.key.dagId}\u0000${m.key.runId}`;
      (movesByRun.get(k) ?? movesByRun.set(k, []).get(k)!).push(m);
    }
    // On PostgreSQL each run this pass recorded results for is bumped as it is locked, and TIs found
    // ready are moved to scheduled by the queueing step's statement (SQLite moves them at once).
    const pg = dialectOf(trx) === 'postgres';
    const toBump = new Set(movesByRun.keys());
    for (const k of keys) if (this.owedBumps.has(k)) toBump.add(k);
    // Runs locked with the results (see pass()) are not asked for again.
    const heads = new Map<string, RunHead>();
    for (const k of keys) {
      const h = locked?.heads.get(k);
      if (h) heads.set(k, h);
    }
    for (const [k, h] of await loadRunHeads(trx, keys.filter((k) => !locked?.attempted.has(k)), pg, toBump)) heads.set(k, h);
    const bump: Array<{ dagId: string; runId: string }> = [];
    const lockedElsewhere = heads.size < keys.length ? await lockedRuns(trx, keys.filter((k) => !heads.has(k))) : new Set<string>();
    const bumpOnly: Array<{ dagId: string; runId: string }> = [];
    for (const key of keys) {
      const [dagId, runId] = key.split('\u0000') as [string, string];
      const runMoves = movesByRun.get(key) ?? [];
      const head = heads.get(key);
      if (head?.bumpedVersion !== null && head?.bumpedVersion !== undefined) bumped.push(key);
      if (!head && lockedElsewhere.has(key)) {
        // Another scheduler is deciding this run: look again once it has committed. Results this
        // pass recorded for it must invalidate that scheduler's picture of it.
        this.models.forget(key);
        this.dirtyRuns.add(key);
        this.armTimer(new Date(Date.now() + LOCKED_RUN_RETRY_MS));
        if (runMoves.length) bumpOnly.push({ dagId, runId });
        continue;
      }
      // Backfill runs (and runs a backfill reprocesses) proceed even while their DAG is paused, as in Airflow.
      const decidable = head && head.state === 'running' && (!head.is_paused || runsWhilePaused(head));
      const dag = decidable ? await this.cache.get(trx, dagId) : undefined;
      if (!head || !dag) {
        this.models.forget(key);
        if (head && (runMoves.length || this.owedBumps.has(key)) && head.bumpedVersion === null) bump.push({ dagId, runId });
        if (!head && !lockedElsewhere.has(key)) bumped.push(key); // the run is gone: nothing owed
        continue;
      }
      const outcome = await scheduleRun(trx, { run: { id: head.id, dagId, runId, tiVersion: head.ti_version }, dag, now, models: this.models, moves: runMoves, deferReady: pg ? ready : undefined });
      if (head.bumpedVersion !== null) this.models.setVersion(key, head.bumpedVersion);
      else if (outcome.wrote || this.owedBumps.has(key)) bump.push({ dagId, runId });
      if (outcome.scheduled > 0) this.scheduledWaiting = true;
      if (outcome.stale) {
        this.dirtyRuns.add(key);
        this.again = true;
      }
      soonest(outcome.nextWakeAt);
      if (outcome.runState !== 'running') {
        this.checkDue = true;
        this.checkQueuedRuns = true;
        this.again = true;
        this.log.info(`DAG run ${dagId} ${runId} finished: ${outcome.runState}`);
        finished.push({ dagId, runId, state: outcome.runState });
      }
    }
    if (bump.length) for (const [key, version] of await bumpRunVersions(trx, bump)) this.models.setVersion(key, version);
    for (const r of bump) bumped.push(`${r.dagId}\u0000${r.runId}`);
    // Runs another scheduler holds are bumped only if that costs no wait: two schedulers that each
    // hold runs the other recorded results for would otherwise wait for each other (a deadlock
    // PostgreSQL breaks after a second by failing one pass). The others are owed a bump.
    const owed: string[] = [];
    if (bumpOnly.length) {
      const done = await bumpRunVersionsSkipLocked(trx, bumpOnly);
      for (const r of bumpOnly) {
        const key = `${r.dagId}\u0000${r.runId}`;
        if (done.has(key)) bumped.push(key);
        else owed.push(key);
      }
    }
    return { bumped, owed };
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
      this.dirtyRunsFromDueRetries().then(() => this.kick(), () => this.kick());
    }, Math.min(ms + 5, 2 ** 31 - 1));
    this.wakeTimer.unref?.();
  }

  /** When a retry or reschedule comes due, its run must be looked at again. */
  private async dirtyRunsFromDueRetries(): Promise<void> {
    const rows = await this.db
      .selectFrom('task_instance')
      .select(['dag_id', 'run_id'])
      .distinct()
      .where(TI_WAITING)
      .where('next_try_at', '<=', new Date().toISOString())
      .execute();
    for (const r of rows) this.dirtyRuns.add(`${r.dag_id}\u0000${r.run_id}`);
  }

  /**
   * Tries queued on a detached executor a while ago that it no longer holds (Redis restarted, a
   * scheduler died between commit and dispatch) go back to scheduled, without spending a try,
   * and are queued again. Returns the runs touched.
   */
  private async redispatchLost(now: Date): Promise<Set<string>> {
    const touched = new Set<string>();
    const ex = this.o.executor;
    if (!ex.lostDispatches) return touched;
    const rows = await this.db
      .selectFrom('task_instance')
      .select(['dag_id', 'run_id', 'task_id', 'map_index', 'try_number', 'queued_at', 'queue'])
      .where(TI_QUEUED)
      .where('executor', '=', ex.name)
      .where('queued_at', '<', new Date(now.getTime() - LOST_DISPATCH_AFTER_MS).toISOString())
      .execute();
    const queued: QueuedTry[] = rows.map((r) => ({ key: { dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: r.map_index }, tryNumber: r.try_number, queuedAt: r.queued_at!, queue: r.queue }));
    const lost = await ex.lostDispatches(queued);
    for (const t of lost) {
      const moved = await this.db.transaction().execute(async (trx) => {
        const k = t.key;
        const r = await sql`update task_instance set state = 'scheduled', queued_by_job_id = null,
            try_number = case when next_method is null then try_number - 1 else try_number end
          where dag_id = ${k.dagId} and run_id = ${k.runId} and task_id = ${k.taskId} and map_index = ${k.mapIndex}
            and state = 'queued' and try_number = ${t.tryNumber} and queued_at = ${t.queuedAt}`.execute(trx);
        if (r.numAffectedRows !== 1n) return false;
        await bumpRunVersions(trx, [k]);
        return true;
      });
      if (moved) touched.add(`${t.key.dagId}\u0000${t.key.runId}`);
    }
    if (touched.size) this.log.warn(`${lost.length} queued tries were missing from ${ex.name}; they are queued again`);
    return touched;
  }

  /** Periodic work: heartbeats, zombies, stuck tasks, run timeouts, and a look at every running run. */
  private async sweep(now: Date): Promise<void> {
    const db = this.db;
    if (this.jobId !== null) await heartbeatJob(db, this.jobId);
    const active = this.o.executor.activeKeys();
    if (active.length) await casTaskInstanceStates(db, active, 'running', { last_heartbeat_at: now.toISOString() }, { bumpRunVersion: false });
    const ctx = this.recoveryContext();
    const touched = [
      ...(await adoptOrphans(db, ctx, now, this.o.config.zombieThreshold)),
      ...(await failZombies(db, ctx, now, this.o.config.zombieThreshold)),
      ...(await failStuckQueued(db, ctx, now, this.o.config.queuedTimeout)),
      ...(await failTimedOutRuns(db, this.cache, now)),
      ...(await this.redispatchLost(now)),
    ];
    for (const r of touched) this.dirtyRuns.add(r);
    const running = await db.selectFrom('dag_run').select(['dag_id', 'run_id']).where('state', '=', 'running').execute();
    for (const r of running) this.dirtyRuns.add(`${r.dag_id}\u0000${r.run_id}`);
    await this.dirtyRunsFromDueRetries();
  }
}

/** Runs a pass locked in the round trip that recorded its results: those it asked for, and those it got. */
interface LockedAlong {
  attempted: ReadonlySet<string>;
  heads: ReadonlyMap<string, RunHead>;
}
