/**
 * DataOps for the Made With ML projects: load projects.csv and tags.csv into the DuckDB
 * warehouse, validate each, join them into `labeled_projects`, validate the result, and publish
 * it. Publishing updates the dataset `warehouse://labeled_projects`, which starts `mlops`.
 *
 *   bin/baton.js dags trigger dataops
 *   bin/baton.js dags trigger dataops --conf '{"dataDir": "/path/to/csv/folder"}'
 *
 * A validation failure fails its task without retries; nothing downstream runs and mlops is
 * not started. Reports are written to $BATON_HOME/artifacts/validation/dataops/<run>/.
 */
import { dag, EmptyOperator } from 'baton';
import { dataframe, DuckDbOperator, loadFile, transform, ValidationOperator } from 'baton/providers';
import { announceFailure } from './lib/notify.ts';
import { LABELED_PROJECTS, LOCATION_PARAMS, located, locateTask, suitePath, WAREHOUSE } from './lib/settings.ts';
import { CREATE_TABLES_SQL, LABEL_SQL } from './lib/warehouse.ts';

export default dag(
  {
    id: 'dataops',
    description: 'Load, validate and label the Made With ML projects in DuckDB',
    schedule: null,
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 1,
    tags: ['madewithml', 'dataops'],
    params: { dataDir: LOCATION_PARAMS.dataDir, warehouse: LOCATION_PARAMS.warehouse },
    defaultArgs: { retries: 1, retryDelay: '20s', onFailure: announceFailure },
  },
  () => {
    const where = locateTask()();

    const prepare = new DuckDbOperator({ taskId: 'prepare_warehouse', database: WAREHOUSE, sql: CREATE_TABLES_SQL });

    const projects = loadFile({ taskId: 'load_projects', database: WAREHOUSE, path: located('projectsCsv'), table: 'raw.projects' });
    const tags = loadFile({ taskId: 'load_tags', database: WAREHOUSE, path: located('tagsCsv'), table: 'raw.tags' });

    const validateProjects = new ValidationOperator({ taskId: 'validate_projects', database: WAREHOUSE, table: 'raw.projects', suite: suitePath('projects') });
    const validateTags = new ValidationOperator({ taskId: 'validate_tags', database: WAREHOUSE, table: 'raw.tags', suite: suitePath('tags') });

    // Both inputs must pass before they are joined.
    const validated = new EmptyOperator({ taskId: 'inputs_validated' });

    const labeled = transform({ taskId: 'label', database: WAREHOUSE, outputTable: 'labeled_projects', inputs: { projects, tags }, sql: LABEL_SQL });

    const validateLabeled = new ValidationOperator({ taskId: 'validate_labeled', database: WAREHOUSE, table: 'labeled_projects', suite: suitePath('labeled_projects') });

    const publish = dataframe({
      taskId: 'publish',
      database: WAREHOUSE,
      sql: 'SELECT tag, count(*) AS projects FROM labeled_projects GROUP BY tag ORDER BY tag',
      fn: (rows, ctx) => {
        const counts = Object.fromEntries(rows.map((r) => [String(r.tag), Number(r.projects)]));
        ctx.log.info(`labeled_projects is ready: ${JSON.stringify(counts)}; updating dataset ${LABELED_PROJECTS.uri}`);
        return counts;
      },
      outlets: [LABELED_PROJECTS],
    });

    where.then(prepare).then([projects, tags]);
    projects.then(validateProjects);
    tags.then(validateTags);
    validated.after(validateProjects, validateTags);
    labeled.after(validated);
    labeled.then(validateLabeled).then(publish);
  },
);
