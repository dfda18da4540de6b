/**
 * Entry point of a local executor worker process, forked by the executor with the hostname to
 * report as its first argument (and, when run from the TypeScript sources, the TypeScript
 * loader preloaded with `--import register-loaders.js`). Runs one try at a time as the executor sends them and answers each with `started`
 * and `finished`. Exits when the executor disconnects (or dies) and on SIGTERM, aborting the
 * running try first so that processes it started are told to stop.
 */
import { writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import type { TaskWorkload } from '../executor.ts';
import type { TryResult } from '../../runner/try-result.ts';
import { DagCache } from './dag-cache.ts';
import { asToWorker, type FromWorker, type RunMessage } from './protocol.ts';
import { failedResult, runWorkload } from './run-workload.ts';
import { ServiceClient } from './service-client.ts';
import { watchParent } from '../../runtime/parent-watchdog.ts';

const hostname = process.argv[2] || osHostname();
const cache = new DagCache();
const client = new ServiceClient(send);
let current: { seq: number; controller: AbortController } | null = null;

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

async function run(message: RunMessage): Promise<void> {
  if (current) {
    writeSync(2, `worker ${process.pid}: ignored try ${message.seq} because try ${current.seq} is still running (the executor sends one try at a time)\n`);
    return;
  }
  const { seq, workload } = message;
  const controller = new AbortController();
  current = { seq, controller };
  send({ kind: 'started', seq, hostname, pid: process.pid, at: new Date().toISOString() });
  const result = await runWorkload({ workload, cache, services: client.forTry(seq), signal: controller.signal, hostname });
  current = null;
  sendResult(seq, workload, result);
}

/**
 * Sends the result. Rendered fields are for display: when they hold something the channel
 * cannot carry (a function, say), they are sent in JSON form instead. A result that still
 * cannot be sent fails the try, saying why.
 */
function sendResult(seq: number, workload: TaskWorkload, result: TryResult): void {
  try {
    return send({ kind: 'finished', seq, result });
  } catch {
    /* tried again below */
  }
  try {
    return send({ kind: 'finished', seq, result: { ...result, renderedFields: displayable(result.renderedFields) } });
  } catch (e) {
    const error = `the try ended (${result.state}) but its result could not be sent to the executor: ${(e as Error).message}`;
    send({ kind: 'finished', seq, result: { ...failedResult(workload, new Date(result.startedAt), error), endedAt: result.endedAt } });
  }
}

function displayable(fields: Record<string, unknown> | null): Record<string, unknown> | null {
  if (fields === null) return null;
  const text = JSON.stringify(fields, (_key, v: unknown) => (typeof v === 'function' ? `[function ${v.name || 'anonymous'}]` : typeof v === 'bigint' ? v.toString() : v));
  return JSON.parse(text) as Record<string, unknown>;
}

/** Aborts the running try (its abort listeners run now) and exits. */
function abortAndExit(why: string, code: number): never {
  current?.controller.abort(new Error(why));
  process.exit(code);
}

if (!process.send) {
  console.error('worker-main.ts is started by the local executor (child_process.fork with an IPC channel); it cannot run on its own');
  process.exit(2);
}
process.on('message', (raw) => {
  const message = asToWorker(raw);
  if (message?.kind === 'reply') client.onReply(message);
  else if (message?.kind === 'run') void run(message);
});
process.on('disconnect', () => abortAndExit('the executor went away', 0));
// A DAG file or task stuck in a loop never sees the disconnect: a watchdog thread ends this
// process when its parent is gone.
watchParent();
process.on('SIGTERM', () => abortAndExit('the try was stopped by the executor', 143));
process.on('uncaughtException', (err) => {
  writeSync(2, `uncaught exception in task code: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  abortAndExit('the worker crashed', 1);
});
send({ kind: 'ready', pid: process.pid });
