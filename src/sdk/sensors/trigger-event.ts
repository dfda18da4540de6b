/**
 * What a trigger reports when it fires, stored as the task instance's `next_kwargs` and handed
 * to the deferred task's resume method. The triggerer produces these; sensors consume them.
 */
import type { Json } from '../../core/serialized-dag.ts';

/** A trigger's report, by status. */
export type TriggerEvent =
  /** The condition was met. Extra fields describe how (the file found, the state seen, …). */
  | { status: 'success'; [detail: string]: Json }
  /** The deferral's timeout passed first. */
  | { status: 'timeout' }
  /** The trigger could not wait (bad arguments) or saw a failure (the external task failed). */
  | { status: 'failed'; message: string };

/** A trigger a deferrable sensor asks the triggerer to run: its kind and JSON arguments. */
export interface SensorTrigger {
  kind: string;
  kwargs: Record<string, Json>;
}

/** The event as a TriggerEvent, or null when it is not one. */
export function asTriggerEvent(value: unknown): TriggerEvent | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v.status === 'success' || v.status === 'timeout') return v as TriggerEvent;
  if (v.status === 'failed') return { status: 'failed', message: typeof v.message === 'string' ? v.message : 'the trigger failed' };
  return null;
}
