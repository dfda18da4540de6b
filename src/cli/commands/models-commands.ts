/**
 * `baton models list | promote | rollback | serve`: the model registry tasks fill with
 * `ctx.ml.registerModel`, and an HTTP server for a model's production version. Artifacts are
 * read from the artifact store, `$BATON_HOME/artifacts`.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { openMigratedDb } from '../../engine/open-db.ts';
import { DbModelRegistry } from '../../providers/ml/registry/db-registry.ts';
import { ModelStore } from '../../providers/ml/registry/model-store.ts';
import { ModelNotFoundError, RollbackError, type ModelVersion } from '../../providers/ml/registry/types.ts';
import { DEFAULT_REFRESH_MS } from '../../providers/ml/serving/production.ts';
import { DEFAULT_SERVE_HOST, DEFAULT_SERVE_PORT, startModelServer, type RunningModelServer } from '../../providers/ml/serving/server.ts';
import { checkModelName, checkStage, checkVersion, MlInputError } from '../../providers/ml/tracking/validate.ts';
import { artifactStore } from '../../providers/objectstore/artifacts.ts';
import { redactUrl } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { parseIntArg } from '../parse-args.ts';
import { recordCliEvent, withDb } from './db-context.ts';
import { cliOut, loadCliConfig } from '../cli-context.ts';

/** Metric values in tables are rounded to this many decimals (JSON output is exact). */
const TABLE_DECIMALS = 4;

/** Registry errors as CLI errors: bad arguments exit 2, unknown models and impossible rollbacks exit 1. */
function cliError(e: unknown): unknown {
  if (e instanceof MlInputError) return new CliError(e.message, 2);
  if (e instanceof ModelNotFoundError || e instanceof RollbackError) return new CliError(e.message);
  return e;
}

function validated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw cliError(e);
  }
}

export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('Manage registered models and serve them');

  models
    .command('list')
    .description('List model versions with their stage and metrics')
    .option('-n, --name <name>', 'only this model')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { name?: string; output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const versions = await new DbModelRegistry(ctx.db.db).listVersions({ name: o.name });
        if (versions.length === 0 && o.name !== undefined) throw new CliError(`no model named '${o.name}' is registered; see \`baton models list\``);
        const rows = versions.map((v) => ({ ...row(v), metrics: format === 'json' ? v.metrics : metricsText(v.metrics) }));
        printRows(rows, ['name', 'version', 'stage', 'metrics', 'created'], format);
      });
    });

  models
    .command('promote <name> <version>')
    .description('Move a version to a stage (default production); the previous production version is archived')
    .option('-s, --stage <stage>', 'none, staging, production or archived', 'production')
    .action(async (name: string, versionText: string, o: { stage: string }) => {
      const [version, stage] = validated(() => [checkVersion(versionText), checkStage(o.stage)] as const);
      validated(() => checkModelName(name));
      await withDb(async (ctx) => {
        const change = await new DbModelRegistry(ctx.db.db).setStage(name, version, stage).catch((e: unknown) => {
          throw cliError(e);
        });
        await recordCliEvent(ctx, 'cli_models_promote', { extra: { model: name, version, from: change.from, to: change.to, archived: change.archived } });
        if (change.from === change.to) cliOut(`Model ${name} version ${version} is already ${stage}\n`);
        else cliOut(`Model ${name} version ${version}: ${change.from} → ${change.to}${change.archived.length ? ` (archived version ${change.archived.join(', ')})` : ''}\n`);
      });
    });

  models
    .command('rollback <name>')
    .description('Put the previous production version back in production and archive the current one')
    .action(async (name: string) => {
      validated(() => checkModelName(name));
      await withDb(async (ctx) => {
        const r = await new DbModelRegistry(ctx.db.db).rollback(name).catch((e: unknown) => {
          throw cliError(e);
        });
        await recordCliEvent(ctx, 'cli_models_rollback', { extra: { model: name, restored: r.restored, archived: r.archived } });
        cliOut(`Model ${name} rolled back: version ${r.restored} is in production${r.archived === null ? '' : ` (version ${r.archived} archived)`}\n`);
      });
    });

  models
    .command('serve <name>')
    .description("Serve the model's production version over HTTP (POST /predict, GET /health) until Ctrl-C")
    .option('-p, --port <port>', `port to listen on (default ${DEFAULT_SERVE_PORT}; 0 picks a free one)`)
    .option('-H, --host <address>', `address to listen on (default ${DEFAULT_SERVE_HOST})`)
    .option('--refresh-interval <seconds>', `how often to check for a new production version (default ${DEFAULT_REFRESH_MS / 1000})`)
    .action(async (name: string, o: { port?: string; host?: string; refreshInterval?: string }) => {
      validated(() => checkModelName(name));
      const port = parseIntArg(o.port, '--port', 0) ?? DEFAULT_SERVE_PORT;
      const refresh = o.refreshInterval === undefined ? DEFAULT_REFRESH_MS / 1000 : Number(o.refreshInterval);
      if (!Number.isFinite(refresh) || refresh < 0) throw new CliError(`--refresh-interval must be a number of seconds ≥ 0 (got ${JSON.stringify(o.refreshInterval)})`, 2);
      await serve(name, port, o.host ?? DEFAULT_SERVE_HOST, refresh * 1000);
    });
}

async function serve(name: string, port: number, host: string, refreshMs: number): Promise<void> {
  const config = loadCliConfig();
  const db = await openMigratedDb(config).catch((e: Error) => {
    throw new CliError(`could not start: ${e.message}`);
  });
  const objects = artifactStore(join(config.home, 'artifacts'));
  const store = new ModelStore(new DbModelRegistry(db.db), objects);
  const log = (line: string) => cliOut(`${new Date().toISOString()} ${line}\n`);
  let server: RunningModelServer;
  let production: ModelVersion | null;
  try {
    production = await store.registry.getVersion(name, 'production');
    server = await startModelServer({ models: store, name, port, host, refreshMs, log });
  } catch (e) {
    await db.close();
    throw new CliError(`could not start: ${(e as Error).message}`);
  }
  const now = production ? `version ${production.version}` : 'none yet (requests get 503 until a version is promoted)';
  cliOut(
    `Serving model ${name} at ${server.url}\n` +
      `  POST ${server.url}/predict  {"text": "..."}, {"inputs": [...]} or {"title": "...", "description": "..."}\n` +
      `  GET  ${server.url}/health\n` +
      `  production version: ${now}; checked every ${refreshMs / 1000} s\n` +
      `  database: ${redactUrl(config.databaseUrl)}, artifacts: ${objects.root}\n` +
      'Press Ctrl-C to stop.\n',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      cliOut(`\n${signal}: stopping the model server…\n`);
      void server
        .stop()
        .then(() => db.close())
        .finally(() => resolve());
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

function row(v: ModelVersion): Record<string, unknown> {
  return { name: v.name, version: v.version, stage: v.stage, created: v.createdAt };
}

function metricsText(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k}=${Number(v.toFixed(TABLE_DECIMALS))}`)
    .join(' ');
}
