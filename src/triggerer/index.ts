/** The triggerer: runs the built-in triggers of deferred tasks and resumes the tasks when they fire. */
export { Triggerer, TRIGGERER_DEFAULTS, type TriggererLogger, type TriggererOptions } from './triggerer.ts';
export { startTriggerer, type RunningTriggerer, type StartTriggererOptions } from './start-triggerer.ts';
export { builtinTriggers } from './builtin-triggers.ts';
export { FilePoller } from './file-poller.ts';
export type { Trigger, TriggerEnv, TriggerEvent, TriggerRegistry } from './trigger.ts';
