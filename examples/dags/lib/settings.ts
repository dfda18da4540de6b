/**
 * Where the Made With ML pipelines find their data, their warehouse and their inbox, and the
 * names they share. Every location can be overridden by a DAG param; otherwise:
 *
 * | what                 | param       | then                                          | default                               |
 * |----------------------|-------------|-----------------------------------------------|---------------------------------------|
 * | CSV files            | `dataDir`   | env `BATON_EXAMPLES_DATA`                     | `examples/data/madewithml`            |
 * | DuckDB warehouse     | `warehouse` | connection `duckdb_warehouse` (type duckdb)   | `$BATON_HOME/warehouse.duckdb`        |
 * | inbox for new files  | `inbox`     | env `BATON_INBOX`                             | `$BATON_HOME/inbox`                   |
 *
 * This folder holds helpers only: `.batonignore` keeps the DAG processor out of it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Dataset, param, task, type TaskContext } from 'baton';
import { defaultArtifactsDir, duckDbPathFromConnection } from 'baton/providers';

/** The dataset the DuckDB table `labeled_projects` stands for: dataops and new_data update it, mlops runs on it. */
export const LABELED_PROJECTS = new Dataset('warehouse://labeled_projects');

/** The connection that may point the pipelines at another DuckDB file. */
export const WAREHOUSE_CONN_ID = 'duckdb_warehouse';

/** The classifier's labels: the three frequent tags, every other tag becomes `other` (as in Made With ML). */
export const LABELS = ['computer-vision', 'mlops', 'natural-language-processing', 'other'] as const;
export const FREQUENT_TAGS: readonly string[] = LABELS.filter((l) => l !== 'other');

/** The label of a raw tag (see `labelSql` for the same rule in SQL). */
export function toLabel(tag: string): string {
  return FREQUENT_TAGS.includes(tag) ? tag : 'other';
}

/** The registered model's default name. */
export const MODEL_NAME = 'tag_classifier';

/** Shipped with the examples: expectation suites (`suites/*.json`) next to the data. */
export const EXAMPLES_DATA_DIR = fileURLToPath(new URL('../../data/madewithml/', import.meta.url));
export const SUITES_DIR = join(EXAMPLES_DATA_DIR, 'suites');

/** The path of an expectation suite shipped with the examples. */
export function suitePath(name: string): string {
  return join(SUITES_DIR, `${name}.json`);
}

/** The locations a run uses, resolved once by its `locate` task. */
export interface Locations {
  /** The DuckDB file. */
  warehouse: string;
  /** The folder holding projects.csv, tags.csv and holdout.csv. */
  dataDir: string;
  projectsCsv: string;
  tagsCsv: string;
  holdoutCsv: string;
  /** The folder new_data watches for CSV files. */
  inbox: string;
}

/** Params every pipeline takes to relocate its inputs and outputs (empty: the defaults above). */
export const LOCATION_PARAMS = {
  dataDir: param('', { type: 'string', description: 'Folder with projects.csv, tags.csv and holdout.csv. Empty: $BATON_EXAMPLES_DATA, else examples/data/madewithml.' }),
  warehouse: param('', { type: 'string', description: 'DuckDB file. Empty: the duckdb_warehouse connection, else $BATON_HOME/warehouse.duckdb.' }),
  inbox: param('', { type: 'string', description: 'Folder watched for new CSV files. Empty: $BATON_INBOX, else $BATON_HOME/inbox.' }),
};

function given(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? resolvePath(v.trim()) : null;
}

function resolvePath(p: string): string {
  return isAbsolute(p) ? p : resolve(p);
}

/** Resolves every location for a task from its params, connections and environment. */
export async function resolveLocations(ctx: TaskContext): Promise<Locations> {
  // $BATON_HOME as configured (environment or package.json): the artifacts folder's parent.
  const home = dirname(defaultArtifactsDir());
  const dataDir = given(ctx.params.dataDir) ?? given(process.env.BATON_EXAMPLES_DATA) ?? EXAMPLES_DATA_DIR;
  let warehouse = given(ctx.params.warehouse);
  if (!warehouse) {
    const conn = await ctx.connections.get(WAREHOUSE_CONN_ID);
    warehouse = conn ? resolvePath(duckDbPathFromConnection(conn)) : join(home, 'warehouse.duckdb');
  }
  const inbox = given(ctx.params.inbox) ?? given(process.env.BATON_INBOX) ?? join(home, 'inbox');
  return {
    warehouse,
    dataDir,
    projectsCsv: join(dataDir, 'projects.csv'),
    tagsCsv: join(dataDir, 'tags.csv'),
    holdoutCsv: join(dataDir, 'holdout.csv'),
    inbox,
  };
}

/**
 * The `locate` task: resolves the run's locations once and logs them. TaskFlow tasks take its
 * output as input; operator fields use the templates below.
 */
export function locateTask(options: { createInbox?: boolean } = {}) {
  return task('locate', async (_: void, ctx): Promise<Locations> => {
    const where = await resolveLocations(ctx);
    if (options.createInbox) mkdirSync(where.inbox, { recursive: true });
    for (const [k, v] of Object.entries(where)) ctx.log.info(`${k}: ${v}`);
    return where;
  });
}

/** Template fields of operators: a location resolved by the run's `locate` task. */
export function located(key: keyof Locations): string {
  return `{{ ti.xcom_pull(task_ids='locate')['${key}'] }}`;
}

/** The warehouse file, for the `database` field of DuckDB and validation operators. */
export const WAREHOUSE = located('warehouse');
