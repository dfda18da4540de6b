/**
 * The triggerer from the command line: `baton triggerer` runs it alone (distributed mode), and
 * `triggererService` runs it inside `baton standalone`, waking the scheduler when a trigger fires.
 */
import type { Command } from 'commander';
import { consoleLogger } from '../../engine/engine.ts';
import { openMigratedDb } from '../../engine/open-db.ts';
import { redactUrl } from '../../store/index.ts';
import { startTriggerer } from '../../triggerer/index.ts';
import { CliError } from '../cli-error.ts';
import { parseIntArg } from '../parse-args.ts';
import type { ExtraServiceFactory } from './extra-services.ts';
import { cliErr, cliOut, loadCliConfig } from '../cli-context.ts';

/** Runs the triggerer beside the scheduler of `baton standalone`, on the engine's database handle. */
export const triggererService: ExtraServiceFactory = {
  async start({ config, engine }) {
    const running = await startTriggerer({ db: engine.db, config, onFire: () => engine.scheduler?.wake(), log: consoleLogger('triggerer: ') });
    // A task that defers in this process reaches the triggerer at once.
    const unsubscribe = engine.scheduler?.onDeferred(() => running.triggerer.wake()) ?? (() => {});
    return {
      name: 'triggerer',
      describe: `job ${running.triggerer.jobId}, built-in triggers (dateTime, fileExists, externalTask)`,
      stop: async () => {
        unsubscribe();
        await running.stop();
      },
    };
  },
};

/** Adds `baton triggerer`. */
export function registerTriggererCommand(program: Command): void {
  program
    .command('triggerer')
    .description('Run the triggerer (the waits of deferred tasks) until Ctrl-C')
    .option('--capacity <n>', 'most triggers to run at once (default 1000)')
    .action(async (o: { capacity?: string }) => {
      const config = loadCliConfig();
      const capacity = o.capacity === undefined ? undefined : parseIntArg(o.capacity, '--capacity', 1)!;
      const db = await openMigratedDb(config).catch((e: Error) => {
        throw new CliError(`could not start: ${e.message}`);
      });
      let running;
      try {
        running = await startTriggerer({ db, config, capacity, log: consoleLogger('triggerer: ') });
      } catch (e) {
        await db.close();
        throw new CliError(`could not start: ${(e as Error).message}`);
      }
      cliOut(`Baton triggerer is running (job ${running.triggerer.jobId})\n  database    : ${redactUrl(config.databaseUrl)}\nPress Ctrl-C to stop.\n`);
      // The triggerer's own timers do not hold the process open.
      const keepAlive = setInterval(() => {}, 1 << 30);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          cliOut(`\n${signal}: stopping the triggerer…\n`);
          void running
            .stop()
            .catch((e: Error) => cliErr(`error while stopping: ${e.message}\n`))
            .then(() => db.close())
            .finally(() => {
              clearInterval(keepAlive);
              cliOut('Baton triggerer stopped.\n');
              resolve();
            });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
