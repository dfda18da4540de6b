/**
 * New data through an inbox: drop CSV files with the columns of dataset.csv (id, created_on,
 * title, description, tag) into the inbox folder ($BATON_HOME/inbox by default) and each file is
 * validated and loaded on its own, then merged into labeled_projects, which starts mlops once.
 *
 *   locate → wait_for_files → claim_files → ingest[one per file] → merge → validate_labeled → publish
 *                                                                                  quarantine ←┘
 *
 * The sensor is deferrable: while the inbox is empty the wait costs no worker, only a check in
 * the triggerer every few seconds. The schedule is continuous: when a run ends the next one
 * starts waiting. Move complete files into the inbox (write them elsewhere, then `mv`).
 * Claimed files go to `claimed/<run>/`, then to `processed/<run>/`; when a file fails validation
 * its `ingest` try fails (others still load), nothing is merged, and the run's files are moved to
 * `failed/<run>/` by `quarantine`.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { dag, FailTask, FileSensor, SkipTask, task, type TaskContext } from 'baton';
import {
  artifactStore, defaultReportKey, DUCKDB_POOL, fileRelation, formatReport, loadSuite, putJson, sqlLiteral, validate, ValidationOperator, withDuckDb,
} from 'baton/providers';
import { announceFailure } from './lib/notify.ts';
import { LABELED_PROJECTS, LOCATION_PARAMS, located, locateTask, suitePath, WAREHOUSE, type Locations } from './lib/settings.ts';
import { CREATE_TABLES_SQL, mergeArrivalsSql } from './lib/warehouse.ts';

interface Ingested {
  file: string;
  rows: number;
}

/** A run id as a folder name. */
function runFolder(ctx: TaskContext): string {
  return ctx.runId.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function claimedDir(where: Locations, ctx: TaskContext): string {
  return join(where.inbox, 'claimed', runFolder(ctx));
}

/** Moves every file of `from` into `to`; returns the names moved. */
async function moveAll(from: string, to: string): Promise<string[]> {
  const names = await readdir(from).catch(() => [] as string[]);
  if (names.length > 0) await mkdir(to, { recursive: true });
  for (const n of names) await rename(join(from, n), join(to, n));
  await rm(from, { recursive: true, force: true });
  return names;
}

export default dag(
  {
    id: 'new_data',
    description: 'Validate and merge CSV files dropped into the inbox; updates labeled_projects',
    schedule: '@continuous',
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 1,
    tags: ['madewithml', 'dataops'],
    params: { inbox: LOCATION_PARAMS.inbox, warehouse: LOCATION_PARAMS.warehouse },
    defaultArgs: { retries: 1, retryDelay: '20s', onFailure: announceFailure },
  },
  () => {
    const where = locateTask({ createInbox: true })();

    const waitForFiles = new FileSensor({
      taskId: 'wait_for_files',
      filepath: `${located('inbox')}/*.csv`,
      deferrable: true,
      pokeInterval: 30,
      triggerPollInterval: 2,
      timeout: '1d',
      softFail: true,
    });

    const claimFiles = task('claim_files', async (where: Locations, ctx): Promise<string[]> => {
      const dir = claimedDir(where, ctx);
      await mkdir(dir, { recursive: true });
      const names = (await readdir(where.inbox, { withFileTypes: true })).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.csv')).map((e) => e.name).sort();
      const claimed: string[] = [];
      for (const name of names) {
        try {
          await rename(join(where.inbox, name), join(dir, name));
          claimed.push(join(dir, name));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // claimed by someone else meanwhile
        }
      }
      if (claimed.length === 0) throw new SkipTask(`no CSV file left in ${where.inbox}`);
      ctx.log.info(`Claimed ${claimed.length} file(s) into ${dir}: ${claimed.map((f) => basename(f)).join(', ')}`);
      return claimed;
    });

    const ingest = task({ taskId: 'ingest', pool: DUCKDB_POOL }, async ({ file, where }: { file: string; where: Locations }, ctx): Promise<Ingested> => {
      const suite = await loadSuite(suitePath('incoming_projects'));
      const name = basename(file);
      return withDuckDb(where.warehouse, async (h) => {
        const report = await validate(h, { file }, suite);
        for (const line of formatReport(report)) ctx.log.info(line);
        const store = artifactStore();
        const key = defaultReportKey(ctx);
        await putJson(store, key, report);
        if (!report.success) {
          const failed = report.results.filter((r) => !r.success).map((r) => r.expectation.expectationType + ('column' in r.expectation ? `(${r.expectation.column})` : ''));
          throw new FailTask(`${name} failed validation: ${failed.join('; ')}. Report: ${store.url(key)}`);
        }
        await h.run(CREATE_TABLES_SQL);
        const source = sqlLiteral(name);
        const run = sqlLiteral(ctx.runId);
        await h.run(`DELETE FROM incoming_projects WHERE run_id = ${run} AND source = ${source}`);
        await h.run(`INSERT INTO incoming_projects BY NAME
          SELECT id, created_on, title, description, tag, ${source} AS source, ${run} AS run_id, now() AS arrived_at FROM ${fileRelation(file)}`);
        const rows = Number((await h.query(`SELECT count(*) AS n FROM incoming_projects WHERE run_id = ${run} AND source = ${source}`))[0]!.n);
        ctx.log.info(`${name}: ${rows} row(s) passed validation and were staged in incoming_projects`);
        return { file: name, rows };
      });
    });

    const merge = task({ taskId: 'merge', pool: DUCKDB_POOL }, async ({ ingested, where }: { ingested: Ingested[]; where: Locations }, ctx) => {
      return withDuckDb(where.warehouse, async (h) => {
        const before = Number((await h.query(`SELECT count(*) AS n FROM labeled_projects`).catch(() => [{ n: 0 }]))[0]!.n);
        await h.run(mergeArrivalsSql(ctx.runId));
        const after = Number((await h.query(`SELECT count(*) AS n FROM labeled_projects`))[0]!.n);
        const received = ingested.reduce((s, i) => s + i.rows, 0);
        ctx.log.info(`Merged ${received} row(s) from ${ingested.length} file(s) into labeled_projects: ${before} → ${after} rows (${received - (after - before)} replaced existing ids)`);
        return { table: 'labeled_projects', rows: after, added: after - before, received };
      });
    });

    const validateLabeled = new ValidationOperator({ taskId: 'validate_labeled', database: WAREHOUSE, table: 'labeled_projects', suite: suitePath('labeled_projects') });

    const publish = task({ taskId: 'publish', outlets: [LABELED_PROJECTS] }, async ({ ingested, where }: { ingested: Ingested[]; where: Locations }, ctx) => {
      const moved = await moveAll(claimedDir(where, ctx), join(where.inbox, 'processed', runFolder(ctx)));
      ctx.log.info(`Published labeled_projects (${LABELED_PROJECTS.uri}) with ${ingested.map((i) => `${i.file}: ${i.rows} rows`).join(', ')}; ${moved.length} file(s) moved to processed/`);
      return ingested;
    });

    const quarantine = task({ taskId: 'quarantine', triggerRule: 'all_done' }, async (where: Locations, ctx) => {
      const failedDir = join(where.inbox, 'failed', runFolder(ctx));
      const moved = await moveAll(claimedDir(where, ctx), failedDir);
      if (moved.length === 0) throw new SkipTask('every claimed file was processed');
      throw new FailTask(`nothing was merged: ${moved.length} file(s) moved to ${failedDir} (${moved.join(', ')}); see the failed ingest tries for the validation reports`);
    });

    const files = claimFiles(where);
    where.then(waitForFiles).then(files);
    const ingested = ingest.partial({ where }).expand({ file: files });
    const merged = merge({ ingested, where });
    merged.then(validateLabeled);
    const published = publish({ ingested, where });
    published.after(validateLabeled);
    quarantine(where).after(ingested, published);
  },
);
