/** The `baton` command line. */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { CliError } from './cli-error.ts';
import { registerFolderDagCommands } from './commands/dags-folder-commands.ts';
import { registerServiceCommands } from './commands/service-commands.ts';

export function buildProgram(): Command {
  const program = new Command('baton')
    .description('Baton: typed, fast orchestration of data and ML pipelines')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  const dags = program.command('dags').description('Manage and run DAGs');
  const tasks = program.command('tasks').description('Inspect and run tasks');
  registerFolderDagCommands(dags, tasks, { dagsListFromFolder: true });
  registerServiceCommands(program);
  return program;
}

export const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    if (e instanceof CliError || e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e instanceof CliError ? e.exitCode : 2;
      return;
    }
    throw e;
  }
}
