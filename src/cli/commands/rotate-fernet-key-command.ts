/**
 * `baton rotate-fernet-key`: re-encrypts every connection password and extra and every variable
 * with the first key of BATON_FERNET_KEY (values stored in clear are encrypted too). To rotate:
 * put a new key first (`BATON_FERNET_KEY=new,old`), run this command, then drop the old key.
 * `--generate` prints a fresh key and changes nothing.
 */
import type { Command } from 'commander';
import { DecryptionError, generateFernetKey } from '../../security/encryption.ts';
import { fernetKeyRing } from '../../security/keys.ts';
import { rotateFernetKey } from '../../security/rotate.ts';
import { CliError } from '../cli-error.ts';
import { recordCliEvent, withDb } from './db-context.ts';
import { cliOut } from '../cli-context.ts';

export function registerRotateFernetKeyCommand(program: Command): void {
  program
    .command('rotate-fernet-key')
    .description('Re-encrypt connections and variables with the first key of BATON_FERNET_KEY (older keys listed after it still decrypt)')
    .option('--generate', 'print a new random key for BATON_FERNET_KEY and exit')
    .action(async (o: { generate?: boolean }) => {
      if (o.generate) {
        cliOut(`${generateFernetKey()}\n`);
        return;
      }
      await withDb(async (ctx) => {
        const keys = fernetKeyRing(ctx.config);
        if (!keys) throw new CliError('no encryption key is configured: set BATON_FERNET_KEY (generate a key with `baton rotate-fernet-key --generate`), then run this command again', 2);
        const report = await rotateFernetKey(ctx.db.db, keys).catch((e: Error) => {
          throw e instanceof DecryptionError ? new CliError(`${e.message} Nothing was changed.`) : e;
        });
        await recordCliEvent(ctx, 'cli_rotate_fernet_key', { extra: { variables: report.variables, connections: report.connections } });
        cliOut(`Re-encrypted ${report.variables} variable(s) and ${report.connections} connection(s) with key ${keys.keyIds[0]}.\n`);
      });
    });
}
