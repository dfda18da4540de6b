/**
 * Runs one workload inside a worker: opens the try's log (capturing stdout and stderr into
 * it), loads the DAG from the worker's cache, and calls `runTry`. Never throws: a DAG that
 * cannot be loaded, a log that cannot be opened or an unexpected error fails the try with
 * that error as its message.
 */
import { dagHash } from '../../core/dag-hash.ts';
import { taskOf } from '../../core/task-index.ts';
import type { TaskWorkload } from '../executor.ts';
import { runTry, type RunInfo } from '../../runner/run-try.ts';
import type { TryResult } from '../../runner/try-result.ts';
import { maskFetchedSecrets } from '../../security/task-masking.ts';
import { DagLoadError, type DagCache } from './dag-cache.ts';
import type { WorkerTaskServices } from './service-client.ts';
import { TryLog } from './try-log.ts';


/** One workload and what the worker lends it to run. */
export interface WorkloadInput {
  workload: TaskWorkload;
  cache: DagCache;
  services: WorkerTaskServices;
  /** Aborted when the worker is asked to stop the try. */
  signal: AbortSignal;
  hostname: string;
}

/** Runs the try and returns its result (any outcome). */
export async function runWorkload(input: WorkloadInput): Promise<TryResult> {
  const { workload: w } = input;
  const startedAt = new Date();
  let log: TryLog;
  try {
    log = TryLog.open(w.logPath);
  } catch (e) {
    return failedResult(w, startedAt, `could not open the try's log file ${w.logPath}: ${(e as Error).message}; check that the logs folder is writable`);
  }
  try {
    log.captureStdio();
    const k = w.key;
    log.info(`Running try ${w.tryNumber} of ${k.dagId}.${k.taskId}${k.mapIndex >= 0 ? `[${k.mapIndex}]` : ''} (run ${k.runId}) on ${input.hostname}, pid ${process.pid}`);
    let loaded;
    try {
      loaded = await input.cache.get(w.dagFile, k.dagId);
    } catch (e) {
      if (!(e instanceof DagLoadError)) throw e;
      log.error(e.message);
      return failedResult(w, startedAt, e.message);
    }
    if (w.dagHash !== undefined && dagHash(loaded.serialized) !== w.dagHash) {
      const message = `the DAG file ${w.dagFile} on ${input.hostname} defines another version of DAG '${k.dagId}' than the scheduler knows (version ${dagHash(loaded.serialized).slice(0, 12)} here, ${w.dagHash.slice(0, 12)} there): deploy the same DAG files to every machine, then clear the task to run it again`;
      log.error(message);
      return failedResult(w, startedAt, message);
    }
    if (!taskOf(loaded.serialized, k.taskId)) {
      const message = `DAG '${k.dagId}' (${w.dagFile}) has no task '${k.taskId}'; it may have been renamed or removed since the try was queued`;
      log.error(message);
      return failedResult(w, startedAt, message);
    }
    return await runTry({
      dag: loaded.dag,
      serialized: loaded.serialized,
      taskId: k.taskId,
      mapIndex: k.mapIndex,
      tryNumber: w.tryNumber,
      maxTries: w.maxTries,
      run: runInfo(w),
      params: w.params,
      services: maskFetchedSecrets(input.services),
      log,
      triggerEvent: w.triggerEvent ?? undefined,
      nextMethod: w.nextMethod,
      firstTryStartedAt: w.firstTryStartedAt === null ? null : new Date(w.firstTryStartedAt),
      signal: input.signal,
    });
  } catch (e) {
    const message = `the worker could not run the try: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    log.error(message);
    return failedResult(w, startedAt, message);
  } finally {
    log.close();
  }
}

function runInfo(w: TaskWorkload): RunInfo {
  const r = w.run;
  return {
    runId: r.runId,
    runType: r.runType,
    logicalDate: new Date(r.logicalDate),
    dataIntervalStart: new Date(r.dataIntervalStart),
    dataIntervalEnd: new Date(r.dataIntervalEnd),
    conf: r.conf,
    externalTrigger: r.externalTrigger,
  };
}

/** A failed try (up for retry when it has retries left, as `runTry` decides for task errors). */
export function failedResult(w: TaskWorkload, startedAt: Date, error: string): TryResult {
  const retry = w.maxTries > 0 && w.tryNumber <= w.maxTries;
  return {
    state: retry ? 'up_for_retry' : 'failed',
    error,
    xcoms: [],
    skip: [],
    mapLengths: [],
    datasetEvents: [],
    triggerRequests: [],
    rescheduleAt: null,
    defer: null,
    renderedFields: null,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
  };
}
