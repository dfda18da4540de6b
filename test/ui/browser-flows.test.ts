/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against `baton
 * standalone` running the UI test DAGs (test/ui/dags): signing in (and a wrong password),
 * triggering a DAG through its params form until the grid shows success, a failed task's log,
 * clearing it and watching it run again, what a Viewer sees (and that the API refuses them
 * anyway), the graph of example_task_group, ML metrics charts and the registry, mapped-task
 * drill-down, a live log, the other DAG views and admin pages, the theme, not-found pages, API
 * errors shown as messages, and DAG docs rendered as sanitized Markdown and markup in logs shown as text.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, signIn } from './support/browser.ts';
import { ADMIN_PASSWORD, startStandalone, type Standalone } from './support/standalone.ts';

const RUN_TIMEOUT = 90_000;

describe('the web UI in a browser', () => {
  let baton: Standalone;
  let browser: Browser;
  const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
  const apiCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baton.url}/api/v1${path}`, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const waitForRun = async (dagId: string, runId: string) => {
    const deadline = Date.now() + RUN_TIMEOUT;
    for (;;) {
      const r = await apiCall('GET', `/dags/${dagId}/dagRuns/${runId}`);
      if (r.body?.state === 'success' || r.body?.state === 'failed') return r.body.state as string;
      if (Date.now() > deadline) throw new Error(`run ${dagId}/${runId} did not finish: ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  };
  const adminPage = async (): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, baton.url, 'admin', ADMIN_PASSWORD);
    return { page, errors, close: () => context.close() };
  };

  before(async () => {
    [baton, browser] = await Promise.all([startStandalone(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await baton?.stop();
  });

  test('a wrong password is refused on the login form; the right one opens the DAG list with its import errors', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${baton.url}/dags`);
    await page.waitForSelector('input[name=username]');
    assert.match(page.url(), /\/login\?next=%2Fdags$/, 'a signed-out visitor is sent to the login page, remembering where they were going');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    const alert = await page.waitForSelector('[role=alert]');
    assert.match(await alert.innerText(), /Invalid username or password/);
    assert.match(page.url(), /\/login/);
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=dag-table] tr[data-dag-id=ui_params]');
    assert.match(page.url(), /\/dags$/, 'after signing in the user lands where they were going');
    const banner = await page.waitForSelector('[data-testid=import-errors]');
    assert.match(await banner.innerText(), /ui_broken\.ts/);
    await page.click('[data-testid=import-errors] summary');
    assert.match(await banner.innerText(), /fails to import <b>on purpose<\/b>/, 'the error text is shown as text');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('triggering a DAG through its params form: invalid params are shown, then the run reaches success in the grid', async () => {
    const { page, errors, close } = await adminPage();
    await page.click('[data-testid=trigger-ui_params]');
    await page.waitForSelector('[data-testid=trigger-form] input[name=rows]');
    assert.equal(await page.inputValue('input[name=rows]'), '5', 'the form starts from the param defaults');
    assert.equal(await page.inputValue('input[name=label]'), 'batch');
    await page.fill('input[name=rows]', '500');
    await page.click('[data-testid=trigger-submit]');
    const problem = await page.waitForSelector('[data-testid=trigger-form] [role=alert]');
    assert.match(await problem.innerText(), /rows.*100/, 'the server\'s validation error names the param and its limit');
    assert.equal((await apiCall('GET', '/dags/ui_params/dagRuns')).body.total_entries, 0, 'an invalid conf creates no run');
    await page.fill('input[name=rows]', '7');
    await page.click('[data-testid=trigger-submit]');
    await page.waitForURL(/\/dags\/ui_params\/grid\?run_id=/);
    await page.waitForSelector('.run-bar[data-state=success]', { timeout: RUN_TIMEOUT });
    await page.waitForSelector('.grid-row[data-task-id=report] .cell[data-state=success]');
    const runs = (await apiCall('GET', '/dags/ui_params/dagRuns')).body.dag_runs;
    assert.deepEqual(runs.map((r: { conf: unknown }) => r.conf), [{ rows: 7, label: 'batch' }]);
    assert.match(await page.innerText('[data-testid=run-conf]'), /"rows": 7/);
    assert.deepEqual(errors, []);
    await close();
  });

  test("a failed task's log is shown as text; clearing it runs it again to success", async () => {
    assert.equal((await apiCall('POST', '/dags/ui_flaky/dagRuns', { dag_run_id: 'flaky_1' })).status, 200);
    assert.equal(await waitForRun('ui_flaky', 'flaky_1'), 'failed');
    const { page, errors, close } = await adminPage();
    await page.goto(`${baton.url}/dags/ui_flaky/grid?run_id=flaky_1&task_id=flaky`);
    await page.waitForSelector('[data-testid=task-panel] .badge[data-state=failed]');
    const log = await page.waitForSelector('[data-testid=task-log]:has-text("first try fails on purpose")');
    assert.match(await log.innerText(), /<script>window.__xss = "log"<\/script> a line with markup/);
    await page.click('[data-testid=dag-doc] summary');
    // The DAG doc is Markdown rendered as HTML, sanitized: no script, handler or javascript: link survives.
    assert.equal(await page.innerText('[data-testid=dag-doc-text] h1'), 'Flaky on purpose');
    assert.equal(await page.innerText('[data-testid=dag-doc-text] strong'), 'once');
    assert.equal(await page.getAttribute('[data-testid=dag-doc-text] a:has-text("Airflow docs")', 'href'), 'https://airflow.apache.org/docs/');
    assert.equal(await page.locator('[data-testid=dag-doc] script').count(), 0);
    assert.equal(await page.getAttribute('[data-testid=dag-doc-text] img', 'onerror'), null);
    assert.equal(await page.getAttribute('[data-testid=dag-doc-text] a:has-text("a trap")', 'href'), null);
    await page.click('[data-testid=dag-doc-text] a:has-text("a trap")');
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined', 'no markup from a doc or a log ran');
    await page.click('[data-testid=clear-task]');
    await page.waitForSelector('[data-testid=task-panel] .badge[data-state=success]', { timeout: RUN_TIMEOUT });
    assert.match(await page.innerText('[data-testid=try-number]'), /^2 of /);
    await page.waitForSelector('[data-testid=task-log]:has-text("second try works")');
    await page.click('[data-testid=tries] button:has-text("try 1")');
    await page.waitForSelector('[data-testid=task-log]:has-text("first try fails on purpose")');
    await page.waitForSelector('.grid-row[data-task-id=flaky] .cell[data-state=success]');
    assert.deepEqual(errors, []);
    await close();
  });

  test('a Viewer sees no trigger or clear buttons, and the API refuses both anyway', async () => {
    const created = await apiCall('POST', '/users', { username: 'viewer', password: 'viewer-pass-1', email: 'v@example.com', first_name: 'V', last_name: 'Iewer', roles: [{ name: 'Viewer' }] });
    assert.equal(created.status, 200);
    if ((await apiCall('GET', '/dags/ui_flaky/dagRuns/flaky_v')).status === 404) {
      await apiCall('POST', '/dags/ui_flaky/dagRuns', { dag_run_id: 'flaky_v' });
      await waitForRun('ui_flaky', 'flaky_v');
    }
    const { context, page, errors } = await openPage(browser);
    await signIn(page, baton.url, 'viewer', 'viewer-pass-1');
    await page.waitForSelector('[data-testid=dag-table] tr[data-dag-id=ui_flaky]');
    assert.equal(await page.locator('[data-testid^=trigger-]').count(), 0, 'no trigger buttons in the DAG list');
    assert.equal(await page.locator('.topbar a[href="/admin/pools"]').count(), 0, 'no admin links');
    await page.goto(`${baton.url}/dags/ui_flaky/grid?run_id=flaky_v&task_id=flaky`);
    await page.waitForSelector('[data-testid=task-panel]');
    assert.equal(await page.locator('[data-testid=trigger-button]').count(), 0);
    assert.equal(await page.locator('[data-testid=clear-task]').count(), 0);
    assert.equal(await page.locator('[data-testid=mark-success]').count(), 0);
    // Sent from the page, with the Viewer's session cookie (a string: no test-runner helpers in the page).
    const refused = (await page.evaluate(`(async () => {
      const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => [r.status, (await r.json()).detail]);
      return [
        await post('/api/v1/dags/ui_flaky/dagRuns', {}),
        await post('/api/v1/dags/ui_flaky/clearTaskInstances', { dry_run: false, task_ids: ['flaky'], dag_run_id: 'flaky_v', only_failed: false }),
      ];
    })()`)) as Array<[number, string]>;
    assert.deepEqual(refused.map((r) => r[0]), [403, 403]);
    assert.match(String(refused[0]![1]), /Viewer.*may not create DAG Runs/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the graph of example_task_group draws its tasks, groups and edges, coloured by the run, and folds a group', async () => {
    await apiCall('POST', '/dags/example_task_group/dagRuns', { dag_run_id: 'tg_1' });
    assert.equal(await waitForRun('example_task_group', 'tg_1'), 'success');
    const { page, errors, close } = await adminPage();
    await page.goto(`${baton.url}/dags/example_task_group/graph`);
    await page.waitForSelector('[data-testid=graph] [data-node-id=end][data-state=success]');
    const nodes = await page.locator('[data-testid=graph] [data-node-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')).sort());
    assert.deepEqual(nodes, ['end', 'section_1.task_1', 'section_1.task_2', 'section_1.task_3', 'section_2.inner_section_2.task_2', 'section_2.inner_section_2.task_3', 'section_2.task_1', 'start']);
    const groups = await page.locator('[data-testid=graph] [data-group-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-group-id')).sort());
    assert.deepEqual(groups, ['section_1', 'section_2', 'section_2.inner_section_2']);
    assert.equal(await page.locator('[data-edge="start->section_1.task_1"]').count(), 1);
    assert.equal(await page.locator('[data-edge="section_1.task_1->section_1.task_2"]').count(), 1);
    await page.click('[data-group-id=section_1] rect');
    await page.waitForSelector('[data-node-id=section_1][data-state=success]');
    assert.equal(await page.locator('[data-node-id="section_1.task_1"]').count(), 0, 'a folded group hides its tasks');
    assert.equal(await page.locator('[data-edge="start->section_1"]').count(), 1, 'edges go to the folded group');
    assert.deepEqual(errors, []);
    await close();
  });

  test('ML: a run\'s metrics are charted per metric, and a model version is promoted from the registry', async () => {
    await apiCall('POST', '/dags/ui_ml/dagRuns', { dag_run_id: 'ml_1' });
    assert.equal(await waitForRun('ui_ml', 'ml_1'), 'success');
    const { page, errors, close } = await adminPage();
    await page.goto(`${baton.url}/ml?dag_id=ui_ml&run_id=ml_1`);
    await page.waitForSelector('[data-testid="chart-loss"] canvas');
    await page.waitForSelector('[data-testid="chart-accuracy"] canvas');
    const table = await page.innerText('[data-testid=ml-runs]');
    assert.match(table, /param lr/);
    assert.match(table, /0\.2000/, 'the final loss (step 4: 1/5) is in the table');
    await page.goto(`${baton.url}/ml/models`);
    await page.waitForSelector('[data-testid=models] tr[data-version="1"] .stage-none');
    await page.click('[data-testid=models] tr[data-version="1"] button:has-text("Promote to production")');
    await page.waitForSelector('[data-testid=models] tr[data-version="1"] .stage-production');
    assert.deepEqual(errors, []);
    await close();
  });

  test("a mapped task's grid cell counts its copies, and each copy opens on its own", async () => {
    await apiCall('POST', '/dags/example_mapping/dagRuns', { dag_run_id: 'map_1' });
    assert.equal(await waitForRun('example_mapping', 'map_1'), 'success');
    const { page, errors, close } = await adminPage();
    await page.goto(`${baton.url}/dags/example_mapping/grid`);
    const cell = await page.waitForSelector('.grid-row[data-task-id=square] .cell[data-state=success]');
    assert.equal(await cell.innerText(), '4');
    await cell.click();
    await page.waitForSelector('[data-testid=mapped-list] tr[data-map-index="3"]');
    assert.equal(await page.locator('[data-testid=mapped-list] tr[data-map-index]').count(), 4);
    await page.click('[data-testid=mapped-list] tr[data-map-index="2"]');
    await page.waitForSelector('[data-testid=task-panel] h2:has-text("[2]")');
    assert.match(page.url(), /map_index=2/, 'the copy is in the URL');
    await page.click('[data-testid=ti-tab-xcom]');
    const xcom = await page.waitForSelector('[data-testid=xcoms]');
    assert.match(await xcom.innerText(), /return_value\s+10/, 'copy 2 squared 3 and added 1');
    assert.deepEqual(errors, []);
    await close();
  });

  test("a running try's log is followed live, and the grid and panel refresh without a reload", async () => {
    const release = join(baton.home, 'release-slow_1');
    await apiCall('POST', '/dags/ui_slow/dagRuns', { dag_run_id: 'slow_1', conf: { release } });
    const { page, errors, close } = await adminPage();
    await page.goto(`${baton.url}/dags/ui_slow/grid?run_id=slow_1&task_id=ticker`);
    await page.waitForSelector('[data-testid=log-live]', { timeout: RUN_TIMEOUT });
    await page.waitForSelector('[data-testid=task-log]:has-text("tick 2")');
    await page.waitForSelector('[data-testid=task-log]:has-text("tick 10")', { timeout: RUN_TIMEOUT });
    // The try ends only now, while the page is following it.
    writeFileSync(release, '');
    await page.waitForSelector('[data-testid=task-panel] .badge[data-state=success]', { timeout: RUN_TIMEOUT });
    await page.waitForSelector('[data-testid=log-live]', { state: 'detached' });
    const log = await page.innerText('[data-testid=task-log]');
    const ticks = (log.match(/tick \d+/g) ?? []).map((t) => Number(t.slice(5)));
    assert.ok(ticks.length >= 10, `at least 10 lines, got ${ticks.length}`);
    assert.deepEqual(ticks, ticks.map((_, i) => i + 1), 'every line once and in order: each poll appends only what is new');
    await page.waitForSelector('.grid-row[data-task-id=ticker] .cell[data-state=success]');
    assert.deepEqual(errors, []);
    await close();
  });

  test('the other DAG views, the admin pages and the theme: runs, calendar, gantt, code, datasets; a connection\'s password is never shown', async () => {
    await apiCall('POST', '/dags/example_task_group/dagRuns', { dag_run_id: 'views_1' });
    assert.equal(await waitForRun('example_task_group', 'views_1'), 'success');
    const { page, errors, close } = await adminPage();
    await page.goto(`${baton.url}/dags/example_task_group/runs`);
    await page.waitForSelector('[data-testid=runs-table] a:has-text("views_1")');
    await page.goto(`${baton.url}/dags/example_task_group/calendar`);
    await page.waitForSelector('[data-testid=calendar] .cal-day[data-runs]');
    await page.goto(`${baton.url}/dags/example_task_group/gantt?run_id=views_1`);
    await page.waitForSelector('[data-testid=gantt] .gantt-row[data-task-id=end] .gantt-bar');
    await page.goto(`${baton.url}/dags/ui_params/code`);
    const code = await page.waitForSelector('[data-testid=dag-code] .hljs-keyword');
    assert.equal(await code.innerText(), 'import');
    await page.goto(`${baton.url}/datasets`);
    await page.waitForSelector('[data-testid=datasets-page] table');
    await page.goto(`${baton.url}/admin/connections`);
    await page.waitForSelector('[data-testid=connections]');
    await page.fill('input[name=connection_id]', 'warehouse');
    await page.fill('input[name=conn_type]', 'postgres');
    await page.fill('input[name=host]', 'db.example.com');
    await page.fill('input[name=password]', 'sup3r-s3cret-pw');
    await page.click('button:has-text("Add connection")');
    await page.waitForSelector('[data-testid=connections] td:has-text("warehouse")');
    assert.equal((await page.content()).includes('sup3r-s3cret-pw'), false, 'the password is not in the page');
    assert.equal((await apiCall('GET', '/connections/warehouse')).body.host, 'db.example.com');
    await page.goto(`${baton.url}/admin/audit`);
    await page.waitForSelector('[data-testid=audit] td:has-text("connection.create")');
    await page.click('[data-testid=theme-toggle]');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    await page.reload();
    await page.waitForSelector('[data-testid=audit]');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark', 'the theme is remembered');
    assert.deepEqual(errors, []);
    await close();
  });

  test('a connection and a pool are edited in place: only the changed fields are sent; the password is never shown and stays when left blank', async () => {
    assert.equal((await apiCall('POST', '/connections', { connection_id: 'lake', conn_type: 'postgres', host: 'old.example.com', login: 'etl', password: 'lake-s3cret-pw' })).status, 200);
    assert.equal((await apiCall('POST', '/pools', { name: 'editable', slots: 2 })).status, 200);
    const { page, errors, close } = await adminPage();
    await page.goto(`${baton.url}/admin/connections`);
    await page.click('[data-testid=edit-lake]');
    const form = '[data-testid=edit-connection]';
    await page.waitForSelector(`${form} input[name=host]`);
    assert.equal(await page.inputValue(`${form} input[name=host]`), 'old.example.com');
    assert.equal(await page.inputValue(`${form} input[name=password]`), '', 'the password field starts blank');
    assert.equal((await page.content()).includes('lake-s3cret-pw'), false, 'the password is not in the page');
    await page.fill(`${form} input[name=host]`, 'new.example.com');
    await page.fill(`${form} input[name=port]`, '6543');
    await page.click(`${form} button:has-text("Save")`);
    await page.waitForSelector('[data-testid=connections] td:has-text("new.example.com")');
    assert.equal(await page.locator(form).count(), 0, 'the form closes once saved');
    const saved = (await apiCall('GET', '/connections/lake')).body;
    assert.deepEqual([saved.host, saved.port, saved.login], ['new.example.com', 6543, 'etl']);
    const cli = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../bin/baton.js'), 'connections', 'get', 'lake', '--show-password', '-o', 'json'], {
      env: { ...process.env, BATON_HOME: baton.home, BATON_DATABASE_URL: '' },
    });
    assert.equal(JSON.parse(cli.stdout)[0].password, 'lake-s3cret-pw', 'a blank password field leaves the password as it was');
    const edits = (await apiCall('GET', '/eventLogs?event=connection.edit')).body.event_logs;
    assert.deepEqual(JSON.parse(edits[0].extra).fields, ['host', 'port'], 'only the changed fields were sent');

    await page.goto(`${baton.url}/admin/pools`);
    await page.click('[data-testid=edit-editable]');
    await page.fill('[data-testid=edit-pool] input[name=slots]', '5');
    await page.click('[data-testid=edit-pool] button:has-text("Save")');
    await page.waitForSelector('[data-testid=pools] tr:has-text("editable") td:text-is("5")');
    await page.click('[data-testid=edit-editable]');
    await page.fill('[data-testid=edit-pool] input[name=slots]', '-7');
    await page.click('[data-testid=edit-pool] button:has-text("Save")');
    assert.match(await page.innerText('[data-testid=edit-pool] .error'), /slots/i, 'a refused change is shown in the form');
    assert.equal((await apiCall('GET', '/pools/editable')).body.slots, 5, 'and changes nothing');
    assert.deepEqual(errors, []);
    await close();
  });

  test('unknown DAGs, runs and pages are clear not-found pages; API refusals are shown as messages', async () => {
    const { page, close } = await adminPage();
    await page.goto(`${baton.url}/dags/no_such_dag/grid`);
    assert.match(await page.innerText('[data-testid=not-found]'), /no DAG 'no_such_dag'/);
    await page.goto(`${baton.url}/dags/ui_params/grid?run_id=no_such_run`);
    assert.match(await page.innerText('[data-testid=not-found]'), /no run 'no_such_run'/);
    await page.goto(`${baton.url}/no/such/page`);
    await page.waitForSelector('[data-testid=not-found]');
    await page.goto(`${baton.url}/admin/config`);
    const error = await page.waitForSelector('.error');
    assert.match(await error.innerText(), /Not allowed.*expose/is, 'the 403 for an unexposed configuration is shown');
    await close();
  });
});
