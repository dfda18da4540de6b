/**
 * The REST API over HTTP: `baton webserver` serves it alone (it runs no DAG code: the scheduler
 * and workers run elsewhere and pick up its changes on their next sweep), and `webserverService`
 * serves it inside `baton standalone` on the configured port, waking the scheduler on changes.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Command } from 'commander';
import { createApiApp } from '../../api/app.ts';
import { createAuthenticator } from '../../api/auth/authenticator.ts';
import { type BatonConfig } from '../../config.ts';
import { openMigratedDb } from '../../engine/open-db.ts';
import { redactUrl, type BatonDb } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { parseIntArg } from '../parse-args.ts';
import type { ExtraServiceFactory } from './extra-services.ts';
import { cliOut, loadCliConfig } from '../cli-context.ts';

/** Address the server listens on unless told otherwise (every interface, as Airflow's webserver). */
export const DEFAULT_HOSTNAME = '0.0.0.0';

/** What `startWebServer` serves and where. */
export interface WebServerOptions {
  db: BatonDb;
  config: BatonConfig;
  /** Default config.port; 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0. */
  hostname?: string;
  onChange?: () => void;
  requestReparse?: (fileloc: string) => void | Promise<void>;
}

/** A web server that is listening. */
export interface RunningWebServer {
  /** The port actually listened on. */
  port: number;
  hostname: string;
  url: string;
  stop(): Promise<void>;
}

/** Starts serving the API; resolves once the server listens (rejects when the port is taken). */
export async function startWebServer(o: WebServerOptions): Promise<RunningWebServer> {
  const authenticator = createAuthenticator({ db: o.db, config: o.config });
  const app = createApiApp({ db: o.db.db, config: o.config, authenticator, onChange: o.onChange, requestReparse: o.requestReparse });
  const hostname = o.hostname ?? DEFAULT_HOSTNAME;
  const server = serve({ fetch: app.fetch, port: o.port ?? o.config.port, hostname });
  const port = await new Promise<number>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${o.port ?? o.config.port} is already in use: stop what listens there or choose another port (--port or BATON_PORT)` : e.message));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    port,
    hostname,
    url: `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      })),
  };
}

/** Serves the API inside `baton standalone`, on the engine's database handle. */
export const webserverService: ExtraServiceFactory = {
  async start({ config, engine }) {
    const web = await startWebServer({
      db: engine.db,
      config,
      onChange: () => engine.scheduler?.poke(),
      requestReparse: () => void engine.folderSync?.syncNow(),
    });
    return { name: 'webserver', describe: `${web.url}/ (web UI; REST API at ${web.url}/api/v1 and /api/v2, health at ${web.url}/health)`, stop: () => web.stop() };
  },
};

/** Adds `baton webserver`. */
export function registerWebserverCommand(program: Command): void {
  program
    .command('webserver')
    .alias('api-server')
    .description('Serve the web UI and the REST API (Airflow 2\'s /api/v1 and Airflow 3\'s /api/v2) until Ctrl-C; it runs no DAG code')
    .option('-p, --port <port>', 'port to listen on (default BATON_PORT or 8080)')
    .option('-H, --hostname <address>', `address to listen on (default ${DEFAULT_HOSTNAME})`)
    .action(async (o: { port?: string; hostname?: string }) => {
      const config = loadCliConfig();
      if (o.port !== undefined) config.port = parseIntArg(o.port, '--port', 0)!;
      const db = await openMigratedDb(config).catch((e: Error) => {
        throw new CliError(`could not start: ${e.message}`);
      });
      let web: RunningWebServer;
      try {
        web = await startWebServer({ db, config, hostname: o.hostname });
      } catch (e) {
        await db.close();
        throw new CliError(`could not start: ${(e as Error).message}`);
      }
      cliOut(`Baton webserver is running\n  web UI      : ${web.url}/\n  REST API    : ${web.url}/api/v1, ${web.url}/api/v2\n  database    : ${redactUrl(config.databaseUrl)}\nPress Ctrl-C to stop.\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          cliOut(`\n${signal}: stopping the webserver…\n`);
          void web
            .stop()
            .then(() => db.close())
            .finally(() => {
              cliOut('Baton webserver stopped.\n');
              resolve();
            });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
