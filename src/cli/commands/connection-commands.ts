/**
 * `baton connections add | get | delete | list`: how tasks reach external systems. Passwords
 * are printed as *** unless --show-password is given.
 */
import type { Command } from 'commander';
import { DecryptionError } from '../../security/encryption.ts';
import { configuredSecureStore } from '../../security/secure-store.ts';
import { deleteConnection, getConnection, type Connection, type ConnectionInput } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { ConnectionUriError, parseConnectionUri } from './connection-uri.ts';
import { recordCliEvent, withDb } from './db-context.ts';
import { cliWarnings, cliOut } from '../cli-context.ts';

const COLUMNS = ['conn_id', 'conn_type', 'description', 'host', 'schema', 'login', 'password', 'port', 'extra'];

interface AddOptions {
  connUri?: string;
  connType?: string;
  connHost?: string;
  connLogin?: string;
  connPassword?: string;
  connSchema?: string;
  connPort?: string;
  connExtra?: string;
  connDescription?: string;
}

function row(c: Connection, showPassword: boolean) {
  return {
    conn_id: c.connId, conn_type: c.connType, description: c.description, host: c.host, schema: c.schema, login: c.login,
    password: c.password === null ? null : showPassword ? c.password : '***', port: c.port, extra: c.extra,
  };
}

export function registerConnectionCommands(program: Command): void {
  const connections = program.command('connections').description('Manage connections');

  connections
    .command('add <conn_id>')
    .description('Add a connection, from a URI (--conn-uri) or from its parts (--conn-type and friends)')
    .option('--conn-uri <uri>', 'the whole connection as type://login:password@host:port/schema?extra_key=value')
    .option('--conn-type <type>', 'connection type (e.g. postgres, http)')
    .option('--conn-host <host>', 'host')
    .option('--conn-login <login>', 'login')
    .option('--conn-password <password>', 'password')
    .option('--conn-schema <schema>', 'schema')
    .option('--conn-port <port>', 'port')
    .option('--conn-extra <json>', 'extra settings, as a JSON object')
    .option('--conn-description <text>', 'description')
    .action(async (connId: string, o: AddOptions) => {
      const input = connectionInput(connId, o);
      await withDb(async (ctx) => {
        if (await getConnection(ctx.db.db, connId)) throw new CliError(`A connection with conn_id '${connId}' already exists; delete it first (baton connections delete ${connId})`);
        await configuredSecureStore(ctx.db.db, ctx.config, cliWarnings()).upsertConnection(input).catch((e: Error) => {
          throw new CliError(e.message, 2);
        });
        await recordCliEvent(ctx, 'cli_connections_add', { extra: { conn_id: connId, conn_type: input.connType } });
        cliOut(`Successfully added \`conn_id\`=${connId} : ${input.connType}://${input.host ?? ''}${input.port !== null && input.port !== undefined ? `:${input.port}` : ''}\n`);
      });
    });

  connections
    .command('get <conn_id>')
    .description('Show one connection')
    .option('--show-password', 'print the password instead of ***')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (connId: string, o: { showPassword?: boolean; output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const c = await configuredSecureStore(ctx.db.db, ctx.config, cliWarnings()).getConnection(connId).catch(decryptionFailed);
        if (!c) throw new CliError(`Connection '${connId}' does not exist; see \`baton connections list\``);
        printRows([row(c, Boolean(o.showPassword))], COLUMNS, format);
      });
    });

  connections
    .command('delete <conn_id>')
    .description('Delete a connection')
    .action(async (connId: string) => {
      await withDb(async (ctx) => {
        if (!(await deleteConnection(ctx.db.db, connId))) throw new CliError(`Connection '${connId}' does not exist; see \`baton connections list\``);
        await recordCliEvent(ctx, 'cli_connections_delete', { extra: { conn_id: connId } });
        cliOut(`Successfully deleted connection with \`conn_id\`=${connId}\n`);
      });
    });

  connections
    .command('list')
    .description('List the connections')
    .option('--show-password', 'print passwords instead of ***')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { showPassword?: boolean; output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const all = await configuredSecureStore(ctx.db.db, ctx.config, cliWarnings()).listConnections().catch(decryptionFailed);
        printRows(all.map((c) => row(c, Boolean(o.showPassword))), COLUMNS, format);
      });
    });
}

function decryptionFailed(e: Error): never {
  throw e instanceof DecryptionError ? new CliError(e.message) : e;
}

function connectionInput(connId: string, o: AddOptions): ConnectionInput {
  const parts = [o.connHost, o.connLogin, o.connPassword, o.connSchema, o.connPort, o.connExtra];
  if (o.connUri !== undefined) {
    if (o.connType !== undefined || parts.some((p) => p !== undefined)) {
      throw new CliError('give either --conn-uri or --conn-type with the other --conn-* parts, not both', 2);
    }
    try {
      return { ...parseConnectionUri(connId, o.connUri), description: o.connDescription ?? null };
    } catch (e) {
      if (e instanceof ConnectionUriError) throw new CliError(e.message, 2);
      throw e;
    }
  }
  if (o.connType === undefined) throw new CliError('connections add needs --conn-uri, or --conn-type (with --conn-host, --conn-login, …)', 2);
  let port: number | null = null;
  if (o.connPort !== undefined) {
    port = Number(o.connPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--conn-port must be a whole number from 0 to 65535 (got ${JSON.stringify(o.connPort)})`, 2);
  }
  if (o.connExtra !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(o.connExtra);
    } catch (e) {
      throw new CliError(`--conn-extra is not valid JSON (${(e as Error).message}); example: --conn-extra '{"timeout": 30}'`, 2);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError('--conn-extra must be a JSON object, e.g. {"timeout": 30}', 2);
  }
  return {
    connId, connType: o.connType, host: o.connHost ?? null, login: o.connLogin ?? null, password: o.connPassword ?? null,
    schema: o.connSchema ?? null, port, extra: o.connExtra ?? null, description: o.connDescription ?? null,
  };
}
