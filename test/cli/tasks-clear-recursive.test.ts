/**
 * `baton tasks clear` follows ExternalTaskMarkers by default (Airflow CLI): the task instances of
 * other DAGs the markers point at are listed and cleared with the DAG's own; `-x/--exclude-subdags`
 * does not follow them; a chain deeper than the recursion depth exits 1 naming it, with nothing
 * changed.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { syncDagFolderOnce } from '../../src/engine/dag-folder-sync.ts';
import type { SerializedDag } from '../../src/core/serialized-dag.ts';
import { createDagRun } from '../../src/scheduler/create-run.ts';
import { eachDialect } from '../support/databases.ts';
import { openCliEnv, runJson, show, type CliEnv } from './cli-helpers.ts';

const MARKER_DAGS = fileURLToPath(new URL('../fixtures/marker-dags/', import.meta.url));
const DAY = new Date('2026-03-01T00:00:00Z');

for (const dialect of eachDialect()) {
  describe(`baton tasks clear across DAGs on ${dialect.name}`, () => {
    let cli: CliEnv;
    const states = async (dagId: string) =>
      Object.fromEntries((await cli.db.db.selectFrom('task_instance').select(['task_id', 'state']).where('dag_id', '=', dagId).execute()).map((t) => [t.task_id, t.state]));

    before(async () => {
      cli = await openCliEnv(dialect, { BATON_DAGS_FOLDER: MARKER_DAGS });
      await syncDagFolderOnce(cli.db, loadConfig(cli.env));
      // Finished runs of every DAG at the same logical date.
      for (const dagId of ['mk_parent', 'mk_child', 'mk_deep', 'mk_deeper']) {
        const row = await cli.db.db.selectFrom('serialized_dag').select('data').where('dag_id', '=', dagId).executeTakeFirstOrThrow();
        const dag = JSON.parse(row.data) as SerializedDag;
        await cli.db.db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual', runId: `${dagId}_run`, logicalDate: DAY }));
        await cli.db.db.updateTable('task_instance').set({ state: 'success', try_number: 1 }).where('dag_id', '=', dagId).execute();
        await cli.db.db.updateTable('dag_run').set({ state: 'success' }).where('dag_id', '=', dagId).execute();
      }
    });
    after(() => cli?.close());

    test('by default lists the task instances the markers point at, with their downstream tasks, and changes nothing without -y', async () => {
      const rows = await runJson(cli, 'tasks', 'clear', 'mk_parent', '-t', '^mark_child$');
      assert.deepEqual(rows.map((r) => `${r.dag_id}/${r.task_id}`), ['mk_parent/mark_child', 'mk_child/load', 'mk_child/wait']);
      assert.deepEqual(await states('mk_child'), { before: 'success', load: 'success', wait: 'success' });
    });

    test('-x/--exclude-subdags does not follow the markers', async () => {
      for (const flag of ['-x', '--exclude-subdags']) {
        const rows = await runJson(cli, 'tasks', 'clear', 'mk_parent', '-t', '^mark_child$', flag);
        assert.deepEqual(rows.map((r) => `${r.dag_id}/${r.task_id}`), ['mk_parent/mark_child']);
      }
    });

    test('-y clears them across DAGs and sets both runs back to queued', async () => {
      const r = await cli.run('tasks', 'clear', 'mk_parent', '-t', '^mark_child$', '-y');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /Cleared 3 task instance\(s\); 2 finished run\(s\) set back to queued/);
      assert.deepEqual(await states('mk_child'), { before: 'success', load: 'none', wait: 'none' });
      assert.deepEqual(await states('mk_parent'), { extract: 'success', mark_child: 'none' });
      const runs = await cli.db.db.selectFrom('dag_run').select(['dag_id', 'state']).where('dag_id', 'in', ['mk_parent', 'mk_child']).orderBy('dag_id').execute();
      assert.deepEqual(runs.map((x) => x.state), ['queued', 'queued']);
    });

    test('a chain deeper than the recursion depth exits 1 naming the chain, and nothing is cleared', async () => {
      const r = await cli.run('tasks', 'clear', 'mk_deep', '-y');
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /recursion depth of 1 .*mk_deep\.m \(run mk_deep_run\) → mk_deeper\.m \(run mk_deeper_run\)/);
      assert.deepEqual(await states('mk_deep'), { m: 'success' });
      assert.deepEqual(await states('mk_deeper'), { m: 'success' });
    });
  });
}
