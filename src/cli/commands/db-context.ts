/**
 * What the database-backed commands share: opening the (migrated) metadata database, finding a
 * DAG (parsing the DAGs folder when the database does not know it yet) or a run, recording CLI
 * actions in the event log, and telling whether a scheduler is running.
 */
import { hostname, userInfo } from 'node:os';
import { type BatonConfig } from '../../config.ts';
import type { SerializedDag } from '../../core/serialized-dag.ts';
import { syncDagFolderOnce } from '../../engine/dag-folder-sync.ts';
import { openMigratedDb } from '../../engine/open-db.ts';
import { appendEventLog, listAliveJobs, type BatonDb, type DagRow, type DagRunRow, type Job } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import type { OutputFormat } from '../output.ts';
import { cliEnv, cliErr, cliOut, loadCliConfig } from '../cli-context.ts';

export interface DbContext {
  config: BatonConfig;
  db: BatonDb;
}

/** Runs `fn` with the migrated metadata database open, and closes it afterwards. */
export async function withDb<T>(fn: (ctx: DbContext) => Promise<T>, config: BatonConfig = loadCliConfig()): Promise<T> {
  const db = await openMigratedDb(config).catch((e: Error) => {
    throw new CliError(e.message);
  });
  try {
    return await fn({ config, db });
  } finally {
    await db.close();
  }
}

export interface FoundDag {
  row: DagRow;
  dag: SerializedDag;
}

/** The DAG's row and serialized form; parses the DAGs folder once when the database lacks it. */
export async function requireDag(ctx: DbContext, dagId: string, o: { sync?: boolean } = {}): Promise<FoundDag> {
  const found = await lookupDag(ctx, dagId);
  if (found) return found;
  let known: string[] = [];
  let importErrors = 0;
  if (o.sync !== false) {
    try {
      const r = await syncDagFolderOnce(ctx.db, ctx.config, undefined, cliEnv());
      known = r.dagIds;
      importErrors = r.importErrors;
    } catch (e) {
      throw new CliError(`DAG '${dagId}' was not found in the database, and the DAGs folder ${ctx.config.dagsFolder} could not be read: ${(e as Error).message}`);
    }
    const again = await lookupDag(ctx, dagId);
    if (again) return again;
  } else {
    known = (await ctx.db.db.selectFrom('dag').select('dag_id').orderBy('dag_id').execute()).map((r) => r.dag_id);
  }
  const where = o.sync !== false ? `the database or the DAGs folder ${ctx.config.dagsFolder}` : 'the database';
  const errors = importErrors ? ` ${importErrors} file(s) failed to import; see \`baton dags list-import-errors\`.` : '';
  throw new CliError(`DAG '${dagId}' was not found in ${where}. Known DAGs: ${known.join(', ') || '(none)'}.${errors}`);
}

/** The DAG's serialized form as the database has it, or undefined. */
export async function lookupSerializedDag(ctx: DbContext, dagId: string): Promise<SerializedDag | undefined> {
  return (await lookupDag(ctx, dagId))?.dag;
}

async function lookupDag(ctx: DbContext, dagId: string): Promise<FoundDag | undefined> {
  const row = await ctx.db.db.selectFrom('dag').selectAll().where('dag_id', '=', dagId).executeTakeFirst();
  if (!row) return undefined;
  const s = await ctx.db.db.selectFrom('serialized_dag').select('data').where('dag_id', '=', dagId).executeTakeFirst();
  if (!s) return undefined;
  return { row, dag: JSON.parse(s.data) as SerializedDag };
}

/** A run of the DAG by run id, or failing that by logical date (when `idOrDate` is a date). */
export async function requireRun(ctx: DbContext, dagId: string, idOrDate: string, logicalDate?: Date): Promise<DagRunRow> {
  const q = ctx.db.db.selectFrom('dag_run').selectAll().where('dag_id', '=', dagId);
  const run = (await q.where('run_id', '=', idOrDate).executeTakeFirst()) ?? (logicalDate ? await q.where('logical_date', '=', logicalDate.toISOString()).executeTakeFirst() : undefined);
  if (run) return run;
  const recent = await ctx.db.db.selectFrom('dag_run').select('run_id').where('dag_id', '=', dagId).orderBy('logical_date', 'desc').limit(5).execute();
  const hint = recent.length ? ` Its latest runs: ${recent.map((r) => r.run_id).join(', ')}.` : ' It has no runs.';
  throw new CliError(`DAG '${dagId}' has no run ${logicalDate ? 'with id or logical date' : 'with id'} '${idOrDate}'.${hint} See \`baton dags list-runs -d ${dagId}\`.`);
}

/** The name of the user running the command, for the event log. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    const env = cliEnv();
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

/** Appends a CLI action to the event log (event names follow Airflow's `cli_<command>`). */
export async function recordCliEvent(
  ctx: DbContext,
  event: string,
  target: { dagId?: string; runId?: string; taskId?: string; extra?: Record<string, unknown> } = {},
): Promise<void> {
  await appendEventLog(ctx.db.db, {
    event, dagId: target.dagId ?? null, runId: target.runId ?? null, taskId: target.taskId ?? null, owner: osUser(),
    extra: { host_name: hostname(), ...target.extra },
  });
}

/** Scheduler jobs that heartbeat recently and (on this host) whose process is alive. */
export async function liveSchedulers(ctx: DbContext): Promise<Job[]> {
  const timeoutSeconds = Math.max(30, ctx.config.heartbeatInterval * 3);
  const jobs = await listAliveJobs(ctx.db.db, { jobType: 'scheduler', timeoutSeconds });
  const host = hostname();
  return jobs.filter((j) => j.hostname !== host || processAlive(j.pid));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A remark about the result: on stdout beside a table, on stderr when stdout is machine-read. */
export function notice(format: OutputFormat, message: string): void {
  (format === 'table' ? cliOut : cliErr)(`${message}\n`);
}
