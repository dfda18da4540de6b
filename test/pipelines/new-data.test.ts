/**
 * new_data (examples/dags/new_data.ts) through the real engine and the triggerer on SQLite:
 * its deferrable sensor waits on the inbox; two files dropped in give two mapped ingest tries
 * (one at a time, in the one-slot duckdb pool), one merge and exactly one mlops run; a file
 * that fails validation fails its own try, nothing is merged and the files are quarantined.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqlLiteral, withDuckDb } from '../../src/providers/duckdb/index.ts';
import { tryLogPath } from '../../src/scheduler/log-path.ts';
import { getPool } from '../../src/store/index.ts';
import { dialectNamed } from '../support/databases.ts';
import { DATA_DIR, failures, runToEnd, startPipelines, type PipelineHarness } from './support.ts';

const sqlite = dialectNamed('sqlite');
const HOLDOUT = join(DATA_DIR, 'holdout.csv');

/** Writes holdout rows `offset`…`offset + count - 1` (by id) as a CSV file; `breakTitle` empties one title. */
async function holdoutSlice(path: string, offset: number, count: number, breakTitle = false): Promise<void> {
  await withDuckDb(':memory:', (h) =>
    h.run(`COPY (
      SELECT id, created_on, CASE WHEN ${breakTitle} AND n = ${offset + 1} THEN NULL ELSE title END AS title, description, tag
      FROM (SELECT *, row_number() OVER (ORDER BY id) - 1 AS n FROM read_csv(${sqlLiteral(HOLDOUT)}, header = true))
      WHERE n >= ${offset} AND n < ${offset + count} ORDER BY id
    ) TO ${sqlLiteral(path)} (HEADER)`),
  );
}

describe('new_data: files dropped into the inbox', () => {
  let p: PipelineHarness;
  let staging: string;
  let inbox: string;

  /** Moves complete files into the inbox, as users are told to. */
  const drop = async (...names: string[]) => {
    for (const n of names) await rename(join(staging, n), join(inbox, n));
  };
  const waitingRun = async () =>
    p.h.waitFor('a new_data run waiting on the inbox (deferred sensor)', async () => {
      const runs = await p.runs('new_data');
      const last = runs.at(-1);
      if (!last || last.state !== 'running') return undefined;
      return (await p.states('new_data', last.run_id)).wait_for_files === 'deferred' ? last.run_id : undefined;
    }, 60_000);

  before(async () => {
    staging = await mkdtemp(join(tmpdir(), 'baton-staging-'));
    p = await startPipelines(sqlite, ['dataops', 'mlops', 'new_data'], { triggerer: true });
    inbox = join(p.home, 'inbox');
    assert.equal((await runToEnd(p, 'dataops')).state, 'success');
    const [first] = await p.waitForRuns('mlops', 1);
    assert.equal(first!.state, 'success', await failures(p, 'mlops', first!.run_id));
  });
  after(async () => {
    await p?.stop();
    await rm(staging, { recursive: true, force: true });
  });

  test('two files give two mapped ingest tries, one merge and exactly one mlops run', async () => {
    const pool = await getPool(p.h.db, 'duckdb');
    assert.equal(pool?.slots, 1, 'DuckDB writers share one slot');
    const runId = await waitingRun();
    await mkdir(inbox, { recursive: true });
    await holdoutSlice(join(staging, 'batch_a.csv'), 0, 20);
    await holdoutSlice(join(staging, 'batch_b.csv'), 20, 15);
    await drop('batch_a.csv', 'batch_b.csv');

    assert.equal(await p.h.waitForRun('new_data', runId, 60_000), 'success', await failures(p, 'new_data', runId));
    const s = await p.states('new_data', runId);
    assert.deepEqual(s, {
      claim_files: 'success', 'ingest[0]': 'success', 'ingest[1]': 'success', locate: 'success', merge: 'success',
      publish: 'success', quarantine: 'skipped', validate_labeled: 'success', wait_for_files: 'success',
    });
    assert.deepEqual(await p.xcom('new_data', runId, 'publish'), [{ file: 'batch_a.csv', rows: 20 }, { file: 'batch_b.csv', rows: 15 }]);
    // One slot: the two ingest tries did not overlap.
    const tries = (await p.h.tis('new_data', runId)).filter((t) => t.task_id === 'ingest');
    const [a, b] = tries.sort((x, y) => x.start_date!.localeCompare(y.start_date!));
    assert.ok(a!.end_date! <= b!.start_date!, `ingest tries overlapped: ${JSON.stringify(tries)}`);

    // The files are archived.
    const runFolder = runId.replace(/[^A-Za-z0-9_.-]/g, '_');
    assert.deepEqual((await readdir(join(inbox, 'processed', runFolder))).sort(), ['batch_a.csv', 'batch_b.csv']);
    assert.deepEqual((await readdir(inbox)).filter((f) => f.endsWith('.csv')), []);

    // The dataset event starts mlops once, on the merged data.
    const runs = await p.waitForRuns('mlops', 2, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await p.runs('mlops');
    assert.equal(after.length, 2, 'exactly one more mlops run');
    assert.equal(runs[1]!.run_type, 'dataset_triggered');
    assert.equal(runs[1]!.state, 'success', await failures(p, 'mlops', runs[1]!.run_id));
    // (The test opens the warehouse only once no task uses it: DuckDB allows one process per file.)
    assert.deepEqual(await p.query(`SELECT count(*) AS n, count(*) FILTER (WHERE arrived_at IS NOT NULL) AS arrived, count(DISTINCT source) AS sources FROM labeled_projects`), [{ n: 764 + 35, arrived: 35, sources: 3 }]);
    assert.deepEqual(await p.query('SELECT count(*) AS n FROM training_data'), [{ n: 799 }]);

    // The schedule is continuous: the next run is already waiting.
    const next = await waitingRun();
    assert.notEqual(next, runId);
  });

  test('a file failing validation fails its own ingest try; nothing is merged, the files are quarantined, mlops does not start', async () => {
    const runId = await waitingRun();
    const mlopsBefore = (await p.runs('mlops')).length;
    await holdoutSlice(join(staging, 'good.csv'), 40, 10);
    await holdoutSlice(join(staging, 'no_title.csv'), 50, 10, true);
    await drop('good.csv', 'no_title.csv');

    assert.equal(await p.h.waitForRun('new_data', runId, 60_000), 'failed');
    const s = await p.states('new_data', runId);
    assert.deepEqual([s['ingest[0]'], s['ingest[1]'], s.merge, s.validate_labeled, s.publish, s.quarantine], ['success', 'failed', 'upstream_failed', 'upstream_failed', 'upstream_failed', 'failed']);
    const log = await readFile(tryLogPath(p.h.config.logsFolder, { dagId: 'new_data', runId, taskId: 'ingest', mapIndex: 1, tryNumber: 1 }), 'utf8');
    assert.match(log, /✖ +expect_column_values_to_not_be_null +column=title +1 of 10 unexpected/);
    assert.match(log, /no_title\.csv failed validation: expect_column_values_to_not_be_null\(title\)\. Report: file:\/\//);
    const runFolder = runId.replace(/[^A-Za-z0-9_.-]/g, '_');
    assert.deepEqual((await readdir(join(inbox, 'failed', runFolder))).sort(), ['good.csv', 'no_title.csv']);
    assert.deepEqual(await p.query('SELECT count(*) AS n FROM labeled_projects'), [{ n: 799 }]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await p.runs('mlops')).length, mlopsBefore);
  });
});
