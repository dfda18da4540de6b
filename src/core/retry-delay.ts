/**
 * When a failed task instance may be retried. Reproduces Airflow 2.10's
 * `TaskInstance.next_retry_datetime`, including the deterministic jitter of exponential
 * backoff, so a retry lands at the same instant it would under Airflow.
 */
import { createHash } from 'node:crypto';

/**
 * Airflow's `[core] max_task_retry_delay` default (one day, in seconds): the longest delay
 * exponential backoff ever produces, whatever `maxRetryDelay` says.
 */
export const MAX_RETRY_DELAY_SECONDS = 24 * 60 * 60;

export interface NextRetryArgs {
  dagId: string;
  taskId: string;
  /** The run's logical date (Airflow's `execution_date`); only its UTC value matters. */
  logicalDate: Date;
  /** The attempt that just failed: 1 after the first attempt fails. */
  tryNumber: number;
  /** When the failed attempt ended. */
  endDate: Date;
  /** The task's retry delay, in seconds. */
  retryDelay: number;
  retryExponentialBackoff: boolean;
  /** Upper bound for an exponential delay, in seconds; null or 0 means none. */
  maxRetryDelay: number | null;
}

/**
 * The earliest time the next attempt may start.
 *
 * Without backoff: `endDate + retryDelay`. With backoff, the delay in whole seconds is
 * `min_backoff + sha1(dag#task#execution_date#try) % min_backoff`, where
 * `min_backoff = max(1, ceil(retryDelay * 2^(tryNumber-1)))`, capped at one day and then at
 * `maxRetryDelay` when that is set.
 */
export function nextRetryAt(args: NextRetryArgs): Date {
  const { endDate, retryDelay } = args;
  if (!Number.isFinite(endDate.getTime())) {
    throw new Error(`nextRetryAt: endDate is not a valid date for task '${args.taskId}'; pass the time the failed attempt ended`);
  }
  if (!Number.isFinite(retryDelay) || retryDelay < 0) {
    throw new Error(`nextRetryAt: retryDelay must be a non-negative number of seconds, got ${retryDelay} for task '${args.taskId}'`);
  }
  let delaySeconds = retryDelay;
  if (args.retryExponentialBackoff) {
    delaySeconds = backoffSeconds(args);
    if (args.maxRetryDelay) delaySeconds = Math.min(args.maxRetryDelay, delaySeconds);
  }
  return new Date(endDate.getTime() + delaySeconds * 1000);
}

/** The exponential delay in whole seconds, before `maxRetryDelay` is applied. */
function backoffSeconds(args: NextRetryArgs): number {
  const scaled = Math.ceil(args.retryDelay * 2 ** (args.tryNumber - 1));
  // Airflow 2.10 raises OverflowError past float range; later versions use the one-day cap.
  if (!Number.isFinite(scaled)) return MAX_RETRY_DELAY_SECONDS;
  const minBackoff = scaled < 1 ? 1n : BigInt(scaled);
  const key = `${args.dagId}#${args.taskId}#${pythonUtcDatetimeStr(args.logicalDate)}#${args.tryNumber}`;
  const tiHash = BigInt('0x' + createHash('sha1').update(key, 'utf8').digest('hex'));
  const modded = minBackoff + (tiHash % minBackoff);
  return modded > BigInt(MAX_RETRY_DELAY_SECONDS) ? MAX_RETRY_DELAY_SECONDS : Number(modded);
}

/**
 * Python's `str()` of a UTC-aware datetime: "2024-01-01 00:00:00+00:00", with ".ffffff"
 * microseconds only when they are not zero.
 */
export function pythonUtcDatetimeStr(date: Date): string {
  if (!Number.isFinite(date.getTime())) {
    throw new Error('pythonUtcDatetimeStr: the logical date is not a valid date');
  }
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base =
    `${p(date.getUTCFullYear(), 4)}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())} ` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  return `${base}${ms ? '.' + p(ms * 1000, 6) : ''}+00:00`;
}
