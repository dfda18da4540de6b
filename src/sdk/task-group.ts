/**
 * Task groups: tasks created inside `taskGroup("g", build)` get ids `g.task`, inherit the group's
 * defaultArgs, and the group can be linked as a whole (edges go to its roots / from its leaves).
 */
import type { BaseOperator } from './base-operator.ts';
import { currentDag, currentGroup, withGroup } from './build-context.ts';
import type { Dag } from './dag.ts';
import { DagDefinitionError } from './errors.ts';
import { link, type Linkable, type TaskLike } from './relations.ts';
import type { TaskOptions } from './task-options.ts';

export interface TaskGroupOptions {
  defaultArgs?: TaskOptions;
  tooltip?: string;
  /** Prefix child ids with the group id (default true). */
  prefixGroupId?: boolean;
}

export class TaskGroup implements TaskLike {
  readonly children: string[] = [];
  readonly parent: TaskGroup | null;

  constructor(
    readonly groupId: string,
    readonly dag: Dag,
    readonly options: TaskGroupOptions,
  ) {
    this.parent = currentGroup() ?? null;
  }

  /** The full id a child called `id` gets. */
  childId(id: string): string {
    return this.options.prefixGroupId === false ? id : `${this.groupId}.${id}`;
  }

  /** defaultArgs of the enclosing groups, outermost first. */
  defaultArgsChain(): TaskOptions[] {
    const chain: TaskOptions[] = [];
    for (let g: TaskGroup | null = this; g; g = g.parent) if (g.options.defaultArgs) chain.unshift(g.options.defaultArgs);
    return chain;
  }

  /** @internal Records a task or nested group id (in this group and every enclosing one). */
  addChild(id: string): void {
    this.children.push(id);
    this.parent?.addChild(id);
  }

  /** Every task inside this group, nested groups included. */
  tasks(): BaseOperator[] {
    return this.children.map((id) => this.dag.tasks.get(id)).filter((t): t is BaseOperator => Boolean(t));
  }

  rootOperators(): BaseOperator[] {
    const inside = new Set(this.children);
    return this.tasks().filter((t) => ![...t.upstreamIds].some((u) => inside.has(u)));
  }

  leafOperators(): BaseOperator[] {
    const inside = new Set(this.children);
    return this.tasks().filter((t) => ![...t.downstreamIds].some((d) => inside.has(d)));
  }

  then<T extends Linkable>(other: T): T {
    link(this, other);
    return other;
  }

  after(...others: Linkable[]): this {
    for (const o of others) link(o, this);
    return this;
  }
}

/** Creates a task group; the build function creates its tasks. Returns the group for linking. */
export function taskGroup(groupId: string, build: (group: TaskGroup) => void): TaskGroup;
export function taskGroup(groupId: string, options: TaskGroupOptions, build: (group: TaskGroup) => void): TaskGroup;
export function taskGroup(groupId: string, a: TaskGroupOptions | ((g: TaskGroup) => void), b?: (g: TaskGroup) => void): TaskGroup {
  const options = typeof a === 'function' ? {} : a;
  const build = typeof a === 'function' ? a : b;
  const dag = currentDag();
  if (!dag) throw new DagDefinitionError(`task group '${groupId}' must be created inside a dag(...) build function`);
  if (!build) throw new DagDefinitionError(`task group '${groupId}' needs a build function`);
  const parent = currentGroup();
  const fullId = parent ? parent.childId(groupId) : groupId;
  const group = new TaskGroup(fullId, dag, options);
  dag.addGroup(group);
  parent?.addChild(fullId);
  withGroup(group, () => build(group));
  if (group.children.length === 0) throw new DagDefinitionError(`task group '${fullId}' is empty: create at least one task inside it`);
  return group;
}
