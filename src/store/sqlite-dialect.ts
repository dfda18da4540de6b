/**
 * Kysely's SQLite dialect, adjusted for a metadata database shared by several processes:
 * transactions start with `BEGIN IMMEDIATE` (take the write lock up front, so two writers
 * wait on `busy_timeout` instead of failing when a read lock cannot be upgraded), and
 * migrations run inside one transaction (SQLite supports transactional DDL).
 */
import { SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDialectConfig } from 'kysely';
import { CompiledQuery } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** The SQLite dialect Baton uses; see the module comment for how it differs from Kysely's. */
export class BatonSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
