/**
 * ValidationOperator: checks a DuckDB table or a CSV/Parquet/JSON file against an expectation
 * suite (the role Great Expectations plays in Airflow pipelines). The report is written to the
 * object store, pushed as the task's XCom and summarised in the task log; when an expectation
 * fails the task fails without retrying (so downstream tasks do not run), unless
 * `failOnValidationFailure` is false.
 */
import { BaseOperator, type BaseOperatorOptions } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import { FailTask } from '../../sdk/errors.ts';
import type { DuckDbTarget } from '../duckdb/connection.ts';
import type { FileReadOptions } from '../duckdb/file-readers.ts';
import { DuckDbHook, withDuckDb } from '../duckdb/hook.ts';
import { MEMORY_DATABASE } from '../duckdb/instances.ts';
import { DUCKDB_POOL } from '../duckdb/pool.ts';
import { artifactStore } from '../objectstore/artifacts.ts';
import { putJson, type ObjectStore } from '../objectstore/object-store.ts';
import { loadSuite, parseSuite } from './suite.ts';
import { formatReport } from './summary.ts';
import type { ExpectationSuite, ValidationReport } from './types.ts';
import { validate } from './validate.ts';

export interface ValidationOperatorOptions extends BaseOperatorOptions, DuckDbTarget {
  /** The suite, or the path of its JSON file (read when the task runs). */
  suite: ExpectationSuite | string;
  /** A table of the DuckDB database named by `connId` (default `duckdb_default`) or `database`. Templated. */
  table?: string;
  /** A CSV, Parquet or JSON file, read through DuckDB (in memory unless `connId`/`database` is given). Templated. */
  file?: string;
  /** How to read `file` (format, header, delimiter). Default: from the extension. */
  fileOptions?: FileReadOptions;
  /** Fail the task (without retries) when an expectation fails. Default true. */
  failOnValidationFailure?: boolean;
  /** Object key of the report. Default `validation/<dag_id>/<run_id>/<task_id>.json`. Templated. */
  reportKey?: string;
  /** Root of the default object store. Default `$BATON_HOME/artifacts` (`~/baton/artifacts`). */
  artifactsDir?: string;
  /** Where reports are written. Default: a local store on `artifactsDir`. */
  objectStore?: ObjectStore;
}

export class ValidationOperator extends BaseOperator<ValidationReport> {
  static override templateFields = ['table', 'file', 'reportKey', 'database'] as const;
  static override uiColor = '#ff6f61';
  table: string | undefined;
  file: string | undefined;
  reportKey: string | undefined;
  database: string | undefined;
  readonly suite: ExpectationSuite | string;
  readonly connId: string | undefined;
  readonly fileOptions: FileReadOptions;
  readonly failOnValidationFailure: boolean;
  readonly artifactsDir: string | undefined;
  readonly objectStore: ObjectStore | undefined;

  /** Validating a table runs in the `duckdb` pool unless `pool` is given (see DUCKDB_POOL). */
  constructor(o: ValidationOperatorOptions) {
    const usesDatabaseFile = o.table !== undefined || o.connId !== undefined || (o.database !== undefined && o.database !== MEMORY_DATABASE);
    super(usesDatabaseFile ? { pool: DUCKDB_POOL, ...o } : o);
    if ((o.table === undefined) === (o.file === undefined)) {
      throw new TypeError(`ValidationOperator '${o.taskId}': give either table (with connId or database) or file, not ${o.table === undefined ? 'neither' : 'both'}`);
    }
    this.suite = typeof o.suite === 'string' ? o.suite : parseSuite(o.suite, `of task '${o.taskId}'`);
    this.table = o.table;
    this.file = o.file;
    this.reportKey = o.reportKey;
    this.database = o.database;
    this.connId = o.connId;
    this.fileOptions = o.fileOptions ?? {};
    this.failOnValidationFailure = o.failOnValidationFailure ?? true;
    this.artifactsDir = o.artifactsDir;
    this.objectStore = o.objectStore;
  }

  override describeFields(): Record<string, unknown> {
    return { ...super.describeFields(), suite: typeof this.suite === 'string' ? this.suite : this.suite.name };
  }

  async execute(ctx: TaskContext): Promise<ValidationReport> {
    const suite = typeof this.suite === 'string' ? await loadSuite(this.suite) : this.suite;
    const hook =
      this.table === undefined && this.connId === undefined && this.database === undefined
        ? new DuckDbHook(MEMORY_DATABASE)
        : await DuckDbHook.forTask(ctx, { connId: this.connId, database: this.database });
    const source = this.table !== undefined ? { table: this.table } : { file: this.file!, read: this.fileOptions };
    const report = await withDuckDb(hook, (h) => validate(h, source, suite));

    const store = this.objectStore ?? artifactStore(this.artifactsDir);
    const key = this.reportKey ?? defaultReportKey(ctx);
    await putJson(store, key, report);
    for (const line of formatReport(report)) ctx.log.info(line);
    ctx.log.info(`Validation report written to ${store.url(key)}`);
    await ctx.ti.xcomPush('return_value', report);

    if (!report.success && this.failOnValidationFailure) {
      const failed = report.results.filter((r) => !r.success).map((r) => `${r.expectation.expectationType}${'column' in r.expectation ? `(${r.expectation.column})` : 'columns' in r.expectation ? `(${r.expectation.columns.join(', ')})` : ''}`);
      throw new FailTask(
        `validation of ${report.source} with suite '${report.suite}' failed: ${report.statistics.unsuccessful} of ${report.statistics.evaluated} expectations not met (${failed.join('; ')}). Report: ${store.url(key)}. Fix the data upstream, or set failOnValidationFailure: false to only record the report.`,
      );
    }
    if (!report.success) ctx.log.warn('Validation failed; continuing because failOnValidationFailure is false');
    return report;
  }
}

/** `validation/<dag_id>/<run_id>/<task_id>[.<map_index>].json` */
export function defaultReportKey(ctx: TaskContext): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.:+\-]/g, '_').replace(/^\.+/, '_');
  const mapped = ctx.ti.mapIndex >= 0 ? `.${ctx.ti.mapIndex}` : '';
  return `validation/${safe(ctx.dag.dagId)}/${safe(ctx.runId)}/${safe(ctx.task.taskId)}${mapped}.json`;
}
