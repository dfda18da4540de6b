/**
 * `baton config list | get-value` (every setting, its value and where it came from) and
 * `baton info` (version, paths, database and schema status, DAGs, executor).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { ENV_NAMES, type BatonConfig } from '../../config.ts';
import { listAliveJobs, MIGRATIONS, openDatabase, parseDatabaseUrl, redactUrl, type BatonDb } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { maskRedisUrl } from '../../executors/bullmq/redis-connection.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { cliOut, loadCliConfig } from '../cli-context.ts';

type SettingName = keyof typeof ENV_NAMES;

function settingValue(config: BatonConfig, name: SettingName): string {
  const v = config[name];
  return name === 'databaseUrl' ? redactUrl(String(v)) : name === 'redisUrl' ? maskRedisUrl(String(v)) : String(v);
}

export function registerInfoCommands(program: Command): void {
  const configCmd = program.command('config').description('Show the configuration');

  configCmd
    .command('list')
    .description('List every setting with its value, environment variable and source (env, package.json or default)')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action((o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      const config = loadCliConfig();
      const rows = (Object.keys(ENV_NAMES) as SettingName[]).map((name) => ({
        setting: name, value: settingValue(config, name), source: config.sources[name] ?? 'default', env: ENV_NAMES[name],
      }));
      printRows(rows, ['setting', 'value', 'source', 'env'], format);
    });

  configCmd
    .command('get-value <setting>')
    .description('Print the value of one setting (by name, e.g. dagsFolder, or environment variable, e.g. BATON_DAGS_FOLDER)')
    .action((setting: string) => {
      const config = loadCliConfig();
      const names = Object.keys(ENV_NAMES) as SettingName[];
      const name = names.find((n) => n.toLowerCase() === setting.toLowerCase() || ENV_NAMES[n] === setting.toUpperCase());
      if (!name) throw new CliError(`unknown setting ${JSON.stringify(setting)}; settings: ${names.join(', ')}`, 2);
      cliOut(`${settingValue(config, name)}\n`);
    });

  program
    .command('info')
    .description('Show information about this installation: version, paths, database, DAGs, executor')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      const config = loadCliConfig();
      const rows: Array<{ key: string; value: string | number }> = [
        { key: 'baton_version', value: program.version() ?? 'unknown' },
        { key: 'node_version', value: process.version },
        { key: 'platform', value: `${process.platform} ${process.arch}` },
        { key: 'home', value: config.home },
        { key: 'dags_folder', value: `${config.dagsFolder}${existsSync(config.dagsFolder) ? '' : ' (does not exist)'}` },
        { key: 'logs_folder', value: config.logsFolder },
        { key: 'xcom_folder', value: config.xcomFolder },
        { key: 'database_url', value: redactUrl(config.databaseUrl) },
        ...(await databaseInfo(config)),
        { key: 'executor', value: 'LocalExecutor' },
        { key: 'parallelism', value: config.parallelism },
      ];
      printRows(rows, ['key', 'value'], format);
    });
}

/** Dialect, schema status, DAG counts and scheduler liveness; never changes the database. */
async function databaseInfo(config: BatonConfig): Promise<Array<{ key: string; value: string | number }>> {
  let dialect: string;
  try {
    const target = parseDatabaseUrl(config.databaseUrl);
    dialect = target.dialect;
    if (target.dialect === 'sqlite' && target.path !== ':memory:' && !existsSync(target.path)) {
      return [{ key: 'database_dialect', value: dialect }, { key: 'database_schema', value: 'not created yet (baton db migrate, or any command that uses the database, creates it)' }];
    }
  } catch (e) {
    return [{ key: 'database_dialect', value: `invalid URL: ${(e as Error).message}` }];
  }
  let handle: BatonDb;
  try {
    handle = await openDatabase({ url: config.databaseUrl });
  } catch (e) {
    return [{ key: 'database_dialect', value: dialect }, { key: 'database_schema', value: `unreachable: ${(e as Error).message}` }];
  }
  try {
    const total = Object.keys(MIGRATIONS).length;
    const applied = await appliedMigrations(handle);
    const rows: Array<{ key: string; value: string | number }> = [{ key: 'database_dialect', value: dialect }];
    if (applied === 0) return [...rows, { key: 'database_schema', value: `not created yet: run baton db migrate (${total} migrations)` }];
    if (applied < total) return [...rows, { key: 'database_schema', value: `${applied} of ${total} migrations applied: run baton db migrate` }];
    rows.push({ key: 'database_schema', value: `up to date (${total} migrations)` });
    const dags = await handle.db
      .selectFrom('dag')
      .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('is_paused').as('paused')])
      .where('is_active', '=', 1)
      .executeTakeFirstOrThrow();
    const errors = await handle.db.selectFrom('import_error').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const schedulers = await listAliveJobs(handle.db, { jobType: 'scheduler', timeoutSeconds: Math.max(30, config.heartbeatInterval * 3) });
    rows.push(
      { key: 'dags', value: `${Number(dags.n)} active (${Number(dags.paused ?? 0)} paused)` },
      { key: 'import_errors', value: Number(errors.n) },
      { key: 'scheduler', value: schedulers.length ? schedulers.map((j) => `running (job ${j.id}, ${j.hostname} pid ${j.pid})`).join('; ') : 'not running' },
    );
    return rows;
  } finally {
    await handle.close();
  }
}

async function appliedMigrations(handle: BatonDb): Promise<number> {
  try {
    const r = await sql<{ n: number | string }>`select count(*) as n from kysely_migration`.execute(handle.db);
    return Number(r.rows[0]?.n ?? 0);
  } catch {
    return 0;
  }
}
