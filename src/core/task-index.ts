/**
 * Lookups into a serialized DAG's tasks by id, built once per DAG object. The scheduler asks for
 * a task by id several times per task instance it records or queues; scanning or indexing the
 * whole task list each time cost O(tasks) per pass (1,000 steps for a 1,000-task fan-out).
 * Serialized DAGs are never mutated once read, so an index keyed by the object stays true.
 */
import type { SerializedDag, SerializedTask } from './serialized-dag.ts';

interface TaskIndex {
  byId: Map<string, SerializedTask>;
  /** Tasks with a `maxActiveTisPerDag` limit. */
  limited: SerializedTask[];
  /** Ids of the mapped tasks. */
  mapped: Set<string>;
  /** By task id: the XCom keys of that task that mapped tasks expand over. */
  mapSourceKeys: Map<string, string[]>;
}

const indexes = new WeakMap<SerializedDag, TaskIndex>();

function indexOf(dag: SerializedDag): TaskIndex {
  let index = indexes.get(dag);
  if (!index) {
    const mapSourceKeys = new Map<string, string[]>();
    for (const t of dag.tasks) {
      for (const s of t.mapped?.sources ?? []) {
        if (s.source.kind !== 'xcom') continue;
        const keys = mapSourceKeys.get(s.source.taskId) ?? mapSourceKeys.set(s.source.taskId, []).get(s.source.taskId)!;
        if (!keys.includes(s.source.xcomKey)) keys.push(s.source.xcomKey);
      }
    }
    index = {
      byId: new Map(dag.tasks.map((t) => [t.taskId, t])),
      limited: dag.tasks.filter((t) => t.maxActiveTisPerDag !== null),
      mapped: new Set(dag.tasks.filter((t) => t.mapped).map((t) => t.taskId)),
      mapSourceKeys,
    };
    indexes.set(dag, index);
  }
  return index;
}

/** The task `taskId` of `dag`, or undefined when the DAG has no such task. */
export function taskOf(dag: SerializedDag, taskId: string): SerializedTask | undefined {
  return indexOf(dag).byId.get(taskId);
}

/** The tasks of `dag` that limit their running instances across runs (`maxActiveTisPerDag`). */
export function tasksWithActiveLimit(dag: SerializedDag): readonly SerializedTask[] {
  return indexOf(dag).limited;
}

/** The ids of the mapped tasks of `dag`. */
export function mappedTaskIds(dag: SerializedDag): ReadonlySet<string> {
  return indexOf(dag).mapped;
}

/** The XCom keys of task `taskId` that mapped tasks of `dag` expand over (each once, in task order). */
export function mapSourceKeysOf(dag: SerializedDag, taskId: string): readonly string[] {
  return indexOf(dag).mapSourceKeys.get(taskId) ?? [];
}
