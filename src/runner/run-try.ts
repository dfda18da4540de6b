/**
 * Runs one try of one task instance: renders templated fields, resolves inputs, calls
 * `execute` under the execution timeout, pushes XComs, runs callbacks, and reports the outcome
 * (success / skipped / up_for_retry / failed / rescheduled / deferred). It never throws for
 * task errors: they become the outcome.
 */
import { encodeXCom } from '../core/xcom-codec.ts';
import type { SerializedDag } from '../core/serialized-dag.ts';
import { mappedTaskIds, mapSourceKeysOf, taskOf } from '../core/task-index.ts';
import { skipTargets } from '../core/skip-targets.ts';
import type { Json } from '../core/serialized-dag.ts';
import type { DagRunType } from '../core/states.ts';
import { buildTemplateContext, renderFields, renderTemplate } from '../core/templating/index.ts';
import { createTaskMl } from '../providers/ml/tracking/task-ml.ts';
import type { BaseOperator } from '../sdk/base-operator.ts';
import type { TaskContext, TaskLogger, XComPullOptions } from '../sdk/context.ts';
import type { Dag } from '../sdk/dag.ts';
import { isNonRetryable, isSkip, SensorTimeout, TaskDeferred, TaskReschedule, TaskTimeoutError } from '../sdk/errors.ts';
import { isTriggerDagRunOperator, type TriggerDagRunRequest } from '../sdk/operators/trigger-dag-run.ts';
import { hasSkipDirective } from '../sdk/skip-directive.ts';
import type { CallbackName } from '../sdk/task-options.ts';
import { TaskFlowOperator } from '../sdk/taskflow.ts';
import { createOutletEvents } from './outlet-events.ts';
import type { TaskServices } from './task-services.ts';
import type { PushedXCom, TryResult } from './try-result.ts';
import { selectXCom, type XComRow } from './xcom-select.ts';

export interface RunInfo {
  runId: string;
  runType: DagRunType;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  externalTrigger: boolean;
}

export interface TryInput {
  dag: Dag;
  serialized: SerializedDag;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  /** The task's retries (Airflow's max_tries). */
  maxTries: number;
  run: RunInfo;
  params: Record<string, Json>;
  services: TaskServices;
  log: TaskLogger;
  /** Resumption after a deferral: the trigger's event. */
  triggerEvent?: unknown;
  nextMethod?: string | null;
  /** First start of a rescheduled sensor (its timeout counts from here). */
  firstTryStartedAt?: Date | null;
  /** Aborts the try from outside (shutdown). */
  signal?: AbortSignal;
}

export async function runTry(input: TryInput): Promise<TryResult> {
  const startedAt = new Date();
  const { dag, serialized, taskId, mapIndex, log } = input;
  const original = dag.getTask(taskId);
  const sTask = taskOf(serialized, taskId)!;
  const pushed = new Map<string, unknown>();
  const mappedIds = mappedTaskIds(serialized);
  const controller = new AbortController();
  input.signal?.addEventListener('abort', () => controller.abort(input.signal!.reason), { once: true });

  const result: TryResult = {
    state: 'success', error: null, xcoms: [], skip: [], mapLengths: [], datasetEvents: [], triggerRequests: [],
    rescheduleAt: null, defer: null, renderedFields: null, startedAt: startedAt.toISOString(), endedAt: '',
  };

  const xcomPull = async (opts: XComPullOptions = {}): Promise<never> => {
    const ids = opts.taskIds === undefined ? serialized.tasks.map((t) => t.taskId) : typeof opts.taskIds === 'string' ? [opts.taskIds] : opts.taskIds;
    const rows = await input.services.pullXComs({ taskIds: ids, key: opts.key ?? 'return_value' });
    return selectXCom(withPushed(rows), opts, { isMapped: (id) => mappedIds.has(id) }) as never;
  };
  const withPushed = (rows: XComRow[]): XComRow[] => {
    if (pushed.size === 0) return rows;
    const mine = [...pushed].map(([key, value]) => ({ taskId, mapIndex, key, value }));
    return [...rows.filter((r) => !(r.taskId === taskId && r.mapIndex === mapIndex && pushed.has(r.key))), ...mine];
  };

  const outletEvents = createOutletEvents(taskId, sTask.outlets, sTask.outletAliases ?? []);
  const ctx = await buildContext();
  let op: BaseOperator = original;
  try {
    op = (await renderOperator(original, ctx)).op;
    await runCallbacks('onExecute');
    const value = await withTimeout(() => executeOrResume(op, ctx), sTask.executionTimeout);
    if (value !== undefined) {
      encodeXCom(value); // a result that cannot be stored as an XCom fails the try
      pushed.set('return_value', value);
    }
    if (original instanceof TaskFlowOperator && original.multipleOutputs) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`task '${taskId}' has multipleOutputs but returned ${Array.isArray(value) ? 'a list' : typeof value}, not an object`);
      for (const [k, v] of Object.entries(value)) pushed.set(k, v);
    }
    if (hasSkipDirective(op)) {
      const directive = op.skipDirective(value);
      if (directive) result.skip = skipTargets(serialized.tasks, taskId, directive);
    }
    if (isTriggerDagRunOperator(op)) result.triggerRequests.push(value as TriggerDagRunRequest);
    result.mapLengths = mapLengthsFor(pushed);
    result.datasetEvents = [...sTask.outlets];
    result.aliasEvents = outletEvents.collect();
    result.state = 'success';
    log.info(`Marking task as SUCCESS. dag_id=${dag.dagId}, task_id=${taskId}, run_id=${input.run.runId}${mapIndex >= 0 ? `, map_index=${mapIndex}` : ''}`);
    await runCallbacks('onSuccess');
  } catch (err) {
    if (err instanceof TaskReschedule) {
      result.state = 'up_for_reschedule';
      result.rescheduleAt = err.at.toISOString();
      log.info(`Rescheduling task, next try at ${result.rescheduleAt}`);
    } else if (err instanceof TaskDeferred) {
      result.state = 'deferred';
      result.defer = { trigger: err.trigger, kwargs: err.kwargs, method: err.method, timeout: err.timeout };
      log.info(`Deferring task to trigger '${err.trigger}'`);
    } else if (isSkip(err) || (err instanceof SensorTimeout && sTask.sensor?.softFail)) {
      result.state = 'skipped';
      log.info(`Skipping task: ${(err as Error).message}`);
      await runCallbacks('onSkipped');
    } else {
      const retry = !isNonRetryable(err) && input.maxTries > 0 && input.tryNumber <= input.maxTries;
      result.state = retry ? 'up_for_retry' : 'failed';
      result.error = describeError(err);
      log.error(`Task failed with exception: ${result.error}`);
      log.info(retry ? `Marking task as UP_FOR_RETRY (try ${input.tryNumber} of ${input.maxTries + 1})` : 'Marking task as FAILED.');
      await runCallbacks(retry ? 'onRetry' : 'onFailure', err);
    }
  } finally {
    controller.abort();
  }
  result.xcoms = encodePushed(pushed);
  result.renderedFields = op === original ? null : renderedFieldValues(op);
  result.endedAt = new Date().toISOString();
  return result;

  async function buildContext(): Promise<TaskContext> {
    const r = input.run;
    const ds = r.logicalDate.toISOString().slice(0, 10);
    const ti = {
      dagId: dag.dagId, taskId, runId: r.runId, mapIndex, tryNumber: input.tryNumber, maxTries: input.maxTries,
      xcomPush: async (key: string, value: unknown) => {
        encodeXCom(value);
        pushed.set(key, value);
      },
      xcomPull: xcomPull as TaskContext['ti']['xcomPull'],
    };
    const tryRef = { dagId: dag.dagId, runId: r.runId, taskId, mapIndex, tryNumber: input.tryNumber };
    let templateCtx: ReturnType<typeof buildTemplateContext> | null = null;
    const base: Omit<TaskContext, 'render'> = {
      dag: { dagId: dag.dagId, tags: dag.tags },
      task: { taskId, operator: sTask.operator },
      ti,
      dagRun: { runId: r.runId, runType: r.runType, logicalDate: r.logicalDate, dataIntervalStart: r.dataIntervalStart, dataIntervalEnd: r.dataIntervalEnd, conf: r.conf, externalTrigger: r.externalTrigger },
      runId: r.runId, runType: r.runType, logicalDate: r.logicalDate,
      dataIntervalStart: r.dataIntervalStart, dataIntervalEnd: r.dataIntervalEnd,
      ds, dsNodash: ds.replaceAll('-', ''), ts: r.logicalDate.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      params: input.params, conf: r.conf, log, signal: controller.signal,
      variables: {
        get: (k) => input.services.getVariable(k),
        getJson: async <T,>(k: string) => {
          const v = await input.services.getVariable(k);
          return v === undefined ? undefined : (JSON.parse(v) as T);
        },
      },
      connections: { get: (id) => input.services.getConnection(id) },
      triggerEvent: input.triggerEvent,
      sensorStartedAt: input.firstTryStartedAt ?? startedAt,
      outletEvents: outletEvents.accessors,
      ml: createTaskMl(tryRef, input.services.ml && ((req) => input.services.ml!(tryRef, req))),
      externalState: async (q) => {
        const ask = input.services.getExternalState;
        if (!ask) throw new Error(`task '${taskId}' asked for the state of DAG '${q.dagId}', which this runner cannot look up: run it with the scheduler (baton standalone)`);
        return ask.call(input.services, { dagId: q.dagId, taskId: q.taskId, logicalDate: q.logicalDate.toISOString() });
      },
    };
    const ctx = base as TaskContext;
    (ctx as { render: TaskContext['render'] }).render = (template: string) => renderTemplate(template, templateCtx ?? (templateCtx = syncTemplateContext(null)));
    return ctx;
  }

  /** A copy of the operator with its template fields rendered (the original stays as written). */
  async function renderOperator(orig: BaseOperator, ctx: TaskContext): Promise<{ op: BaseOperator }> {
    const fields = orig.templateFields;
    if (fields.length === 0) return { op: orig };
    const raw = fields.map((f) => (orig as unknown as Record<string, unknown>)[f]);
    const text = JSON.stringify(raw) ?? '';
    const needsXCom = text.includes('xcom_pull');
    const rows = needsXCom ? await input.services.pullXComs({ taskIds: serialized.tasks.map((t) => t.taskId), key: null }) : [];
    const vars = text.includes('var.') ? await input.services.listVariables() : {};
    const conns = text.includes('conn.') ? await input.services.listConnections() : [];
    const tctx = syncTemplateContext({ rows, vars, conns });
    const copy = Object.assign(Object.create(Object.getPrototypeOf(orig)) as BaseOperator, orig);
    for (const f of fields) (copy as unknown as Record<string, unknown>)[f] = renderFields((orig as unknown as Record<string, unknown>)[f], tctx);
    (ctx as { render: TaskContext['render'] }).render = (template: string) => renderTemplate(template, tctx);
    return { op: copy };
  }

  function syncTemplateContext(pre: { rows: XComRow[]; vars: Record<string, string>; conns: Awaited<ReturnType<TaskServices['listConnections']>> } | null) {
    const r = input.run;
    return buildTemplateContext({
      logicalDate: r.logicalDate, dataIntervalStart: r.dataIntervalStart, dataIntervalEnd: r.dataIntervalEnd,
      runId: r.runId, runType: r.runType, dagId: dag.dagId, taskId, mapIndex, tryNumber: input.tryNumber,
      params: input.params, conf: r.conf,
      xcomPull: (args) => selectXCom(withPushed(pre?.rows ?? []), args, { isMapped: (id) => mappedIds.has(id) }),
      getVariable: (k) => pre?.vars[k],
      getConnection: (id) => {
        const c = pre?.conns.find((x) => x.connId === id);
        return c ? { ...c } : undefined;
      },
    });
  }

  async function executeOrResume(o: BaseOperator, ctx: TaskContext): Promise<unknown> {
    if (input.nextMethod && input.nextMethod !== 'execute') {
      const m = (o as unknown as Record<string, unknown>)[input.nextMethod];
      if (typeof m !== 'function') throw new Error(`task '${taskId}' cannot resume: it has no method '${input.nextMethod}'`);
      return (m as (c: TaskContext, e: unknown) => unknown).call(o, ctx, input.triggerEvent);
    }
    return o.execute(ctx);
  }

  async function withTimeout<T>(fn: () => Promise<T>, seconds: number | null): Promise<T> {
    if (seconds === null) return fn();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new TaskTimeoutError(`Timeout: the task ran longer than its execution timeout of ${seconds}s`);
        controller.abort(e);
        reject(e);
      }, seconds * 1000);
    });
    try {
      return await Promise.race([fn(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function runCallbacks(name: CallbackName, error?: unknown): Promise<void> {
    for (const cb of original.opts.callbacks[name]) {
      try {
        await cb(ctx, error);
      } catch (e) {
        log.error(`${name} callback failed: ${describeError(e)}`);
      }
    }
  }

  function mapLengthsFor(values: Map<string, unknown>): TryResult['mapLengths'] {
    const wanted = mapSourceKeysOf(serialized, taskId);
    const out: TryResult['mapLengths'] = [];
    for (const key of wanted) {
      const v = values.get(key);
      if (!Array.isArray(v)) throw new TypeError(`task '${taskId}' must produce a list for XCom '${key}' because a mapped task expands over it (got ${v === undefined ? 'nothing' : typeof v})`);
      out.push({ key, length: v.length });
    }
    return out;
  }
}

function encodePushed(pushed: Map<string, unknown>): PushedXCom[] {
  const out: PushedXCom[] = [];
  for (const [key, value] of pushed) out.push({ key, value: encodeXCom(value) });
  return out;
}

function renderedFieldValues(op: BaseOperator): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of op.templateFields) out[f] = (op as unknown as Record<string, unknown>)[f];
  return out;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
