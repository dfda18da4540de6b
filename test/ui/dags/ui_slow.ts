/**
 * A DAG whose task logs a line every 400 ms, at least 10 lines, until the file named by the
 * run's conf `release` exists (when given): the UI follows its log live, and the test decides
 * when the try ends, whatever the time the page took to open.
 */
import { existsSync } from 'node:fs';
import { dag, task } from 'baton';

export default dag({ id: 'ui_slow', schedule: null, startDate: '2024-01-01', tags: ['ui'] }, () => {
  task('ticker', async (_: void, ctx) => {
    const release = typeof ctx.conf.release === 'string' ? ctx.conf.release : null;
    for (let i = 1; ; i++) {
      ctx.log.info(`tick ${i}`);
      if (i >= 10 && (release === null || existsSync(release))) return i;
      if (i >= 600) throw new Error(`the release file ${release} did not appear`);
      await new Promise((r) => setTimeout(r, 400));
    }
  })();
});
