/**
 * Starts Baton's long-running components in this process: DAG folder sync, scheduler with its
 * executor, and (optionally) the triggerer. `baton standalone` and `baton scheduler` use it.
 */
import type { BatonConfig } from '../config.ts';
import { LocalExecutor } from '../executors/local/index.ts';
import type { Executor } from '../executors/executor.ts';
import { Scheduler, type SchedulerLogger } from '../scheduler/scheduler.ts';
import { SCHEDULER_APPLICATION_NAME, type BatonDb } from '../store/index.ts';
import { DagFolderSync } from './dag-folder-sync.ts';
import { openMigratedDb, openMigratedDbRetrying } from './open-db.ts';

/** Workloads each local worker may have waiting, so it never idles between tries. */
const ENGINE_PREFETCH = 2;

export interface EngineOptions {
  config: BatonConfig;
  /** Default true. */
  scheduler?: boolean;
  /** Default true. */
  syncDagFolder?: boolean;
  executor?: Executor;
  log?: SchedulerLogger;
  /** Wait (retrying with backoff) while the database server is unreachable, instead of failing. Default false. */
  waitForDatabase?: boolean;
  /**
   * The environment the configuration came from, when it is not this process's (a CLI command
   * run in-process): local workers get it, and tasks read BATON_VAR_/BATON_CONN_ from it.
   */
  env?: NodeJS.ProcessEnv;
}

export interface Engine {
  db: BatonDb;
  scheduler: Scheduler | null;
  folderSync: DagFolderSync | null;
  stop(graceMs?: number): Promise<void>;
}

export async function startEngine(o: EngineOptions): Promise<Engine> {
  // A scheduler's connections are named so that the database's wake-up triggers skip its own changes.
  const log = o.log ?? consoleLogger();
  const applicationName = o.scheduler !== false ? SCHEDULER_APPLICATION_NAME : undefined;
  const db = o.waitForDatabase ? await openMigratedDbRetrying(o.config, { applicationName, log: (m) => log.warn(m) }) : await openMigratedDb(o.config, { applicationName });
  let scheduler: Scheduler | null = null;
  let folderSync: DagFolderSync | null = null;
  try {
    if (o.scheduler !== false) {
      scheduler = new Scheduler({ db, env: o.env, executor: o.executor ?? (await configuredExecutor(o.config, db, log, o.env)), config: o.config, log });
    }
    if (o.syncDagFolder !== false) {
      folderSync = new DagFolderSync({ db, config: o.config, log, onChange: () => scheduler?.poke() });
      await folderSync.start();
    }
    await scheduler?.start();
  } catch (e) {
    await folderSync?.stop();
    await db.close();
    throw e;
  }
  let stopping: Promise<void> | null = null;
  return {
    db,
    scheduler,
    folderSync,
    stop: (graceMs = 10_000) =>
      (stopping ??= (async () => {
        await folderSync?.stop();
        await scheduler?.stop(graceMs);
        await db.close();
      })()),
  };
}

/** The executor `config.executor` names: LocalExecutor, or BullMQExecutor (loaded only then). */
async function configuredExecutor(config: BatonConfig, db: BatonDb, log: SchedulerLogger, env?: NodeJS.ProcessEnv): Promise<Executor> {
  if (config.executor === 'local') return new LocalExecutor({ parallelism: config.parallelism, prefetch: ENGINE_PREFETCH, env });
  const { BullMQExecutor } = await import('../executors/bullmq/index.ts');
  return new BullMQExecutor({ db: db.db, databaseUrl: config.databaseUrl, redisUrl: config.redisUrl, prefix: config.redisPrefix, warn: (m) => log.warn(m) });
}

export function consoleLogger(prefix = ''): SchedulerLogger {
  const line = (level: string, m: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${prefix}${m}\n`);
  return { info: (m) => line('INFO ', m), warn: (m) => line('WARN ', m), error: (m) => line('ERROR', m) };
}
