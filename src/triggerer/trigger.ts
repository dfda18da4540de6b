/**
 * Glossary of the triggerer:
 * - trigger row: a row of the `trigger` table, written when a task defers. `classpath` holds
 *   the trigger's kind (e.g. "dateTime"), `kwargs` its JSON arguments plus `__timeoutAt`.
 * - trigger: the code for one kind, run by the triggerer on its event loop (never user code).
 * - event: what a trigger reports when it fires; it becomes the deferred task instance's
 *   `next_kwargs` and the argument of its resume method.
 * - claim: a triggerer takes a row by writing its job id into `triggerer_id`; rows of a
 *   triggerer whose heartbeat stopped are claimed by another.
 */
import type { Kysely } from 'kysely';
import type { TriggerEvent } from '../sdk/sensors/trigger-event.ts';
import type { Schema } from '../store/index.ts';
import type { FilePoller } from './file-poller.ts';

export type { TriggerEvent };

/** One kind of trigger. */
export interface Trigger {
  /**
   * Waits for the condition and resolves with the event to resume the task with. Rejects with
   * an error for arguments it cannot use. When `signal` aborts it stops waiting (its promise
   * may then settle any way: the triggerer ignores it).
   */
  run(kwargs: Record<string, unknown>, signal: AbortSignal): Promise<TriggerEvent>;
}

/** Shared resources the built-in triggers use. */
export interface TriggerEnv {
  db: Kysely<Schema>;
  /** One periodic scan for every trigger waiting on files. */
  files: FilePoller;
}

/** Triggers by kind (the `classpath` of a trigger row). */
export type TriggerRegistry = ReadonlyMap<string, Trigger>;
