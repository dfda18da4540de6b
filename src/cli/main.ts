/**
 * The `baton` command line. Each top-level command's module is imported only when that command
 * runs (or when help lists every command), so a command starts without loading the rest of
 * Baton: `baton version` loads nothing but this file.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { CliError } from './cli-error.ts';
import { cliContext, cliErr, cliOut, processCliContext, withCliContext, type CliContext } from './cli-context.ts';

export const VERSION = '0.1.0';

/** The parents commands attach to: the program and its `dags` and `tasks` groups. */
interface CommandRoots {
  program: Command;
  dags: Command;
  tasks: Command;
}
type Registrar = (roots: CommandRoots) => void;

const folderDags: () => Promise<Registrar> = async () => {
  const m = await import('./commands/dags-folder-commands.ts');
  return ({ dags, tasks }) => m.registerFolderDagCommands(dags, tasks, { dagsListFromFolder: true });
};
const dagRuns: () => Promise<Registrar> = async () => {
  const [runs, backfill] = await Promise.all([import('./commands/dag-run-commands.ts'), import('./commands/backfill-command.ts')]);
  return ({ dags }) => {
    runs.registerDagRunCommands(dags);
    backfill.registerBackfillCommand(dags);
  };
};
const taskInstances: () => Promise<Registrar> = async () => {
  const [tis, xcoms] = await Promise.all([import('./commands/task-instance-commands.ts'), import('./commands/xcom-commands.ts')]);
  return ({ tasks }) => {
    tis.registerTaskInstanceCommands(tasks);
    xcoms.registerXComCommands(tasks);
  };
};
const onProgram = <M>(load: () => Promise<M>, register: (m: M, program: Command) => void) => async (): Promise<Registrar> => {
  const m = await load();
  return ({ program }) => register(m, program);
};
const services = onProgram(() => import('./commands/service-commands.ts'), (m, p) => m.registerServiceCommands(p));
const webserver = onProgram(() => import('./commands/webserver-command.ts'), (m, p) => m.registerWebserverCommand(p));
const info = onProgram(() => import('./commands/info-commands.ts'), (m, p) => m.registerInfoCommands(p));

/** For each top-level command, the modules that register it (and its subcommands). */
const COMMANDS: Record<string, Array<() => Promise<Registrar>>> = {
  dags: [folderDags, dagRuns],
  tasks: [folderDags, taskInstances],
  standalone: [services],
  scheduler: [services],
  db: [services],
  jobs: [onProgram(() => import('./commands/jobs-command.ts'), (m, p) => m.registerJobsCommand(p))],
  'api-server': [webserver],
  worker: [onProgram(() => import('./commands/worker-command.ts'), (m, p) => m.registerWorkerCommand(p))],
  triggerer: [onProgram(() => import('./commands/triggerer-command.ts'), (m, p) => m.registerTriggererCommand(p))],
  webserver: [webserver],
  pools: [onProgram(() => import('./commands/pool-commands.ts'), (m, p) => m.registerPoolCommands(p))],
  variables: [onProgram(() => import('./commands/variable-commands.ts'), (m, p) => m.registerVariableCommands(p))],
  connections: [onProgram(() => import('./commands/connection-commands.ts'), (m, p) => m.registerConnectionCommands(p))],
  config: [info],
  info: [info],
  users: [onProgram(() => import('./commands/users-commands.ts'), (m, p) => m.registerUsersCommands(p))],
  'rotate-fernet-key': [onProgram(() => import('./commands/rotate-fernet-key-command.ts'), (m, p) => m.registerRotateFernetKeyCommand(p))],
  ml: [onProgram(() => import('./commands/ml-commands.ts'), (m, p) => m.registerMlCommands(p))],
  models: [onProgram(() => import('./commands/models-commands.ts'), (m, p) => m.registerModelsCommands(p))],
};

/** Subcommands that only read the DAGs folder: they need neither the database nor the engine. */
const FOLDER_ONLY: Record<string, readonly string[]> = {
  dags: ['list', 'list-import-errors', 'show', 'test'],
  tasks: ['list', 'test'],
};

/**
 * The program with the commands `argv` needs: those of its top-level command, or all of them
 * when it names none that is known (help, a mistyped command).
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('baton')
    .description('Baton: typed, fast orchestration of data and ML pipelines')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  if (cliContext() !== processCliContext()) {
    // Help and usage errors go where the command's other output goes; like a pipe, without colors.
    program.configureOutput({
      writeOut: (s) => cliOut(s),
      writeErr: (s) => cliErr(s),
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  }
  program
    .command('version')
    .description('Show the version of Baton')
    .action(() => {
      cliOut(`${VERSION}\n`);
    });
  const dags = program.command('dags').description('Manage and run DAGs');
  const tasks = program.command('tasks').description('Inspect and run tasks');
  const [first, second] = argv.slice(2).filter((a) => !a.startsWith('-'));
  if (first === 'version' || (!first && argv.slice(2).some((a) => a === '--version' || a === '-V'))) return program;
  const folderOnly = first !== undefined && second !== undefined && Object.hasOwn(FOLDER_ONLY, first) && FOLDER_ONLY[first]!.includes(second);
  const loaders = folderOnly ? [folderDags] : first && Object.hasOwn(COMMANDS, first) ? COMMANDS[first]! : [...new Set(Object.values(COMMANDS).flat())];
  const registrars = await Promise.all([...new Set(loaders)].map((load) => load()));
  for (const register of registrars) register({ program, dags, tasks });
  return program;
}

/** `baton` as a program: argv is process.argv; ends with the command's exit code in process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  // `baton dags list | head` closes the pipe early: stop quietly instead of crashing.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.exitCode = await execute(argv);
}

export interface RunCliOptions {
  /** Receives what the command writes to stdout (default: dropped). */
  stdout?: (chunk: string | Uint8Array) => void;
  /** Receives what the command writes to stderr (default: dropped). */
  stderr?: (chunk: string | Uint8Array) => void;
  /** The environment the command reads its configuration from (default: a copy of process.env). */
  env?: NodeJS.ProcessEnv;
  /** The working folder relative settings are resolved against (default: process.cwd()). */
  cwd?: string;
}

/**
 * Runs `baton <args>` in this process and resolves to its exit code, as the program would
 * exit, without ending the process or touching process.exitCode, process.env or the process's
 * stdout and stderr. Each call builds its own program; the database handles a command opens
 * are closed when it returns. For commands that finish (not `scheduler`, `webserver`, `worker`
 * and the other services that run until a signal). An unexpected error is written to stderr
 * with its stack, and the code is 1, like an uncaught exception in the program.
 *
 * The processes a command starts (DAG parsing, local workers) get `env`. Task code that
 * `dags test` and `tasks test` run in this process itself still sees this process's
 * process.env (a bash task's environment, for one). Commands run one after the other: with
 * SQLite, two commands writing at once in one thread would wait on each other's locks.
 */
export async function runCli(args: readonly string[], o: RunCliOptions = {}): Promise<number> {
  const ignore = () => {};
  const ctx: CliContext = { stdout: o.stdout ?? ignore, stderr: o.stderr ?? ignore, env: o.env ?? { ...process.env }, cwd: o.cwd ?? process.cwd() };
  return withCliContext(ctx, async () => {
    try {
      return await execute([process.execPath, 'baton', ...args]);
    } catch (e) {
      cliErr(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return 1;
    }
  });
}

/** Parses and runs argv in the current CLI context; resolves to the exit code. */
async function execute(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Usage errors (unknown option, missing argument…) exit 2, like other bad arguments.
      return e.exitCode === 0 || e.code === 'commander.help' ? e.exitCode : 2;
    }
    if (e instanceof CliError || e instanceof ConfigError) {
      cliErr(`error: ${e.message}\n`);
      return e instanceof CliError ? e.exitCode : 2;
    }
    throw e;
  }
  return cliContext().exitCode ?? 0;
}
