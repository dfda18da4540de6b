/**
 * The processor's handle on one parsing child process: starts it, sends it one file at a
 * time, and turns a hang (timeout → SIGKILL) or a crash into an outcome instead of an
 * exception. A child that timed out or exited is dead; start a fresh one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { siblingModule } from '../runtime/module-path.ts';
import type { ParseResult } from './parse-file.ts';
import { asFromChild } from './protocol.ts';

const CHILD_ENTRY = siblingModule(import.meta.url, 'processor-child');
const BOOTSTRAP = new URL('./register-loaders.js', import.meta.url).href;
/**
 * Node options of a parsing child. From the TypeScript sources, the child needs the TypeScript
 * loader (and the "baton" resolver) before its own first module; from the compiled build it
 * registers them when it loads its first DAG file, so its own modules load without going
 * through the loader hooks (a third of a second less per child).
 */
export const CHILD_EXEC_ARGV: readonly string[] = CHILD_ENTRY.endsWith('.ts') ? ['--import', BOOTSTRAP] : [];
const STDERR_TAIL = 4000;
const CLOSE_GRACE_MS = 2000;
const STDERR_DRAIN_MS = 200;

/** What became of one parse request. */
export type ParseOutcome =
  | { kind: 'result'; result: ParseResult }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; stderr: string };

interface Pending {
  id: number;
  resolve: (outcome: ParseOutcome) => void;
  timer: NodeJS.Timeout;
}

export class ParserChild {
  private pending: Pending | null = null;
  private nextId = 1;
  private stderr = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly proc: ChildProcess,
    /** Milliseconds from fork until the child was ready to parse. */
    readonly startupMs: number,
  ) {
    this.exitPromise = new Promise((done) => proc.once('exit', () => done()));
    proc.on('message', (raw) => this.onMessage(raw));
    proc.on('exit', (code, signal) => this.onExit(code, signal));
    proc.on('error', () => proc.kill('SIGKILL'));
  }

  /** Forks a child and waits until it reports ready. Throws when it cannot start. */
  static start(startupTimeoutMs = 30_000, env: NodeJS.ProcessEnv = process.env): Promise<ParserChild> {
    const started = performance.now();
    const proc = fork(CHILD_ENTRY, [], { execArgv: [...CHILD_EXEC_ARGV], env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    proc.stdout?.resume();
    const onStartupStderr = (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL));
    proc.stderr?.setEncoding('utf8').on('data', onStartupStderr);
    return new Promise((resolveStart, rejectStart) => {
      const fail = (why: string) => {
        cleanup();
        proc.kill('SIGKILL');
        const output = stderr.trim() ? `; its stderr ended with:\n${stderr.trim()}` : '';
        rejectStart(new Error(`could not start a DAG parsing process (${CHILD_ENTRY}): ${why}${output}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${startupTimeoutMs} ms`), startupTimeoutMs);
      const onMessage = (raw: unknown) => {
        if (asFromChild(raw)?.type !== 'ready') return;
        cleanup();
        const child = new ParserChild(proc, Math.round((performance.now() - started) * 10) / 10);
        proc.stderr?.on('data', (chunk: string) => child.captureStderr(chunk));
        resolveStart(child);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`it exited (${describeExit(code, signal)}) before it was ready`);
      const onError = (e: Error) => fail(e.message);
      const cleanup = () => {
        clearTimeout(timer);
        proc.off('message', onMessage).off('exit', onExit).off('error', onError);
        proc.stderr?.off('data', onStartupStderr);
      };
      proc.on('message', onMessage).on('exit', onExit).on('error', onError);
    });
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** False once the child timed out, crashed or was closed. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Parses `file` in the child; kills the child if it takes longer than `timeoutMs`. */
  parse(file: string, timeoutMs: number): Promise<ParseOutcome> {
    if (this.pending) throw new Error('a parsing child handles one file at a time: wait for the previous parse to finish');
    if (this.exited) throw new Error('this parsing child has exited: start a fresh one');
    const id = this.nextId++;
    this.stderr = '';
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle({ kind: 'timeout', timeoutMs });
        this.exited = true;
        this.proc.kill('SIGKILL');
      }, timeoutMs);
      this.pending = { id, resolve, timer };
      this.proc.send({ type: 'parse', id, file }, (err) => {
        if (err) this.settle({ kind: 'exit', code: this.proc.exitCode, signal: this.proc.signalCode, stderr: `could not send the request: ${err.message}` });
      });
    });
  }

  /** Asks the child to exit (by closing its IPC channel), killing it if it lingers. */
  async close(): Promise<void> {
    if (!this.exited) {
      if (this.proc.connected) this.proc.disconnect();
      const force = setTimeout(() => this.proc.kill('SIGKILL'), CLOSE_GRACE_MS);
      force.unref();
      await this.exitPromise;
      clearTimeout(force);
    }
  }

  private captureStderr(chunk: string): void {
    this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
  }

  private onMessage(raw: unknown): void {
    const message = asFromChild(raw);
    if (message?.type === 'result' && this.pending?.id === message.id) this.settle({ kind: 'result', result: message.result });
  }

  /** Settles once the child's stderr is drained ('close'), or shortly after exit at the latest. */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    const finish = () => this.settle({ kind: 'exit', code, signal, stderr: this.stderr.trim() });
    this.proc.once('close', finish);
    setTimeout(finish, STDERR_DRAIN_MS).unref();
  }

  private settle(outcome: ParseOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}

/** "code 3" or "signal SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code ?? 'unknown'}`;
}
