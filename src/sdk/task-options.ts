/**
 * Options every task accepts (Airflow's BaseOperator arguments, in camelCase), their defaults,
 * and how DAG and group `defaultArgs` combine with them: task > innermost group > DAG > default.
 */
import type { TriggerRule, WeightRule } from '../core/trigger-rule.ts';
import { ALL_TRIGGER_RULES, ALL_WEIGHT_RULES } from '../core/trigger-rule.ts';
import { parseDuration } from '../core/timetable/duration.ts';
import type { TaskContext } from './context.ts';
import type { AssetAlias, Dataset } from './dataset.ts';
import { DagDefinitionError } from './errors.ts';

/** A duration: seconds as a number, or a string such as "30s", "5m", "1h". */
export type Duration = number | string;

export type TaskCallback = (ctx: TaskContext, error?: unknown) => void | Promise<void>;

export interface TaskOptions {
  /** Number of retries after the first try. Default 0. */
  retries?: number;
  /** Wait before a retry. Default "5m" (300 s). */
  retryDelay?: Duration;
  /** Double the delay on every retry (with Airflow's jitter). Default false. */
  retryExponentialBackoff?: boolean;
  /** Upper bound for the delay with exponential backoff. Default none. */
  maxRetryDelay?: Duration;
  /** Fail the try when it runs longer than this. Default none. */
  executionTimeout?: Duration;
  /** Default "all_success". */
  triggerRule?: TriggerRule;
  /** Default "default_pool". */
  pool?: string;
  /** Slots of the pool the task occupies while queued or running. Default 1. */
  poolSlots?: number;
  /** Default 1. */
  priorityWeight?: number;
  /** Default "downstream". */
  weightRule?: WeightRule;
  /** Executor queue. Default "default". */
  queue?: string;
  /** Default "baton". */
  owner?: string;
  /** Markdown shown in the UI. */
  doc?: string;
  /** At most this many instances of this task run at once across all runs. Default unlimited. */
  maxActiveTisPerDag?: number;
  onExecute?: TaskCallback | TaskCallback[];
  onSuccess?: TaskCallback | TaskCallback[];
  onFailure?: TaskCallback | TaskCallback[];
  onRetry?: TaskCallback | TaskCallback[];
  onSkipped?: TaskCallback | TaskCallback[];
  /**
   * Datasets this task updates when it succeeds, and asset aliases it adds events through at
   * run time (`ctx.outletEvents.get(alias).add(asset)`).
   */
  outlets?: Array<Dataset | AssetAlias>;
  inlets?: Dataset[];
}

export type DefaultArgs = TaskOptions;

export interface ResolvedTaskOptions {
  retries: number;
  retryDelay: number;
  retryExponentialBackoff: boolean;
  maxRetryDelay: number | null;
  executionTimeout: number | null;
  triggerRule: TriggerRule;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  weightRule: WeightRule;
  queue: string;
  owner: string;
  doc: string | null;
  maxActiveTisPerDag: number | null;
  callbacks: Record<CallbackName, TaskCallback[]>;
  outlets: Array<Dataset | AssetAlias>;
  inlets: Dataset[];
}

export const CALLBACK_NAMES = ['onExecute', 'onSuccess', 'onFailure', 'onRetry', 'onSkipped'] as const;
export type CallbackName = (typeof CALLBACK_NAMES)[number];

export const TASK_OPTION_DEFAULTS = {
  retries: 0,
  retryDelay: 300,
  retryExponentialBackoff: false,
  triggerRule: 'all_success',
  pool: 'default_pool',
  poolSlots: 1,
  priorityWeight: 1,
  weightRule: 'downstream',
  queue: 'default',
  owner: 'baton',
} as const;

/** Merges option layers (later wins) and checks every value. */
export function resolveTaskOptions(taskId: string, layers: Array<TaskOptions | undefined>): ResolvedTaskOptions {
  const o: TaskOptions = Object.assign({}, ...layers.filter(Boolean));
  const where = `task '${taskId}'`;
  const int = (name: string, v: unknown, min: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new DagDefinitionError(`${where}: ${name} must be an integer ≥ ${min} (got ${JSON.stringify(v)})`);
    }
    return v;
  };
  const dur = (name: string, v: Duration | undefined): number | null => {
    if (v === undefined || v === null) return null;
    try {
      return parseDuration(v, `${where} ${name}`);
    } catch (e) {
      throw new DagDefinitionError((e as Error).message);
    }
  };
  const triggerRule = o.triggerRule ?? TASK_OPTION_DEFAULTS.triggerRule;
  if (!ALL_TRIGGER_RULES.includes(triggerRule)) {
    throw new DagDefinitionError(`${where}: unknown trigger rule ${JSON.stringify(triggerRule)}; use one of ${ALL_TRIGGER_RULES.join(', ')}`);
  }
  const weightRule = o.weightRule ?? TASK_OPTION_DEFAULTS.weightRule;
  if (!ALL_WEIGHT_RULES.includes(weightRule)) {
    throw new DagDefinitionError(`${where}: unknown weight rule ${JSON.stringify(weightRule)}; use one of ${ALL_WEIGHT_RULES.join(', ')}`);
  }
  const callbacks = {} as Record<CallbackName, TaskCallback[]>;
  for (const name of CALLBACK_NAMES) {
    const v = o[name];
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    for (const cb of list) if (typeof cb !== 'function') throw new DagDefinitionError(`${where}: ${name} must be a function or a list of functions`);
    callbacks[name] = list;
  }
  const priorityWeight = o.priorityWeight ?? TASK_OPTION_DEFAULTS.priorityWeight;
  if (typeof priorityWeight !== 'number' || !Number.isInteger(priorityWeight)) {
    throw new DagDefinitionError(`${where}: priorityWeight must be an integer (got ${JSON.stringify(priorityWeight)})`);
  }
  return {
    retries: int('retries', o.retries ?? TASK_OPTION_DEFAULTS.retries, 0),
    retryDelay: dur('retryDelay', o.retryDelay) ?? TASK_OPTION_DEFAULTS.retryDelay,
    retryExponentialBackoff: Boolean(o.retryExponentialBackoff ?? TASK_OPTION_DEFAULTS.retryExponentialBackoff),
    maxRetryDelay: dur('maxRetryDelay', o.maxRetryDelay),
    executionTimeout: dur('executionTimeout', o.executionTimeout),
    triggerRule,
    pool: nonEmpty(where, 'pool', o.pool ?? TASK_OPTION_DEFAULTS.pool),
    poolSlots: int('poolSlots', o.poolSlots ?? TASK_OPTION_DEFAULTS.poolSlots, 1),
    priorityWeight,
    weightRule,
    queue: nonEmpty(where, 'queue', o.queue ?? TASK_OPTION_DEFAULTS.queue),
    owner: nonEmpty(where, 'owner', o.owner ?? TASK_OPTION_DEFAULTS.owner),
    doc: o.doc ?? null,
    maxActiveTisPerDag: o.maxActiveTisPerDag === undefined ? null : int('maxActiveTisPerDag', o.maxActiveTisPerDag, 1),
    callbacks,
    outlets: o.outlets ?? [],
    inlets: o.inlets ?? [],
  };
}

function nonEmpty(where: string, name: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new DagDefinitionError(`${where}: ${name} must be a non-empty string`);
  return v;
}
