/**
 * `baton dags list-runs | trigger | state | pause | unpause | delete`: DAGs and their runs in
 * the metadata database.
 */
import type { Command } from 'commander';
import { isDagRunState, ALL_DAG_RUN_STATES } from '../../core/states.ts';
import { createDagRun, RunConflictError, RunInputError } from '../../scheduler/create-run.ts';
import { deleteDag } from '../../scheduler/delete-dag.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { parseConf, parseDateArg } from '../parse-args.ts';
import { liveSchedulers, notice, recordCliEvent, requireDag, requireRun, withDb } from './db-context.ts';
import { cliOut } from '../cli-context.ts';

const RUN_COLUMNS = ['dag_id', 'run_id', 'state', 'run_type', 'logical_date', 'start_date', 'end_date'];

export function registerDagRunCommands(dags: Command): void {
  dags
    .command('list-runs')
    .description('List the runs of a DAG, newest logical date first')
    .requiredOption('-d, --dag-id <dag_id>', 'the DAG')
    .option('--state <state>', `only runs in this state (${ALL_DAG_RUN_STATES.join(', ')})`)
    .option('-s, --start-date <date>', 'only runs with a logical date at or after this date')
    .option('-e, --end-date <date>', 'only runs with a logical date at or before this date')
    .option('--no-backfill', 'leave out backfill runs')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { dagId: string; state?: string; startDate?: string; endDate?: string; backfill: boolean; output: string }) => {
      const format = parseOutputFormat(o.output);
      if (o.state !== undefined && !isDagRunState(o.state)) throw new CliError(`--state must be one of ${ALL_DAG_RUN_STATES.join(', ')} (got ${JSON.stringify(o.state)})`, 2);
      const start = parseDateArg(o.startDate, '--start-date');
      const end = parseDateArg(o.endDate, '--end-date');
      await withDb(async (ctx) => {
        await requireDag(ctx, o.dagId);
        let q = ctx.db.db.selectFrom('dag_run').selectAll().where('dag_id', '=', o.dagId);
        if (o.state !== undefined && isDagRunState(o.state)) q = q.where('state', '=', o.state);
        if (start) q = q.where('logical_date', '>=', start.toISOString());
        if (end) q = q.where('logical_date', '<=', end.toISOString());
        if (!o.backfill) q = q.where('run_type', '!=', 'backfill');
        const rows = await q.orderBy('logical_date', 'desc').execute();
        printRows(rows, RUN_COLUMNS, format);
      });
    });

  dags
    .command('trigger <dag_id>')
    .description('Create a manual run of a DAG; the scheduler runs it')
    .option('-c, --conf <json>', 'JSON object passed as the run conf (validated against the params)')
    .option('-r, --run-id <id>', 'run id (default manual__<logical date>)')
    .option('-e, --exec-date <date>', 'logical date of the run (default now)')
    .option('-l, --logical-date <date>', 'same as --exec-date')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (dagId: string, o: { conf?: string; runId?: string; execDate?: string; logicalDate?: string; output: string }) => {
      const format = parseOutputFormat(o.output);
      const conf = parseConf(o.conf);
      if (o.execDate !== undefined && o.logicalDate !== undefined) throw new CliError('give either --exec-date or --logical-date, not both', 2);
      const logicalDate = parseDateArg(o.execDate ?? o.logicalDate, 'logical date');
      await withDb(async (ctx) => {
        const { row, dag } = await requireDag(ctx, dagId);
        const created = await ctx.db.db
          .transaction()
          .execute((trx) => createDagRun(trx, { dag, runType: 'manual', runId: o.runId, logicalDate, conf, externalTrigger: true }))
          .catch((e: Error) => {
            if (e instanceof RunInputError) throw new CliError(e.message, 2);
            if (e instanceof RunConflictError) throw new CliError(e.message, 1);
            throw e;
          });
        await recordCliEvent(ctx, 'cli_dag_trigger', { dagId, runId: created.runId, extra: { conf, logical_date: created.logicalDate.toISOString() } });
        const run = await ctx.db.db.selectFrom('dag_run').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
        printRows([run], [...RUN_COLUMNS.filter((c) => c !== 'start_date' && c !== 'end_date'), 'data_interval_start', 'data_interval_end', 'conf'], format);
        if (row.is_paused) notice(format, `DAG '${dagId}' is paused: the run stays queued until it is unpaused (baton dags unpause ${dagId}).`);
        else if ((await liveSchedulers(ctx)).length === 0) notice(format, 'No scheduler is running: the run stays queued until one starts (baton scheduler, or baton standalone).');
      });
    });

  dags
    .command('state <dag_id> <run_id_or_logical_date>')
    .description("Print the state of a DAG run, found by run id or logical date (and its conf when it has one)")
    .action(async (dagId: string, which: string) => {
      let date: Date | undefined;
      try {
        date = parseDateArg(which);
      } catch {
        date = undefined;
      }
      await withDb(async (ctx) => {
        await requireDag(ctx, dagId);
        const run = await requireRun(ctx, dagId, which, date);
        const conf = JSON.parse(run.conf) as Record<string, unknown>;
        cliOut(`${run.state}${Object.keys(conf).length ? `, ${JSON.stringify(conf)}` : ''}\n`);
      });
    });

  for (const paused of [true, false]) {
    const verb = paused ? 'pause' : 'unpause';
    dags
      .command(`${verb} <dag_id>`)
      .description(paused ? 'Pause a DAG: the scheduler creates and starts no runs of it' : 'Unpause a DAG: the scheduler creates and runs its runs again')
      .action(async (dagId: string) => {
        await withDb(async (ctx) => {
          const { row } = await requireDag(ctx, dagId);
          await ctx.db.db.updateTable('dag').set({ is_paused: paused ? 1 : 0 }).where('dag_id', '=', dagId).execute();
          await recordCliEvent(ctx, `cli_dag_${verb}`, { dagId, extra: { was_paused: Boolean(row.is_paused) } });
          cliOut(`Dag: ${dagId}, paused: ${paused}\n`);
        });
      });
  }

  dags
    .command('delete <dag_id>')
    .description('Delete every record of a DAG: its runs, task instances, XComs and the DAG itself (the event log is kept)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (dagId: string, o: { yes?: boolean }) => {
      await withDb(async (ctx) => {
        const { row } = await requireDag(ctx, dagId, { sync: false });
        if (!o.yes) {
          const runs = await ctx.db.db.selectFrom('dag_run').select((eb) => eb.fn.countAll<number>().as('n')).where('dag_id', '=', dagId).executeTakeFirstOrThrow();
          throw new CliError(`dags delete removes DAG '${dagId}' and its ${Number(runs.n)} run(s) with their task instances and XComs: run again with -y to confirm; nothing was deleted`, 2);
        }
        const deleted = await deleteDag(ctx.db.db, dagId, { folder: ctx.config.xcomFolder });
        if (!deleted) throw new CliError(`DAG '${dagId}' was not found in the database (deleted meanwhile?)`);
        await recordCliEvent(ctx, 'cli_dag_delete', { dagId, extra: { rows: deleted.rows, runs: deleted.runs } });
        cliOut(`Removed ${deleted.rows} record(s) of DAG '${dagId}' (${deleted.runs} run(s)).\n`);
        if (row.is_active) cliOut(`Its file ${row.fileloc} is still in the DAGs folder: the DAG comes back, without its history, the next time the folder is parsed.\n`);
      });
    });
}
