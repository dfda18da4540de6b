/** `baton pools list | get | set | delete`: the slot pools that cap how many tasks run at once. */
import type { Command } from 'commander';
import { deletePool, getPool, listPools, upsertPool, type Pool } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { parseOutputFormat, printRows } from '../output.ts';
import { recordCliEvent, withDb } from './db-context.ts';
import { cliOut } from '../cli-context.ts';

const COLUMNS = ['pool', 'slots', 'description', 'include_deferred'];
const row = (p: Pool) => ({ pool: p.name, slots: p.slots, description: p.description, include_deferred: p.includeDeferred });

export function registerPoolCommands(program: Command): void {
  const pools = program.command('pools').description('Manage pools');

  pools
    .command('list')
    .description('List the pools')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => printRows((await listPools(ctx.db.db)).map(row), COLUMNS, format));
    });

  pools
    .command('get <name>')
    .description('Show one pool')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (name: string, o: { output: string }) => {
      const format = parseOutputFormat(o.output);
      await withDb(async (ctx) => {
        const pool = await getPool(ctx.db.db, name);
        if (!pool) throw new CliError(`Pool '${name}' does not exist; see \`baton pools list\``);
        printRows([row(pool)], COLUMNS, format);
      });
    });

  pools
    .command('set <name> <slots> <description>')
    .description('Create a pool or change its slots and description (-1 slots: unlimited)')
    .option('--include-deferred', 'deferred task instances occupy slots of this pool')
    .option('-o, --output <format>', 'table, json or plain', 'table')
    .action(async (name: string, slotsText: string, description: string, o: { includeDeferred?: boolean; output: string }) => {
      const format = parseOutputFormat(o.output);
      const slots = Number(slotsText);
      if (!Number.isInteger(slots) || slots < -1) throw new CliError(`slots must be a whole number ≥ 0, or -1 for unlimited (got ${JSON.stringify(slotsText)})`, 2);
      if (name.trim() === '') throw new CliError('the pool name must not be empty', 2);
      await withDb(async (ctx) => {
        const pool = await upsertPool(ctx.db.db, { name, slots, description, includeDeferred: o.includeDeferred ? true : undefined }).catch((e: Error) => {
          throw new CliError(e.message, 2);
        });
        await recordCliEvent(ctx, 'cli_pool_set', { extra: { pool: name, slots, description, include_deferred: pool.includeDeferred } });
        printRows([row(pool)], COLUMNS, format);
      });
    });

  pools
    .command('delete <name>')
    .description('Delete a pool (tasks that name it wait until it exists again)')
    .action(async (name: string) => {
      await withDb(async (ctx) => {
        const deleted = await deletePool(ctx.db.db, name).catch((e: Error) => {
          throw new CliError(e.message);
        });
        if (!deleted) throw new CliError(`Pool '${name}' does not exist; see \`baton pools list\``);
        await recordCliEvent(ctx, 'cli_pool_delete', { extra: { pool: name } });
        cliOut(`Pool ${name} deleted\n`);
      });
    });
}
