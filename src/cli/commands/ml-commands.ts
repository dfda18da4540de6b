/**
 * `baton ml runs | metrics | artifacts`: what tasks tracked with `ctx.ml`: params and final
 * metrics per try compared across runs, the step-wise history of a task's metrics, and the
 * artifacts tries logged.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { artifactStore } from '../../providers/objectstore/artifacts.ts';
import { compareTries, triesWithMetrics } from '../../providers/ml/tracking/compare.ts';
import { DbTrackingStore } from '../../providers/ml/tracking/db-store.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows, type OutputFormat } from '../output.ts';
import { parseIntArg } from '../parse-args.ts';
import { notice, requireRun, withDb, type DbContext } from './db-context.ts';

/** Metric values in tables are rounded to this many decimals (JSON output is exact). */
const TABLE_DECIMALS = 4;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerMlCommands(program: Command): void {
  const ml = program.command('ml').description('Inspect what tasks tracked with ctx.ml (params, metrics, artifacts)');

  ml.command('runs <dag_id>')
    .description("Compare the DAG's tracked tries: one row per try, a column per param and final metric")
    .option('-r, --run-id <run_id>', 'only this run')
    .option('-m, --metric <name>', 'only this metric, and only tries that logged it (repeatable)', collect)
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (dagId: string, o: { runId?: string; metric?: string[]; output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const tries = await new DbTrackingStore(ctx.db.db).listTries({ dagId, runId: o.runId });
        if (tries.length === 0) await explainEmpty(ctx, dagId, o.runId, format);
        if (format === 'json') {
          const kept = triesWithMetrics(tries, o.metric);
          const only = o.metric && o.metric.length > 0 ? new Set(o.metric) : null;
          const rows = kept.map((t) => ({
            dag_id: t.dagId, run_id: t.runId, task_id: t.taskId, map_index: t.mapIndex, try_number: t.tryNumber, first_logged_at: t.firstLoggedAt,
            params: t.params,
            metrics: only ? Object.fromEntries(Object.entries(t.metrics).filter(([k]) => only.has(k))) : t.metrics,
            artifacts: t.artifacts.map((a) => a.name),
          }));
          printRows(rows, ['dag_id', 'run_id', 'task_id', 'map_index', 'try_number', 'first_logged_at', 'params', 'metrics', 'artifacts'], format);
          return;
        }
        const table = compareTries(tries, { metrics: o.metric, decimals: TABLE_DECIMALS });
        printRows(table.rows, table.columns, format);
      });
    });

  ml.command('metrics <dag_id> <run_id> <task_id>')
    .description("A task's metric values step by step (every try unless --try)")
    .option('--map-index <n>', 'only this map index of a mapped task')
    .option('--try <n>', 'only this try')
    .option('-m, --metric <name>', 'only this metric')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (dagId: string, runId: string, taskId: string, o: { mapIndex?: string; try?: string; metric?: string; output: string }) => {
      const format = parseOutputFormat(o.output);
      const mapIndex = parseIntArg(o.mapIndex, '--map-index', -1);
      const tryNumber = parseIntArg(o.try, '--try', 1);
      await withDb(async (ctx) => {
        const points = await new DbTrackingStore(ctx.db.db).metricHistory({ dagId, runId, taskId, mapIndex, tryNumber, key: o.metric });
        if (points.length === 0) await requireRun(ctx, dagId, runId);
        const mapped = points.some((p) => p.mapIndex >= 0);
        const columns = ['try', ...(mapped ? ['map_index'] : []), 'metric', 'step', 'value', 'timestamp'];
        printRows(points.map((p) => ({ try: p.tryNumber, map_index: p.mapIndex, metric: p.key, step: p.step, value: p.value, timestamp: p.timestamp })), columns, format);
      });
    });

  ml.command('artifacts <dag_id>')
    .description('Artifacts tracked tries logged, with where they are stored')
    .option('-r, --run-id <run_id>', 'only this run')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (dagId: string, o: { runId?: string; output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const store = artifactStore(join(ctx.config.home, 'artifacts'));
        const tries = await new DbTrackingStore(ctx.db.db).listTries({ dagId, runId: o.runId });
        if (tries.length === 0) await explainEmpty(ctx, dagId, o.runId, format);
        const rows = tries.flatMap((t) =>
          t.artifacts.map((a) => ({ run_id: t.runId, task_id: t.taskId, map_index: t.mapIndex, try: t.tryNumber, name: a.name, content_type: a.contentType, size_bytes: a.sizeBytes, url: store.url(a.key) })),
        );
        printRows(rows, ['run_id', 'task_id', 'map_index', 'try', 'name', 'content_type', 'size_bytes', 'url'], format);
      });
    });
}

/** Fails for an unknown DAG or run; for a known one, says (on a table) that nothing was tracked. */
async function explainEmpty(ctx: DbContext, dagId: string, runId: string | undefined, format: OutputFormat): Promise<void> {
  const dag = await ctx.db.db.selectFrom('dag').select('dag_id').where('dag_id', '=', dagId).executeTakeFirst();
  if (!dag) throw new CliError(`DAG '${dagId}' is not in the database and has no tracked tries; see \`baton dags list\``);
  if (runId !== undefined) await requireRun(ctx, dagId, runId);
  notice(format, `Nothing tracked yet for DAG '${dagId}'${runId ? ` run '${runId}'` : ''}: tasks record params, metrics and artifacts with ctx.ml.`);
}
