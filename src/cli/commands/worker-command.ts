/**
 * `baton worker`: runs the tries schedulers dispatch through BullMQ (BATON_EXECUTOR=bullmq), on
 * this machine, until SIGINT/SIGTERM. See docs/deployment.md.
 */
import type { Command } from 'commander';
import { BatonWorker } from '../../executors/bullmq/index.ts';
import { maskRedisUrl } from '../../executors/bullmq/redis-connection.ts';
import { redactUrl } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { untilSignal } from '../until-signal.ts';
import { parseIntArg } from '../parse-args.ts';
import { cliOut, loadCliConfig } from '../cli-context.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run tries dispatched through Redis (BATON_EXECUTOR=bullmq) on this machine until Ctrl-C or SIGTERM')
    .option('-q, --queues <names>', 'comma-separated queues to take tries from (default: default)')
    .option('-c, --concurrency <n>', 'tries run at once, each in its own worker process (default BATON_PARALLELISM)')
    .option('--hostname <name>', 'host name recorded on each try (default: this machine\'s)')
    .option('--grace <seconds>', 'on SIGTERM, how long running tries may take to finish before they are stopped (default 30)')
    .action(async (o: { queues?: string; concurrency?: string; hostname?: string; grace?: string }) => {
      const config = loadCliConfig();
      const queues = o.queues?.split(',').map((q) => q.trim()).filter(Boolean);
      const concurrency = o.concurrency === undefined ? undefined : parseIntArg(o.concurrency, '--concurrency', 1)!;
      const graceMs = (o.grace === undefined ? 30 : parseIntArg(o.grace, '--grace', 0)!) * 1000;
      let worker: BatonWorker;
      try {
        worker = new BatonWorker({ config, queues, concurrency, hostname: o.hostname });
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      try {
        await worker.start();
      } catch (e) {
        await worker.stop(0).catch(() => {});
        throw new CliError(`could not start: ${(e as Error).message}`);
      }
      cliOut(
        [
          `Baton worker is running on ${worker.hostname}`,
          `  queues      : ${worker.queues.join(', ')}`,
          `  concurrency : ${worker.concurrency}`,
          `  redis       : ${maskRedisUrl(config.redisUrl)}`,
          `  database    : ${redactUrl(config.databaseUrl)}`,
          'Press Ctrl-C to stop.',
        ].join('\n') + '\n',
      );
      await untilSignal({
        stopping: (signal) => `${signal}: stopping; running tries get ${graceMs / 1000} s to finish, tries not started go back to their queue…`,
        stop: () => worker.stop(graceMs),
        stopped: 'Baton worker stopped.',
      });
    });
}
