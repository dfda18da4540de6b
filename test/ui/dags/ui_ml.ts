/** A DAG that tracks metrics over steps and registers a model version. */
import { dag, task } from 'baton';

export default dag({ id: 'ui_ml', schedule: null, startDate: '2024-01-01', tags: ['ui', 'ml'] }, () => {
  task('train', async (_: void, ctx) => {
    await ctx.ml.logParams({ lr: 0.1, epochs: 5 });
    for (let step = 0; step < 5; step++) {
      await ctx.ml.logMetrics({ loss: 1 / (step + 1), accuracy: 0.5 + step * 0.1 }, { step });
    }
    await ctx.ml.registerModel('ui_model', { weights: [1, 2, 3] }, { accuracy: 0.9 });
  })();
});
