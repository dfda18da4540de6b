/**
 * Which tasks a skip directive (from a branch, short-circuit or latest-only task) skips.
 * Pure: works on the serialized task list.
 */
import { reachable } from './graph.ts';
import type { SerializedTask } from './serialized-dag.ts';

export type SkipDirectiveData =
  | { kind: 'follow'; taskIds: string[] }
  | { kind: 'skipDirect' }
  | { kind: 'skipAllDownstream' };

type TaskShape = Pick<SerializedTask, 'taskId' | 'downstream' | 'groupId'>;

/**
 * Task ids to mark skipped. For `follow`, every id must be a direct downstream task or a task
 * group containing one; otherwise an Error lists the valid choices. Direct downstream tasks
 * that are also downstream of a followed task are not skipped (as in Airflow).
 */
export function skipTargets(tasks: TaskShape[], fromTaskId: string, directive: SkipDirectiveData): string[] {
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const from = byId.get(fromTaskId);
  if (!from) throw new Error(`unknown task '${fromTaskId}'`);
  const direct = from.downstream;
  switch (directive.kind) {
    case 'skipDirect':
      return [...direct];
    case 'skipAllDownstream':
      return [...reachable(fromTaskId, (id) => byId.get(id)?.downstream ?? [])];
    case 'follow': {
      const followed = new Set<string>();
      for (const id of directive.taskIds) {
        if (direct.includes(id)) followed.add(id);
        else {
          const inGroup = direct.filter((d) => isInGroup(byId.get(d), id));
          if (inGroup.length === 0) {
            throw new Error(`branch task '${fromTaskId}' chose '${id}', which is not directly downstream of it; choose from: ${direct.join(', ') || '(none)'}`);
          }
          inGroup.forEach((d) => followed.add(d));
        }
      }
      // A direct downstream task that is also downstream of a followed task is kept (the
      // "empty branch" case: branch -> join and branch -> chosen -> join runs join).
      const kept = new Set(followed);
      for (const id of followed) for (const d of reachable(id, (x) => byId.get(x)?.downstream ?? [])) kept.add(d);
      return direct.filter((d) => !kept.has(d));
    }
    default: {
      const never: never = directive;
      throw new Error(`unknown skip directive ${JSON.stringify(never)}`);
    }
  }
}

function isInGroup(task: TaskShape | undefined, groupId: string): boolean {
  return !!task?.groupId && (task.groupId === groupId || task.groupId.startsWith(`${groupId}.`));
}
