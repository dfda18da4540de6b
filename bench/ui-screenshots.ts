/**
 * Takes the screenshots of docs/ui.md: runs `baton standalone` with the UI test DAGs, runs a few
 * of them, and photographs the main pages in headless Chromium (Debian's /usr/bin/chromium)
 * into docs/images/. Usage: node bin/node-ts.js bench/ui-screenshots.ts
 */
import { join } from 'node:path';
import { launchBrowser, openPage, signIn } from '../test/ui/support/browser.ts';
import { ADMIN_PASSWORD, startStandalone } from '../test/ui/support/standalone.ts';

const OUT = new URL('../docs/images/', import.meta.url).pathname;
const baton = await startStandalone();
const browser = await launchBrowser();
const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
const call = (method: string, path: string, body?: unknown) =>
  fetch(`${baton.url}/api/v1${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined }).then((r) => r.json() as Promise<Record<string, unknown>>);
async function finish(dagId: string, runId: string) {
  for (let i = 0; i < 400; i++) {
    const r = await call('GET', `/dags/${dagId}/dagRuns/${runId}`);
    if (r.state === 'success' || r.state === 'failed') return;
    await new Promise((res) => setTimeout(res, 250));
  }
}
try {
  for (let i = 1; i <= 3; i++) {
    await call('POST', '/dags/example_task_group/dagRuns', { dag_run_id: `tg_${i}` });
    await call('POST', '/dags/ui_params/dagRuns', { dag_run_id: `params_${i}`, conf: { rows: i * 10 } });
  }
  await call('POST', '/dags/ui_flaky/dagRuns', { dag_run_id: 'flaky_1' });
  await call('POST', '/dags/ui_ml/dagRuns', { dag_run_id: 'ml_1' });
  for (const [d, r] of [['example_task_group', 'tg_3'], ['ui_params', 'params_3'], ['ui_flaky', 'flaky_1'], ['ui_ml', 'ml_1']] as const) await finish(d, r);
  const { page } = await openPage(browser);
  const shot = async (name: string, path: string, ready: string, action?: () => Promise<void>) => {
    await page.goto(`${baton.url}${path}`);
    await page.waitForSelector(ready);
    await action?.();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, `ui-${name}.png`) });
  };
  await page.goto(`${baton.url}/login`);
  await page.waitForSelector('input[name=username]');
  await page.screenshot({ path: join(OUT, 'ui-login.png') });
  await signIn(page, baton.url, 'admin', ADMIN_PASSWORD);
  await shot('dags', '/dags', 'tr[data-dag-id=ui_params] .sq');
  await shot('trigger', '/dags', 'tr[data-dag-id=ui_params] .sq', async () => {
    await page.click('[data-testid=trigger-ui_params]');
    await page.fill('input[name=rows]', '500');
    await page.click('[data-testid=trigger-submit]');
    await page.waitForSelector('[data-testid=trigger-form] [role=alert]');
  });
  await shot('grid', '/dags/example_task_group/grid?run_id=tg_3&task_id=section_1.task_2', '[data-testid=task-log]:has-text("Marking task")');
  await shot('task-failed', '/dags/ui_flaky/grid?run_id=flaky_1&task_id=flaky', '[data-testid=task-log]:has-text("first try fails")', async () => {
    await page.click('[data-testid=dag-doc] summary');
    await page.waitForSelector('[data-testid=dag-doc-text] h1');
  });
  await shot('graph', '/dags/example_task_group/graph', '[data-node-id=end][data-state=success]');
  await shot('gantt', '/dags/example_task_group/gantt?run_id=tg_3', '[data-testid=gantt]');
  await shot('code', '/dags/ui_params/code', '[data-testid=dag-code]');
  await shot('ml', '/ml?dag_id=ui_ml&run_id=ml_1', '[data-testid="chart-loss"] canvas');
  await shot('models', '/ml/models', '[data-testid=models]');
  await shot('pools', '/admin/pools', '[data-testid=pools]');
  await call('POST', '/connections', { connection_id: 'warehouse', conn_type: 'postgres', host: 'db.example.com', login: 'etl', port: 5432, password: 'not-shown' });
  await shot('connection-edit', '/admin/connections', '[data-testid=edit-warehouse]', async () => {
    await page.click('[data-testid=edit-warehouse]');
    await page.waitForSelector('[data-testid=edit-connection] input[name=host]');
  });
  await shot('not-found', '/dags/no_such_dag/grid', '[data-testid=not-found]');
  await page.click('[data-testid=theme-toggle]');
  await shot('grid-dark', '/dags/example_task_group/grid?run_id=tg_3', '.run-bar');
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await baton.stop();
}
