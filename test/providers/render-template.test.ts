import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTaskTemplate } from '../../src/providers/render-template.ts';
import { dag, task } from '../../src/sdk/index.ts';
import { runDag, withEnv } from './support.ts';

async function renderInTask(template: string, extras?: Record<string, unknown>): Promise<{ value: unknown; error: string | null }> {
  const d = dag({ id: 'render', schedule: null, params: { limit: 5 } }, () => {
    const pick = task('pick', async () => 'metrics');
    const metrics = task('metrics', async () => ({ f1: 0.87 }));
    const show = task('show', async (_: void, ctx) => renderTaskTemplate(ctx, template, { name: 'test template', extras }));
    pick().then(metrics()).then(show());
  });
  const run = await runDag(d);
  return { value: run.xcom('show'), error: run.tis.find((t) => t.taskId === 'show')!.error };
}

test('a template in a TaskFlow task sees upstream XComs, params and the run context', async () => {
  const r = await renderInTask("{{ ti.xcom_pull(task_ids='metrics')['f1'] }} {{ params.limit }} {{ ds }} {{ task.task_id }}");
  assert.equal(r.value, '0.87 5 2024-03-01 show');
});

test('a lookup whose arguments come from another lookup takes another round', async () => {
  const r = await renderInTask("{{ ti.xcom_pull(task_ids=ti.xcom_pull(task_ids='pick'))['f1'] }}");
  assert.equal(r.value, '0.87');
});

test('Variables and connections are fetched when the template asks for them', async () => {
  const restore = withEnv({ BATON_VAR_TEAM: 'ml-platform', BATON_CONN_WAREHOUSE: 'duckdb://?path=%2Fdata%2Fw.duckdb' });
  try {
    const r = await renderInTask('{{ var.value.team }} {{ conn.warehouse.conn_type }} {{ conn.warehouse.extra_dejson.path }}');
    assert.equal(r.value, 'ml-platform duckdb /data/w.duckdb');
  } finally {
    restore();
  }
});

test('extras are visible by name; a missing Variable fails with the usual message', async () => {
  assert.equal((await renderInTask('{{ table }} has {{ rows }} rows', { table: 'projects', rows: 764 })).value, 'projects has 764 rows');
  assert.match((await renderInTask('{{ var.value.absent }}')).error ?? '', /Variable 'absent' does not exist/);
});
