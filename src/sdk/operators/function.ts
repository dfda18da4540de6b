/**
 * FunctionOperator: calls a function with the task context (Airflow's PythonOperator).
 * BranchOperator and ShortCircuitOperator decide which downstream tasks run.
 */
import { BaseOperator, type BaseOperatorOptions } from '../base-operator.ts';
import type { TaskContext } from '../context.ts';
import type { SkipDirective, SkipsDownstream } from '../skip-directive.ts';

export interface FunctionOperatorOptions<R> extends BaseOperatorOptions {
  fn: (ctx: TaskContext, ...args: unknown[]) => R | Promise<R>;
  /** Extra positional arguments after the context (Airflow's op_args). Templated. */
  opArgs?: unknown[];
  /** Rendered and passed as `opKwargs` on the context call (Airflow's op_kwargs). */
  opKwargs?: Record<string, unknown>;
}

export class FunctionOperator<R = unknown> extends BaseOperator<R> {
  static override templateFields = ['opArgs', 'opKwargs'] as const;
  static override uiColor = '#ffefeb';
  readonly fn: FunctionOperatorOptions<R>['fn'];
  opArgs: unknown[];
  opKwargs: Record<string, unknown>;

  constructor(o: FunctionOperatorOptions<R>) {
    super(o);
    if (typeof o.fn !== 'function') throw new TypeError(`${this.constructor.name} '${o.taskId}': fn must be a function`);
    this.fn = o.fn;
    this.opArgs = o.opArgs ?? [];
    this.opKwargs = o.opKwargs ?? {};
  }

  execute(ctx: TaskContext): R | Promise<R> {
    const args = Object.keys(this.opKwargs).length ? [...this.opArgs, this.opKwargs] : this.opArgs;
    return this.fn(ctx, ...args);
  }
}

/** Returns the task id (or ids) to follow; other direct downstream tasks are skipped. */
export class BranchOperator extends FunctionOperator<string | string[] | null | undefined> implements SkipsDownstream {
  skipDirective(result: unknown): SkipDirective {
    if (result === null || result === undefined) return { kind: 'follow', taskIds: [] };
    if (typeof result === 'string') return { kind: 'follow', taskIds: [result] };
    if (Array.isArray(result) && result.every((x) => typeof x === 'string')) return { kind: 'follow', taskIds: result };
    throw new Error(`BranchOperator '${this.taskId}' must return a task id, a list of task ids, or nothing (got ${JSON.stringify(result)})`);
  }
}

export interface ShortCircuitOperatorOptions<R> extends FunctionOperatorOptions<R> {
  /** Skip everything downstream regardless of trigger rules (true, the default), or only direct downstream tasks and let trigger rules decide the rest (false). */
  ignoreDownstreamTriggerRules?: boolean;
}

/** A falsy result skips downstream tasks. */
export class ShortCircuitOperator<R = unknown> extends FunctionOperator<R> implements SkipsDownstream {
  readonly ignoreDownstreamTriggerRules: boolean;
  constructor(o: ShortCircuitOperatorOptions<R>) {
    super(o);
    this.ignoreDownstreamTriggerRules = o.ignoreDownstreamTriggerRules ?? true;
  }
  skipDirective(result: unknown): SkipDirective | null {
    if (result) return null;
    return this.ignoreDownstreamTriggerRules ? { kind: 'skipAllDownstream' } : { kind: 'skipDirect' };
  }
}
