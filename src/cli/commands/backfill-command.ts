/**
 * `baton dags backfill <dag_id> -s DATE -e DATE`: one `backfill` run per schedule interval whose
 * logical date is in the range. When no scheduler is running, this command runs a scheduler with
 * local workers itself until every backfill run has finished, printing progress.
 */
import type { Command } from 'commander';
import { loadConfig, type BatonConfig } from '../../config.ts';
import { applyBackfill, planBackfill, type BackfillSlot } from '../../scheduler/backfill.ts';
import { RunConflictError, RunInputError } from '../../scheduler/create-run.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows, type OutputFormat } from '../output.ts';
import { parseConf, parseDateArg } from '../parse-args.ts';
import { liveSchedulers, notice, recordCliEvent, requireDag, withDb, type DbContext } from './db-context.ts';
import { waitForRuns } from './backfill-wait.ts';

interface BackfillOptions {
  startDate?: string;
  endDate?: string;
  resetDagruns?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  conf?: string;
  output: string;
}

export function registerBackfillCommand(dags: Command): void {
  dags
    .command('backfill <dag_id>')
    .description('Create one backfill run per schedule interval with a logical date in [start, end] and run them')
    .option('-s, --start-date <date>', 'first logical date (inclusive)')
    .option('-e, --end-date <date>', 'last logical date (inclusive)')
    .option('--reset-dagruns', 'clear existing runs in the range and run them again (instead of skipping them)')
    .option('--dry-run', 'list the runs the backfill would create, and create nothing')
    .option('-y, --yes', 'do not ask for confirmation (needed with --reset-dagruns)')
    .option('-c, --conf <json>', 'JSON object passed as the conf of every created run')
    .option('-o, --output <format>', 'table, json or plain (the list of runs)', 'table')
    .action(async (dagId: string, o: BackfillOptions) => {
      const format = parseOutputFormat(o.output);
      if (o.startDate === undefined || o.endDate === undefined) throw new CliError('dags backfill needs both --start-date (-s) and --end-date (-e), e.g. -s 2024-01-01 -e 2024-01-07', 2);
      const start = parseDateArg(o.startDate, '--start-date')!;
      const end = parseDateArg(o.endDate, '--end-date')!;
      if (end < start) throw new CliError(`--end-date ${o.endDate} is before --start-date ${o.startDate}`, 2);
      const conf = o.conf === undefined ? undefined : parseConf(o.conf);
      const config = loadConfig();
      const outcome = await withDb((ctx) => createBackfill(ctx, dagId, start, end, o, conf, format), config);
      if (!outcome) return;
      const ok = await runBackfill(config, dagId, outcome.runIds, format);
      process.exitCode = ok ? 0 : 1;
    });
}

/** Plans and (unless dry-run) creates the runs; returns the runs to wait for, or undefined when done. */
async function createBackfill(ctx: DbContext, dagId: string, start: Date, end: Date, o: BackfillOptions, conf: Record<string, unknown> | undefined, format: OutputFormat) {
  const { row, dag } = await requireDag(ctx, dagId);
  let slots: BackfillSlot[];
  try {
    slots = await planBackfill(ctx.db.db, dag, start, end, Boolean(o.resetDagruns));
  } catch (e) {
    throw new CliError(`cannot backfill DAG '${dagId}': ${(e as Error).message}`);
  }
  if (slots.length === 0) throw new CliError(`no schedule interval of DAG '${dagId}' (${dag.schedule.kind === 'cron' ? dag.schedule.preset ?? dag.schedule.expression : dag.schedule.kind}) has a logical date between ${start.toISOString()} and ${end.toISOString()}: nothing to backfill`);
  if (o.dryRun) {
    printRows(slots.map(slotRow), ['run_id', 'logical_date', 'data_interval_start', 'data_interval_end', 'action'], format);
    notice(format, `Dry run: ${describe(slots)}; nothing was created.`);
    return undefined;
  }
  const resets = slots.filter((s) => s.action === 'reset');
  if (resets.length && !o.yes) {
    throw new CliError(`--reset-dagruns would clear ${resets.length} existing run(s) (${resets.slice(0, 5).map((s) => s.runId).join(', ')}${resets.length > 5 ? ', …' : ''}): run again with -y to confirm, or with --dry-run to see the plan; nothing was changed`, 2);
  }
  const runIds = await applyBackfill(ctx.db.db, dag, slots, { conf, xcomFolder: ctx.config.xcomFolder }).catch((e: Error) => {
    if (e instanceof RunInputError) throw new CliError(e.message, 2);
    if (e instanceof RunConflictError) throw new CliError(`${e.message} (another process created it meanwhile); nothing was created, run the backfill again`);
    throw e;
  });
  await recordCliEvent(ctx, 'cli_dag_backfill', {
    dagId,
    extra: { start_date: start.toISOString(), end_date: end.toISOString(), reset_dagruns: Boolean(o.resetDagruns), runs: runIds, ...(conf ? { conf } : {}) },
  });
  printRows(slots.map(slotRow), ['run_id', 'logical_date', 'action'], format);
  notice(format, `Backfill of '${dagId}': ${describe(slots)}.`);
  if (runIds.length === 0) return undefined;
  const live = await liveSchedulers(ctx);
  if (live.length) {
    const j = live[0]!;
    notice(format, `A scheduler is running (job ${j.id}, ${j.hostname} pid ${j.pid}): it runs the backfill. Follow it with: baton dags list-runs -d ${dagId}`);
    return undefined;
  }
  return { runIds };
}

async function runBackfill(config: BatonConfig, dagId: string, runIds: string[], format: OutputFormat): Promise<boolean> {
  notice(format, `No scheduler is running: running ${runIds.length} backfill run(s) here with ${config.parallelism} local worker(s). Ctrl-C stops (the runs stay queued).`);
  const finals = await waitForRuns(config, dagId, runIds, (line) => notice(format, line));
  printRows(finals.map((f) => ({ dag_id: dagId, run_id: f.runId, state: f.state, start_date: f.startDate, end_date: f.endDate })), ['dag_id', 'run_id', 'state', 'start_date', 'end_date'], format);
  const failed = finals.filter((f) => f.state !== 'success');
  notice(format, failed.length ? `Backfill finished: ${failed.length} of ${finals.length} run(s) did not succeed.` : `Backfill finished: all ${finals.length} run(s) succeeded.`);
  return failed.length === 0;
}

function slotRow(s: BackfillSlot) {
  const action = s.action === 'create' ? 'create' : `${s.action} (${s.existing!.runType} run, ${s.existing!.state})`;
  return {
    run_id: s.runId, logical_date: s.info.logicalDate.toISOString(), data_interval_start: s.info.dataInterval.start.toISOString(),
    data_interval_end: s.info.dataInterval.end.toISOString(), action,
  };
}

function describe(slots: BackfillSlot[]): string {
  const n = (a: BackfillSlot['action']) => slots.filter((s) => s.action === a).length;
  return `${n('create')} run(s) to create, ${n('reset')} to reset, ${n('skip')} existing skipped`;
}
