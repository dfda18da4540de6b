/**
 * DAG versions: each DAG gets version 1 when first synced, a new version only when its
 * structure changes (re-syncing an unchanged file adds none), runs remember the version they
 * were created from, and the API lists versions, filters runs and task instances by version and
 * serves each version's source.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { syncDags } from '../../src/scheduler/dag-sync.ts';
import { processDagFolder } from '../../src/processor/index.ts';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

for (const dialect of eachDialect()) {
  describe(`API v2 DAG versions on ${dialect.name}`, () => {
    let h: V2Harness;
    const resync = async () => {
      const folder = await processDagFolder(h.config.dagsFolder, { timeoutMs: 30_000 });
      await syncDags(h.db, { dags: folder.dags, errors: folder.errors, files: folder.files, pausedAtCreation: false });
    };
    before(async () => {
      h = await openV2Harness(dialect);
    });
    after(() => h?.close());

    test('every DAG starts at version 1; re-syncing unchanged files adds no version', async () => {
      await resync();
      const r = await h.call('GET', '/api/v2/dags/api_etl/dagVersions');
      assert.deepEqual(r.body.dag_versions.map((v: { version_number: number }) => v.version_number), [1]);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagVersions/1')).body.dag_id, 'api_etl');
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagVersions/2')).status, 404);
    });

    test('a run remembers its version; changing the structure makes version 2 with its own source; runs and task instances filter by version', async () => {
      const first = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'v1_run', logical_date: null } });
      assert.deepEqual(first.body.dag_versions.map((v: { version_number: number }) => v.version_number), [1]);
      const file = join(h.config.dagsFolder, 'api_etl.ts');
      const before = await readFile(file, 'utf8');
      await writeFile(file, before.replace("const load = task('load'", "task('audit', async () => 1)();\n    const load = task('load'"));
      await resync();
      const versions = await h.call('GET', '/api/v2/dags/api_etl/dagVersions?order_by=-version_number');
      assert.deepEqual(versions.body.dag_versions.map((v: { version_number: number }) => v.version_number), [2, 1]);
      const second = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'v2_run', logical_date: null } });
      assert.equal(second.body.dag_versions[0].version_number, 2);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagRuns/v1_run')).body.dag_versions[0].version_number, 1, 'an older run keeps its version');
      const byVersion = await h.call('GET', '/api/v2/dags/api_etl/dagRuns?dag_version=1');
      assert.deepEqual(byVersion.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id), ['v1_run']);
      const tis = await h.call('GET', '/api/v2/dags/~/dagRuns/~/taskInstances?version_number=2&dag_id_pattern=api_etl');
      assert.ok(tis.body.task_instances.some((t: { task_id: string }) => t.task_id === 'audit'));
      assert.ok(tis.body.task_instances.every((t: { dag_run_id: string; dag_version: { version_number: number } }) => t.dag_run_id === 'v2_run' && t.dag_version.version_number === 2));
      const oldSource = await h.call('GET', '/api/v2/dagSources/api_etl?version_number=1');
      const newSource = await h.call('GET', '/api/v2/dagSources/api_etl');
      assert.equal(oldSource.body.content, before);
      assert.match(newSource.body.content, /audit/);
      assert.equal(newSource.body.version_number, 2);
      assert.equal((await h.call('GET', '/api/v2/dagSources/api_etl?version_number=9')).status, 404);
      const details = await h.call('GET', '/api/v2/dags/api_etl/details');
      assert.equal(details.body.latest_dag_version.version_number, 2);
    });
  });
}
