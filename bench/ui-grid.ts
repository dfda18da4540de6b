/**
 * The web UI's speed on a big DAG, in headless Chromium (Debian's /usr/bin/chromium):
 *
 * - `gridEndpointMs`: GET /ui/dags/{id}/grid for a DAG of 2,000 tasks with 28 runs (56,000 task
 *   instances) — target under 300 ms;
 * - `gridPageMs`: from navigating to the DAG's grid (a fresh browser context: empty cache,
 *   signed in) until its cells are drawn — target under 1.5 s;
 * - `dagListMs`: the DAG list with 500 DAGs, until all are counted and the rows on screen show
 *   their latest runs — target under 1 s.
 *
 * Page times are taken by the page's own clock, from navigation start until the frame that
 * shows the page is painted (an observer added before the page loads watches for it), so the
 * browser driver's own scripts don't count. `driverClock` gives the same loads timed by the
 * driver: from asking for the page until the driver itself finds what the page shows.
 *
 * Medians of `--repeat` runs (default 5), with the best and worst, and the machine they ran on.
 * Prints one JSON object on its last line. Usage: npm run bench:ui [-- --repeat 5 --tasks 2000 --runs 28 --dags 500]
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { BENCH_ADMIN_PASSWORD, startSeededServer } from './ui-harness.ts';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '28' },
    dags: { type: 'string', default: '500' },
    chromium: { type: 'string', default: process.env.BATON_TEST_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const repeat = Number(values.repeat);
const tasks = Number(values.tasks);
const runs = Number(values.runs);

function summary(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { median: round(s[Math.floor(s.length / 2)]!), best: round(s[0]!), worst: round(s[s.length - 1]!) };
}

const server = await startSeededServer({ tasks, runs, groupSize: 100, extraDags: Number(values.dags) });
const browser = await chromium.launch({ executablePath: values.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const auth = `Basic ${Buffer.from(`admin:${BENCH_ADMIN_PASSWORD}`).toString('base64')}`;
  const gridUrl = `${server.url}/ui/dags/${server.dagId}/grid?num_runs=${runs}`;
  let bytes = 0;
  const endpoint: number[] = [];
  for (let i = 0; i <= repeat; i++) {
    const t0 = performance.now();
    const res = await fetch(gridUrl, { headers: { authorization: auth } });
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`the grid endpoint answered ${res.status}: ${body}`);
    bytes = body.length;
    if (i > 0) endpoint.push(ms); // the first request warms the DAG cache
  }

  /**
   * Opens `path` in a fresh context (empty cache, signed in) and times it until every `ready`
   * selector matches and the next frame is painted. Two clocks: the page's own (from navigation
   * start, taken by an observer the page runs, so the driver's scripts are not part of it) and
   * the driver's (from the call to open the page until it finds the selectors itself).
   */
  const timePage = async (path: string, ready: string[], text?: { selector: string; text: string }): Promise<{ pageMs: number; driverMs: number }> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const login = await context.request.post(`${server.url}/auth/login`, { data: { username: 'admin', password: BENCH_ADMIN_PASSWORD } });
    if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
    // A string, not a function: the TypeScript loader may wrap named functions in helpers the
    // page does not have.
    await context.addInitScript({
      content: `(() => {
        const ready = ${JSON.stringify(ready)}, text = ${JSON.stringify(text ?? null)};
        const observer = new MutationObserver(() => {
          if (!ready.every((s) => document.querySelector(s))) return;
          if (text && document.querySelector(text.selector)?.textContent !== text.text) return;
          observer.disconnect();
          // After the frame that shows it is painted.
          requestAnimationFrame(() => setTimeout(() => console.debug('baton-ready ' + performance.now()), 0));
        });
        observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
      })();`,
    });
    const page = await context.newPage();
    const readyMessage = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('baton-ready '), timeout: 30_000 });
    const t0 = performance.now();
    await page.goto(`${server.url}${path}`);
    const pageMs = Number((await readyMessage).text().split(' ')[1]);
    for (const selector of ready) await page.waitForSelector(selector, { timeout: 30_000 });
    if (text) await page.waitForSelector(`${text.selector}:has-text("${text.text}")`, { timeout: 30_000 });
    const driverMs = performance.now() - t0;
    await context.close();
    return { pageMs, driverMs };
  };
  const firstTask = `.grid-row[data-task-id="group_000.task_0000"] .cell[data-state=success]`;
  const gridPage: { pageMs: number; driverMs: number }[] = [];
  const dagList: { pageMs: number; driverMs: number }[] = [];
  for (let i = 0; i < repeat; i++) {
    gridPage.push(await timePage(`/dags/${server.dagId}/grid?num_runs=${runs}`, [firstTask]));
    // Ready when every DAG is counted and the rows on screen show their latest runs.
    dagList.push(await timePage('/dags', ['tr[data-dag-id=dag_0005] .sq'], { selector: '[data-testid=dag-count]', text: `${Number(values.dags) + 1} DAGs` }));
  }
  const result = {
    benchmark: 'ui-grid',
    dag: { tasks, runs, taskInstances: tasks * runs, dagsInList: Number(values.dags) + 1 },
    gridEndpointMs: summary(endpoint),
    gridEndpointBytes: bytes,
    gridPageMs: summary(gridPage.map((t) => t.pageMs)),
    dagListMs: summary(dagList.map((t) => t.pageMs)),
    driverClock: { gridPageMs: summary(gridPage.map((t) => t.driverMs)), dagListMs: summary(dagList.map((t) => t.driverMs)) },
    targets: { gridEndpointMs: 300, gridPageMs: 1500, dagListMs: 1000 },
    seedMs: Math.round(server.seedMs),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, chromium: browser.version(), loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) },
  };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.stop();
}
