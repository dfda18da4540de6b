/**
 * `baton users create | list | delete | reset-password | add-token | list-tokens | revoke-token`:
 * the users of the web UI and REST API, with Airflow's flags. Passwords and tokens are printed
 * only when generated, and only once; the event log records who changed which user, never a
 * password.
 */
import type { Command } from 'commander';
import { ROLES } from '../../api/authz.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../security/api-tokens.ts';
import { generatePassword } from '../../security/passwords.ts';
import { createUser, deleteUser, listUsers, resetPassword, UserError } from '../../security/users.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { recordCliEvent, withDb } from './db-context.ts';
import { cliErr, cliOut } from '../cli-context.ts';

interface CreateOptions {
  username: string;
  password?: string;
  useRandomPassword?: boolean;
  role: string;
  email?: string;
  firstname?: string;
  lastname?: string;
}

/** A user error as a CLI error: bad input exits 2, a missing or duplicate user 1. */
function cliUserError(e: unknown): never {
  if (e instanceof UserError) throw new CliError(e.message, e.code === 'invalid' ? 2 : 1);
  throw e;
}

/** The password to set: the one given, or a generated one (returned so it can be shown once). */
function choosePassword(o: { password?: string; useRandomPassword?: boolean }): { password: string; generated: boolean } {
  if (o.password !== undefined && o.useRandomPassword) throw new CliError('give either --password or --use-random-password, not both', 2);
  if (o.useRandomPassword) return { password: generatePassword(), generated: true };
  if (o.password === undefined) throw new CliError('give --password <password>, or --use-random-password to generate one', 2);
  return { password: o.password, generated: false };
}

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('Manage the users of the web UI and REST API');

  users
    .command('create')
    .description('Create a user')
    .requiredOption('-u, --username <username>', 'username')
    .requiredOption('-r, --role <role>', `role: ${ROLES.join(', ')}`)
    .option('-p, --password <password>', 'password (or --use-random-password)')
    .option('--use-random-password', 'generate a password and print it once')
    .option('-e, --email <email>', 'email address')
    .option('-f, --firstname <name>', 'first name')
    .option('-l, --lastname <name>', 'last name')
    .action(async (o: CreateOptions) => {
      const { password, generated } = choosePassword(o);
      await withDb(async (ctx) => {
        const user = await createUser(ctx.db.db, { username: o.username, password, role: o.role, email: o.email, firstName: o.firstname, lastName: o.lastname }).catch(cliUserError);
        await recordCliEvent(ctx, 'cli_users_create', { extra: { username: user.username, role: user.role } });
        cliOut(`User ${user.username} created with role ${user.role}\n`);
        if (generated) cliOut(`Password (shown once): ${password}\n`);
      });
    });

  users
    .command('list')
    .description('List the users')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const rows = (await listUsers(ctx.db.db)).map((u) => ({
          id: u.id, username: u.username, email: u.email, first_name: u.firstName, last_name: u.lastName, role: u.role, active: u.active, last_login: u.lastLogin,
        }));
        printRows(rows, ['id', 'username', 'email', 'first_name', 'last_name', 'role', 'active', 'last_login'], format);
      });
    });

  users
    .command('delete')
    .description('Delete a user (and its API tokens)')
    .requiredOption('-u, --username <username>', 'username')
    .action(async (o: { username: string }) => {
      await withDb(async (ctx) => {
        if (!(await deleteUser(ctx.db.db, o.username))) throw new CliError(`User '${o.username}' does not exist; see \`baton users list\``);
        await recordCliEvent(ctx, 'cli_users_delete', { extra: { username: o.username } });
        cliOut(`User ${o.username} deleted\n`);
      });
    });

  users
    .command('reset-password')
    .description("Set a user's password")
    .requiredOption('-u, --username <username>', 'username')
    .option('-p, --password <password>', 'the new password (or --use-random-password)')
    .option('--use-random-password', 'generate a password and print it once')
    .action(async (o: { username: string; password?: string; useRandomPassword?: boolean }) => {
      const { password, generated } = choosePassword(o);
      await withDb(async (ctx) => {
        await resetPassword(ctx.db.db, o.username, password).catch(cliUserError);
        await recordCliEvent(ctx, 'cli_users_reset_password', { extra: { username: o.username } });
        cliOut(`Password of ${o.username} reset\n`);
        if (generated) cliOut(`Password (shown once): ${password}\n`);
      });
    });

  users
    .command('add-token')
    .description('Create an API token for a user (sent as "Authorization: Bearer <token>"); it is printed once')
    .requiredOption('-u, --username <username>', 'username')
    .requiredOption('-n, --name <name>', 'a name for the token, to revoke it later (e.g. ci-deploy)')
    .action(async (o: { username: string; name: string }) => {
      await withDb(async (ctx) => {
        const t = await createApiToken(ctx.db.db, o.username, o.name).catch(cliUserError);
        await recordCliEvent(ctx, 'cli_users_add_token', { extra: { username: o.username, token_name: o.name } });
        cliErr(`Token '${t.name}' created for ${t.username}. It is shown once: store it now.\n`);
        cliOut(`${t.token}\n`);
      });
    });

  users
    .command('list-tokens')
    .description("List API tokens (names and dates, never the tokens)")
    .option('-u, --username <username>', "only this user's tokens")
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { username?: string; output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const rows = (await listApiTokens(ctx.db.db, o.username)).map((t) => ({ id: t.id, username: t.username, name: t.name, created_at: t.createdAt, last_used_at: t.lastUsedAt }));
        printRows(rows, ['id', 'username', 'name', 'created_at', 'last_used_at'], format);
      });
    });

  users
    .command('revoke-token')
    .description('Revoke an API token')
    .requiredOption('-u, --username <username>', 'username')
    .requiredOption('-n, --name <name>', 'the name of the token')
    .action(async (o: { username: string; name: string }) => {
      await withDb(async (ctx) => {
        if (!(await revokeApiToken(ctx.db.db, o.username, o.name))) throw new CliError(`User '${o.username}' has no token called '${o.name}'; see \`baton users list-tokens\``);
        await recordCliEvent(ctx, 'cli_users_revoke_token', { extra: { username: o.username, token_name: o.name } });
        cliOut(`Token '${o.name}' of ${o.username} revoked\n`);
      });
    });
}
