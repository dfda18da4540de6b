/**
 * The triggerer: runs the triggers of deferred tasks, all of them in this one process on the
 * event loop (timers and a shared file scan, never a process per trigger), and never user code.
 *
 * It registers a `job` row of type 'triggerer' and heartbeats it. On every check (when woken,
 * and every `checkInterval` as a backstop) it claims trigger rows that nobody owns or whose
 * triggerer is dead (not running, or silent longer than `healthCheckThreshold`), starts the
 * ones it owns and is not yet running, and stops the ones it no longer owns (their row was
 * deleted or claimed by another). A trigger that fires, or whose `__timeoutAt` passes first
 * (event `{ status: 'timeout' }`), is recorded in a batch: its task instance moves from
 * `deferred` to `scheduled` with the event, its row is deleted, and `onFire` is called.
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { sleepUntil } from '../sdk/sensors/sleep.ts';
import { endJob, heartbeatJob, startJob, type Schema, type TaskInstanceKey } from '../store/index.ts';
import { builtinTriggers } from './builtin-triggers.ts';
import { FilePoller } from './file-poller.ts';
import { fireTriggers } from './fire-triggers.ts';
import type { Trigger, TriggerEvent, TriggerRegistry } from './trigger.ts';
import { claimTriggers, deleteUnusedTriggers, loadTriggers, ownedTriggerIds, releaseTriggers, type TriggerRow } from './trigger-rows.ts';

/** Where the triggerer reports what it does. */
export interface TriggererLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** How a triggerer runs; every field but `db` has a default. */
export interface TriggererOptions {
  db: Kysely<Schema>;
  /** Called after fired triggers moved their task instances to `scheduled` (e.g. wake the scheduler). */
  onFire?: (scheduled: TaskInstanceKey[]) => void;
  /** Seconds between checks for new trigger rows when nobody calls `wake()`. Default 1. */
  checkInterval?: number;
  /** Seconds between heartbeats (and sweeps of unused trigger rows). Default 5. */
  heartbeatInterval?: number;
  /**
   * Seconds without a heartbeat after which a triggerer counts as dead and its triggers are
   * taken over. Default max(30, 3 × heartbeatInterval).
   */
  healthCheckThreshold?: number;
  /** The most triggers this triggerer runs at once. Default 1000. */
  capacity?: number;
  /** Extra trigger kinds (or replacements), merged over the built-in ones. Default none. */
  triggers?: ReadonlyMap<string, Trigger>;
  /** Default: warnings and errors on stderr. */
  log?: TriggererLogger;
}

/** Defaults of TriggererOptions (seconds, and a count for `capacity`). */
export const TRIGGERER_DEFAULTS = { checkInterval: 1, heartbeatInterval: 5, healthCheckThreshold: 30, capacity: 1000 } as const;

/** One triggerer process's worth of triggers (see the module comment). */
export class Triggerer {
  private readonly db: Kysely<Schema>;
  private readonly files = new FilePoller();
  private readonly registry: TriggerRegistry;
  private readonly log: TriggererLogger;
  private readonly running = new Map<number, AbortController>();
  /** Fired triggers whose events are not recorded yet. */
  private readonly fired = new Map<number, TriggerEvent>();
  private jobIdValue: number | null = null;
  private owned = 0;
  private firedTotal = 0;
  private stopped = true;
  private checking = false;
  private again = false;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastHeartbeat = 0;
  private lastError: string | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: TriggererOptions) {
    this.db = o.db;
    this.registry = new Map([...builtinTriggers({ db: o.db, files: this.files }), ...(o.triggers ?? [])]);
    this.log = o.log ?? { info: () => {}, warn: (m) => process.stderr.write(`${m}\n`), error: (m) => process.stderr.write(`${m}\n`) };
  }

  /** The job id this triggerer claims rows with (null before `start`). */
  get jobId(): number | null {
    return this.jobIdValue;
  }

  /** Triggers running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Triggers fired (or timed out) and recorded since start. */
  get firedCount(): number {
    return this.firedTotal;
  }

  /** Registers the job, starts the periodic check and checks at once. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.jobIdValue = (await startJob(this.db, { jobType: 'triggerer', hostname: hostname(), pid: process.pid })).id;
    this.lastHeartbeat = Date.now();
    this.stopped = false;
    const every = (this.o.checkInterval ?? TRIGGERER_DEFAULTS.checkInterval) * 1000;
    this.timer = setInterval(() => this.wake(), every);
    this.timer.unref?.();
    this.log.info(`triggerer started (job ${this.jobIdValue})`);
    this.wake();
  }

  /** Asks for a check soon: call it when a task was deferred, so its trigger starts at once. */
  wake(): void {
    if (this.stopped) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    setImmediate(() => void this.loop());
  }

  /** Resolves when no check is running (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.checking) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops every trigger, records events already fired, gives its rows back and ends its job. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
    for (const c of this.running.values()) c.abort();
    this.running.clear();
    this.files.close();
    await this.flush();
    if (this.jobIdValue === null) return;
    try {
      await releaseTriggers(this.db, this.jobIdValue);
      await endJob(this.db, this.jobIdValue, 'success');
    } catch (e) {
      this.log.error(`triggerer could not release its triggers: ${(e as Error).message}`);
    }
    this.log.info('triggerer stopped');
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.check();
          this.lastError = null;
        } catch (e) {
          const msg = (e as Error).stack ?? String(e);
          if (msg !== this.lastError) this.log.error(`triggerer check failed (will retry): ${msg}`);
          this.lastError = msg;
        }
      } while (this.again && !this.stopped);
    } finally {
      this.checking = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    const db = this.db;
    const heartbeatMs = (this.o.heartbeatInterval ?? TRIGGERER_DEFAULTS.heartbeatInterval) * 1000;
    if (Date.now() - this.lastHeartbeat >= heartbeatMs) {
      this.lastHeartbeat = Date.now();
      if (!(await heartbeatJob(db, this.jobIdValue!))) {
        this.jobIdValue = (await startJob(db, { jobType: 'triggerer', hostname: hostname(), pid: process.pid })).id;
        this.log.warn(`triggerer job was ended by another process; continuing as job ${this.jobIdValue}`);
      }
      const removed = await deleteUnusedTriggers(db);
      if (removed) this.log.info(`removed ${removed} trigger(s) no deferred task waits on`);
    }
    if (this.fired.size) await this.flush();
    if (this.stopped) return;
    const jobId = this.jobIdValue!;
    const heartbeat = this.o.heartbeatInterval ?? TRIGGERER_DEFAULTS.heartbeatInterval;
    const threshold = new Date(Date.now() - (this.o.healthCheckThreshold ?? Math.max(TRIGGERER_DEFAULTS.healthCheckThreshold, 3 * heartbeat)) * 1000);
    await claimTriggers(db, jobId, (this.o.capacity ?? TRIGGERER_DEFAULTS.capacity) - this.owned, threshold);
    const owned = await ownedTriggerIds(db, jobId);
    this.owned = owned.size;
    for (const [id, controller] of this.running) {
      if (owned.has(id)) continue;
      controller.abort();
      this.running.delete(id);
    }
    const toStart = [...owned].filter((id) => !this.running.has(id) && !this.fired.has(id));
    if (toStart.length === 0 || this.stopped) return;
    for (const row of await loadTriggers(db, toStart)) if (!this.stopped && !this.running.has(row.id)) this.run(row);
  }

  private run(row: TriggerRow): void {
    const controller = new AbortController();
    this.running.set(row.id, controller);
    const done = (event: TriggerEvent) => {
      if (this.running.get(row.id) !== controller) return;
      this.running.delete(row.id);
      controller.abort();
      this.fired.set(row.id, event);
      if (!this.flushing) setImmediate(() => void this.flush());
    };
    if (row.problem) return done({ status: 'failed', message: `trigger ${row.id} (${row.kind}) cannot run: ${row.problem}` });
    const trigger = this.registry.get(row.kind);
    if (!trigger) return done({ status: 'failed', message: `unknown trigger kind '${row.kind}'; the triggerer runs ${[...this.registry.keys()].join(', ')}` });
    if (row.timeoutAt) sleepUntil(row.timeoutAt.getTime(), controller.signal).then(() => done({ status: 'timeout' }), () => {});
    let waiting: Promise<TriggerEvent>;
    try {
      waiting = trigger.run(row.kwargs, controller.signal);
    } catch (e) {
      waiting = Promise.reject(e);
    }
    waiting.then(
      (event) => done(checkedEvent(row.kind, event)),
      (e) => {
        if (!controller.signal.aborted) done({ status: 'failed', message: e instanceof Error ? e.message : String(e) });
      },
    );
  }

  /** Records every fired trigger not recorded yet, in batches, until none is left or the database fails. */
  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      while (this.fired.size) {
        const batch = new Map(this.fired);
        try {
          const scheduled = await fireTriggers(this.db, batch);
          for (const id of batch.keys()) this.fired.delete(id);
          this.firedTotal += batch.size;
          this.owned -= batch.size;
          this.log.info(`${batch.size} trigger(s) fired; ${scheduled.length} task instance(s) scheduled`);
          if (scheduled.length) this.notify(scheduled);
        } catch (e) {
          this.log.error(`could not record ${batch.size} fired trigger(s) (will retry): ${(e as Error).message}`);
          return;
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private notify(scheduled: TaskInstanceKey[]): void {
    try {
      this.o.onFire?.(scheduled);
    } catch (e) {
      this.log.error(`the triggerer's onFire callback failed: ${(e as Error).message}`);
    }
  }
}

/** The event a trigger returned, or a failure event when it is not a JSON object with a status. */
function checkedEvent(kind: string, event: unknown): TriggerEvent {
  const status = (event as { status?: unknown } | null)?.status;
  if (status === 'success' || status === 'timeout' || status === 'failed') {
    try {
      return JSON.parse(JSON.stringify(event)) as TriggerEvent;
    } catch (e) {
      return { status: 'failed', message: `trigger '${kind}' returned an event that is not JSON: ${(e as Error).message}` };
    }
  }
  return { status: 'failed', message: `trigger '${kind}' returned ${JSON.stringify(event)}, not an event with status success, timeout or failed` };
}
