/**
 * The base of every task. A custom operator extends it and implements `execute(ctx)`; the value
 * it returns becomes the task's `return_value` XCom. Fields named in the class's static
 * `templateFields` are rendered with Jinja (nunjucks) before `execute` runs.
 */
import type { TaskContext } from './context.ts';
import { currentDag, currentGroup } from './build-context.ts';
import type { Dag } from './dag.ts';
import { DagDefinitionError } from './errors.ts';
import { link, type Linkable, type TaskLike } from './relations.ts';
import type { TaskGroup } from './task-group.ts';
import { resolveTaskOptions, type ResolvedTaskOptions, type TaskOptions } from './task-options.ts';
import { XComArg } from './xcom-arg.ts';

export interface BaseOperatorOptions extends TaskOptions {
  taskId: string;
  /** The DAG to join when created outside a `dag(...)` build function. */
  dag?: Dag;
}

const TASK_ID_RE = /^[A-Za-z0-9_.\-]+$/;

export abstract class BaseOperator<R = unknown> implements TaskLike {
  /** Instance fields rendered as templates before `execute`. Override in subclasses. */
  static templateFields: readonly string[] = [];
  /** Colour of the task in the UI graph. */
  static uiColor = '#fff';

  readonly taskId: string;
  readonly dag: Dag;
  readonly group: TaskGroup | null;
  readonly opts: ResolvedTaskOptions;
  readonly upstreamIds = new Set<string>();
  readonly downstreamIds = new Set<string>();

  constructor(options: BaseOperatorOptions) {
    const dag = options.dag ?? currentDag();
    if (!dag) {
      throw new DagDefinitionError(`task '${options.taskId}' was created outside a DAG: create it inside dag({...}, () => { ... }) or pass { dag }`);
    }
    if (typeof options.taskId !== 'string' || !TASK_ID_RE.test(options.taskId)) {
      throw new DagDefinitionError(`task id ${JSON.stringify(options.taskId)} is not valid: use letters, digits, '_', '-' and '.'`);
    }
    const group = currentGroup() ?? null;
    this.group = group;
    this.taskId = group ? group.childId(options.taskId) : options.taskId;
    this.dag = dag;
    const { taskId: _t, dag: _d, ...taskOptions } = options;
    this.opts = resolveTaskOptions(this.taskId, [dag.defaultArgs, ...(group?.defaultArgsChain() ?? []), taskOptions]);
    dag.addTask(this);
    group?.addChild(this.taskId);
  }

  /** Runs the task. The returned value is pushed as the `return_value` XCom. */
  abstract execute(ctx: TaskContext): R | Promise<R>;

  /** Operator name shown in listings (the class name). */
  get operatorName(): string {
    return this.constructor.name;
  }

  get templateFields(): readonly string[] {
    return (this.constructor as typeof BaseOperator).templateFields;
  }

  /** The task's `return_value` XCom, to pass into another task. */
  get output(): XComArg<R> {
    return new XComArg<R>(this, 'return_value');
  }

  /** Airflow's `self >> other`: returns `other` so calls can be chained. */
  then<T extends Linkable>(other: T): T {
    link(this, other);
    return other;
  }

  /** Airflow's `self << others`. */
  after(...others: Linkable[]): this {
    for (const o of others) link(o, this);
    return this;
  }

  /** @internal */
  addDownstream(other: BaseOperator): void {
    if (other.dag !== this.dag) {
      throw new DagDefinitionError(`cannot link '${this.taskId}' (DAG '${this.dag.dagId}') to '${other.taskId}' (DAG '${other.dag.dagId}'): tasks of different DAGs`);
    }
    if (other === this) throw new DagDefinitionError(`task '${this.taskId}' cannot depend on itself`);
    this.downstreamIds.add(other.taskId);
    other.upstreamIds.add(this.taskId);
  }

  rootOperators(): BaseOperator[] {
    return [this];
  }
  leafOperators(): BaseOperator[] {
    return [this];
  }

  /** Display-only values of this operator's fields for the serialized DAG. */
  describeFields(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.templateFields) out[f] = (this as unknown as Record<string, unknown>)[f];
    return out;
  }
}
