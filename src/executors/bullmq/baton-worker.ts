/**
 * `baton worker`: runs tries that schedulers hand to BullMQ, on any machine that reaches the
 * metadata database (PostgreSQL), Redis and the same DAG files. Tries run in warm worker
 * processes (the LocalExecutor's pool); this process takes jobs from the listed queues, claims
 * each try in the database, heartbeats the tries it runs, and reports their results to the
 * executor inbox. SIGTERM stops it gracefully: running tries get the grace period to finish,
 * tries not started yet go back to their queue for another worker.
 */
import { hostname as osHostname } from 'node:os';
import { WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatonConfig } from '../../config.ts';
import { openMigratedDbRetrying } from '../../engine/open-db.ts';
import { dbWorkerServices } from '../../scheduler/worker-services.ts';
import { casTaskInstanceStates, CHANNELS, endJob, heartbeatJob, PgListener, redactUrl, startJob, type BatonDb } from '../../store/index.ts';
import { tiKeyString, type ExecutorEvent, type TaskWorkload } from '../executor.ts';
import { LocalExecutor } from '../local/index.ts';
import { isRecord, isTiKey, workloadProblem } from '../local/shapes.ts';
import { claimTry } from './claim-try.ts';
import type { InboxEvent } from './inbox.ts';
import { InboxWriter } from './inbox-writer.ts';
import { queueNameProblem, tryOfJobId } from './job-ids.ts';
import { maskRedisUrl, openRedis } from './redis-connection.ts';
import { Semaphore } from './semaphore.ts';

export interface BatonWorkerOptions {
  config: BatonConfig;
  /** Queues to take tries from. Default `['default']`. */
  queues?: string[];
  /** Tries run at once (worker processes). Default: config.parallelism. */
  concurrency?: number;
  /** Host name recorded on each try. Default: os.hostname(). */
  hostname?: string;
  /** BullMQ job lock: a worker that stops renewing it for this long is taken for dead. Default 30000 ms. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. Default 30000 ms. */
  stalledIntervalMs?: number;
  log?: (message: string) => void;
}

interface Running {
  workload: TaskWorkload;
  settle: (e: InboxEvent) => void;
}

export class BatonWorker {
  readonly queues: string[];
  readonly concurrency: number;
  readonly hostname: string;
  private readonly log: (m: string) => void;
  private db: BatonDb | null = null;
  private executor: LocalExecutor | null = null;
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private listener: PgListener | null = null;
  private inbox: InboxWriter | null = null;
  private slots: Semaphore;
  private readonly running = new Map<string, Running>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private jobRowId: number | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly o: BatonWorkerOptions) {
    this.queues = o.queues?.length ? [...new Set(o.queues)] : ['default'];
    for (const q of this.queues) {
      const problem = queueNameProblem(q);
      if (problem) throw new Error(`baton worker: ${problem}`);
    }
    this.concurrency = o.concurrency ?? o.config.parallelism;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`baton worker: concurrency must be a whole number of at least 1 (got ${o.concurrency})`);
    if (!/^postgres(ql)?:\/\//.test(o.config.databaseUrl)) {
      throw new Error(`baton worker needs PostgreSQL as the metadata database (got ${redactUrl(o.config.databaseUrl)}): set BATON_DATABASE_URL=postgres://… to the scheduler's database`);
    }
    this.hostname = o.hostname ?? osHostname();
    this.log = o.log ?? ((m) => process.stderr.write(`${new Date().toISOString()} worker: ${m}\n`));
    this.slots = new Semaphore(this.concurrency);
  }

  /** Connects (retrying PostgreSQL with backoff), starts the worker processes and takes jobs. */
  async start(): Promise<void> {
    this.db = await this.connectDb();
    const db = this.db.db;
    const cfg = this.o.config;
    this.inbox = new InboxWriter(db, this.log);
    this.executor = new LocalExecutor({ parallelism: this.concurrency, hostname: this.hostname });
    await this.executor.start((e) => this.onExecutorEvent(e), dbWorkerServices(db, { folder: cfg.xcomFolder, maxInlineBytes: cfg.xcomMaxInlineBytes }));
    this.jobRowId = (await startJob(db, { jobType: 'worker', hostname: this.hostname, pid: process.pid })).id;
    this.listener = new PgListener({ url: cfg.databaseUrl, channels: [CHANNELS.cancelTry], onNotify: (_c, payload) => this.onCancel(payload), warn: this.log });
    await this.listener.start();
    for (const queue of this.queues) {
      const connection = openRedis({ url: cfg.redisUrl, name: `worker ${queue}`, warn: this.log });
      this.connections.push(connection);
      const worker = new Worker(queue, (job, token) => this.process(job, token), {
        connection,
        prefix: cfg.redisPrefix,
        concurrency: this.concurrency,
        lockDuration: this.o.lockDurationMs ?? 30_000,
        stalledInterval: this.o.stalledIntervalMs ?? 30_000,
        // A job whose worker died is not run again by BullMQ: its try is reported lost and the
        // scheduler retries it per the task's retries.
        maxStalledCount: 0,
      });
      worker.on('error', () => {});
      worker.on('stalled', (jobId) => this.onStalled(String(jobId), queue));
      this.workers.push(worker);
    }
    const every = Math.max(50, cfg.heartbeatInterval * 1000);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), every);
    this.heartbeatTimer.unref?.();
    this.log(`started on ${this.hostname}: queues ${this.queues.join(', ')}, ${this.concurrency} worker processes, Redis ${maskRedisUrl(cfg.redisUrl)}, database ${redactUrl(cfg.databaseUrl)}`);
  }

  private connectDb(): Promise<BatonDb> {
    return openMigratedDbRetrying(this.o.config, { log: this.log, stopped: () => this.stopping !== null });
  }

  /** One BullMQ job: claim its try, run it, report the result. */
  private async process(job: Job, token: string | undefined): Promise<string> {
    const data: unknown = job.data;
    const workload = isRecord(data) ? data.workload : undefined;
    const problem = workloadProblem(workload);
    if (problem) {
      this.log(`job ${job.id} on queue ${job.queueName} is not a Baton try (${problem}); dropped`);
      return 'invalid';
    }
    const w = workload as TaskWorkload;
    if (!(await this.slots.acquire())) {
      // Stopping: hand the job back for another worker; its try was never claimed.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    try {
      if (!(await claimTry(this.db!.db, w, { hostname: this.hostname, pid: process.pid }))) return 'not queued';
      const ks = tiKeyString(w.key);
      let entry!: Running;
      const outcome = new Promise<InboxEvent>((settle) => this.running.set(ks, (entry = { workload: w, settle })));
      try {
        this.executor!.queue(w);
      } catch (e) {
        this.running.get(ks)?.settle({ kind: 'lost', key: w.key, tryNumber: w.tryNumber, reason: `the worker could not start the try: ${(e as Error).message}`, at: new Date().toISOString() });
      }
      const event = await outcome;
      // The job ends now, so BullMQ hands this slot its next job (in the same Redis call) while
      // the result is written: the try keeps its heartbeat until its result is safely in the
      // inbox, and a worker that dies before then leaves a try whose missing heartbeat gives it
      // away, as one that dies while the try runs.
      void this.inbox!.append(event).then(() => {
        if (this.running.get(ks) === entry) this.running.delete(ks);
      });
      return event.kind === 'finished' ? event.result.state : 'lost';
    } finally {
      this.slots.release();
    }
  }

  private onExecutorEvent(e: ExecutorEvent): void {
    if (e.kind !== 'finished' && e.kind !== 'lost') return;
    const r = this.running.get(tiKeyString(e.key));
    if (r && r.workload.tryNumber === e.tryNumber) r.settle(e);
  }

  private onCancel(payload: string): void {
    let v: unknown;
    try {
      v = JSON.parse(payload);
    } catch {
      return;
    }
    if (!isRecord(v) || !isTiKey(v.key)) return;
    if (this.running.has(tiKeyString(v.key))) this.executor?.terminate(v.key, typeof v.reason === 'string' ? v.reason : 'the try was stopped');
  }

  /** A job whose worker stopped renewing its lock: that worker is gone, and so is its try. */
  private onStalled(jobId: string, queue: string): void {
    const t = tryOfJobId(jobId);
    if (!t) return;
    void this.inbox!.append({
      kind: 'lost', key: t.key, tryNumber: t.tryNumber, at: new Date().toISOString(),
      reason: `The worker running this try stopped answering (its job on queue '${queue}' held no lock for ${this.o.lockDurationMs ?? 30_000} ms); failing this try.`,
    });
  }

  private async heartbeat(): Promise<void> {
    const db = this.db?.db;
    if (!db) return;
    try {
      const keys = [...this.running.values()].map((r) => r.workload.key);
      if (keys.length) await casTaskInstanceStates(db, keys, 'running', { last_heartbeat_at: new Date().toISOString() }, { bumpRunVersion: false });
      if (this.jobRowId !== null) await heartbeatJob(db, this.jobRowId);
    } catch (e) {
      this.log(`heartbeat failed (${(e as Error).message}); trying again at the next one`);
    }
  }

  /** Tries running now (tests, status). */
  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Stops taking jobs; running tries get `graceMs` to finish and report, then are stopped and
   * reported lost. Tries not started go back to their queues.
   */
  stop(graceMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
      this.slots.close();
      const closing = Promise.all(this.workers.map((w) => w.close().catch(() => {})));
      const deadline = new Promise((r) => setTimeout(r, graceMs).unref());
      await Promise.race([closing, deadline]);
      // Tries still running are stopped; their lost events reach the inbox before we leave.
      await this.executor?.stop(0);
      // Closing needs Redis; when it is down, force it rather than wait for it.
      await Promise.race([closing, new Promise((r) => setTimeout(r, 2000).unref())]);
      await Promise.race([Promise.all(this.workers.map((w) => w.close(true).catch(() => {}))), new Promise((r) => setTimeout(r, 1000).unref())]);
      while (this.inbox && this.inbox.backlog > 0) await new Promise((r) => setTimeout(r, 20));
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      await this.listener?.stop();
      for (const c of this.connections) c.disconnect();
      if (this.db && this.jobRowId !== null) await endJob(this.db.db, this.jobRowId, 'success').catch(() => {});
      await this.db?.close();
    })();
    return this.stopping;
  }
}
