/** A DAG whose task logs a line every 400 ms for a few seconds: the UI follows its log live. */
import { dag, task } from 'baton';

export default dag({ id: 'ui_slow', schedule: null, startDate: '2024-01-01', tags: ['ui'] }, () => {
  task('ticker', async (_: void, ctx) => {
    for (let i = 1; i <= 10; i++) {
      ctx.log.info(`tick ${i}`);
      await new Promise((r) => setTimeout(r, 400));
    }
  })();
});
