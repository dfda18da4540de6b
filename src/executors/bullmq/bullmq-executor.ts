/**
 * BullMQExecutor: the scheduler's side of distributed mode. Each try becomes a BullMQ job on the
 * Redis queue named by the task's `queue`; `baton worker` processes on any machine run them.
 * Workers report results through the executor inbox in PostgreSQL (see inbox.ts), so a result
 * is never lost while a scheduler is down or Redis restarts; the notification that announces a
 * row carries its event, which the scheduler records at once (taking the row in the recording
 * transaction) without reading the inbox first. Jobs lost by Redis are found by
 * `lostDispatches` and queued again by the scheduler.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { tiKeyString, type Executor, type ExecutorEvent, type QueuedTry, type Receipted, type TaskWorkload, type TiKey, type WorkerServices } from '../executor.ts';
import { CHANNELS, notify, PgListener, type Schema } from '../../store/index.ts';
import { claimFromInbox, parseNotification, takeFromInbox, type InboxEvent } from './inbox.ts';
import { jobIdOf, QUEUE_PREFIX, queueNameProblem } from './job-ids.ts';
import { openRedis } from './redis-connection.ts';

/** Options of `new BullMQExecutor(...)`. */
export interface BullMQExecutorOptions {
  /** The metadata database (PostgreSQL): the inbox lives there. */
  db: Kysely<Schema>;
  /** Its URL, for the LISTEN connection. */
  databaseUrl: string;
  /** Redis shared with the workers (BATON_REDIS_URL). */
  redisUrl: string;
  /** Prefix of the queues' keys in Redis (BATON_REDIS_PREFIX). Default `baton`. */
  prefix?: string;
  /** Tries handed to Redis per scheduling pass at most. Default 1024. */
  maxPerPass?: number;
  /** How long a claimed inbox event stays with this scheduler before another may take it. Default 10000 ms. */
  leaseMs?: number;
  /** Events claimed per inbox read. Default 1000. */
  claimBatch?: number;
  /** Inbox read without a notification, in case one was missed. Default 5000 ms. */
  pollMs?: number;
  /** How long `lostDispatches` may wait for Redis before giving up until the next sweep. Default 3000 ms. */
  reconcileTimeoutMs?: number;
  warn?: (message: string) => void;
}

/** Tries in a job's data: the workload, as the scheduler built it. */
export interface TryJobData {
  workload: TaskWorkload;
}

/** Job states in which a dispatch is still alive in Redis. */
const ALIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export class BullMQExecutor implements Executor {
  readonly name = 'BullMQExecutor';
  readonly detached = true;
  readonly checksDagVersion = true;
  private readonly maxPerPass: number;
  private readonly leaseMs: number;
  private readonly claimBatch: number;
  private readonly pollMs: number;
  private readonly reconcileTimeoutMs: number;
  private readonly warn: (m: string) => void;
  /** Who claims inbox rows: a random id unique among live schedulers. */
  private readonly claimer = Math.floor(Math.random() * 2 ** 31);
  private redis: Redis | null = null;
  private listener: PgListener | null = null;
  private readonly queues = new Map<string, Queue>();
  private outgoing: TaskWorkload[] = [];
  private flushing: Promise<void> | null = null;
  private onEvent: (e: ExecutorEvent) => void = () => {};
  private state: 'new' | 'running' | 'stopped' = 'new';
  private claiming = false;
  private claimAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  /** Receipts delivered and not yet taken or refused (each is delivered once at a time). */
  private readonly inFlight = new Set<number>();

  constructor(private readonly o: BullMQExecutorOptions) {
    this.maxPerPass = positive('maxPerPass', o.maxPerPass, 1024);
    this.leaseMs = positive('leaseMs', o.leaseMs, 10_000);
    this.claimBatch = positive('claimBatch', o.claimBatch, 1000);
    this.pollMs = positive('pollMs', o.pollMs, 5000);
    this.reconcileTimeoutMs = positive('reconcileTimeoutMs', o.reconcileTimeoutMs, 3000);
    this.warn = o.warn ?? ((m) => process.stderr.write(`${m}\n`));
    if (!/^postgres(ql)?:\/\//.test(o.databaseUrl)) {
      throw new Error('BullMQExecutor needs PostgreSQL as the metadata database (BATON_DATABASE_URL=postgres://…): workers on other machines report results there. Use the local executor with SQLite.');
    }
  }

  async start(onEvent: (e: ExecutorEvent) => void, _services: WorkerServices): Promise<void> {
    if (this.state !== 'new') throw new Error('BullMQExecutor.start() was called twice; create a new executor instead');
    this.onEvent = onEvent;
    this.redis = openRedis({ url: this.o.redisUrl, name: 'scheduler', warn: this.warn });
    this.listener = new PgListener({
      url: this.o.databaseUrl,
      channels: [CHANNELS.executorEvents],
      onNotify: (_channel, payload) => this.onNotify(payload),
      onConnect: () => this.claim(),
      warn: this.warn,
    });
    await this.listener.start();
    this.state = 'running';
    this.pollTimer = setInterval(() => this.claim(), this.pollMs);
    this.pollTimer.unref?.();
    this.claim();
  }

  openSlots(): number {
    return this.state === 'running' ? Math.max(0, this.maxPerPass - this.outgoing.length) : 0;
  }

  queue(workload: TaskWorkload): void {
    if (this.state !== 'running') throw new Error(`BullMQExecutor cannot take work: it is ${this.state === 'new' ? 'not started (call start() first)' : 'stopped'}`);
    const problem = queueNameProblem(workload.queue);
    if (problem) throw new TypeError(`BullMQExecutor cannot dispatch task '${workload.key.taskId}' of DAG '${workload.key.dagId}': ${problem}`);
    if (!workload.queuedAt) throw new TypeError('BullMQExecutor needs the time each try was queued (workload.queuedAt)');
    this.outgoing.push(workload);
    if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flush());
  }

  /** Sends every waiting workload to Redis, one addBulk per queue. */
  private async flush(): Promise<void> {
    try {
      while (this.outgoing.length) {
        const batch = this.outgoing.splice(0);
        const byQueue = new Map<string, TaskWorkload[]>();
        for (const w of batch) (byQueue.get(w.queue) ?? byQueue.set(w.queue, []).get(w.queue)!).push(w);
        await Promise.all(
          [...byQueue].map(([name, ws]) =>
            this.queueNamed(name)
              .addBulk(ws.map((w) => ({ name: 'try', data: { workload: w } satisfies TryJobData, opts: { jobId: jobIdOf(tryOf(w)), removeOnComplete: true, removeOnFail: { age: 7 * 86_400 }, attempts: 1 } })))
              .catch((e: Error) => {
                // The tries stay queued in the database; the next sweep finds them missing and queues them again.
                this.warn(`BullMQExecutor: could not hand ${ws.length} tries to Redis queue '${name}': ${e.message}; they will be dispatched again`);
              }),
          ),
        );
      }
    } finally {
      this.flushing = null;
    }
  }

  private queueNamed(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis!, prefix: this.o.prefix ?? QUEUE_PREFIX });
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  activeKeys(): TiKey[] {
    // Workers heartbeat the tries they run themselves.
    return [];
  }

  terminate(key: TiKey, reason: string): void {
    // Whichever worker runs the try stops it; a try still waiting in Redis is refused by the
    // worker that picks it up, since its task instance is no longer queued.
    notify(this.o.db, CHANNELS.cancelTry, JSON.stringify({ key, reason })).catch((e: Error) => this.warn(`BullMQExecutor: could not ask workers to stop ${tiKeyString(key)}: ${e.message}`));
  }

  /**
   * Takes the delivered events' rows in the transaction that records them, and returns the
   * receipts taken: an event whose row another scheduler holds or has recorded is not recorded.
   */
  async acknowledge(trx: Kysely<Schema>, receipts: number[]): Promise<number[]> {
    try {
      return await takeFromInbox(trx, this.claimer, receipts);
    } finally {
      // Taken or not, the delivery is over: a row that is still there (the recording transaction
      // rolled back, or another scheduler's did) may be claimed and delivered again.
      for (const r of receipts) this.inFlight.delete(r);
    }
  }

  /** An inbox notification: its event is delivered at once, or the inbox is read when it does not carry one. */
  private onNotify(payload: string): void {
    const n = parseNotification(payload);
    if (!n?.event) return this.claim();
    this.deliver(n.event, n.receipt);
  }

  private deliver(event: InboxEvent, receipt: number): void {
    if (this.state !== 'running' || this.inFlight.has(receipt)) return;
    this.inFlight.add(receipt);
    const delivered: Receipted<InboxEvent> = { ...event, receipt };
    this.onEvent(delivered);
  }

  async lostDispatches(queued: QueuedTry[]): Promise<QueuedTry[]> {
    if (this.state !== 'running' || queued.length === 0) return [];
    const check = Promise.all(
      queued.map(async (t) => {
        const state = await this.queueNamed(t.queue ?? 'default').getJobState(jobIdOf(t));
        return ALIVE.has(state) ? null : t;
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.reconcileTimeoutMs)));
    const result = await Promise.race([check, timeout]).finally(() => clearTimeout(timer));
    if (result === null) {
      this.warn(`BullMQExecutor: Redis did not answer within ${this.reconcileTimeoutMs} ms; queued tries are checked again at the next sweep`);
      return [];
    }
    return result.filter((t): t is QueuedTry => t !== null);
  }

  /** Reads the inbox and delivers what it claimed; runs once at a time, again when asked meanwhile. */
  private claim(): void {
    if (this.state !== 'running') return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = true;
    void (async () => {
      try {
        do {
          this.claimAgain = false;
          const events = await claimFromInbox(this.o.db, this.claimer, { limit: this.claimBatch, leaseMs: this.leaseMs, warn: this.warn });
          for (const e of events) this.deliver(e, e.receipt!);
          if (events.length >= this.claimBatch) this.claimAgain = true;
        } while (this.claimAgain && this.state === 'running');
      } catch (e) {
        this.warn(`BullMQExecutor: could not read the executor inbox: ${(e as Error).message}; trying again shortly`);
        setTimeout(() => this.claim(), 500).unref();
      } finally {
        this.claiming = false;
      }
    })();
  }

  async stop(_graceMs: number): Promise<void> {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    if (this.pollTimer) clearInterval(this.pollTimer);
    // Tries keep running on the workers; their results wait in the inbox for a scheduler.
    // Tries not handed to Redis yet (it may be down) stay queued in the database; the next
    // scheduler's sweep dispatches them again.
    if (wasRunning && this.flushing) await Promise.race([this.flushing, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.listener?.stop();
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.redis?.disconnect();
  }
}

function tryOf(w: TaskWorkload): QueuedTry {
  return { key: w.key, tryNumber: w.tryNumber, queuedAt: w.queuedAt!, queue: w.queue };
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`BullMQExecutor: ${name} must be a positive number (got ${v})`);
  return v;
}
