/**
 * The executor's handle on one worker process: forks it with the TypeScript loader and a heap
 * limit, waits until it is ready, passes its checked messages on, and reports how it ended
 * (exit code or signal, and the end of its stderr, which is where Node reports a crash or an
 * exhausted heap).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { siblingModule } from '../../runtime/module-path.ts';
import { asFromWorker, type FromWorker, type ToWorker } from './protocol.ts';

const ENTRY = siblingModule(import.meta.url, 'worker-main');
const BOOTSTRAP = new URL('./register-loaders.js', import.meta.url).href;
/**
 * From the TypeScript sources a worker needs the TypeScript loader before its first module;
 * from the compiled build it registers the DAG loaders when it loads its first DAG file, so its
 * own modules load without going through the loader hooks.
 */
const PRELOAD: readonly string[] = ENTRY.endsWith('.ts') ? ['--import', BOOTSTRAP] : [];
const STDERR_TAIL = 4000;
/** After the process exits, how long to wait for the rest of its stderr. */
const STDERR_DRAIN_MS = 200;

/** How to start a worker, and where its messages and its exit go. */
export interface WorkerSpawnOptions {
  /** Reported as the host of every try this worker runs. */
  hostname: string;
  /** V8 old-space heap limit of the worker (`--max-old-space-size`), in MB. */
  maxOldSpaceMb: number;
  startupTimeoutMs: number;
  /** The worker's environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  onMessage: (worker: WorkerProcess, message: FromWorker) => void;
  onExit: (worker: WorkerProcess, exit: WorkerExit) => void;
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last few thousand characters the process wrote to stderr. */
  stderr: string;
}

/** One running worker process, ready for tries. */
export class WorkerProcess {
  private stderr = '';
  private exited = false;

  private constructor(
    private readonly proc: ChildProcess,
    readonly pid: number,
    /** Milliseconds from fork until the worker was ready. */
    readonly startupMs: number,
  ) {}

  /** Forks a worker and resolves once it is ready for tries. Rejects (with its stderr) when it cannot start. */
  static start(o: WorkerSpawnOptions): Promise<WorkerProcess> {
    const began = performance.now();
    const proc = fork(ENTRY, [o.hostname], {
      execArgv: [...PRELOAD, `--max-old-space-size=${o.maxOldSpaceMb}`],
      env: o.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let early = '';
    const onEarlyStderr = (chunk: string) => (early = (early + chunk).slice(-STDERR_TAIL));
    proc.stderr!.setEncoding('utf8').on('data', onEarlyStderr);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        cleanup();
        proc.kill('SIGKILL');
        const output = early.trim() ? `; its stderr ended with:\n${early.trim()}` : '';
        reject(new Error(`could not start a local executor worker (${ENTRY}): ${why}${output}`));
      };
      const timer = setTimeout(() => fail(`it was not ready after ${o.startupTimeoutMs} ms`), o.startupTimeoutMs);
      const onMessage = (raw: unknown) => {
        const m = asFromWorker(raw);
        if (m?.kind !== 'ready') return;
        cleanup();
        const worker = new WorkerProcess(proc, proc.pid!, Math.round((performance.now() - began) * 10) / 10);
        worker.stderr = early;
        worker.wire(o);
        resolve(worker);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`it exited (${signal ? `signal ${signal}` : `code ${code}`}) before it was ready`);
      const onError = (e: Error) => fail(e.message);
      const cleanup = () => {
        clearTimeout(timer);
        proc.off('message', onMessage).off('exit', onExit).off('error', onError);
        proc.stderr!.off('data', onEarlyStderr);
      };
      proc.on('message', onMessage).on('exit', onExit).on('error', onError);
    });
  }

  /** Sends a message; a worker that is gone gets nothing (its exit is reported separately). */
  send(message: ToWorker): void {
    if (this.exited || !this.proc.connected) return;
    this.proc.send(message, (err) => {
      if (err && !this.exited) this.kill('SIGKILL');
    });
  }

  /** Sends a signal to the worker; no-op once it has exited. */
  kill(signal: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      this.proc.kill(signal);
    } catch {
      /* it is exiting already */
    }
  }

  /** Closes the IPC channel: an idle worker exits on its own when it sees that. */
  disconnect(): void {
    if (!this.exited && this.proc.connected) this.proc.disconnect();
  }

  private wire(o: WorkerSpawnOptions): void {
    let stderrEnded = false;
    const stream = this.proc.stderr!;
    stream.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL)));
    stream.once('end', () => (stderrEnded = true));
    this.proc.on('message', (raw) => {
      // Messages still arriving after the exit are dropped: the exit decides the try's fate.
      const m = this.exited ? null : asFromWorker(raw);
      if (m) o.onMessage(this, m);
    });
    this.proc.on('error', () => this.kill('SIGKILL'));
    this.proc.once('exit', (code, signal) => {
      this.exited = true;
      const report = () => o.onExit(this, { code, signal, stderr: this.stderr });
      if (stderrEnded) return report();
      const timer = setTimeout(done, STDERR_DRAIN_MS);
      stream.once('end', done);
      function done() {
        clearTimeout(timer);
        stream.off('end', done);
        report();
      }
    });
  }
}
