/**
 * Why a try was lost, in words for the task log and the UI: how its worker process ended
 * (exit code, signal, exhausted heap) with the end of what the process wrote to stderr.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WorkerExit } from './worker-process.ts';

const REASON_STDERR_CHARS = 1500;

/** The reason for a try whose worker (`pid`) ended on its own, or was killed from outside. */
export function describeWorkerExit(pid: number, exit: WorkerExit, maxOldSpaceMb: number): string {
  const stderr = exit.stderr.trim();
  const how = exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) {
    return `the worker process (pid ${pid}) ran out of memory and ${how}: the task needed more than the worker's heap limit of ${maxOldSpaceMb} MB; make the task use less memory or raise the executor's maxOldSpaceMb`;
  }
  const hint = exit.signal === null ? ' (the task may have called process.exit())' : exit.signal === 'SIGKILL' ? ' (by something outside the executor, e.g. the kernel running out of memory or a kill -9)' : '';
  const tail = stderr ? `; its stderr ended with:\n${stderr.slice(-REASON_STDERR_CHARS)}` : '';
  return `the worker process (pid ${pid}) ${how} while running the try${hint}${tail}`;
}

/**
 * Appends the loss to the try's log (before the `lost` event is sent) so that whoever reads
 * the log sees why it ends there.
 * Best effort: the reason also travels in the `lost` event, so a log that cannot be written
 * (folder gone, disk full) loses nothing essential.
 */
export function appendLostToLog(logPath: string, reason: string): void {
  const line = `[${new Date().toISOString()}] ERROR - The try was lost: ${reason}\n`;
  try {
    mkdirSync(dirname(logPath), { recursive: true });
    appendFileSync(logPath, line);
  } catch {
    /* see above: the event carries the reason */
  }
}
