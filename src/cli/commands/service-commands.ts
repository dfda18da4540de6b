/**
 * Long-running commands: `baton standalone` (everything in one process), `baton scheduler`,
 * and database maintenance: `baton db migrate | reset`.
 */
import type { Command } from 'commander';
import { type BatonConfig } from '../../config.ts';
import { startEngine, type Engine } from '../../engine/engine.ts';
import { openMigratedDb } from '../../engine/open-db.ts';
import { fernetKeyRing, warnUnencrypted } from '../../security/keys.ts';
import { describeStandaloneSecurity, prepareStandalone } from '../../security/standalone.ts';
import { migrateToLatest, openDatabase, redactUrl, resetDatabase } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { untilSignal } from '../until-signal.ts';
import { maskRedisUrl } from '../../executors/bullmq/redis-connection.ts';
import { parseIntArg } from '../parse-args.ts';
import { extraServices, type ExtraService } from './extra-services.ts';
import { cliWarnings, cliOut, loadCliConfig } from '../cli-context.ts';

export function registerServiceCommands(program: Command): void {
  program
    .command('standalone')
    .description('Run everything in one process: migrate the database, load the DAGs folder, run the scheduler, triggerer and workers until Ctrl-C')
    .option('-p, --port <port>', 'port of the web server and REST API (default BATON_PORT or 8080)')
    .action(async (o: { port?: string }) => {
      const config = loadCliConfig();
      if (o.port !== undefined) config.port = parseIntArg(o.port, '--port', 0)!;
      // First start: an encryption key in BATON_HOME and an admin user (password printed once).
      const handle = await openMigratedDb(config).catch((e: Error) => {
        throw new CliError(`could not start: ${e.message}`);
      });
      try {
        for (const line of describeStandaloneSecurity(await prepareStandalone(handle.db, config))) cliOut(`${line}\n`);
      } finally {
        await handle.close();
      }
      await runUntilSignal(config, 'standalone', true);
    });

  program
    .command('scheduler')
    .description('Run the scheduler (with its local workers) until Ctrl-C')
    .action(async () => {
      const config = loadCliConfig();
      if (fernetKeyRing(config) === null) {
        const w = cliWarnings();
        warnUnencrypted(w.warn, w.warnScope);
      }
      await runUntilSignal(config, 'scheduler', false);
    });

  const db = program.command('db').description('Manage the metadata database');
  db.command('migrate')
    .description('Create or upgrade the database schema (safe to run again)')
    .action(async () => {
      const config = loadCliConfig();
      const handle = await openDatabase({ url: config.databaseUrl }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      try {
        const applied = await migrateToLatest(handle.db);
        cliOut(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'Database is up to date.\n');
        cliOut(`Database: ${redactUrl(config.databaseUrl)}\n`);
      } finally {
        await handle.close();
      }
    });
  db.command('reset')
    .description('Drop every table and recreate the schema (all data is lost)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (o: { yes?: boolean }) => {
      if (!o.yes) throw new CliError('db reset deletes all data: run again with --yes to confirm', 2);
      const config = loadCliConfig();
      const handle = await openDatabase({ url: config.databaseUrl }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      try {
        await resetDatabase(handle.db);
        cliOut(`Database reset: ${redactUrl(config.databaseUrl)}\n`);
      } finally {
        await handle.close();
      }
    });
  db.command('check')
    .description('Check that the database answers and its schema is current')
    .action(async () => {
      const config = loadCliConfig();
      const handle = await openMigratedDb(config).catch((e: Error) => {
        throw new CliError(e.message);
      });
      await handle.close();
      cliOut(`OK: ${redactUrl(config.databaseUrl)}\n`);
    });
}

async function runUntilSignal(config: BatonConfig, mode: 'standalone' | 'scheduler', withExtras: boolean): Promise<void> {
  const t0 = Date.now();
  let engine: Engine;
  try {
    // A scheduler started before its database (or during a restart) waits for it.
    engine = await startEngine({ config, waitForDatabase: mode === 'scheduler' });
  } catch (e) {
    throw new CliError(`could not start: ${(e as Error).message}`);
  }
  const extras: ExtraService[] = [];
  try {
    for (const s of withExtras ? extraServices : []) extras.push(await s.start({ config, engine }));
  } catch (e) {
    await Promise.all(extras.map((x) => x.stop()));
    await engine.stop(0);
    throw new CliError(`could not start: ${(e as Error).message}`);
  }
  const lines = [
    `Baton ${mode} is running (started in ${Date.now() - t0} ms)`,
    `  DAGs folder : ${config.dagsFolder}`,
    `  database    : ${redactUrl(config.databaseUrl)}`,
    `  logs        : ${config.logsFolder}`,
    config.executor === 'local'
      ? `  workers     : ${config.parallelism} (LocalExecutor)`
      : `  workers     : baton worker processes, through Redis at ${maskRedisUrl(config.redisUrl)} (BullMQExecutor)`,
    ...extras.map((x) => `  ${x.name.padEnd(12)}: ${x.describe}`),
    'Press Ctrl-C to stop.',
  ];
  cliOut(`${lines.join('\n')}\n`);
  await untilSignal({
    stopping: (signal) => `${signal}: stopping; running tasks get 10 s to finish (Ctrl-C again to stop at once)…`,
    stop: async () => {
      await Promise.all(extras.map((x) => x.stop().catch(() => {})));
      await engine.stop(10_000);
    },
    stopped: 'Baton stopped.',
  });
}
