/**
 * Key rotation (`baton rotate-fernet-key`): re-encrypts every stored secret with the newest
 * key of the ring. Values encrypted with an older listed key are decrypted and encrypted
 * again; values stored in clear (written before any key was configured) are encrypted. After
 * a rotation the older keys can be removed from BATON_FERNET_KEY.
 */
import type { Kysely } from 'kysely';
import { fromFlag, toFlag } from '../store/codec.ts';
import type { Schema } from '../store/schema.ts';
import type { KeyRing } from './encryption.ts';

/** What a rotation changed. */
export interface RotationReport {
  /** Variables whose value was re-encrypted or encrypted. */
  variables: number;
  /** Connections whose password or extra was re-encrypted or encrypted. */
  connections: number;
  /** API access token signing keys re-encrypted or encrypted. */
  signingKeys: number;
}

/**
 * Re-encrypts every variable value, connection password/extra and API token signing key with `keys`' newest key, in
 * one transaction: any value that cannot be decrypted (unknown key, tampered) aborts the
 * rotation with that value's error and changes nothing.
 */
export async function rotateFernetKey(db: Kysely<Schema>, keys: KeyRing): Promise<RotationReport> {
  return db.transaction().execute(async (trx) => {
    const report: RotationReport = { variables: 0, connections: 0, signingKeys: 0 };
    const reseal = (stored: string, encrypted: boolean, what: string): string | null => {
      if (encrypted && keys.isCurrent(stored)) {
        keys.decrypt(stored, what); // still proves the value is intact
        return null;
      }
      return keys.encrypt(encrypted ? keys.decrypt(stored, what) : stored);
    };

    for (const v of await trx.selectFrom('variable').select(['key', 'val', 'is_encrypted']).orderBy('key').execute()) {
      const val = reseal(v.val, fromFlag(v.is_encrypted), `variable '${v.key}'`);
      if (val === null) continue;
      await trx.updateTable('variable').set({ val, is_encrypted: toFlag(true) }).where('key', '=', v.key).execute();
      report.variables++;
    }

    const conns = await trx.selectFrom('connection').select(['conn_id', 'password', 'extra', 'is_encrypted', 'is_extra_encrypted']).orderBy('conn_id').execute();
    for (const c of conns) {
      const password = c.password === null ? null : reseal(c.password, fromFlag(c.is_encrypted), `the password of connection '${c.conn_id}'`);
      const extra = c.extra === null ? null : reseal(c.extra, fromFlag(c.is_extra_encrypted), `the extra of connection '${c.conn_id}'`);
      if (password === null && extra === null) continue;
      await trx
        .updateTable('connection')
        .set({
          ...(password !== null && { password, is_encrypted: toFlag(true) }),
          ...(extra !== null && { extra, is_extra_encrypted: toFlag(true) }),
        })
        .where('conn_id', '=', c.conn_id)
        .execute();
      report.connections++;
    }

    for (const k of await trx.selectFrom('api_signing_key').select(['kid', 'secret', 'is_encrypted']).orderBy('kid').execute()) {
      const secret = reseal(k.secret, fromFlag(k.is_encrypted), 'the API token signing key');
      if (secret === null) continue;
      await trx.updateTable('api_signing_key').set({ secret, is_encrypted: toFlag(true) }).where('kid', '=', k.kid).execute();
      report.signingKeys++;
    }
    return report;
  });
}
