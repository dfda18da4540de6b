/**
 * The real engine (DAG folder sync, scheduler, local workers) plus a triggerer on a fresh test
 * database, loading the DAGs of test/fixtures/sensor-dags, as `baton standalone` runs them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskInstanceState } from '../../src/core/states.ts';
import { loadConfig } from '../../src/config.ts';
import { startEngine, type Engine } from '../../src/engine/engine.ts';
import { createDagRun } from '../../src/scheduler/create-run.ts';
import { startTriggerer, type RunningTriggerer } from '../../src/triggerer/index.ts';
import type { DialectUnderTest, TestDb } from '../support/databases.ts';
import { waitFor } from '../triggerer/helpers.ts';

export const SENSOR_DAGS = fileURLToPath(new URL('../fixtures/sensor-dags/', import.meta.url));

const quiet = { info: () => {}, warn: () => {}, error: (m: string) => process.stderr.write(`${m}\n`) };

export interface Harness {
  engine: Engine;
  triggerer: RunningTriggerer;
  /** Creates a manual run (logical date: now, unless given) and wakes the scheduler; returns its run id. */
  trigger(dagId: string, conf?: Record<string, unknown>, logicalDate?: Date): Promise<string>;
  /** The TI row. */
  ti(dagId: string, runId: string, taskId: string): Promise<{ state: TaskInstanceState; try_number: number; max_tries: number }>;
  /** Waits (bounded, not measured) until the TI is in one of `states`; returns the row. */
  waitTi(dagId: string, runId: string, taskId: string, states: TaskInstanceState[]): Promise<{ state: TaskInstanceState; try_number: number; max_tries: number }>;
  stop(): Promise<void>;
}

let logicalClock = Date.now();

export async function startHarness(dialect: DialectUnderTest, parallelism: number): Promise<Harness> {
  const testDb: TestDb = await dialect.open();
  await testDb.close(); // the engine opens its own handle (SQLite allows one per process)
  const home = mkdtempSync(join(tmpdir(), 'baton-sensor-engine-'));
  const config = loadConfig({
    ...process.env,
    BATON_HOME: home,
    BATON_DAGS_FOLDER: SENSOR_DAGS,
    BATON_DATABASE_URL: testDb.url,
    BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false',
    BATON_PARALLELISM: String(parallelism),
    BATON_HEARTBEAT_INTERVAL: '0.5',
  });
  const engine = await startEngine({ config, log: quiet });
  const triggerer = await startTriggerer({ db: engine.db, config, onFire: () => engine.scheduler?.wake(), log: quiet });
  const db = engine.db.db;
  const ti = async (dagId: string, runId: string, taskId: string) =>
    db.selectFrom('task_instance').select(['state', 'try_number', 'max_tries']).where('dag_id', '=', dagId).where('run_id', '=', runId).where('task_id', '=', taskId).executeTakeFirstOrThrow();
  return {
    engine,
    triggerer,
    async trigger(dagId, conf = {}, logicalDate) {
      const at = logicalDate ?? new Date((logicalClock = Math.max(logicalClock + 1000, Date.now())));
      const scheduler = engine.scheduler!;
      const created = await db.transaction().execute(async (trx) => {
        const dag = await scheduler.cache.get(trx, dagId);
        if (!dag) throw new Error(`DAG '${dagId}' is not in the database; check test/fixtures/sensor-dags`);
        return createDagRun(trx, { dag, runType: 'manual', conf, logicalDate: at });
      });
      scheduler.poke();
      return created.runId;
    },
    ti,
    waitTi: (dagId, runId, taskId, states) =>
      waitFor(`${dagId}.${taskId} in ${runId} to be ${states.join(' or ')}`, async () => {
        const row = await ti(dagId, runId, taskId);
        return states.includes(row.state) ? row : null;
      }, 60_000),
    async stop() {
      await triggerer.stop();
      await engine.stop(2000);
      await testDb.drop();
    },
  };
}
