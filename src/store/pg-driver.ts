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
 *
 * `executePipelined` sends several statements (and optionally the transaction's commit) the same
 * way: one round trip, each statement starting after the one before it ended (so it sees what
 * that one did, and takes its snapshot after any lock it waited for).
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

/** One statement of a pipeline: with `name`, a prepared statement (parsed already unless `parse`). */
interface Part {
  text: string;
  values: unknown[];
  name?: string;
  parse?: boolean;
}

/**
 * `executePipelined`'s statements are prepared once per connection under a name of their own (the
 * scheduler sends the same few shapes on every pass; parsing and planning them again each time
 * cost the server about as much as running them). A connection keeps at most this many; later
 * new texts go unnamed. Names are never reused: after any error on a connection its names are
 * forgotten (a failed pipeline may have left some unparsed, and a schema change invalidates
 * plans), and new ones are made as needed.
 */
const MAX_NAMED_PER_CONNECTION = 64;
const namedStatements = new WeakMap<pg.PoolClient, Map<string, string>>();
let statementSeq = 0;

/** The statement names `client` has prepared, by statement text. */
function namesOf(client: pg.PoolClient): Map<string, string> {
  let names = namedStatements.get(client);
  if (!names) namedStatements.set(client, (names = new Map()));
  return names;
}

/**
 * Statements sent in one pipeline of the extended protocol with a single Sync: optionally
 * `begin` first and `commit` last, whose answers are left out of the results. The server stops at
 * the first error and skips the rest up to the Sync (a `commit` after a failed statement never
 * runs). `pg`'s Query collects one result per statement that completes.
 */
class PipelineQuery extends (PgQuery as new (config: object) => PgQueryInternals) {
  constructor(
    config: object,
    private readonly parts: readonly Part[],
    private readonly begin: boolean,
    private readonly commit: boolean,
  ) {
    super(config);
  }

  override prepare(connection: PgWire & { describe(msg: { type: string; name?: string }): void; sync(): void }): void {
    if (this.begin) this.simple(connection, 'begin');
    for (const p of this.parts) {
      if (p.name === undefined || p.parse) connection.parse({ text: p.text, name: p.name });
      connection.bind({ statement: p.name ?? '', values: p.values, valueMapper: prepareValue });
      connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '' });
    }
    if (this.commit) this.simple(connection, 'commit');
    connection.sync();
  }

  private simple(connection: PgWire, text: string): void {
    connection.parse({ text });
    connection.bind({ values: [] });
    connection.execute({ portal: '' });
  }
}

/** `pg`'s conversion of bound values (dates, buffers, arrays, objects) to their wire form. */
const prepareValue = (pg as unknown as { utils: { prepareValue: (v: unknown) => unknown } }).utils.prepareValue;

function toQueryResult<R>(r: PgResult): QueryResult<R> {
  const counted = r.command === 'INSERT' || r.command === 'UPDATE' || r.command === 'DELETE' || r.command === 'MERGE';
  return { numAffectedRows: counted ? BigInt(r.rowCount ?? 0) : undefined, rows: (r.rows ?? []) as R[] };
}

let roundTrips = 0;

/**
 * Round trips to PostgreSQL this process's Baton connections have made so far (each statement
 * or pipeline sent and answered counts one; `begin`, `commit` and `rollback` sent alone too).
 * Benchmarks report it per task.
 */
export function postgresRoundTrips(): number {
  return roundTrips;
}

/** Statements to send together, by the marker query `executePipelined` runs. */
const pipelines = new WeakMap<CompiledQuery, { queries: readonly CompiledQuery[]; commit: boolean }>();

class PipelinedConnection implements DatabaseConnection {
  /** `begin` is owed: it goes out with the next statement. */
  beginPending = false;
  /** Inside a transaction Kysely began. */
  inTransaction = false;
  /** The transaction was committed by a pipeline: Kysely's commit has nothing left to do. */
  committed = false;

  constructor(readonly client: pg.PoolClient) {}

  /** Sends one statement (or several in one text, without values) and waits for its answer. */
  private async send(text: string, values?: unknown[]): Promise<PgResult> {
    roundTrips++;
    return (await this.client.query(text, values)) as unknown as PgResult;
  }

  /** Begins a transaction: at once with settings, otherwise with the next statement. */
  async begin(settings: TransactionSettings): Promise<void> {
    this.committed = false;
    this.inTransaction = true;
    if (!settings.isolationLevel && !settings.accessMode) {
      this.beginPending = true;
      return;
    }
    const words = ['start transaction'];
    if (settings.isolationLevel) words.push(`isolation level ${settings.isolationLevel}`);
    if (settings.accessMode) words.push(settings.accessMode);
    await this.send(words.join(' '));
  }

  /**
   * Ends the transaction with `commit` or `rollback`. Nothing is sent when no statement ran, or
   * when a pipeline already committed it (what failed afterwards was not in the database).
   */
  async end(word: 'commit' | 'rollback'): Promise<void> {
    const open = !this.beginPending && !this.committed;
    this.reset();
    if (open) await this.send(word);
  }

  /** Forgets the transaction state (the connection goes back to the pool, or the transaction ended). */
  reset(): void {
    this.beginPending = false;
    this.inTransaction = false;
    this.committed = false;
  }

  private checkNotCommitted(): void {
    if (this.committed) throw new Error('this transaction was already committed with its last statement; no statement may follow it');
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const pipeline = pipelines.get(compiledQuery);
    if (pipeline) return this.executePipeline<R>(pipeline.queries, pipeline.commit);
    this.checkNotCommitted();
    const values = [...compiledQuery.parameters];
    if (this.beginPending) {
      this.beginPending = false;
      // Without values the text may hold several statements, which the extended protocol
      // refuses: begin goes alone first.
      if (values.length === 0) await this.send('begin');
      else return toQueryResult<R>((await this.pipelined([{ text: compiledQuery.sql, values }], true, false))[0]!);
    }
    return toQueryResult<R>(await this.send(compiledQuery.sql, values));
  }

  /** Runs `queries` in one round trip; the marker's result carries every statement's result. */
  private async executePipeline<R>(queries: readonly CompiledQuery[], commit: boolean): Promise<QueryResult<R>> {
    this.checkNotCommitted();
    const begin = this.beginPending;
    const withCommit = commit && this.inTransaction;
    this.beginPending = false;
    const results = await this.pipelined(queries.map((q) => ({ text: q.sql, values: [...q.parameters] })), begin, withCommit, true);
    if (withCommit) this.committed = true;
    return { rows: [], [PIPELINE_RESULTS]: results.map((r) => toQueryResult(r)) } as QueryResult<R>;
  }

  private pipelined(parts: readonly Part[], begin: boolean, commit: boolean, named = false): Promise<PgResult[]> {
    roundTrips++;
    const fresh: Array<[text: string, name: string]> = [];
    if (named) {
      const known = namesOf(this.client);
      parts = parts.map((p) => {
        const name = known.get(p.text);
        if (name !== undefined) return { ...p, name };
        if (known.size + fresh.length >= MAX_NAMED_PER_CONNECTION || fresh.some(([t]) => t === p.text)) return p;
        const made = `baton_${++statementSeq}`;
        fresh.push([p.text, made]);
        return { ...p, name: made, parse: true };
      });
    }
    return new Promise((resolve, reject) => {
      const query = new PipelineQuery({
        text: parts[0]?.text ?? '', values: [], queryMode: 'extended',
        callback: (err: Error | null, result: PgResult | PgResult[]) => {
          if (err) {
            namedStatements.delete(this.client);
            return reject(err);
          }
          const known = namesOf(this.client);
          for (const [text, name] of fresh) known.set(text, name);
          const all = Array.isArray(result) ? result : [result];
          resolve(all.slice(begin ? 1 : 0, commit ? all.length - 1 : all.length));
        },
      }, parts, begin, commit);
      this.client.query(query as unknown as pg.QueryConfig);
    });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming query results is not supported by Baton\'s PostgreSQL driver; read in pages instead.');
  }
}

const PIPELINE_RESULTS = Symbol('pipeline results');

/**
 * Runs `queries` in order on `db`'s connection (a transaction's, usually): on PostgreSQL in one
 * round trip, each statement starting once the one before it ended; elsewhere one after another.
 * With `commit` and inside a transaction on PostgreSQL, the transaction's commit goes in the same
 * round trip: no statement may run in it afterwards, and its end commits nothing more. Returns
 * each statement's result; a failing statement fails the call (and the statements after it, and
 * the commit, do not run).
 */
export async function executePipelined(db: Kysely<any>, queries: readonly CompiledQuery[], opts: { commit?: boolean } = {}): Promise<Array<QueryResult<unknown>>> {
  if (queries.length === 0) return [];
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    const out: Array<QueryResult<unknown>> = [];
    for (const q of queries) out.push(await db.executeQuery(q));
    return out;
  }
  const marker = CompiledQuery.raw(queries[0]!.sql, [...queries[0]!.parameters]);
  pipelines.set(marker, { queries, commit: opts.commit === true });
  const result = (await db.executeQuery(marker)) as unknown as { [PIPELINE_RESULTS]?: Array<QueryResult<unknown>> };
  const results = result[PIPELINE_RESULTS];
  if (!results) throw new Error('executePipelined needs a database opened by Baton (its PostgreSQL dialect)');
  return results;
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
    await (connection as PipelinedConnection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PipelinedConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PipelinedConnection).end('rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as PipelinedConnection;
    c.reset();
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
