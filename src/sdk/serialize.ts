/**
 * Turns a live DAG (user code) into its serialized form (plain JSON), validating it on the way:
 * cycles, params, mapping. Throws DagDefinitionError with a message naming the DAG and problem.
 */
import { topologicalOrder } from '../core/graph.ts';
import { validateParamSpecs } from '../core/params.ts';
import { SERIALIZED_DAG_FORMAT, type Json, type MappedSpec, type MarkerSpec, type SerializedDag, type SerializedTask } from '../core/serialized-dag.ts';
import type { BaseOperator } from './base-operator.ts';
import type { Dag } from './dag.ts';
import { AssetAlias, Dataset } from './dataset.ts';
import { DagDefinitionError } from './errors.ts';
import { TaskFlowOperator } from './taskflow.ts';
import { XComArg } from './xcom-arg.ts';

export function serializeDag(dag: Dag): SerializedDag {
  const ops = [...dag.tasks.values()];
  let order: string[];
  try {
    order = topologicalOrder(ops.map((t) => ({ id: t.taskId, upstream: t.upstreamIds })));
  } catch (e) {
    throw new DagDefinitionError(`DAG '${dag.dagId}': ${(e as Error).message}`);
  }
  const paramErrors = validateParamSpecs(dag.params);
  if (paramErrors.length) throw new DagDefinitionError(`DAG '${dag.dagId}' has invalid params: ${paramErrors.join('; ')}`);
  if (ops.length === 0) throw new DagDefinitionError(`DAG '${dag.dagId}' has no tasks`);
  const owners = [...new Set(ops.map((t) => t.opts.owner))];
  return {
    format: SERIALIZED_DAG_FORMAT,
    dagId: dag.dagId,
    fileloc: dag.fileloc ?? '',
    description: dag.description,
    docMd: dag.options.docs ?? null,
    schedule: dag.schedule,
    timezone: dag.timezone,
    startDate: dag.startDate?.toISOString() ?? null,
    endDate: dag.endDate?.toISOString() ?? null,
    catchup: dag.catchup,
    tags: dag.tags,
    owners,
    params: dag.params,
    maxActiveRuns: dag.maxActiveRuns,
    maxActiveTasks: dag.maxActiveTasks,
    dagrunTimeout: dag.dagrunTimeout,
    isPausedUponCreation: dag.options.isPausedUponCreation ?? null,
    tasks: order.map((id) => serializeTask(dag.getTask(id))),
    taskGroups: [...dag.groups.values()].map((g) => ({
      groupId: g.groupId,
      parentGroupId: g.parent?.groupId ?? null,
      tooltip: g.options.tooltip ?? null,
      children: g.children.filter((c) => {
        const owner = dag.tasks.get(c)?.group ?? dag.groups.get(c)?.parent;
        return owner === g;
      }),
    })),
  };
}

function serializeTask(t: BaseOperator): SerializedTask {
  const o = t.opts;
  const cls = t.constructor as { uiColor?: string };
  const sensor = (t as { sensorSpec?: () => SerializedTask['sensor'] }).sensorSpec?.() ?? null;
  const marker = (t as { markerSpec?: () => MarkerSpec }).markerSpec?.();
  return {
    taskId: t.taskId,
    operator: t.operatorName,
    upstream: [...t.upstreamIds].sort(),
    downstream: [...t.downstreamIds].sort(),
    triggerRule: o.triggerRule,
    retries: o.retries,
    retryDelay: o.retryDelay,
    retryExponentialBackoff: o.retryExponentialBackoff,
    maxRetryDelay: o.maxRetryDelay,
    executionTimeout: o.executionTimeout,
    pool: o.pool,
    poolSlots: o.poolSlots,
    priorityWeight: o.priorityWeight,
    weightRule: o.weightRule,
    queue: o.queue,
    owner: o.owner,
    doc: o.doc,
    maxActiveTisPerDag: o.maxActiveTisPerDag,
    groupId: t.group?.groupId ?? null,
    mapped: t instanceof TaskFlowOperator ? mappedSpec(t) : null,
    outlets: o.outlets.filter((d) => !(d instanceof AssetAlias)).map((d) => (d as Dataset).uri),
    ...outletAliases(t.taskId, o.outlets),
    inlets: o.inlets.map((d) => d.uri),
    templateFields: [...t.templateFields],
    callbacks: {
      onExecute: o.callbacks.onExecute.length > 0,
      onSuccess: o.callbacks.onSuccess.length > 0,
      onFailure: o.callbacks.onFailure.length > 0,
      onRetry: o.callbacks.onRetry.length > 0,
      onSkipped: o.callbacks.onSkipped.length > 0,
    },
    sensor,
    fields: toJsonFields(t.describeFields()),
    ui: { color: cls.uiColor ?? '#fff' },
    ...(marker ? { externalTaskMarker: marker } : {}),
  };
}

/** The names of the asset aliases among a task's outlets (the key is left out when there are none). */
function outletAliases(taskId: string, outlets: unknown[]): { outletAliases?: string[] } {
  const bad = outlets.find((d) => !(d instanceof Dataset) && !(d instanceof AssetAlias));
  if (bad !== undefined) throw new DagDefinitionError(`task '${taskId}': outlets must be Dataset, Asset or AssetAlias objects, got ${JSON.stringify(bad) ?? String(bad)}`);
  const names = [...new Set(outlets.filter((d): d is AssetAlias => d instanceof AssetAlias).map((a) => a.name))];
  return names.length ? { outletAliases: names } : {};
}

function mappedSpec(t: TaskFlowOperator): MappedSpec | null {
  const m = t.mapping;
  if (!m) return null;
  return {
    mode: m.mode,
    maxMapLength: t.maxMapLength,
    sources: Object.entries(m.sources).map(([key, src]) => ({
      key,
      source: src instanceof XComArg ? { kind: 'xcom' as const, taskId: src.taskId, xcomKey: src.key } : { kind: 'literal' as const, length: (src as unknown[]).length },
    })),
  };
}

function toJsonFields(fields: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    try {
      out[k] = JSON.parse(JSON.stringify(v, (_key, x) => (x instanceof XComArg ? `XComArg(${x.taskId}.${x.key})` : typeof x === 'function' ? '<function>' : x)));
    } catch {
      out[k] = String(v);
    }
  }
  return out;
}
