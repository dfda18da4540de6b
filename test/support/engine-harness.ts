/**
 * Runs the real engine (DAG sync, scheduler, LocalExecutor) on a fresh database of one dialect,
 * with DAG files written to a temporary folder, and offers waiting helpers for assertions.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import { loadConfig, type BatonConfig } from '../../src/config.ts';
import { startEngine, type Engine } from '../../src/engine/engine.ts';
import { createDagRun, type CreateRunInput } from '../../src/scheduler/create-run.ts';
import type { Schema } from '../../src/store/index.ts';
import type { DialectUnderTest } from './databases.ts';

export interface EngineHarness {
  engine: Engine;
  db: Kysely<Schema>;
  config: BatonConfig;
  home: string;
  dagsDir: string;
  /** Creates a manual run through the same path as `baton dags trigger`. */
  trigger(dagId: string, o?: Partial<Omit<CreateRunInput, 'dag'>>): Promise<string>;
  /** Waits until the run is success or failed and returns that state. */
  waitForRun(dagId: string, runId: string, timeoutMs?: number): Promise<string>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  tis(dagId: string, runId: string): Promise<Array<{ task_id: string; map_index: number; state: string; try_number: number; start_date: string | null; end_date: string | null }>>;
  /** Writes a DAG file and syncs the files that changed (a new file, or one whose size or modification time changed). */
  writeDag(name: string, source: string): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Start the engine (default true); false gives only config and folders. */
  start?: boolean;
}

export async function startHarness(dialect: DialectUnderTest, files: Record<string, string>, o: HarnessOptions = {}): Promise<EngineHarness> {
  const testDb = await dialect.open();
  const url = testDb.url;
  // One SQLite handle per file per process: the engine opens its own.
  await testDb.close();
  const home = await mkdtemp(join(tmpdir(), 'baton-engine-'));
  const dagsDir = join(home, 'dags');
  await mkdir(dagsDir, { recursive: true });
  for (const [name, src] of Object.entries(files)) {
    await mkdir(dirname(join(dagsDir, name)), { recursive: true });
    await writeFile(join(dagsDir, name), src);
  }
  const config = loadConfig({
    ...process.env,
    BATON_HOME: home,
    BATON_DAGS_FOLDER: dagsDir,
    BATON_DATABASE_URL: url,
    BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false',
    BATON_PARALLELISM: '2',
    BATON_HEARTBEAT_INTERVAL: '0.5',
    BATON_MIN_FILE_PROCESS_INTERVAL: '3600',
    ...o.env,
  });
  const engine = await startEngine({ config, log: { info: () => {}, warn: () => {}, error: (m) => process.stderr.write(`[engine] ${m}\n`) } });
  const db = engine.db.db;
  const h: EngineHarness = {
    engine, db, config, home, dagsDir,
    async trigger(dagId, opts = {}) {
      const dag = await engine.scheduler!.cache.require(db, dagId);
      const run = await db.transaction().execute((trx) => createDagRun(trx, { runType: 'manual', ...opts, dag }));
      engine.scheduler!.poke();
      return run.runId;
    },
    async waitForRun(dagId, runId, timeoutMs = 20_000) {
      return h.waitFor(`run ${dagId}/${runId} to finish`, async () => {
        const r = await db.selectFrom('dag_run').select('state').where('dag_id', '=', dagId).where('run_id', '=', runId).executeTakeFirst();
        return r && (r.state === 'success' || r.state === 'failed') ? r.state : undefined;
      }, timeoutMs);
    },
    async waitFor(what, probe, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v) return v as never;
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    tis: (dagId, runId) =>
      db.selectFrom('task_instance').select(['task_id', 'map_index', 'state', 'try_number', 'start_date', 'end_date']).where('dag_id', '=', dagId).where('run_id', '=', runId).orderBy('task_id').orderBy('map_index').execute(),
    async writeDag(name, source) {
      await writeFile(join(dagsDir, name), source);
      // Parses the files that changed since the last sync, as the folder watcher does; the
      // others keep their last parse.
      await engine.folderSync!.syncNow(false);
    },
    async stop() {
      await engine.stop(2000);
      await testDb.drop().catch(() => {});
      await rm(home, { recursive: true, force: true });
    },
  };
  return h;
}
