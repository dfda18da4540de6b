/** `baton tasks xcoms`: the XComs of a DAG run, as stored (large values read from the file store). */
import type { Command } from 'commander';
import { readXComs } from '../../scheduler/xcom-store.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { parseIntArg } from '../parse-args.ts';
import { requireDag, requireRun, withDb } from './db-context.ts';

export function registerXComCommands(tasks: Command): void {
  tasks
    .command('xcoms <dag_id> <run_id> [task_id]')
    .description('List the XComs of a DAG run (of one task when task_id is given)')
    .option('-k, --key <key>', 'only this key (e.g. return_value)')
    .option('--map-index <n>', 'only this map index')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (dagId: string, runId: string, taskId: string | undefined, o: { key?: string; mapIndex?: string; output: string }) => {
      const format = parseOutputFormat(o.output);
      const mapIndex = o.mapIndex === undefined ? undefined : o.mapIndex === '-1' ? -1 : parseIntArg(o.mapIndex, '--map-index');
      await withDb(async (ctx) => {
        await requireDag(ctx, dagId);
        await requireRun(ctx, dagId, runId);
        const taskIds = taskId
          ? [taskId]
          : (await ctx.db.db.selectFrom('task_instance').select('task_id').distinct().where('dag_id', '=', dagId).where('run_id', '=', runId).execute()).map((r) => r.task_id);
        const rows = await readXComs(ctx.db.db, { folder: ctx.config.xcomFolder, maxInlineBytes: ctx.config.xcomMaxInlineBytes }, { dagId, runId, taskIds, key: o.key ?? null });
        const shown = rows
          .filter((r) => mapIndex === undefined || r.mapIndex === mapIndex)
          .sort((a, b) => a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex || a.key.localeCompare(b.key));
        printRows(
          shown.map((r) => ({ task_id: r.taskId, map_index: r.mapIndex, key: r.key, value: format === 'json' ? r.value : JSON.stringify(r.value) })),
          ['task_id', 'map_index', 'key', 'value'],
          format,
        );
      });
    });
}
