/**
 * While a `dag(options, build)` callback runs, operators created inside it join that DAG
 * (and the innermost open task group), like Airflow's `with DAG(...)` block.
 */
import type { Dag } from './dag.ts';
import type { TaskGroup } from './task-group.ts';

interface Frame {
  dag: Dag;
  groups: TaskGroup[];
}

const stack: Frame[] = [];

export function withDag<T>(dag: Dag, fn: () => T): T {
  stack.push({ dag, groups: [] });
  try {
    return fn();
  } finally {
    stack.pop();
  }
}

export function withGroup<T>(group: TaskGroup, fn: () => T): T {
  const frame = stack[stack.length - 1];
  if (!frame) throw new Error(`task group '${group.groupId}' must be created inside a dag(...) build function`);
  frame.groups.push(group);
  try {
    return fn();
  } finally {
    frame.groups.pop();
  }
}

export function currentDag(): Dag | undefined {
  return stack[stack.length - 1]?.dag;
}

export function currentGroup(): TaskGroup | undefined {
  const frame = stack[stack.length - 1];
  return frame ? frame.groups[frame.groups.length - 1] : undefined;
}
