/**
 * `baton tasks states-for-dag-run | logs | clear`: task instances in the metadata database.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { selectTaskIds } from '../../scheduler/clear-tasks.ts';
import { allCandidates, clearAcrossDags, findTaskInstancesToClearAcrossDags, RecursiveClearError } from '../../scheduler/recursive-clear.ts';
import { tryLogPath } from '../../scheduler/log-path.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { parseDateArg, parseIntArg } from '../parse-args.ts';
import { lookupSerializedDag, notice, recordCliEvent, requireDag, requireRun, withDb } from './db-context.ts';
import { cliOut } from '../cli-context.ts';

interface ClearOptions {
  taskRegex?: string;
  startDate?: string;
  endDate?: string;
  onlyFailed?: boolean;
  downstream?: boolean;
  upstream?: boolean;
  /** -x: do not follow ExternalTaskMarkers. */
  excludeSubdags?: boolean;
  yes?: boolean;
  output: string;
}

export function registerTaskInstanceCommands(tasks: Command): void {
  tasks
    .command('states-for-dag-run <dag_id> <run_id>')
    .description('List the task instances of a DAG run and their states')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (dagId: string, runId: string, o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        await requireDag(ctx, dagId);
        await requireRun(ctx, dagId, runId);
        const rows = await ctx.db.db
          .selectFrom('task_instance')
          .select(['task_id', 'map_index', 'state', 'try_number', 'start_date', 'end_date', 'duration'])
          .where('dag_id', '=', dagId)
          .where('run_id', '=', runId)
          .orderBy('task_id')
          .orderBy('map_index')
          .execute();
        printRows(rows, ['task_id', 'map_index', 'state', 'try_number', 'start_date', 'end_date', 'duration'], format);
      });
    });

  tasks
    .command('logs <dag_id> <run_id> <task_id>')
    .description("Print the log of a task instance's try (default: its latest try)")
    .option('--try <n>', 'try number (1 is the first attempt)')
    .option('--map-index <n>', 'map index of a mapped task instance', '-1')
    .action(async (dagId: string, runId: string, taskId: string, o: { try?: string; mapIndex: string }) => {
      const tryArg = parseIntArg(o.try, '--try', 1);
      const mapIndex = parseIntArg(o.mapIndex, '--map-index', -1)!;
      const path = await withDb(async (ctx) => {
        const { dag } = await requireDag(ctx, dagId);
        await requireRun(ctx, dagId, runId);
        if (!dag.tasks.some((t) => t.taskId === taskId)) {
          throw new CliError(`DAG '${dagId}' has no task '${taskId}'; its tasks: ${dag.tasks.map((t) => t.taskId).join(', ')}`);
        }
        const tis = await ctx.db.db
          .selectFrom('task_instance')
          .select(['map_index', 'state', 'try_number'])
          .where('dag_id', '=', dagId)
          .where('run_id', '=', runId)
          .where('task_id', '=', taskId)
          .orderBy('map_index')
          .execute();
        const ti = tis.find((t) => t.map_index === mapIndex);
        if (!ti) {
          const indexes = tis.map((t) => t.map_index);
          if (mapIndex === -1 && indexes.length) throw new CliError(`task '${taskId}' is mapped in run '${runId}': pass --map-index (one of ${indexes.slice(0, 10).join(', ')}${indexes.length > 10 ? ', …' : ''})`, 2);
          throw new CliError(`run '${runId}' has no task instance '${taskId}' with map index ${mapIndex}${indexes.length ? ` (map indexes: ${indexes.join(', ')})` : ''}`);
        }
        const tryNumber = tryArg ?? ti.try_number;
        if (tryNumber < 1) throw new CliError(`task '${taskId}' of run '${runId}' has not run yet (state ${ti.state}): there is no log`);
        return tryLogPath(ctx.config.logsFolder, { dagId, runId, taskId, mapIndex, tryNumber });
      });
      if (!existsSync(path)) throw new CliError(`no log for that try: ${path} does not exist`);
      cliOut(readFileSync(path));
    });

  tasks
    .command('clear <dag_id>')
    .description('Clear task instances so the scheduler runs them again (lists them and changes nothing without -y)')
    .option('-t, --task-regex <regex>', 'only tasks whose id matches this regular expression')
    .option('-s, --start-date <date>', 'only runs with a logical date at or after this date')
    .option('-e, --end-date <date>', 'only runs with a logical date at or before this date')
    .option('-f, --only-failed', 'only failed and upstream_failed task instances')
    .option('-d, --downstream', 'also the tasks downstream of the matched tasks')
    .option('-u, --upstream', 'also the tasks upstream of the matched tasks')
    .option('-x, --exclude-subdags', 'do not follow ExternalTaskMarkers to the task instances of other DAGs')
    .option('-y, --yes', 'clear without asking for confirmation')
    .option('-o, --output <format>', 'table, json or plain (the list of task instances)', 'table')
    .action(async (dagId: string, o: ClearOptions) => {
      const format = parseOutputFormat(o.output);
      let taskRegex: RegExp | undefined;
      try {
        taskRegex = o.taskRegex === undefined ? undefined : new RegExp(o.taskRegex);
      } catch (e) {
        throw new CliError(`--task-regex is not a valid regular expression: ${(e as Error).message}`, 2);
      }
      const start = parseDateArg(o.startDate, '--start-date');
      const end = parseDateArg(o.endDate, '--end-date');
      await withDb(async (ctx) => {
        const { dag } = await requireDag(ctx, dagId);
        const filter = { taskRegex, start, end, onlyFailed: o.onlyFailed, downstream: o.downstream, upstream: o.upstream };
        if (taskRegex && selectTaskIds(dag, filter).length === 0) {
          throw new CliError(`no task of DAG '${dagId}' matches --task-regex ${JSON.stringify(o.taskRegex)}; its tasks: ${dag.tasks.map((t) => t.taskId).join(', ')}`);
        }
        let groups;
        try {
          groups = await findTaskInstancesToClearAcrossDags(ctx.db.db, (id) => lookupSerializedDag(ctx, id), dag, filter, { recursive: !o.excludeSubdags });
        } catch (e) {
          if (e instanceof RecursiveClearError) throw new CliError(e.message);
          throw e;
        }
        const tis = allCandidates(groups);
        if (tis.length === 0) {
          notice(format, 'No task instances match: nothing to clear.');
          if (format === 'json') printRows([], [], format);
          return;
        }
        const columns = ['dag_id', 'run_id', 'task_id', 'map_index', 'state', 'try_number'];
        printRows(tis.map((t) => ({ dag_id: t.dagId, run_id: t.runId, task_id: t.taskId, map_index: t.mapIndex, state: t.state, try_number: t.tryNumber })), columns, format);
        if (!o.yes) {
          notice(format, `Nothing was cleared: run again with -y to clear these ${tis.length} task instance(s).`);
          return;
        }
        const result = await clearAcrossDags(ctx.db.db, groups, { xcomFolder: ctx.config.xcomFolder });
        const external = groups.slice(1).filter((g) => g.tis.length).map((g) => g.dag.dagId);
        await recordCliEvent(ctx, 'cli_task_clear', {
          dagId,
          extra: {
            task_regex: o.taskRegex ?? null, start_date: start?.toISOString() ?? null, end_date: end?.toISOString() ?? null,
            only_failed: Boolean(o.onlyFailed), downstream: Boolean(o.downstream), upstream: Boolean(o.upstream), exclude_subdags: Boolean(o.excludeSubdags), cleared: result.cleared.length,
            ...(external.length ? { external_dags: external } : {}),
          },
        });
        notice(format, `Cleared ${result.cleared.length} task instance(s); ${result.requeuedRuns.length} finished run(s) set back to queued.`);
        if (result.active.length) notice(format, `Left ${result.active.length} queued or running task instance(s) alone: clear them once they finish.`);
      });
    });
}
