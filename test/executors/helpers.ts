/** Shared pieces of the executor tests: workloads for the fixture DAGs, fake services, an event recorder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, TaskWorkload, TiKey, WorkerServices } from '../../src/executors/executor.ts';
import type { XComRow } from '../../src/runner/xcom-select.ts';
import type { ConnectionView } from '../../src/sdk/context.ts';

export const TASKS_DAG = fileURLToPath(new URL('../fixtures/executor-dags/tasks.ts', import.meta.url));
export const BROKEN_DAG = fileURLToPath(new URL('../fixtures/executor-dags/broken.ts', import.meta.url));

const madeDirs: string[] = [];
process.once('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder (for logs, or DAG files), removed when the test process exits. */
export function tempDir(prefix = 'baton-executor-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** A fresh folder for the logs of one test file, removed when the test process exits. */
export function logsDir(): string {
  return tempDir();
}

let runCounter = 0;

/** A workload for task `taskId` of the fixture DAG `exec_tasks` in a run of its own. */
export function workload(logs: string, taskId: string, over: Partial<TaskWorkload> = {}): TaskWorkload {
  const runId = over.key?.runId ?? `manual__test_${++runCounter}`;
  const key: TiKey = over.key ?? { dagId: 'exec_tasks', runId, taskId, mapIndex: -1 };
  const tryNumber = over.tryNumber ?? 1;
  return {
    key,
    tryNumber,
    maxTries: 0,
    dagFile: TASKS_DAG,
    run: {
      runId: key.runId,
      runType: 'manual',
      logicalDate: '2024-03-01T00:00:00.000Z',
      dataIntervalStart: '2024-03-01T00:00:00.000Z',
      dataIntervalEnd: '2024-03-01T00:00:00.000Z',
      conf: {},
      externalTrigger: true,
    },
    params: { ms: 0 },
    logPath: join(logs, `dag_id=${key.dagId}`, `run_id=${key.runId}`, `task_id=${key.taskId}`, `attempt=${tryNumber}.log`),
    queue: 'default',
    executionTimeout: null,
    nextMethod: null,
    triggerEvent: null,
    firstTryStartedAt: null,
    ...over,
  };
}

export interface FakeData {
  xcoms?: XComRow[];
  variables?: Record<string, string>;
  connections?: ConnectionView[];
}

/** In-memory WorkerServices that records every call; asking for the variable `explode` fails. */
export function fakeServices(data: FakeData = {}): WorkerServices & { calls: Array<{ method: string; args: unknown }> } {
  const calls: Array<{ method: string; args: unknown }> = [];
  const vars = data.variables ?? {};
  const conns = data.connections ?? [];
  return {
    calls,
    async pullXComs(q) {
      calls.push({ method: 'pullXComs', args: q });
      return (data.xcoms ?? []).filter((x) => q.taskIds.includes(x.taskId) && (q.key === null || x.key === q.key));
    },
    async getVariable(k) {
      calls.push({ method: 'getVariable', args: k });
      if (k === 'explode') throw new Error('the metadata database is down');
      return vars[k];
    },
    async listVariables() {
      calls.push({ method: 'listVariables', args: null });
      return { ...vars };
    },
    async getConnection(id) {
      calls.push({ method: 'getConnection', args: id });
      return conns.find((c) => c.connId === id);
    },
    async listConnections() {
      calls.push({ method: 'listConnections', args: null });
      return conns;
    },
    async getExternalState(q) {
      calls.push({ method: 'getExternalState', args: q });
      return null;
    },
  };
}

type Kind = ExecutorEvent['kind'];
type EventOf<K extends Kind> = Extract<ExecutorEvent, { kind: K }>;

/** Records executor events and lets a test wait for the one it expects. */
export class EventRecorder {
  readonly events: ExecutorEvent[] = [];
  private readonly listeners = new Set<(e: ExecutorEvent) => void>();

  readonly onEvent = (e: ExecutorEvent): void => {
    this.events.push(e);
    for (const l of [...this.listeners]) l(e);
  };

  /** Calls `fn` with every event from now on, until the returned function is called. */
  listen(fn: (e: ExecutorEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The first event (already recorded or still to come) that `match` accepts. */
  waitFor(match: (e: ExecutorEvent) => boolean): Promise<ExecutorEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const stop = this.listen((e) => {
        if (!match(e)) return;
        stop();
        resolve(e);
      });
    });
  }

  /** The first event of `kind` for the task `taskId` (in run `runId`, try `tryNumber`, when given). */
  next<K extends Kind>(kind: K, taskId: string, runId?: string, tryNumber?: number): Promise<EventOf<K>> {
    return this.waitFor(
      (e) => e.kind === kind && e.kind !== 'slots' && e.key.taskId === taskId && (runId === undefined || e.key.runId === runId) && (tryNumber === undefined || e.tryNumber === tryNumber),
    ) as Promise<EventOf<K>>;
  }

  /** Events about one run, in order. */
  of(runId: string): ExecutorEvent[] {
    return this.events.filter((e) => e.kind !== 'slots' && e.key.runId === runId);
  }
}

/** Resolves once `check()` holds, looking again every few milliseconds (for state with no event, such as a replacement worker becoming idle). */
export async function eventually(check: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
