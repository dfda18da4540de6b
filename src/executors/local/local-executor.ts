/**
 * LocalExecutor: runs tries in a pool of warm worker processes on this machine, one try per
 * worker at a time. A free worker takes a workload the moment it is queued, and is free again
 * the moment its try finishes. A worker that dies (process.exit, crash, exhausted heap, kill
 * from outside) or overruns its try's execution timeout is replaced by a fresh one; its try is
 * reported as lost and the other tries carry on.
 */
import { availableParallelism, hostname as osHostname } from 'node:os';
import { tiKeyString, type Executor, type ExecutorEvent, type TaskWorkload, type TiKey, type WorkerServices } from '../executor.ts';
import { answerService } from './answer-service.ts';
import { appendLostToLog, describeWorkerExit } from './lost-reason.ts';
import type { FromWorker, ServiceRequest } from './protocol.ts';
import { workloadProblem } from './shapes.ts';
import { WorkerProcess, type WorkerExit } from './worker-process.ts';

/** Options of `new LocalExecutor(...)`; every one has a default. */
export interface LocalExecutorOptions {
  /** Worker processes, i.e. tries that run at once. Default: `os.availableParallelism()`. */
  parallelism?: number;
  /** Host name reported in `started` events. Default: `os.hostname()`. */
  hostname?: string;
  /** How long past its execution timeout a try may run before its worker is killed. Default 5000 ms. */
  killGraceMs?: number;
  /** How long a worker asked to stop a try (terminate, stop) gets before SIGKILL. Default 1000 ms. */
  termGraceMs?: number;
  /** Heap limit of each worker (`--max-old-space-size`), in MB. Default 1024. */
  maxOldSpaceMb?: number;
  /** How long a worker may take to start. Default 30000 ms. */
  startupTimeoutMs?: number;
  /** The environment of the worker processes (what tasks see as process.env). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /**
   * Workloads the executor accepts beyond its idle workers, per worker; they start the moment a
   * worker frees up, so workers do not wait for the scheduler between tries. Default 0 (only
   * idle workers count as slots); the engine uses 2.
   */
  prefetch?: number;
}

interface Running {
  seq: number;
  keyString: string;
  workload: TaskWorkload;
  worker: WorkerProcess;
  timer: NodeJS.Timeout | null;
  /** Set once the executor has decided to kill the worker: the try will be reported lost with it. */
  lostReason: string | null;
}

const REPLACEMENT_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

/** An `Executor` that runs tries in warm worker processes on this machine (see the module comment). */
export class LocalExecutor implements Executor {
  readonly name = 'LocalExecutor';
  /** Number of worker processes. */
  readonly parallelism: number;
  private readonly hostname: string;
  private readonly killGraceMs: number;
  private readonly termGraceMs: number;
  private readonly maxOldSpaceMb: number;
  private readonly startupTimeoutMs: number;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly prefetch: number;
  /** Accepted workloads waiting for a worker, oldest first. */
  private readonly backlog: Array<{ workload: TaskWorkload; keyString: string }> = [];

  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private onEvent: (event: ExecutorEvent) => void = () => undefined;
  private services: WorkerServices | null = null;
  private readonly workers = new Set<WorkerProcess>();
  private readonly idle: WorkerProcess[] = [];
  private readonly byWorker = new Map<WorkerProcess, Running>();
  private readonly byKey = new Map<string, Running>();
  private starting = 0;
  private failedStarts = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private nextSeq = 1;
  private readonly waiters = new Set<() => void>();
  private stopping: Promise<void> | null = null;

  constructor(options: LocalExecutorOptions = {}) {
    this.parallelism = options.parallelism ?? availableParallelism();
    if (!Number.isInteger(this.parallelism) || this.parallelism < 1) throw new RangeError(`LocalExecutor: parallelism must be a whole number of at least 1 (got ${options.parallelism})`);
    this.hostname = options.hostname ?? osHostname();
    this.killGraceMs = nonNegative('killGraceMs', options.killGraceMs, 5000);
    this.termGraceMs = nonNegative('termGraceMs', options.termGraceMs, 1000);
    this.maxOldSpaceMb = Math.max(1, nonNegative('maxOldSpaceMb', options.maxOldSpaceMb, 1024));
    this.startupTimeoutMs = nonNegative('startupTimeoutMs', options.startupTimeoutMs, 30_000);
    this.env = options.env;
    this.prefetch = Math.floor(nonNegative('prefetch', options.prefetch, 0));
  }

  async start(onEvent: (event: ExecutorEvent) => void, services: WorkerServices): Promise<void> {
    if (this.state !== 'new') throw new Error(`LocalExecutor.start() was called twice (the executor is ${this.state}); create a new executor instead`);
    this.state = 'starting';
    this.onEvent = onEvent;
    this.services = services;
    const started = await Promise.allSettled(Array.from({ length: this.parallelism }, () => this.spawn()));
    const failure = started.find((s) => s.status === 'rejected');
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failure) {
      for (const w of workers) w.kill('SIGKILL');
      this.state = 'stopped';
      throw new Error(`LocalExecutor could not start its ${this.parallelism} workers: ${(failure.reason as Error).message}`);
    }
    if (this.state !== 'starting') {
      // stop() was called while the workers were starting.
      for (const w of workers) this.retire(w);
      return;
    }
    this.idle.push(...workers);
    this.state = 'running';
  }

  openSlots(): number {
    if (this.state !== 'running') return 0;
    return this.idle.length + Math.max(0, this.prefetch * this.parallelism - this.backlog.length);
  }

  queue(workload: TaskWorkload): void {
    if (this.state !== 'running') throw new Error(`LocalExecutor cannot take work: it is ${this.state === 'new' ? 'not started (call start() first)' : this.state}`);
    const problem = workloadProblem(workload);
    if (problem) throw new TypeError(`LocalExecutor cannot run this workload: ${problem}`);
    const keyString = tiKeyString(workload.key);
    if (this.byKey.has(keyString) || this.backlog.some((b) => b.keyString === keyString)) {
      throw new Error(`LocalExecutor is already running ${describeKey(workload.key)}; a task instance runs one try at a time`);
    }
    if (this.idle.length === 0) {
      if (this.backlog.length >= this.prefetch * this.parallelism) {
        throw new Error(`LocalExecutor has no free worker (all ${this.workers.size} are busy${this.starting ? `, ${this.starting} starting` : ''}) and its backlog is full: queue work only while openSlots() > 0`);
      }
      this.backlog.push({ workload, keyString });
      return;
    }
    this.dispatch(this.idle.pop()!, workload, keyString);
  }

  /** Starts a workload on an idle worker. */
  private dispatch(worker: WorkerProcess, workload: TaskWorkload, keyString: string): void {
    const r: Running = { seq: this.nextSeq++, keyString, workload, worker, timer: null, lostReason: null };
    this.byWorker.set(worker, r);
    this.byKey.set(keyString, r);
    if (workload.executionTimeout !== null) {
      const seconds = workload.executionTimeout;
      r.timer = setTimeout(() => this.kill(r, `the try exceeded its execution timeout of ${seconds}s and was killed (it was still running ${this.killGraceMs} ms later)`, 'SIGKILL'), seconds * 1000 + this.killGraceMs);
    }
    worker.send({ kind: 'run', seq: r.seq, workload });
  }

  activeKeys(): TiKey[] {
    return [...[...this.byKey.values()].map((r) => r.workload.key), ...this.backlog.map((b) => b.workload.key)];
  }

  terminate(key: TiKey, reason: string): void {
    const ks = tiKeyString(key);
    const waiting = this.backlog.findIndex((b) => b.keyString === ks);
    if (waiting >= 0) {
      const [b] = this.backlog.splice(waiting, 1);
      this.onEvent({ kind: 'lost', key: b!.workload.key, tryNumber: b!.workload.tryNumber, reason, at: new Date().toISOString() });
      return;
    }
    const r = this.byKey.get(ks);
    if (r) this.kill(r, reason, 'SIGTERM');
  }

  /** Gives an idle worker the oldest waiting workload, if any; returns false when none waits. */
  private takeBacklog(worker: WorkerProcess): boolean {
    const next = this.backlog.shift();
    if (!next) return false;
    this.dispatch(worker, next.workload, next.keyString);
    return true;
  }

  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.shutdown(Math.max(0, graceMs));
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.state = 'stopping';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    // Workloads that never started are dropped: their TIs stay queued for the next scheduler.
    this.backlog.length = 0;
    for (const w of this.idle.splice(0)) this.retire(w);
    await this.until(() => this.byKey.size === 0, Date.now() + graceMs);
    for (const r of [...this.byKey.values()]) this.kill(r, 'executor stopped', 'SIGTERM');
    await this.until(() => this.workers.size === 0 && this.starting === 0);
    this.state = 'stopped';
  }

  /** Starts a worker; `starting` counts it until it is ready (and in `workers`) or has failed. */
  private spawn(): Promise<WorkerProcess> {
    this.starting++;
    return WorkerProcess.start({
      hostname: this.hostname,
      maxOldSpaceMb: this.maxOldSpaceMb,
      startupTimeoutMs: this.startupTimeoutMs,
      env: this.env,
      onMessage: (worker, message) => this.onMessage(worker, message),
      onExit: (worker, exit) => this.onExit(worker, exit),
    }).then(
      (worker) => {
        this.starting--;
        this.workers.add(worker);
        this.notify();
        return worker;
      },
      (e: unknown) => {
        this.starting--;
        this.notify();
        throw e;
      },
    );
  }

  /** Ends an idle worker: it exits when its channel closes (SIGKILL if it does not). */
  private retire(worker: WorkerProcess): void {
    worker.disconnect();
    setTimeout(() => worker.kill('SIGKILL'), this.termGraceMs).unref();
  }

  private onMessage(worker: WorkerProcess, m: FromWorker): void {
    const r = this.byWorker.get(worker);
    if (m.kind === 'service') return this.onServiceRequest(worker, r, m);
    if (!r || m.kind === 'ready' || m.seq !== r.seq || r.lostReason !== null) return;
    const { key, tryNumber } = r.workload;
    if (m.kind === 'started') {
      this.onEvent({ kind: 'started', key, tryNumber, hostname: m.hostname, pid: worker.pid, at: m.at });
      return;
    }
    this.release(r);
    if (this.state === 'running') {
      if (!this.takeBacklog(worker)) this.idle.push(worker);
    } else this.retire(worker);
    this.onEvent({ kind: 'finished', key, tryNumber, result: m.result });
    this.notify();
  }

  private onServiceRequest(worker: WorkerProcess, r: Running | undefined, m: ServiceRequest): void {
    if (!r || r.seq !== m.seq || r.lostReason !== null) {
      worker.send({ kind: 'reply', id: m.id, ok: false, error: `${m.call.method}: the try that asked is no longer running` });
      return;
    }
    answerService(this.services!, r.workload, m.call).then(
      (value) => worker.send({ kind: 'reply', id: m.id, ok: true, value }),
      (e: unknown) => worker.send({ kind: 'reply', id: m.id, ok: false, error: `${m.call.method} failed in the executor: ${e instanceof Error ? e.message : String(e)}` }),
    );
  }

  private onExit(worker: WorkerProcess, exit: WorkerExit): void {
    this.workers.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    const r = this.byWorker.get(worker);
    if (r) {
      this.release(r);
      const reason = r.lostReason ?? describeWorkerExit(worker.pid, exit, this.maxOldSpaceMb);
      appendLostToLog(r.workload.logPath, reason);
      this.onEvent({ kind: 'lost', key: r.workload.key, tryNumber: r.workload.tryNumber, reason, at: new Date().toISOString() });
    }
    if (this.state === 'running') this.replace();
    this.notify();
  }

  /** Starts a worker in place of one that died; retries with a growing delay when that fails. */
  private replace(): void {
    this.spawn().then(
      (worker) => {
        this.failedStarts = 0;
        if (this.state === 'running') {
          if (!this.takeBacklog(worker)) this.idle.push(worker);
          this.onEvent({ kind: 'slots' });
        } else this.retire(worker);
      },
      (e: Error) => {
        if (this.state !== 'running') return;
        const delay = REPLACEMENT_RETRY_MS[Math.min(this.failedStarts++, REPLACEMENT_RETRY_MS.length - 1)]!;
        process.stderr.write(`LocalExecutor: ${e.message}\nLocalExecutor: runs with one worker less; trying again in ${delay / 1000}s\n`);
        this.retryTimer = setTimeout(() => this.state === 'running' && this.replace(), delay);
      },
    );
  }

  /** Kills the worker of a running try, which will be reported lost with `reason` once the worker has exited. */
  private kill(r: Running, reason: string, signal: NodeJS.Signals): void {
    if (r.lostReason === null) r.lostReason = reason;
    if (r.timer) clearTimeout(r.timer);
    r.timer = null;
    r.worker.kill(signal);
    if (signal !== 'SIGKILL') r.timer = setTimeout(() => r.worker.kill('SIGKILL'), this.termGraceMs);
  }

  private release(r: Running): void {
    if (r.timer) clearTimeout(r.timer);
    r.timer = null;
    this.byWorker.delete(r.worker);
    this.byKey.delete(r.keyString);
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves once `done()` holds (true) or at `deadline` (false), re-checking whenever the pool changes. */
  private async until(done: () => boolean, deadline = Infinity): Promise<boolean> {
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          if (timer) clearTimeout(timer);
          resolve();
        };
        const timer = Number.isFinite(left) ? setTimeout(wake, left) : null;
        this.waiters.add(wake);
      });
    }
    return true;
  }
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`LocalExecutor: ${name} must be a non-negative number (got ${value})`);
  return value;
}

function describeKey(k: TiKey): string {
  return `task '${k.taskId}'${k.mapIndex >= 0 ? ` [map index ${k.mapIndex}]` : ''} of DAG '${k.dagId}' in run '${k.runId}'`;
}
