/**
 * Runs one DAG run in this process, task by task in dependency order (Airflow's `dags test`):
 * trigger rules, branching, mapping, retries with their real delays (unless `fastRetries`),
 * XCom and templating, with no scheduler and no database.
 */
import { inferManualDataInterval } from '../core/timetable/index.ts';
import { nextRetryAt } from '../core/retry-delay.ts';
import { resolveParams } from '../core/params.ts';
import { defaultRunId } from '../core/run-id.ts';
import { decideRun, type TiView } from '../core/run-decisions.ts';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { TaskInstanceState } from '../core/states.ts';
import { priorityWeights } from '../core/weight-rules.ts';
import { decodeXCom } from '../core/xcom-codec.ts';
import type { Dag } from '../sdk/dag.ts';
import type { TaskLogger } from '../sdk/context.ts';
import { memoryMlBackend, mlRequestHandler } from '../providers/ml/tracking/service.ts';
import { envConnection, envConnections, envVariable, envVariables } from './env-secrets.ts';
import { runTry, type RunInfo } from './run-try.ts';
import type { TaskServices } from './task-services.ts';
import type { AliasAssetEvent, TryResult } from './try-result.ts';
import type { XComRow } from './xcom-select.ts';

export interface LocalRunOptions {
  dag: Dag;
  serialized: SerializedDag;
  /** Default: now. */
  logicalDate?: Date;
  conf?: Record<string, unknown>;
  runId?: string;
  /** Do not wait out retry delays. Default false. */
  fastRetries?: boolean;
  /** Where progress lines go. Default: stdout. */
  print?: (line: string) => void;
  /** Where BATON_VAR_/BATON_CONN_ variables and connections are read from (default services only). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  services?: TaskServices;
}

export interface LocalTi {
  taskId: string;
  mapIndex: number;
  state: TaskInstanceState;
  tryNumber: number;
  nextTryAt: Date | null;
  durationMs: number | null;
  error: string | null;
  /** When the current try first started (a rescheduled sensor's timeout counts from here). */
  firstTryStartedAt?: Date | null;
}

export interface LocalRunResult {
  runId: string;
  state: 'success' | 'failed';
  tis: LocalTi[];
  xcoms: XComRow[];
  triggerRequests: TryResult['triggerRequests'];
  datasetEvents: string[];
  /** Events the tasks added through asset aliases. */
  aliasEvents: AliasAssetEvent[];
  durationMs: number;
}

export class ParamsError extends Error {
  override readonly name = 'ParamsError';
}

export async function runDagLocally(o: LocalRunOptions): Promise<LocalRunResult> {
  const t0 = Date.now();
  const print = o.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const s = o.serialized;
  const resolved = resolveParams(s.params, o.conf ?? {});
  if (!resolved.ok) throw new ParamsError(`invalid params for DAG '${s.dagId}': ${resolved.errors.join('; ')}`);
  const logicalDate = o.logicalDate ?? new Date();
  const interval = inferManualDataInterval(s.schedule, s.timezone, logicalDate);
  const run: RunInfo = {
    runId: o.runId ?? defaultRunId('manual', logicalDate),
    runType: 'manual',
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    conf: o.conf ?? {},
    externalTrigger: true,
  };
  const weights = priorityWeights(s.tasks);
  const order = new Map(s.tasks.map((t, i) => [t.taskId, i]));
  const byId = new Map(s.tasks.map((t) => [t.taskId, t]));
  let tis: LocalTi[] = s.tasks.map((t) => ({ taskId: t.taskId, mapIndex: -1, state: 'none', tryNumber: 0, nextTryAt: null, durationMs: null, error: null }));
  const xcoms: XComRow[] = [];
  const mapLengths = new Map<string, number>();
  const triggerRequests: TryResult['triggerRequests'] = [];
  const datasetEvents: string[] = [];
  const aliasEvents: AliasAssetEvent[] = [];
  const services: TaskServices = o.services ?? {
    pullXComs: async ({ taskIds, key }) => xcoms.filter((x) => taskIds.includes(x.taskId) && (key === null || x.key === key)),
    getVariable: async (k) => envVariable(k, o.env),
    listVariables: async () => envVariables(o.env),
    getConnection: async (id) => envConnection(id, o.env),
    listConnections: async () => envConnections(o.env),
    // Tracking and the model registry live in memory for the run (no database here).
    ml: mlRequestHandler(memoryMlBackend()),
  };
  print(`DAG ${s.dagId} · run ${run.runId} · logical date ${logicalDate.toISOString()} · data interval ${interval.start.toISOString()} – ${interval.end.toISOString()}`);

  for (;;) {
    const decision = decideRun({
      tasks: s.tasks,
      tis: tis as TiView[],
      mapLength: (taskId, key) => mapLengths.get(`${taskId}\u0000${key}`),
      now: new Date(),
    });
    for (const e of decision.expansions) {
      tis = tis.filter((t) => t.taskId !== e.taskId);
      for (let i = 0; i < e.length; i++) tis.push({ taskId: e.taskId, mapIndex: i, state: 'none', tryNumber: 0, nextTryAt: null, durationMs: null, error: null });
      print(`  ⇉ ${e.taskId} expanded into ${e.length} mapped task instance${e.length === 1 ? '' : 's'}`);
    }
    for (const c of decision.changes) {
      const ti = find(c.taskId, c.mapIndex);
      if (ti) ti.state = c.to;
      print(`  ${symbol(c.to)} ${label(c.taskId, c.mapIndex)} ${c.to} (${c.reason})`);
    }
    if (decision.runState !== 'running') {
      if (decision.deadlock) print('  ✖ no task can run: the run is deadlocked');
      return finish(decision.runState);
    }
    if (decision.ready.length === 0) {
      if (decision.nextWakeAt) {
        const wait = Math.max(0, decision.nextWakeAt.getTime() - Date.now());
        print(`  … waiting ${(wait / 1000).toFixed(1)}s for the next retry`);
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      return finish('failed');
    }
    const next = [...decision.ready].sort((a, b) => (weights.get(b.taskId) ?? 0) - (weights.get(a.taskId) ?? 0) || order.get(a.taskId)! - order.get(b.taskId)! || a.mapIndex - b.mapIndex)[0]!;
    const ti = find(next.taskId, next.mapIndex)!;
    const task = byId.get(ti.taskId)!;
    // A rescheduled sensor keeps its try number, and its timeout counts from its first poke.
    if (ti.state !== 'up_for_reschedule') {
      ti.tryNumber += 1;
      ti.firstTryStartedAt = new Date();
    }
    ti.state = 'running';
    for (let i = xcoms.length - 1; i >= 0; i--) if (xcoms[i]!.taskId === ti.taskId && xcoms[i]!.mapIndex === ti.mapIndex) xcoms.splice(i, 1);
    print(`▶ ${label(ti.taskId, ti.mapIndex)} · try ${ti.tryNumber}/${task.retries + 1} · ${task.operator}`);
    const result = await runTry({
      dag: o.dag, serialized: s, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber: ti.tryNumber, maxTries: task.retries,
      run, params: resolved.params, services, log: taskLogger(print), firstTryStartedAt: ti.firstTryStartedAt,
    });
    ti.durationMs = Date.parse(result.endedAt) - Date.parse(result.startedAt);
    ti.error = result.error;
    for (const x of result.xcoms) xcoms.push({ taskId: ti.taskId, mapIndex: ti.mapIndex, key: x.key, value: decodeXCom(x.value) });
    for (const m of result.mapLengths) mapLengths.set(`${ti.taskId}\u0000${m.key}`, m.length);
    triggerRequests.push(...result.triggerRequests);
    if (result.state === 'success') {
      datasetEvents.push(...result.datasetEvents);
      aliasEvents.push(...(result.aliasEvents ?? []));
    }
    for (const id of result.skip) for (const t of tis) if (t.taskId === id && (t.state === 'none' || t.state === 'scheduled')) {
      t.state = 'skipped';
      print(`  ${symbol('skipped')} ${label(t.taskId, t.mapIndex)} skipped (not chosen by ${ti.taskId})`);
    }
    ti.state = result.state === 'deferred' ? 'failed' : result.state;
    if (result.state === 'deferred') ti.error = 'deferrable tasks need the triggerer: run them with `baton standalone` (or use poke mode in dags test)';
    if (result.state === 'up_for_retry') {
      ti.nextTryAt = o.fastRetries
        ? new Date()
        : nextRetryAt({ dagId: s.dagId, taskId: ti.taskId, logicalDate, tryNumber: ti.tryNumber, endDate: new Date(result.endedAt), retryDelay: task.retryDelay, retryExponentialBackoff: task.retryExponentialBackoff, maxRetryDelay: task.maxRetryDelay });
      print(`  ↻ ${label(ti.taskId, ti.mapIndex)} up_for_retry · next try at ${ti.nextTryAt.toISOString()}`);
    } else if (result.state === 'up_for_reschedule') {
      ti.nextTryAt = new Date(o.fastRetries ? Date.now() : Date.parse(result.rescheduleAt!));
      print(`  ↻ ${label(ti.taskId, ti.mapIndex)} up_for_reschedule · next poke at ${ti.nextTryAt.toISOString()}`);
    } else {
      print(`  ${symbol(ti.state)} ${label(ti.taskId, ti.mapIndex)} ${ti.state} in ${ti.durationMs} ms`);
      if (result.state === 'success') printAssetEvents(result);
    }
  }

  /** The asset events a successful try records (nothing is stored: dags test has no database). */
  function printAssetEvents(result: TryResult): void {
    for (const uri of result.datasetEvents) print(`  ◆ asset event: ${uri}`);
    for (const e of result.aliasEvents ?? []) {
      const extra = Object.keys(e.extra).length ? ` · extra ${JSON.stringify(e.extra)}` : '';
      print(`  ◆ asset event: ${e.uri} through alias ${e.aliases.join(', ')}${extra}`);
    }
  }

  function find(taskId: string, mapIndex: number): LocalTi | undefined {
    return tis.find((t) => t.taskId === taskId && t.mapIndex === mapIndex);
  }

  function finish(state: 'success' | 'failed'): LocalRunResult {
    print(`DAG run ${run.runId} finished: ${state.toUpperCase()} in ${Date.now() - t0} ms`);
    for (const t of [...tis].sort((a, b) => order.get(a.taskId)! - order.get(b.taskId)! || a.mapIndex - b.mapIndex)) {
      print(`  ${symbol(t.state)} ${label(t.taskId, t.mapIndex).padEnd(40)} ${t.state.padEnd(16)} tries ${t.tryNumber}`);
    }
    for (const r of triggerRequests) print(`  → requested a run of DAG '${r.dagId}' (performed by the scheduler; not in dags test)`);
    return { runId: run.runId, state, tis, xcoms, triggerRequests, datasetEvents, aliasEvents, durationMs: Date.now() - t0 };
  }
}

function label(taskId: string, mapIndex: number): string {
  return mapIndex >= 0 ? `${taskId}[${mapIndex}]` : taskId;
}

function symbol(state: TaskInstanceState): string {
  switch (state) {
    case 'success':
      return '✔';
    case 'failed':
    case 'upstream_failed':
      return '✖';
    case 'skipped':
      return '⤼';
    default:
      return '•';
  }
}

function taskLogger(print: (l: string) => void): TaskLogger {
  const line = (level: string) => (message: string, ...args: unknown[]) => {
    const extra = args.length ? ' ' + args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : '';
    print(`    ${new Date().toISOString()} ${level.padEnd(5)} ${message}${extra}`);
  };
  return { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}
