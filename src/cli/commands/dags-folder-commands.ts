/**
 * `baton dags list | show | list-import-errors | test` and `baton tasks list | test`: commands
 * that read the DAGs folder directly (no scheduler, no database server).
 */
import type { Command } from 'commander';
import { describeSchedule } from '../../core/timetable/schedule.ts';
import { CliError } from '../cli-error.ts';
import { loadLiveDag, readDagFolder } from '../dag-folder.ts';
import { renderDot, renderTextGraph } from '../dag-graph-text.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { parseConf, parseDateArg, parseIntArg } from '../parse-args.ts';
import { readPausedFlags } from './paused-flags.ts';
import { cliEnv, cliErr, cliOut, loadCliConfig, setCliExitCode } from '../cli-context.ts';

export function registerFolderDagCommands(dags: Command, tasks: Command, opts: { dagsListFromFolder: boolean }): void {
  if (opts.dagsListFromFolder) {
    dags
      .command('list')
      .description('List the DAGs found in the DAGs folder')
      .option('-o, --output <format>', 'table, json or plain', 'table')
      .action(async (o: { output: string }) => {
        const format = parseOutputFormat(o.output);
        const config = loadCliConfig();
        const [folder, paused] = await Promise.all([readDagFolder(config), readPausedFlags(config)]);
        printRows(folder.dags.map((d) => ({ dag_id: d.dagId, fileloc: d.fileloc, owners: d.owners.join(','), schedule: describeSchedule(d.schedule), tags: d.tags.join(','), is_paused: paused?.get(d.dagId) })), ['dag_id', 'fileloc', 'owners', 'schedule', 'tags', 'is_paused'], format);
        if (folder.errors.length && format === 'table') cliErr(`${folder.errors.length} file(s) failed to import; see \`baton dags list-import-errors\`.\n`);
      });
  }

  dags
    .command('list-import-errors')
    .description('List files in the DAGs folder that failed to import')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      const folder = await readDagFolder(loadCliConfig());
      printRows(folder.errors.map((e) => ({ filepath: e.file, line: e.line, error: e.message })), ['filepath', 'line', 'error'], format);
    });

  dags
    .command('show <dag_id>')
    .description('Show the tasks of a DAG and their dependencies as text (or Graphviz with --dot)')
    .option('--dot', 'print Graphviz DOT instead of text')
    .action(async (dagId: string, o: { dot?: boolean }) => {
      const folder = await readDagFolder(loadCliConfig());
      const d = folder.dags.find((x) => x.dagId === dagId);
      if (!d) throw new CliError(`DAG '${dagId}' was not found; known DAGs: ${folder.dags.map((x) => x.dagId).join(', ') || '(none)'}`);
      cliOut(o.dot ? renderDot(d) : renderTextGraph(d));
    });

  dags
    .command('test <dag_id> [logical_date]')
    .description('Run one DAG run in this process, task by task, printing each state and log line')
    .option('-c, --conf <json>', 'JSON object passed as the run conf (overrides params)')
    .option('--run-id <id>', 'run id (default manual__<logical date>)')
    .option('--fast-retries', 'do not wait out retry and reschedule delays')
    .action(async (dagId: string, date: string | undefined, o: { conf?: string; runId?: string; fastRetries?: boolean }) => {
      const conf = parseConf(o.conf);
      const logicalDate = parseDateArg(date);
      const { dag, serialized } = await loadLiveDag(loadCliConfig(), dagId);
      const { runDagLocally } = await import('../../runner/local-dag-run.ts');
      const result = await runDagLocally({ dag, serialized, conf, logicalDate, runId: o.runId, fastRetries: o.fastRetries, print: (l) => cliOut(`${l}\n`), env: cliEnv() }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      setCliExitCode(result.state === 'success' ? 0 : 1);
    });

  tasks
    .command('list <dag_id>')
    .description('List the tasks of a DAG')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (dagId: string, o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      const folder = await readDagFolder(loadCliConfig());
      const d = folder.dags.find((x) => x.dagId === dagId);
      if (!d) throw new CliError(`DAG '${dagId}' was not found; known DAGs: ${folder.dags.map((x) => x.dagId).join(', ') || '(none)'}`);
      printRows(d.tasks.map((t) => ({ task_id: t.taskId, operator: t.operator, trigger_rule: t.triggerRule, upstream: t.upstream.join(','), mapped: Boolean(t.mapped) })), ['task_id', 'operator', 'trigger_rule', 'upstream', 'mapped'], format);
    });

  tasks
    .command('test <dag_id> <task_id> [logical_date]')
    .description('Run one task alone, ignoring its dependencies and storing nothing')
    .option('-c, --conf <json>', 'JSON object passed as the run conf')
    .option('--map-index <n>', 'map index for a mapped task', '-1')
    .action(async (dagId: string, taskId: string, date: string | undefined, o: { conf?: string; mapIndex: string }) => {
      const conf = parseConf(o.conf);
      const logicalDate = parseDateArg(date) ?? new Date();
      const mapIndex = o.mapIndex === '-1' ? -1 : parseIntArg(o.mapIndex, '--map-index')!;
      const { dag, serialized } = await loadLiveDag(loadCliConfig(), dagId);
      const sTask = serialized.tasks.find((t) => t.taskId === taskId);
      if (!sTask) throw new CliError(`DAG '${dagId}' has no task '${taskId}'; its tasks: ${serialized.tasks.map((t) => t.taskId).join(', ')}`);
      const [{ resolveParams }, { inferManualDataInterval }] = await Promise.all([import('../../core/params.ts'), import('../../core/timetable/index.ts')]);
      const params = resolveParams(serialized.params, conf);
      if (!params.ok) throw new CliError(`invalid params: ${params.errors.join('; ')}`);
      const interval = inferManualDataInterval(serialized.schedule, serialized.timezone, logicalDate);
      const [{ runTry }, { envConnection, envConnections, envVariable, envVariables }] = await Promise.all([import('../../runner/run-try.ts'), import('../../runner/env-secrets.ts')]);
      const env = cliEnv();
      const line = (level: string) => (m: string) => cliOut(`${new Date().toISOString()} ${level.padEnd(5)} ${m}\n`);
      const result = await runTry({
        dag, serialized, taskId, mapIndex, tryNumber: 1, maxTries: 0, params: params.params,
        run: { runId: `__baton_task_test__${logicalDate.toISOString()}`, runType: 'manual', logicalDate, dataIntervalStart: interval.start, dataIntervalEnd: interval.end, conf, externalTrigger: true },
        services: {
          pullXComs: async () => [],
          getVariable: async (k) => envVariable(k, env),
          listVariables: async () => envVariables(env),
          getConnection: async (id) => envConnection(id, env),
          listConnections: async () => envConnections(env),
        },
        log: { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR') },
      });
      for (const x of result.xcoms) cliOut(`XCom ${x.key} = ${x.value}\n`);
      cliOut(`Task ${taskId}: ${result.state}\n`);
      setCliExitCode(result.state === 'success' || result.state === 'skipped' ? 0 : 1);
    });
}
