/** `baton variables get | set | delete | list`: the key/value settings tasks read at run time. */
import type { Command } from 'commander';
import { DecryptionError } from '../../security/encryption.ts';
import { configuredSecureStore } from '../../security/secure-store.ts';
import { deleteVariable, listVariables } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { recordCliEvent, withDb } from './db-context.ts';
import { cliWarnings, cliOut } from '../cli-context.ts';

export function registerVariableCommands(program: Command): void {
  const variables = program.command('variables').description('Manage variables');

  variables
    .command('get <key>')
    .description("Print a variable's value")
    .option('-d, --default <value>', 'print this when the variable does not exist (instead of failing)')
    .action(async (key: string, o: { default?: string }) => {
      await withDb(async (ctx) => {
        const v = await configuredSecureStore(ctx.db.db, ctx.config, cliWarnings()).getVariable(key).catch((e: Error) => {
          throw e instanceof DecryptionError ? new CliError(e.message) : e;
        });
        if (!v && o.default === undefined) throw new CliError(`Variable '${key}' does not exist; see \`baton variables list\` (or pass --default)`);
        cliOut(`${v ? v.value : o.default}\n`);
      });
    });

  variables
    .command('set <key> <value>')
    .description('Create a variable or replace its value')
    .option('--description <text>', 'what the variable is for')
    .action(async (key: string, value: string, o: { description?: string }) => {
      await withDb(async (ctx) => {
        await configuredSecureStore(ctx.db.db, ctx.config, cliWarnings()).setVariable(key, value, { description: o.description }).catch((e: Error) => {
          throw new CliError(e.message, 2);
        });
        await recordCliEvent(ctx, 'cli_variables_set', { extra: { key } });
        cliOut(`Variable ${key} created\n`);
      });
    });

  variables
    .command('delete <key>')
    .description('Delete a variable')
    .action(async (key: string) => {
      await withDb(async (ctx) => {
        if (!(await deleteVariable(ctx.db.db, key))) throw new CliError(`Variable '${key}' does not exist; see \`baton variables list\``);
        await recordCliEvent(ctx, 'cli_variables_delete', { extra: { key } });
        cliOut(`Variable ${key} deleted\n`);
      });
    });

  variables
    .command('list')
    .description('List the variables (keys and descriptions, not values)')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const rows = (await listVariables(ctx.db.db)).map((v) => ({ key: v.key, description: v.description }));
        printRows(rows, ['key', 'description'], format);
      });
    });
}
