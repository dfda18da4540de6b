/**
 * Glossary
 * - TI (task instance): one task in one DAG run, identified by (dagId, runId, taskId, mapIndex).
 * - mapIndex: -1 for a task that is not mapped; 0..n-1 for the expanded copies of a mapped task.
 * - try number: 1 for the first attempt; each retry adds one.
 * - finished: a TI state from which the scheduler never moves a TI on its own.
 */

/** Task instance states, with Airflow's names and meanings. `none` is Airflow's NULL state. */
export const TaskInstanceState = {
  None: 'none',
  Scheduled: 'scheduled',
  Queued: 'queued',
  Running: 'running',
  Success: 'success',
  Failed: 'failed',
  UpForRetry: 'up_for_retry',
  UpForReschedule: 'up_for_reschedule',
  UpstreamFailed: 'upstream_failed',
  Skipped: 'skipped',
  Deferred: 'deferred',
  Removed: 'removed',
  Restarting: 'restarting',
} as const;
export type TaskInstanceState = (typeof TaskInstanceState)[keyof typeof TaskInstanceState];

export const ALL_TI_STATES: readonly TaskInstanceState[] = Object.values(TaskInstanceState);

/** States a TI never leaves without a user action (clear, mark). */
export const FINISHED_TI_STATES: ReadonlySet<TaskInstanceState> = new Set<TaskInstanceState>([
  'success',
  'failed',
  'skipped',
  'upstream_failed',
  'removed',
]);

/** States in which the TI holds (or is about to hold) a slot of its pool. */
export const OCCUPYING_TI_STATES: ReadonlySet<TaskInstanceState> = new Set<TaskInstanceState>([
  'queued',
  'running',
]);

/** States the scheduler may move to `scheduled` once dependencies are met. */
export const SCHEDULEABLE_TI_STATES: ReadonlySet<TaskInstanceState> = new Set<TaskInstanceState>([
  'none',
  'up_for_retry',
  'up_for_reschedule',
]);

export function isFinishedTi(state: TaskInstanceState): boolean {
  return FINISHED_TI_STATES.has(state);
}

export function isTiState(value: unknown): value is TaskInstanceState {
  return typeof value === 'string' && (ALL_TI_STATES as readonly string[]).includes(value);
}

/** DAG run states. */
export const DagRunState = {
  Queued: 'queued',
  Running: 'running',
  Success: 'success',
  Failed: 'failed',
} as const;
export type DagRunState = (typeof DagRunState)[keyof typeof DagRunState];
export const ALL_DAG_RUN_STATES: readonly DagRunState[] = Object.values(DagRunState);

export function isDagRunState(value: unknown): value is DagRunState {
  return typeof value === 'string' && (ALL_DAG_RUN_STATES as readonly string[]).includes(value);
}

/** How a DAG run came to be. */
export const DagRunType = {
  Manual: 'manual',
  Scheduled: 'scheduled',
  Backfill: 'backfill',
  DatasetTriggered: 'dataset_triggered',
} as const;
export type DagRunType = (typeof DagRunType)[keyof typeof DagRunType];
