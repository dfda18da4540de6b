/**
 * SQL predicates on a task instance's state, written as literals. The partial indexes of
 * `task_instance` (migration 0010) are defined with these same predicates, and the scheduler's
 * queries use them verbatim: a partial index serves a query only when the query states its
 * predicate, and SQLite matches it against literal values, not bound parameters.
 */
import { sql, type RawBuilder } from 'kysely';
import type { TaskInstanceState } from '../core/states.ts';

function stateIn(states: readonly TaskInstanceState[]): RawBuilder<boolean> {
  return sql<boolean>`state in (${sql.join(states.map((s) => sql.lit(s)))})`;
}

/** TIs holding a pool slot (queued or running): pool and concurrency accounting. */
export const TI_OCCUPYING = stateIn(['queued', 'running']);
/** TIs waiting for an executor slot. */
export const TI_SCHEDULED = stateIn(['scheduled']);
/** TIs running in a worker (heartbeats, zombies). */
export const TI_RUNNING = stateIn(['running']);
/** TIs handed to an executor and not started yet. */
export const TI_QUEUED = stateIn(['queued']);
/** TIs waiting for a retry or a reschedule. */
export const TI_WAITING = stateIn(['up_for_retry', 'up_for_reschedule']);
