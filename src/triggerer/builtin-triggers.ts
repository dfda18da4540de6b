/** The triggers Baton ships, by kind: `dateTime`, `fileExists`, `externalTask`. */
import type { TriggerEnv, TriggerRegistry } from './trigger.ts';
import { dateTimeTrigger } from './triggers/date-time.ts';
import { externalTaskTrigger } from './triggers/external-task.ts';
import { fileExistsTrigger } from './triggers/file-exists.ts';

/** The built-in triggers, sharing `env` (one database handle, one file poller). */
export function builtinTriggers(env: TriggerEnv): TriggerRegistry {
  return new Map([
    ['dateTime', dateTimeTrigger],
    ['fileExists', fileExistsTrigger(env.files)],
    ['externalTask', externalTaskTrigger(env.db)],
  ]);
}
