/** Runs single sensor tries in-process with `runTry`, with fake task services. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTry, type TryInput } from '../../src/runner/run-try.ts';
import type { TaskServices } from '../../src/runner/task-services.ts';
import type { TryResult } from '../../src/runner/try-result.ts';
import type { Dag, TaskLogger } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

export const LOGICAL_DATE = new Date('2024-03-10T00:00:00Z');
export const INTERVAL_END = new Date('2024-03-11T00:00:00Z');

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'baton-sensor-test-'));
}

export interface TryOutcome extends TryResult {
  lines: string[];
}

/**
 * One try of `taskId`. `externalStates` answers `ctx.externalState` (keyed
 * `dagId|taskId-or-*|logicalDateIso`); the rest of TryInput can be overridden.
 */
export async function tryOnce(d: Dag, taskId: string, over: Partial<TryInput> & { externalStates?: Record<string, string> } = {}): Promise<TryOutcome> {
  const lines: string[] = [];
  const line = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  const log: TaskLogger = { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
  const states = over.externalStates ?? {};
  const services: TaskServices = {
    pullXComs: async () => [],
    getVariable: async () => undefined,
    listVariables: async () => ({}),
    getConnection: async () => undefined,
    listConnections: async () => [],
    getExternalState: async (q) => states[`${q.dagId}|${q.taskId ?? '*'}|${q.logicalDate}`] ?? null,
  };
  const { externalStates: _s, ...rest } = over;
  const result = await runTry({
    dag: d,
    serialized: serializeDag(d),
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 0,
    run: { runId: 'manual__test', runType: 'manual', logicalDate: LOGICAL_DATE, dataIntervalStart: LOGICAL_DATE, dataIntervalEnd: INTERVAL_END, conf: {}, externalTrigger: true },
    params: {},
    services,
    log,
    ...rest,
  });
  return { ...result, lines };
}
