/**
 * The scheduling decision for one DAG run, as a pure function of plain data: which task
 * instances the trigger rules settle (upstream_failed / skipped / removed), which mapped tasks
 * expand, which task instances are ready to run, and the run's resulting state. Both the
 * in-process `dags test` driver and the durable scheduler call it.
 */
import type { SerializedTask } from './serialized-dag.ts';
import { FINISHED_TI_STATES, type TaskInstanceState } from './states.ts';
import { countUpstream, evaluateTriggerRule } from './trigger-rule-eval.ts';

export interface TiView {
  taskId: string;
  mapIndex: number;
  state: TaskInstanceState;
  /** When an up_for_retry / up_for_reschedule TI may run again. */
  nextTryAt: Date | null;
}

export type DecisionTask = Pick<SerializedTask, 'taskId' | 'upstream' | 'downstream' | 'triggerRule' | 'mapped'>;

export interface DecideInput {
  /** In topological order (as in a serialized DAG). */
  tasks: DecisionTask[];
  tis: TiView[];
  /** Length of a list XCom produced by a finished upstream (for expanding mapped tasks). */
  mapLength(taskId: string, xcomKey: string): number | undefined;
  now: Date;
}

export interface StateChange {
  taskId: string;
  mapIndex: number;
  from: TaskInstanceState;
  to: TaskInstanceState;
  reason: string;
}

export interface Expansion {
  taskId: string;
  /** Copies 0..length-1 replace the unexpanded map index -1 (length ≥ 1). */
  length: number;
}

export interface RunDecision {
  changes: StateChange[];
  expansions: Expansion[];
  /** TIs whose dependencies are met, ready to be queued (topological order). */
  ready: Array<{ taskId: string; mapIndex: number }>;
  /** The run state these TI states imply. */
  runState: 'running' | 'success' | 'failed';
  /** Set when the run failed because nothing can make progress. */
  deadlock: boolean;
  /** Earliest time a waiting retry or reschedule becomes due, if any. */
  nextWakeAt: Date | null;
}

/** States of a TI waiting for a retry or a reschedule, which become ready again at `nextTryAt`. */
export const WAITING_TI_STATES: ReadonlySet<TaskInstanceState> = new Set<TaskInstanceState>(['up_for_retry', 'up_for_reschedule']);
/** Unfinished states in which a TI makes progress on its own (so the run is not deadlocked). */
export const ACTIVE_TI_STATES: ReadonlySet<TaskInstanceState> = new Set<TaskInstanceState>(['scheduled', 'queued', 'running', 'deferred', 'restarting', 'up_for_retry', 'up_for_reschedule']);
const WAITING_STATES = WAITING_TI_STATES;
const ACTIVE_STATES = ACTIVE_TI_STATES;

export function decideRun(input: DecideInput): RunDecision {
  const byTask = new Map<string, TiView[]>();
  for (const ti of input.tis) {
    const list = byTask.get(ti.taskId);
    const copy = { ...ti };
    if (list) list.push(copy);
    else byTask.set(ti.taskId, [copy]);
  }
  const changes: StateChange[] = [];
  const expansions: Expansion[] = [];
  const ready: Array<{ taskId: string; mapIndex: number }> = [];
  let nextWakeAt: Date | null = null;
  const now = input.now.getTime();

  for (const task of input.tasks) {
    let tis = byTask.get(task.taskId);
    if (!tis) continue;

    if (task.mapped && tis.length === 1 && tis[0]!.mapIndex === -1 && tis[0]!.state === 'none') {
      const length = expansionLength(task, byTask, input.mapLength);
      if (length === 0) {
        change(tis[0]!, 'skipped', 'mapped over an empty list');
        continue;
      }
      if (length !== undefined) {
        if (length > task.mapped.maxMapLength) {
          change(tis[0]!, 'failed', `would expand to ${length} copies, more than maxMapLength ${task.mapped.maxMapLength}`);
          continue;
        }
        expansions.push({ taskId: task.taskId, length });
        tis = Array.from({ length }, (_, i) => ({ taskId: task.taskId, mapIndex: i, state: 'none' as const, nextTryAt: null }));
        byTask.set(task.taskId, tis);
      }
    }

    const upstreamStates: TaskInstanceState[] = [];
    for (const u of task.upstream) for (const ti of byTask.get(u) ?? []) upstreamStates.push(ti.state);
    const counts = countUpstream(upstreamStates);

    for (const ti of tis) {
      if (ti.state !== 'none' && !WAITING_STATES.has(ti.state)) continue;
      const d = evaluateTriggerRule({ rule: task.triggerRule, upstream: upstreamStates.length, counts, mapIndex: ti.mapIndex });
      if (!d.met) {
        if (d.setState) change(ti, d.setState, d.reason);
        continue;
      }
      if (task.mapped && ti.mapIndex === -1) {
        // Waits for its upstream lists; once their producers are all finished and a list is still
        // unknown, it can never expand: upstream_failed, as Airflow does for missing map values.
        if (mapSourcesFinished(task, byTask)) change(ti, 'upstream_failed', 'an upstream list to expand over was never produced');
        continue;
      }
      if (WAITING_STATES.has(ti.state) && ti.nextTryAt && ti.nextTryAt.getTime() > now) {
        if (!nextWakeAt || ti.nextTryAt < nextWakeAt) nextWakeAt = ti.nextTryAt;
        continue;
      }
      ready.push({ taskId: ti.taskId, mapIndex: ti.mapIndex });
    }
  }

  const leafIds = input.tasks.filter((t) => t.downstream.length === 0).map((t) => t.taskId);
  const all = [...byTask.values()].flat();
  const unfinished = all.filter((t) => !FINISHED_TI_STATES.has(t.state));
  let runState: RunDecision['runState'] = 'running';
  let deadlock = false;
  if (unfinished.length === 0) {
    const leaves = leafIds.flatMap((id) => byTask.get(id) ?? []).filter((t) => t.state !== 'removed');
    runState = leaves.some((t) => t.state === 'failed' || t.state === 'upstream_failed') ? 'failed' : 'success';
  } else if (ready.length === 0 && !unfinished.some((t) => ACTIVE_STATES.has(t.state))) {
    runState = 'failed';
    deadlock = true;
  }
  return { changes, expansions, ready, runState, deadlock, nextWakeAt };

  function change(ti: TiView, to: TaskInstanceState, reason: string): void {
    changes.push({ taskId: ti.taskId, mapIndex: ti.mapIndex, from: ti.state, to, reason });
    ti.state = to;
  }
}

/** Have all the tasks producing the upstream lists of this mapped task finished? */
function mapSourcesFinished(task: DecisionTask, byTask: Map<string, TiView[]>): boolean {
  for (const { source } of task.mapped!.sources) {
    if (source.kind !== 'xcom') continue;
    const producers = byTask.get(source.taskId) ?? [];
    if (!producers.length || !producers.every((p) => FINISHED_TI_STATES.has(p.state))) return false;
  }
  return true;
}

/** How many copies a mapped task gets, or undefined while an upstream list is not known yet. */
function expansionLength(
  task: DecisionTask,
  byTask: Map<string, TiView[]>,
  mapLength: DecideInput['mapLength'],
): number | undefined {
  let total = 1;
  for (const { source } of task.mapped!.sources) {
    let n: number | undefined;
    if (source.kind === 'literal') n = source.length;
    else {
      const producers = byTask.get(source.taskId) ?? [];
      if (!producers.length || !producers.every((p) => p.state === 'success')) return undefined;
      n = producers.length > 1 || producers[0]!.mapIndex >= 0 ? producers.length : mapLength(source.taskId, source.xcomKey);
      if (n === undefined) return undefined;
    }
    total *= n;
  }
  return total;
}
