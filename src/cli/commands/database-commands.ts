/**
 * Registers the commands that work on the metadata database: DAG runs, backfill, task
 * instances, pools, variables, connections, configuration and installation info.
 */
import type { Command } from 'commander';
import { registerBackfillCommand } from './backfill-command.ts';
import { registerConnectionCommands } from './connection-commands.ts';
import { registerDagRunCommands } from './dag-run-commands.ts';
import { registerInfoCommands } from './info-commands.ts';
import { registerPoolCommands } from './pool-commands.ts';
import { registerTaskInstanceCommands } from './task-instance-commands.ts';
import { registerXComCommands } from './xcom-commands.ts';
import { registerVariableCommands } from './variable-commands.ts';

export function registerDatabaseCommands(program: Command, dags: Command, tasks: Command): void {
  registerDagRunCommands(dags);
  registerBackfillCommand(dags);
  registerTaskInstanceCommands(tasks);
  registerXComCommands(tasks);
  registerPoolCommands(program);
  registerVariableCommands(program);
  registerConnectionCommands(program);
  registerInfoCommands(program);
}
