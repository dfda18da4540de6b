/**
 * `fileExists`: fires when a file matches `pattern` (an absolute path or glob; `recursive`
 * lets `**` span folders), looking every `pollInterval` seconds (default 5, at least 0.1)
 * in the poller's shared scan. Event: `{ status: 'success', path }`.
 */
import { isAbsolute } from 'node:path';
import type { FilePoller } from '../file-poller.ts';
import { kwargsReader } from '../kwargs.ts';
import type { Trigger } from '../trigger.ts';

/** The `fileExists` trigger, polling through the shared `files` poller. */
export function fileExistsTrigger(files: FilePoller): Trigger {
  return {
    async run(kwargs, signal) {
      const k = kwargsReader('fileExists', kwargs);
      const pattern = k.string('pattern');
      if (!isAbsolute(pattern)) throw new TypeError(`trigger 'fileExists': pattern must be an absolute path (got ${JSON.stringify(pattern)}); the triggerer may run in another folder than the worker`);
      const path = await files.waitFor(pattern, { recursive: k.boolean('recursive', false), intervalSeconds: k.seconds('pollInterval', 5) }, signal);
      return { status: 'success', path };
    },
  };
}
