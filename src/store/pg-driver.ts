/**
 * Kysely's PostgreSQL dialect with one round trip less per transaction: `begin` is not sent on
 * its own but in the same network write as the transaction's first statement, as one pipeline of
 * the extended query protocol (Parse/Bind/Execute of `begin`, then of the statement, then one
 * Sync), so the server answers both at once. The `pg` driver sends one statement per round trip;
 * on a machine where each round trip costs a few hundred microseconds of system calls, a
 * scheduling pass of a handful of statements spends a noticeable share of its time on `begin`.
 *
 * What does not change: the transaction begins before its first statement runs, in the same
 * session; an error in either fails the statement (the server skips the rest of the pipeline up
 * to the Sync) and the transaction is rolled back as before. A transaction that ends before any
 * statement sends nothing at all. A first statement without parameters (possibly several
 * statements in one text, which the extended protocol refuses) gets its `begin` sent alone first,
 * as do transactions with an isolation level or access mode.
 */
import { CompiledQuery, PostgresAdapter, PostgresDialect, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { DatabaseConnection, DatabaseIntrospector, DialectAdapter, Driver, Kysely, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import pg from 'pg';

/** The parts of `pg`'s Query this module relies on (not in its type declarations). */
interface PgQueryInternals {
  prepare(connection: PgWire): void;
}
interface PgWire {
  parse(msg: { text: string; name?: string; types?: unknown[] }): void;
  bind(msg: { portal?: string; statement?: string; values?: unknown[]; valueMapper?: unknown }): void;
  execute(msg: { portal?: string; rows?: number }): void;
}
interface PgResult {
  command: string | null;
  rowCount: number | null;
  rows: unknown[];
}

const PgQuery = (pg as unknown as { Query: new (config: object) => object }).Query;

/**
 * A query that begins a transaction first, in the same pipeline. The server's answer to `begin`
 * (ParseComplete, BindComplete, CommandComplete) comes before the statement's; its
 * CommandComplete is left out of the result, so the caller sees only the statement's.
 */
class BeginThenQuery extends (PgQuery as new (config: object) => PgQueryInternals & { handleCommandComplete(msg: unknown, con: unknown): void }) {
  private beginAnswered = false;

  override prepare(connection: PgWire): void {
    connection.parse({ text: 'begin' });
    connection.bind({ values: [] });
    connection.execute({ portal: '' });
    super.prepare(connection);
  }

  override handleCommandComplete(msg: unknown, connection: unknown): void {
    if (!this.beginAnswered) {
      this.beginAnswered = true;
      return;
    }
    super.handleCommandComplete(msg, connection);
  }
}

function toQueryResult<R>(r: PgResult): QueryResult<R> {
  const counted = r.command === 'INSERT' || r.command === 'UPDATE' || r.command === 'DELETE' || r.command === 'MERGE';
  return { numAffectedRows: counted ? BigInt(r.rowCount ?? 0) : undefined, rows: (r.rows ?? []) as R[] };
}

class PipelinedConnection implements DatabaseConnection {
  /** `begin` is owed: it goes out with the next statement. */
  beginPending = false;

  constructor(readonly client: pg.PoolClient) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const values = [...compiledQuery.parameters];
    if (this.beginPending) {
      this.beginPending = false;
      if (values.length === 0) {
        // Possibly several statements in one text: the simple protocol, with begin before it.
        await this.client.query('begin');
      } else {
        return toQueryResult<R>(await this.pipelined(compiledQuery.sql, values));
      }
    }
    return toQueryResult<R>((await this.client.query(compiledQuery.sql, values)) as unknown as PgResult);
  }

  private pipelined(text: string, values: unknown[]): Promise<PgResult> {
    return new Promise((resolve, reject) => {
      const query = new BeginThenQuery({
        text, values, queryMode: 'extended',
        callback: (err: Error | null, result: PgResult) => (err ? reject(err) : resolve(result)),
      });
      this.client.query(query as unknown as pg.QueryConfig);
    });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming query results is not supported by Baton\'s PostgreSQL driver; read in pages instead.');
  }
}

class PipelinedPostgresDriver implements Driver {
  private pool: pg.Pool | undefined;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.pool) throw new Error('the database has been closed');
    return new PipelinedConnection(await this.pool.connect());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as PipelinedConnection;
    if (settings.isolationLevel || settings.accessMode) {
      const parts = ['start transaction'];
      if (settings.isolationLevel) parts.push(`isolation level ${settings.isolationLevel}`);
      if (settings.accessMode) parts.push(settings.accessMode);
      await c.client.query(parts.join(' '));
      return;
    }
    c.beginPending = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PipelinedConnection;
    if (c.beginPending) {
      c.beginPending = false; // nothing ran: nothing to commit
      return;
    }
    await c.client.query('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PipelinedConnection;
    if (c.beginPending) {
      c.beginPending = false;
      return;
    }
    await c.client.query('rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as PipelinedConnection;
    c.beginPending = false;
    c.client.release();
  }

  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }
}

/** The PostgreSQL dialect Baton uses; see the module comment for how it differs from Kysely's. */
export class PipelinedPostgresDialect extends PostgresDialect {
  constructor(private readonly pgPool: pg.Pool) {
    super({ pool: pgPool });
  }

  override createDriver(): Driver {
    return new PipelinedPostgresDriver(this.pgPool);
  }

  override createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  override createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
