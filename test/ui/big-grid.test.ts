/**
 * Big DAGs in the browser: a DAG of 2,000 tasks in 20 task groups with 28 runs loads in the grid
 * (rows virtualised: only those on screen are in the page), scrolls to its last task, folds a
 * group; and the DAG list shows 500 DAGs with their latest runs. Seeded directly into SQLite
 * (bench/ui-seed.ts); served by the real web server; Debian's Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { BENCH_ADMIN_PASSWORD, startSeededServer, type SeededServer } from '../../bench/ui-harness.ts';
import { launchBrowser, openPage, signIn } from './support/browser.ts';

/** Waits until the locator matches exactly `n` elements (15 s at most). */
async function waitForCount(locator: Locator, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let count = await locator.count();
  while (count !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} elements, found ${count}`);
    await new Promise((r) => setTimeout(r, 100));
    count = await locator.count();
  }
}

describe('big DAGs in the browser', () => {
  let server: SeededServer;
  let browser: Browser;
  before(async () => {
    [server, browser] = await Promise.all([startSeededServer({ tasks: 2000, runs: 28, groupSize: 100, extraDags: 500 }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the grid of a 2,000-task DAG with 28 runs loads, renders only visible rows, scrolls to the last task and folds a group', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, 'admin', BENCH_ADMIN_PASSWORD);
    await page.goto(`${server.url}/dags/${server.dagId}/grid?num_runs=28`);
    await page.waitForSelector('.grid-row[data-task-id="group_000.task_0000"] .cell[data-state=success]');
    assert.match(await page.innerText('.grid-head .grid-name'), /2000 tasks · 28 runs/);
    assert.equal(await page.locator('.run-bar').count(), 28);
    const rendered = await page.locator('.grid-row').count();
    assert.ok(rendered > 10 && rendered < 150, `only the rows on screen are rendered (${rendered})`);
    await page.locator('[data-testid=grid-body]').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForSelector('.grid-row[data-task-id="group_019.task_1999"]');
    await page.locator('[data-testid=grid-body]').evaluate((el) => el.scrollTo(0, 0));
    await page.click('.grid-row[data-group-id=group_000] .grid-name');
    await page.waitForSelector('.grid-row[data-group-id=group_001]');
    assert.equal(await page.locator('.grid-row[data-task-id="group_000.task_0000"]').count(), 0, 'a folded group hides its tasks');
    await page.click('.grid-row[data-task-id="group_001.task_0100"] .cell >> nth=27');
    await page.waitForSelector('[data-testid=task-panel] h2:has-text("group_001.task_0100")');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the DAG list shows 500 DAGs with their latest runs as squares', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, 'admin', BENCH_ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=dag-table] tr[data-dag-id=dag_0005] .sq');
    assert.equal(await page.innerText('[data-testid=dag-count]'), '501 DAGs');
    assert.equal(await page.locator('tr[data-dag-id=dag_0005] .sq').count(), 3);
    const rendered = await page.locator('[data-testid=dag-table] tbody tr[data-dag-id]').count();
    assert.ok(rendered < 100, `only the rows on screen are rendered (${rendered})`);
    await page.locator('.dag-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForSelector('[data-testid=dag-table] tr[data-dag-id=dag_0499] .sq');
    await page.selectOption('select[aria-label="Last run state"]', 'failed');
    await page.waitForSelector('[data-testid=dag-count]:has-text("100 DAGs")');
    assert.match(page.url(), /state=failed/, 'filters are in the URL');
    await page.selectOption('select[aria-label="Last run state"]', { label: 'Any last run' });
    await page.fill('[data-testid=dag-search]', 'dag_000');
    await page.waitForSelector('[data-testid=dag-table] tbody tr[data-dag-id=dag_0000]');
    await page.waitForSelector('[data-testid=dag-count]:has-text("10 DAGs")');
    await waitForCount(page.locator('[data-testid=dag-table] tbody tr[data-dag-id]'), 10);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a run's square opens that run in the grid without reloading the page", async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, server.url, 'admin', BENCH_ADMIN_PASSWORD);
    await page.waitForSelector('tr[data-dag-id=dag_0005] .sq');
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));
    const square = page.locator('tr[data-dag-id=dag_0005] .sq').last();
    const runId = new URL(`${server.url}${await square.getAttribute('href')}`).searchParams.get('run_id');
    assert.ok(runId, 'the square links to a run');
    await square.click();
    await page.waitForURL((u) => u.pathname === '/dags/dag_0005/grid' && u.searchParams.get('run_id') === runId);
    await page.waitForSelector('[data-testid=grid-body]');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument), true, 'the app navigated in place');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
