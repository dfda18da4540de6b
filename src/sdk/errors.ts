/**
 * Errors a task may throw on purpose, and the errors Baton raises for bad DAG definitions.
 * - `SkipTask` marks the task instance skipped (Airflow's AirflowSkipException).
 * - `FailTask` fails it without using any remaining retry (AirflowFailException).
 * Anything else thrown by a task is a normal failure, retried while retries remain.
 */
export class SkipTask extends Error {
  override readonly name = 'SkipTask';
  constructor(message = 'task skipped') {
    super(message);
  }
}

export class FailTask extends Error {
  override readonly name = 'FailTask';
  readonly nonRetryable = true;
  constructor(message: string) {
    super(message);
  }
}

/** A DAG definition is invalid: a cycle, a duplicate task id, a bad schedule or param, … */
export class DagDefinitionError extends Error {
  override readonly name = 'DagDefinitionError';
}

/** Thrown inside a task when its execution timeout elapses. Retried like any other failure. */
export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
}

export function isSkip(err: unknown): err is SkipTask {
  return err instanceof Error && (err.name === 'SkipTask' || err.name === 'AirflowSkipException');
}

export function isNonRetryable(err: unknown): boolean {
  return err instanceof Error && (err as { nonRetryable?: unknown }).nonRetryable === true;
}

/** Thrown by a sensor in reschedule mode: free the worker slot and try again at `at`. */
export class TaskReschedule extends Error {
  override readonly name = 'TaskReschedule';
  constructor(readonly at: Date) {
    super(`rescheduled for ${at.toISOString()}`);
  }
}

/** Thrown by a deferrable task: hand `trigger` to the triggerer and resume with `method`. */
export class TaskDeferred extends Error {
  override readonly name = 'TaskDeferred';
  constructor(
    readonly trigger: string,
    readonly kwargs: Record<string, unknown>,
    readonly method: string,
    readonly timeout: number | null,
  ) {
    super(`deferred to trigger '${trigger}'`);
  }
}

/** Thrown by a sensor whose timeout elapsed: fails without retry (or skips with softFail). */
export class SensorTimeout extends Error {
  override readonly name = 'SensorTimeout';
  readonly nonRetryable = true;
}
