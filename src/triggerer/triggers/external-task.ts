/**
 * `externalTask`: fires when a task of another DAG (or that DAG's run, when `taskId` is null)
 * at `logicalDate` reaches one of `allowedStates` (event `{ status: 'success', state }`) or one
 * of `failedStates` (event `{ status: 'failed', message }`), reading the database every
 * `pollInterval` seconds (default 5, at least 0.1).
 */
import type { Kysely } from 'kysely';
import { sleep } from '../../sdk/sensors/sleep.ts';
import type { Schema } from '../../store/index.ts';
import { readExternalState } from '../external-state.ts';
import { kwargsReader } from '../kwargs.ts';
import type { Trigger, TriggerEvent } from '../trigger.ts';

/** The `externalTask` trigger, reading states from `db`. */
export function externalTaskTrigger(db: Kysely<Schema>): Trigger {
  return {
    async run(kwargs, signal): Promise<TriggerEvent> {
      const k = kwargsReader('externalTask', kwargs);
      const key = { dagId: k.string('dagId'), taskId: k.stringOrNull('taskId'), logicalDate: k.instant('logicalDate').toISOString() };
      const allowed = k.strings('allowedStates', ['success']);
      const failed = k.strings('failedStates', ['failed']);
      const intervalMs = Math.max(0.1, k.seconds('pollInterval', 5)) * 1000;
      const what = key.taskId === null ? `DAG run ${key.dagId}` : `task ${key.dagId}.${key.taskId}`;
      for (;;) {
        const state = await readExternalState(db, key);
        if (state !== null && allowed.includes(state)) return { status: 'success', state };
        if (state !== null && failed.includes(state)) return { status: 'failed', message: `The external ${what} on ${key.logicalDate} is ${state}.` };
        await sleep(intervalMs, signal);
      }
    },
  };
}
