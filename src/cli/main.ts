/** The `baton` command line. */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { CliError } from './cli-error.ts';
import { registerDatabaseCommands } from './commands/database-commands.ts';
import { registerFolderDagCommands } from './commands/dags-folder-commands.ts';
import { registerMlCommands } from './commands/ml-commands.ts';
import { registerModelsCommands } from './commands/models-commands.ts';
import { registerRotateFernetKeyCommand } from './commands/rotate-fernet-key-command.ts';
import { registerServiceCommands } from './commands/service-commands.ts';
import { registerTriggererCommand } from './commands/triggerer-command.ts';
import { registerUsersCommands } from './commands/users-commands.ts';
import { registerWebserverCommand } from './commands/webserver-command.ts';

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
  registerTriggererCommand(program);
  registerWebserverCommand(program);
  registerDatabaseCommands(program, dags, tasks);
  registerUsersCommands(program);
  registerRotateFernetKeyCommand(program);
  registerMlCommands(program);
  registerModelsCommands(program);
  return program;
}

export const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<void> {
  // `baton dags list | head` closes the pipe early: stop quietly instead of crashing.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Usage errors (unknown option, missing argument…) exit 2, like other bad arguments.
      process.exitCode = e.exitCode === 0 || e.code === 'commander.help' ? e.exitCode : 2;
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
