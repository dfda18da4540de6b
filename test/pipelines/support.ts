/**
 * The example pipelines (examples/dags) under the real engine: scheduler, local workers and,
 * for the inbox sensor, the triggerer, on a fresh test database. The DAGs folder holds one file
 * per pipeline re-exporting the example, so workers load the examples themselves.
 *
 * The pipelines keep their warehouse, inbox and artifacts under $BATON_HOME, which workers
 * inherit from this process: each harness gets its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAllDuckDbInstances, withDuckDb } from '../../src/providers/duckdb/index.ts';
import { getPool, setVariable, upsertConnection, upsertPool } from '../../src/store/index.ts';
import { startTriggerer, type RunningTriggerer } from '../../src/triggerer/index.ts';
import type { DialectUnderTest } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLE_DAGS = join(ROOT, 'examples/dags');
export const DATA_DIR = join(ROOT, 'examples/data/madewithml');

export type Pipeline = 'dataops' | 'mlops' | 'update' | 'new_data';

const quiet = { info: () => {}, warn: () => {}, error: (m: string) => process.stderr.write(`[triggerer] ${m}\n`) };

export interface PipelineHarness {
  h: EngineHarness;
  /** $BATON_HOME of the workers: warehouse.duckdb, inbox/, artifacts/. */
  home: string;
  warehouse: string;
  triggerer: RunningTriggerer | null;
  /** Runs of a DAG, oldest first. */
  runs(dagId: string): Promise<Array<{ run_id: string; state: string; run_type: string; conf: Record<string, unknown> }>>;
  /** Waits until the DAG has `n` runs and all of them finished; returns them. */
  waitForRuns(dagId: string, n: number, timeoutMs?: number): Promise<Array<{ run_id: string; state: string; run_type: string; conf: Record<string, unknown> }>>;
  /** `task_id` (or `task_id[map_index]`) → state. */
  states(dagId: string, runId: string): Promise<Record<string, string>>;
  xcom<T = unknown>(dagId: string, runId: string, taskId: string, key?: string): Promise<T | undefined>;
  versions(name: string): Promise<Array<{ version: number; stage: string; metrics: Record<string, number>; source_run_id: string | null }>>;
  /** Rows of a warehouse query (opens the DuckDB file while no task holds it). */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  connection(connId: string, fields: { connType: string; host?: string; port?: number; password?: string; extra?: Record<string, unknown> }): Promise<void>;
  variable(key: string, value: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPipelines(dialect: DialectUnderTest, pipelines: Pipeline[], o: { triggerer?: boolean; parallelism?: number } = {}): Promise<PipelineHarness> {
  const home = await mkdtemp(join(tmpdir(), 'baton-pipelines-'));
  const previousHome = process.env.BATON_HOME;
  // Workers fork from this process when the engine starts and keep this environment.
  process.env.BATON_HOME = home;
  const files = Object.fromEntries(pipelines.map((p) => [`${p}.ts`, `export { default } from ${JSON.stringify(join(EXAMPLE_DAGS, `${p}.ts`))};\n`]));
  const h = await startHarness(dialect, files, { env: { BATON_PARALLELISM: String(o.parallelism ?? 3) } });
  const db = h.db;
  // DuckDB writers share one slot. The engine creates the pool when a DAG first uses it; make
  // sure it is there either way.
  if (!(await getPool(db, 'duckdb'))) await upsertPool(db, { name: 'duckdb', slots: 1, description: 'DuckDB writers' });
  const triggerer = o.triggerer ? await startTriggerer({ db: h.engine.db, config: h.config, onFire: () => h.engine.scheduler?.wake(), log: quiet }) : null;
  const runs = async (dagId: string) =>
    (await db.selectFrom('dag_run').select(['run_id', 'state', 'run_type', 'conf', 'id']).where('dag_id', '=', dagId).orderBy('id').execute()).map((r) => ({
      run_id: r.run_id, state: r.state, run_type: r.run_type, conf: r.conf ? (JSON.parse(r.conf) as Record<string, unknown>) : {},
    }));
  const p: PipelineHarness = {
    h,
    home,
    warehouse: join(home, 'warehouse.duckdb'),
    triggerer,
    runs,
    waitForRuns: (dagId, n, timeoutMs = 60_000) =>
      h.waitFor(`${n} finished run(s) of ${dagId}`, async () => {
        const r = await runs(dagId);
        return r.length >= n && r.every((x) => x.state === 'success' || x.state === 'failed') ? r : undefined;
      }, timeoutMs),
    async states(dagId, runId) {
      const tis = await h.tis(dagId, runId);
      return Object.fromEntries(tis.map((t) => [t.map_index >= 0 ? `${t.task_id}[${t.map_index}]` : t.task_id, t.state]));
    },
    async xcom<T>(dagId: string, runId: string, taskId: string, key = 'return_value') {
      const row = await db.selectFrom('xcom').select('value').where('dag_id', '=', dagId).where('run_id', '=', runId).where('task_id', '=', taskId).where('key', '=', key).executeTakeFirst();
      return row?.value ? (JSON.parse(row.value) as T) : undefined;
    },
    async versions(name) {
      const rows = await db.selectFrom('ml_model_version').select(['version', 'stage', 'metrics', 'source_run_id']).where('name', '=', name).orderBy('version').execute();
      return rows.map((r) => ({ version: r.version, stage: r.stage, metrics: JSON.parse(r.metrics) as Record<string, number>, source_run_id: r.source_run_id }));
    },
    query: (sql) => withDuckDb(join(home, 'warehouse.duckdb'), (hook) => hook.query(sql)),
    async connection(connId, f) {
      await upsertConnection(db, { connId, connType: f.connType, host: f.host ?? null, port: f.port ?? null, password: f.password ?? null, extra: f.extra ? JSON.stringify(f.extra) : null });
    },
    async variable(key, value) {
      await setVariable(db, key, value);
    },
    async stop() {
      await triggerer?.stop();
      await h.stop();
      await closeAllDuckDbInstances();
      await rm(home, { recursive: true, force: true });
      if (previousHome === undefined) delete process.env.BATON_HOME;
      else process.env.BATON_HOME = previousHome;
    },
  };
  return p;
}

/** Triggers a run and waits for it to finish; returns its run id and final state. */
export async function runToEnd(p: PipelineHarness, dagId: string, conf: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<{ runId: string; state: string }> {
  const runId = await p.h.trigger(dagId, { conf, logicalDate: new Date() });
  return { runId, state: await p.h.waitForRun(dagId, runId, timeoutMs) };
}

/** The task failures of a run, for assertion messages. */
export async function failures(p: PipelineHarness, dagId: string, runId: string): Promise<string> {
  const rows = await p.h.db.selectFrom('task_instance').select(['task_id', 'map_index', 'state']).where('dag_id', '=', dagId).where('run_id', '=', runId).where('state', 'in', ['failed', 'upstream_failed']).execute();
  return rows.map((r) => `${r.task_id}[${r.map_index}] ${r.state}`).join(', ') || 'no failed task';
}
