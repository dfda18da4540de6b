/**
 * TaskFlow: plain (async) functions become tasks. Calling the task with upstream outputs
 * creates the edges and carries the values, typed end to end:
 *
 *   const extract = task('extract', async () => ({ rows: 3 }));
 *   const load = task('load', async ({ rows }: { rows: number }, ctx) => ctx.log.info(`${rows}`));
 *   load(extract());
 *
 * The function receives its input (XCom references resolved) and the task context.
 */
import { BaseOperator, type BaseOperatorOptions } from './base-operator.ts';
import { currentDag, currentGroup } from './build-context.ts';
import type { TaskContext } from './context.ts';
import { DagDefinitionError } from './errors.ts';
import { runBashCommand } from './operators/bash-runner.ts';
import type { SkipDirective, SkipsDownstream } from './skip-directive.ts';
import type { TaskOptions } from './task-options.ts';
import { collectXComArgs, isPlainObject, resolveWired, XComArg, type Wire } from './xcom-arg.ts';

export const DEFAULT_MAX_MAP_LENGTH = 1024;

export interface TaskFlowOptions extends TaskOptions {
  taskId?: string;
  /** Push each key of the returned object as its own XCom (plus `return_value`). */
  multipleOutputs?: boolean;
  /** Refuse to expand a mapped copy count above this. Default 1024. */
  maxMapLength?: number;
}

export type TaskFn<I, R> = (input: I, ctx: TaskContext) => R | Promise<R>;
type Kind = 'task' | 'branch' | 'shortCircuit' | 'bash';

/** Arguments a TaskFlow task is called with. */
export type TaskArgs<I> = [I] extends [void] ? [] : undefined extends I ? [input?: Wire<I>] : [input: Wire<I>];

/** Values for `expand`: a list per argument, or an upstream output that is a list. */
export type ExpandArgs<I> = { [K in keyof I]?: readonly I[K][] | XComArg<I[K][]> | XComArg<readonly I[K][]> };

/** The output of a TaskFlow task: an XCom reference that also links like a task. */
export type TaskOutput<R> = XComArg<R>;

interface MappingDef {
  mode: 'expand' | 'expandKwargs';
  partial: Record<string, unknown>;
  /** expand: per-key list or XComArg; expandKwargs: key "" holds the list or XComArg. */
  sources: Record<string, unknown>;
}

export interface MappedTaskBuilder<I, R> {
  expand(args: ExpandArgs<I>): TaskOutput<R[]>;
  expandKwargs(list: readonly Partial<I>[] | XComArg<Partial<I>[]>): TaskOutput<R[]>;
}

export interface TaskFlow<I, R> {
  (...args: TaskArgs<I>): TaskOutput<R>;
  /** Constants shared by every mapped copy. */
  partial(args: { [K in keyof I]?: Wire<I[K]> }): MappedTaskBuilder<I, R>;
  /** One copy per element (the cross product when several arguments are expanded). */
  expand(args: ExpandArgs<I>): TaskOutput<R[]>;
  /** One copy per argument object. */
  expandKwargs(list: readonly Partial<I>[] | XComArg<Partial<I>[]>): TaskOutput<R[]>;
  /** The same task with other options (Airflow's `.override(task_id=...)`). */
  override(options: TaskFlowOptions): TaskFlow<I, R>;
  readonly taskIdBase: string;
}

export class TaskFlowOperator extends BaseOperator<unknown> implements SkipsDownstream {
  constructor(
    options: BaseOperatorOptions,
    readonly fn: TaskFn<unknown, unknown>,
    readonly input: unknown,
    readonly kind: Kind,
    readonly multipleOutputs: boolean,
    readonly mapping: MappingDef | null,
    readonly maxMapLength: number,
  ) {
    super(options);
    for (const arg of collectXComArgs(input)) arg.operator.then(this);
    if (mapping) {
      for (const arg of collectXComArgs(mapping.partial)) arg.operator.then(this);
      for (const src of Object.values(mapping.sources)) if (src instanceof XComArg) src.operator.then(this);
    }
  }

  override get operatorName(): string {
    return this.kind === 'task' ? '@task' : `@task.${this.kind === 'shortCircuit' ? 'short_circuit' : this.kind}`;
  }

  override async execute(ctx: TaskContext): Promise<unknown> {
    const pull = (arg: XComArg<unknown>) => ctx.ti.xcomPull({ taskIds: arg.taskId, key: arg.key });
    const input = this.mapping ? await this.mappedInput(ctx, pull) : await resolveWired(this.input, pull);
    const result = await this.fn(input, ctx);
    if (this.kind === 'bash') {
      if (typeof result !== 'string' || result.trim() === '') throw new Error(`@task.bash '${this.taskId}' must return a non-empty command string`);
      // The returned command is a template, rendered like BashOperator's bashCommand.
      return runBashCommand({ command: ctx.render(result), ctx });
    }
    return result;
  }

  skipDirective(result: unknown): SkipDirective | null {
    if (this.kind === 'branch') return { kind: 'follow', taskIds: branchTargets(this.taskId, result) };
    if (this.kind === 'shortCircuit' && !result) return { kind: 'skipAllDownstream' };
    return null;
  }

  /** Input of map index `ctx.ti.mapIndex`: partial values merged with this copy's expanded values. */
  private async mappedInput(ctx: TaskContext, pull: (a: XComArg<unknown>) => Promise<unknown>): Promise<unknown> {
    const m = this.mapping!;
    const partial = (await resolveWired(m.partial, pull)) as Record<string, unknown>;
    const lists: Array<[string, unknown[]]> = [];
    for (const [key, src] of Object.entries(m.sources)) {
      const value = src instanceof XComArg ? await pull(src) : src;
      if (!Array.isArray(value)) throw new Error(`task '${this.taskId}' expands '${key || 'kwargs'}' over a value that is not a list (${typeof value})`);
      lists.push([key, value]);
    }
    let rest = ctx.ti.mapIndex;
    const picked: Record<string, unknown> = {};
    for (let i = lists.length - 1; i >= 0; i--) {
      const [key, list] = lists[i]!;
      picked[key] = list[rest % list.length];
      rest = Math.floor(rest / list.length);
    }
    if (m.mode === 'expandKwargs') {
      const kw = picked[''];
      if (!isPlainObject(kw)) throw new Error(`task '${this.taskId}': expandKwargs needs a list of objects; element ${ctx.ti.mapIndex} is ${JSON.stringify(kw)}`);
      return { ...partial, ...kw };
    }
    return { ...partial, ...picked };
  }
}

function branchTargets(taskId: string, result: unknown): string[] {
  if (result === null || result === undefined) return [];
  if (typeof result === 'string') return [result];
  if (Array.isArray(result) && result.every((x) => typeof x === 'string')) return result;
  throw new Error(`branch task '${taskId}' must return a task id, a list of task ids, or nothing (got ${JSON.stringify(result)})`);
}

function makeTaskFlow<I, R>(kind: Kind, options: TaskFlowOptions, fn: TaskFn<I, R>): TaskFlow<I, Awaited<R>> {
  const base = options.taskId ?? fn.name;
  if (!base) throw new DagDefinitionError('a TaskFlow task needs an id: task("my_task", fn) or a named function');
  const { taskId: _id, multipleOutputs = false, maxMapLength = DEFAULT_MAX_MAP_LENGTH, ...taskOptions } = options;
  const create = (input: unknown, mapping: MappingDef | null): TaskOutput<never> => {
    const dag = currentDag();
    if (!dag) throw new DagDefinitionError(`task '${base}' was called outside a dag(...) build function`);
    const op = new TaskFlowOperator({ ...taskOptions, taskId: dag.uniqueTaskId(base, currentGroup()) }, fn as TaskFn<unknown, unknown>, input, kind, multipleOutputs, mapping, maxMapLength);
    return op.output as TaskOutput<never>;
  };
  const checkMapping = (m: MappingDef): MappingDef => {
    const keys = Object.keys(m.sources);
    if (keys.length === 0) throw new DagDefinitionError(`task '${base}': expand() needs at least one argument`);
    for (const [k, v] of Object.entries(m.sources)) {
      if (!(v instanceof XComArg) && !Array.isArray(v)) throw new DagDefinitionError(`task '${base}': expand argument '${k}' must be a list or an upstream output`);
      if (Array.isArray(v) && v.length > maxMapLength) throw new DagDefinitionError(`task '${base}': expand argument '${k}' has ${v.length} elements, more than maxMapLength ${maxMapLength}`);
      if (k in m.partial) throw new DagDefinitionError(`task '${base}': '${k}' is given to both partial() and expand()`);
    }
    return m;
  };
  const builder = (partial: Record<string, unknown>): MappedTaskBuilder<I, Awaited<R>> => ({
    expand: (args) => create(undefined, checkMapping({ mode: 'expand', partial, sources: { ...args } })),
    expandKwargs: (list) => create(undefined, checkMapping({ mode: 'expandKwargs', partial, sources: { '': list } })),
  });
  const flow = ((...args: unknown[]) => create(args[0], null)) as unknown as TaskFlow<I, Awaited<R>>;
  Object.assign(flow, {
    partial: (args: Record<string, unknown>) => builder(args),
    expand: (args: Record<string, unknown>) => builder({}).expand(args as ExpandArgs<I>),
    expandKwargs: (list: never) => builder({}).expandKwargs(list),
    override: (o: TaskFlowOptions) => makeTaskFlow(kind, { ...options, ...o }, fn),
    taskIdBase: base,
  });
  return flow;
}

type TaskFactory = {
  <I = void, R = unknown>(fn: TaskFn<I, R>): TaskFlow<I, Awaited<R>>;
  <I = void, R = unknown>(idOrOptions: string | TaskFlowOptions, fn: TaskFn<I, R>): TaskFlow<I, Awaited<R>>;
};

function factory(kind: Kind): TaskFactory {
  return ((a: unknown, b?: unknown) => {
    if (typeof a === 'function') return makeTaskFlow(kind, {}, a as TaskFn<unknown, unknown>);
    const options = typeof a === 'string' ? { taskId: a } : (a as TaskFlowOptions);
    if (typeof b !== 'function') throw new DagDefinitionError(`task '${options.taskId ?? '?'}' needs a function`);
    return makeTaskFlow(kind, options, b as TaskFn<unknown, unknown>);
  }) as TaskFactory;
}

/**
 * `task(id, fn)` turns a function into a TaskFlow task. Variants: `task.branch` (returns the
 * task id(s) to follow), `task.shortCircuit` (a falsy result skips everything downstream),
 * `task.bash` (returns a shell command to run).
 */
export const task = Object.assign(factory('task'), {
  branch: factory('branch'),
  shortCircuit: factory('shortCircuit'),
  bash: factory('bash'),
});

export function isTaskFlowOperator(op: unknown): op is TaskFlowOperator {
  return op instanceof TaskFlowOperator;
}
