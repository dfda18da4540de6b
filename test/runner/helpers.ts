/** Runs a DAG in-process the way `baton dags test` does, collecting its output. */
import type { TaskInstanceState } from '../../src/core/states.ts';
import { runDagLocally, type LocalRunOptions, type LocalRunResult } from '../../src/runner/local-dag-run.ts';
import type { Dag } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

export const LOGICAL_DATE = new Date('2024-03-10T00:00:00Z');

export interface Run extends LocalRunResult {
  lines: string[];
  /** Final state of every task instance, keyed `task` or `task[mapIndex]`. */
  states: Record<string, TaskInstanceState>;
  /** Tries used by every task instance, keyed like `states`. */
  tries: Record<string, number>;
  /** The return_value XCom of a task instance. */
  returned(taskId: string, mapIndex?: number): unknown;
}

/** Defaults: the fixed LOGICAL_DATE and fastRetries; output lines are collected (and also given to `print` when set). */
export async function run(d: Dag, options: Partial<Omit<LocalRunOptions, 'dag' | 'serialized'>> = {}): Promise<Run> {
  const lines: string[] = [];
  const { print, ...rest } = options;
  const collect = (l: string) => {
    lines.push(l);
    print?.(l);
  };
  const result = await runDagLocally({ dag: d, serialized: serializeDag(d), logicalDate: LOGICAL_DATE, fastRetries: true, print: collect, ...rest });
  const key = (t: { taskId: string; mapIndex: number }) => (t.mapIndex >= 0 ? `${t.taskId}[${t.mapIndex}]` : t.taskId);
  return {
    ...result,
    lines,
    states: Object.fromEntries(result.tis.map((t) => [key(t), t.state])),
    tries: Object.fromEntries(result.tis.map((t) => [key(t), t.tryNumber])),
    returned: (taskId, mapIndex = -1) => result.xcoms.find((x) => x.taskId === taskId && x.mapIndex === mapIndex && x.key === 'return_value')?.value,
  };
}

/** Only the listed task instances' states (order-insensitive comparison target). */
export function statesOf(r: Run, ids: string[]): Record<string, TaskInstanceState | undefined> {
  return Object.fromEntries(ids.map((id) => [id, r.states[id]]));
}
