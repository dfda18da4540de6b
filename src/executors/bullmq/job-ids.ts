/**
 * Names of BullMQ queues and jobs. A job id names one dispatch of one try: the task instance,
 * the try number and when it was queued (a deferred try resumes under the same try number, so
 * the queue time tells the dispatches apart). Adding a job whose id exists is a no-op in BullMQ,
 * which makes dispatching idempotent.
 */
import type { QueuedTry, TiKey } from '../executor.ts';

/** Default BullMQ key prefix of Baton's queues in Redis (BATON_REDIS_PREFIX). */
export const QUEUE_PREFIX = 'baton';

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Why `queue` cannot be a task queue name, or null when it can. */
export function queueNameProblem(queue: string): string | null {
  return QUEUE_NAME.test(queue) ? null : `queue names are 1 to 100 letters, digits, '_', '.' or '-' (got ${JSON.stringify(queue)})`;
}

/** The job id of one dispatch of a try. */
export function jobIdOf(t: QueuedTry): string {
  const k = t.key;
  return [k.dagId, k.runId, k.taskId, String(k.mapIndex), String(t.tryNumber), t.queuedAt].map(encodeURIComponent).join('|');
}

/** The try a job id names, or null when the id is not one of Baton's. */
export function tryOfJobId(id: string): QueuedTry | null {
  const parts = id.split('|');
  if (parts.length !== 6) return null;
  let decoded: string[];
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    return null;
  }
  const [dagId, runId, taskId, mapIndex, tryNumber, queuedAt] = decoded as [string, string, string, string, string, string];
  const mi = Number(mapIndex);
  const tn = Number(tryNumber);
  if (!Number.isInteger(mi) || !Number.isInteger(tn) || tn < 1 || !dagId || !taskId) return null;
  const key: TiKey = { dagId, runId, taskId, mapIndex: mi };
  return { key, tryNumber: tn, queuedAt };
}
