/**
 * Variables and connections with encryption at rest: values are encrypted on write (variable
 * values, connection passwords and extras) when a key is configured, and decrypted on read.
 * The `is_encrypted` / `is_extra_encrypted` flags record which rows hold ciphertext, so rows
 * written before a key was set still read, and `baton rotate-fernet-key` can find them.
 * Everything that reads or writes these values (workers, CLI, REST API) goes through here.
 */
import type { Kysely } from 'kysely';
import type { BatonConfig } from '../config.ts';
import {
  deleteConnection,
  deleteVariable,
  getConnection,
  getVariable,
  listConnections,
  listVariables,
  setVariable,
  upsertConnection,
  type Connection,
  type ConnectionInput,
  type SetVariableOptions,
  type Variable,
} from '../store/index.ts';
import type { Schema } from '../store/schema.ts';
import { DecryptionError, type KeyRing } from './encryption.ts';
import { fernetKeyRing, warnUnencrypted } from './keys.ts';

/** A variable in clear; `isEncrypted` says how it is stored. */
export type PlainVariable = Variable;
/** A connection in clear; `isEncrypted` / `isExtraEncrypted` say how it is stored. */
export type PlainConnection = Connection;

/** Options of `secureStore`. */
export interface SecureStoreOptions {
  /** Called once per process when a value is written unencrypted (no key). Default: a warning on stderr. */
  warn?: (message: string) => void;
  /** With `warn`: warn once per this object instead of once per process. */
  warnScope?: object;
}

/** Reads and writes variables and connections, encrypting with `keys` (none: in clear). */
export class SecureStore {
  constructor(
    private readonly db: Kysely<Schema>,
    /** Null stores new values unencrypted (Airflow's behaviour without a Fernet key). */
    readonly keys: KeyRing | null,
    private readonly options: SecureStoreOptions = {},
  ) {}

  /** The variable in clear, or undefined. */
  async getVariable(key: string): Promise<PlainVariable | undefined> {
    const v = await getVariable(this.db, key);
    return v && this.openVariable(v);
  }

  /** Every variable in clear, by key. */
  async listVariables(): Promise<PlainVariable[]> {
    return (await listVariables(this.db)).map((v) => this.openVariable(v));
  }

  /** Creates or replaces a variable, encrypting its value when a key is configured. */
  async setVariable(key: string, value: string, opts: Omit<SetVariableOptions, 'isEncrypted'> = {}): Promise<void> {
    if (typeof value !== 'string') {
      throw new Error(`Variable ${JSON.stringify(key)} must be set to a string (got ${typeof value}); serialize other values, e.g. with JSON.stringify.`);
    }
    const sealed = this.seal(value);
    await setVariable(this.db, key, sealed.text, { ...opts, isEncrypted: sealed.encrypted });
  }

  /** Deletes a variable; returns false when there was none. */
  deleteVariable(key: string): Promise<boolean> {
    return deleteVariable(this.db, key);
  }

  /** The connection in clear, or undefined. */
  async getConnection(connId: string): Promise<PlainConnection | undefined> {
    const c = await getConnection(this.db, connId);
    return c && this.openConnection(c);
  }

  /** Every connection in clear, by id. */
  async listConnections(): Promise<PlainConnection[]> {
    return (await listConnections(this.db)).map((c) => this.openConnection(c));
  }

  /** Creates or replaces a connection, encrypting its password and extra when a key is configured. */
  async upsertConnection(input: ConnectionInput): Promise<void> {
    const password = input.password ?? null;
    const extra = input.extra ?? null;
    const p = password === null ? null : this.seal(password);
    const x = extra === null ? null : this.seal(extra);
    await upsertConnection(this.db, {
      ...input,
      password: p?.text ?? null,
      extra: x?.text ?? null,
      isEncrypted: p?.encrypted ?? false,
      isExtraEncrypted: x?.encrypted ?? false,
    });
  }

  /** Deletes a connection; returns false when there was none. */
  deleteConnection(connId: string): Promise<boolean> {
    return deleteConnection(this.db, connId);
  }

  /** A stored variable in clear. */
  openVariable(v: Variable): PlainVariable {
    return v.isEncrypted ? { ...v, value: this.open(v.value, `variable '${v.key}'`) } : v;
  }

  /** A stored connection in clear. */
  openConnection(c: Connection): PlainConnection {
    const password = c.isEncrypted && c.password !== null ? this.open(c.password, `the password of connection '${c.connId}'`) : c.password;
    const extra = c.isExtraEncrypted && c.extra !== null ? this.open(c.extra, `the extra of connection '${c.connId}'`) : c.extra;
    return { ...c, password, extra };
  }

  private seal(value: string): { text: string; encrypted: boolean } {
    if (this.keys) return { text: this.keys.encrypt(value), encrypted: true };
    warnUnencrypted(this.options.warn, this.options.warnScope);
    return { text: value, encrypted: false };
  }

  private open(ciphertext: string, what: string): string {
    if (!this.keys) {
      throw new DecryptionError('unknown_key', `Cannot decrypt ${what}: it is stored encrypted but no key is configured. Set BATON_FERNET_KEY to the key it was written with (or put that key in BATON_HOME/fernet.key).`);
    }
    return this.keys.decrypt(ciphertext, what);
  }
}

/** A `SecureStore` with the keys the configuration gives (BATON_FERNET_KEY or `<home>/fernet.key`). */
export function configuredSecureStore(db: Kysely<Schema>, config: Pick<BatonConfig, 'home' | 'fernetKey'>, options?: SecureStoreOptions): SecureStore {
  return new SecureStore(db, fernetKeyRing(config), options);
}

/** A `SecureStore` on `db` with these keys (null: unencrypted). */
export function secureStore(db: Kysely<Schema>, keys: KeyRing | null, options?: SecureStoreOptions): SecureStore {
  return new SecureStore(db, keys, options);
}
