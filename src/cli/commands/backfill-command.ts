/**
 * `baton dags backfill <dag_id> -s DATE -e DATE`: creates a backfill object (as Airflow 3 does,
 * and as `POST /api/v2/backfills` does, through the same code): one run per schedule interval
 * whose logical date is in the range, existing runs treated by `--reprocess-behavior`, at most
 * `--max-active-runs` running at once, oldest first (newest with `--run-backwards`). A running
 * scheduler runs it; when none is running, this command runs a scheduler with local workers
 * itself until every run of the backfill has finished, printing progress. `--dry-run` prints
 * each date and what would happen to it, and changes nothing.
 */
import type { Command } from 'commander';
import { type BatonConfig } from '../../config.ts';
import type { SerializedDag } from '../../core/serialized-dag.ts';
import { BackfillError, createBackfill, planBackfillDates, type BackfillRequest, type PlannedDate } from '../../scheduler/backfills.ts';
import { defaultRunId, RunConflictError, RunInputError } from '../../scheduler/create-run.ts';
import type { ReprocessBehavior } from '../../store/schema.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows, type OutputFormat } from '../output.ts';
import { parseConf, parseDateArg, parseIntArg } from '../parse-args.ts';
import { liveSchedulers, notice, osUser, recordCliEvent, requireDag, withDb, type DbContext } from './db-context.ts';
import { waitForRuns } from './backfill-wait.ts';
import { loadCliConfig, setCliExitCode } from '../cli-context.ts';

const REPROCESS: readonly ReprocessBehavior[] = ['none', 'failed', 'completed'];

interface BackfillOptions {
  startDate?: string;
  endDate?: string;
  reprocessBehavior: string;
  maxActiveRuns: string;
  runBackwards?: boolean;
  dryRun?: boolean;
  resetDagruns?: boolean;
  yes?: boolean;
  conf?: string;
  output: string;
}

export function registerBackfillCommand(dags: Command): void {
  dags
    .command('backfill <dag_id>')
    .description('Create a backfill: one run per schedule interval with a logical date in [start, end], run by the scheduler (or here when none is running)')
    .option('-s, --start-date <date>', 'first logical date (inclusive)')
    .option('-e, --end-date <date>', 'last logical date (inclusive)')
    .option('--reprocess-behavior <behavior>', 'existing finished runs in the range: none (leave them), failed (run failed ones again), completed (run failed and successful ones again)', 'none')
    .option('--max-active-runs <n>', 'at most this many runs of the backfill running at once', '10')
    .option('--run-backwards', 'run the newest logical date first')
    .option('--dry-run', 'print each logical date and what the backfill would do with it; change nothing')
    .option('-c, --conf <json>', 'JSON object passed as the conf of every created run')
    .option('-o, --output <format>', 'table, json or plain (the list of dates)', 'table')
    .option('--reset-dagruns', 'replaced by --reprocess-behavior (refused with a hint)')
    .option('-y, --yes', 'accepted for compatibility: a backfill asks for no confirmation')
    .action(async (dagId: string, o: BackfillOptions) => {
      const format = parseOutputFormat(o.output);
      if (o.resetDagruns) {
        throw new CliError('--reset-dagruns was replaced by --reprocess-behavior: use --reprocess-behavior completed to run the finished runs in the range again (failed to run only the failed ones); nothing was changed', 2);
      }
      if (o.startDate === undefined || o.endDate === undefined) throw new CliError('dags backfill needs both --start-date (-s) and --end-date (-e), e.g. -s 2024-01-01 -e 2024-01-07', 2);
      const start = parseDateArg(o.startDate, '--start-date')!;
      const end = parseDateArg(o.endDate, '--end-date')!;
      if (end < start) throw new CliError(`--end-date ${o.endDate} is before --start-date ${o.startDate}`, 2);
      if (!REPROCESS.includes(o.reprocessBehavior as ReprocessBehavior)) {
        throw new CliError(`--reprocess-behavior must be one of ${REPROCESS.join(', ')} (got ${JSON.stringify(o.reprocessBehavior)})`, 2);
      }
      const maxActiveRuns = parseIntArg(o.maxActiveRuns, '--max-active-runs', 1)!;
      const conf = parseConf(o.conf);
      const request: BackfillRequest = {
        from: start, to: end, reprocessBehavior: o.reprocessBehavior as ReprocessBehavior, maxActiveRuns, runBackwards: Boolean(o.runBackwards), conf, triggeringUser: osUser(),
      };
      const config = loadCliConfig();
      const outcome = await withDb((ctx) => (o.dryRun ? dryRun(ctx, dagId, request, format) : create(ctx, dagId, request, format)), config);
      if (!outcome) return;
      const ok = await runHere(config, dagId, outcome.runIds, format);
      setCliExitCode(ok ? 0 : 1);
    });
}

/** The dates of the backfill as `planBackfillDates` decides them; refuses a range with none. */
async function plan(ctx: DbContext, dag: SerializedDag, r: BackfillRequest): Promise<PlannedDate[]> {
  const dates = await planBackfillDates(ctx.db.db, dag, r).catch(refuse(dag.dagId));
  if (dates.length === 0) {
    const schedule = dag.schedule.kind === 'cron' ? dag.schedule.preset ?? dag.schedule.expression : dag.schedule.kind;
    throw new CliError(`no schedule interval of DAG '${dag.dagId}' (${schedule}) has a logical date between ${r.from.toISOString()} and ${r.to.toISOString()}: nothing to backfill`);
  }
  return dates;
}

async function dryRun(ctx: DbContext, dagId: string, r: BackfillRequest, format: OutputFormat): Promise<undefined> {
  const { dag } = await requireDag(ctx, dagId);
  const dates = await plan(ctx, dag, r);
  printRows(dates.map((d) => dateRow(d, d.action === 'create' ? defaultRunId('backfill', d.logicalDate) : d.existingRunId)), ['logical_date', 'data_interval_start', 'data_interval_end', 'run_id', 'action'], format);
  notice(format, `Dry run of a backfill of '${dagId}' (${settings(r)}): ${summary(dates)}; nothing was changed.`);
  return undefined;
}

/** Creates the backfill; returns the runs to run here, or undefined when nothing is left to do here. */
async function create(ctx: DbContext, dagId: string, r: BackfillRequest, format: OutputFormat): Promise<{ runIds: string[] } | undefined> {
  const { dag } = await requireDag(ctx, dagId);
  await plan(ctx, dag, r);
  const created = await createBackfill(ctx.db.db, dag, r, { xcomFolder: ctx.config.xcomFolder }).catch(refuse(dagId));
  const runIds = created.dates.flatMap((d) => (d.runId === null ? [] : [d.runId]));
  await recordCliEvent(ctx, 'cli_dag_backfill', {
    dagId,
    extra: {
      backfill_id: created.id, start_date: r.from.toISOString(), end_date: r.to.toISOString(), reprocess_behavior: r.reprocessBehavior,
      max_active_runs: r.maxActiveRuns, run_backwards: r.runBackwards, runs: runIds, ...(Object.keys(r.conf).length ? { conf: r.conf } : {}),
    },
  });
  printRows(created.dates.map((d) => dateRow(d, d.runId ?? d.existingRunId)), ['logical_date', 'run_id', 'action'], format);
  notice(format, `Backfill (id ${created.id}) of '${dagId}' (${settings(r)}): ${summary(created.dates)}.`);
  if (runIds.length === 0) {
    notice(format, 'Nothing to run: every date already has a run.');
    return undefined;
  }
  const live = await liveSchedulers(ctx);
  if (live.length) {
    const j = live[0]!;
    notice(format, `A scheduler is running (job ${j.id}, ${j.hostname} pid ${j.pid}): it runs the backfill. Follow it with: baton dags list-runs -d ${dagId}`);
    return undefined;
  }
  return { runIds };
}

async function runHere(config: BatonConfig, dagId: string, runIds: string[], format: OutputFormat): Promise<boolean> {
  notice(format, `No scheduler is running: running ${runIds.length} backfill run(s) here with ${config.parallelism} local worker(s). Ctrl-C stops (the runs stay queued).`);
  const finals = await waitForRuns(config, dagId, runIds, (line) => notice(format, line));
  printRows(finals.map((f) => ({ dag_id: dagId, run_id: f.runId, state: f.state, start_date: f.startDate, end_date: f.endDate })), ['dag_id', 'run_id', 'state', 'start_date', 'end_date'], format);
  const failed = finals.filter((f) => f.state !== 'success');
  notice(format, failed.length ? `Backfill finished: ${failed.length} of ${finals.length} run(s) did not succeed.` : `Backfill finished: all ${finals.length} run(s) succeeded.`);
  return failed.length === 0;
}

/** Turns the backfill's refusals into CLI errors (bad input exits 2); nothing was changed. */
function refuse(dagId: string): (e: unknown) => never {
  return (e) => {
    if (e instanceof BackfillError) throw new CliError(`cannot backfill DAG '${dagId}': ${e.message} Nothing was changed.`, e.status === 400 ? 2 : 1);
    if (e instanceof RunInputError) throw new CliError(`${e.message}; nothing was changed`, 2);
    if (e instanceof RunConflictError) throw new CliError(`${e.message} (another process created it meanwhile); nothing was changed, run the backfill again`);
    throw e;
  };
}

function dateRow(d: PlannedDate, runId: string | null) {
  return {
    logical_date: d.logicalDate.toISOString(), data_interval_start: d.dataInterval.start.toISOString(), data_interval_end: d.dataInterval.end.toISOString(),
    run_id: runId, action: action(d),
  };
}

function action(d: PlannedDate): string {
  if (d.action === 'create') return 'create';
  if (d.action === 'reprocess') return `reprocess (${d.existingState} run)`;
  return `skip (${d.reason}: ${d.existingState} run)`;
}

function settings(r: BackfillRequest): string {
  return `${r.from.toISOString()} to ${r.to.toISOString()}, reprocess behavior ${r.reprocessBehavior}, max active runs ${r.maxActiveRuns}${r.runBackwards ? ', backwards' : ''}`;
}

function summary(dates: PlannedDate[]): string {
  const n = (a: PlannedDate['action']) => dates.filter((d) => d.action === a).length;
  return `${n('create')} run(s) to create, ${n('reprocess')} to reprocess, ${n('skip')} skipped`;
}
