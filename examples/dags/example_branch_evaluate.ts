/**
 * Branch on an evaluation: `improved` when the new model beats the current one, else
 * `regressed`; the join runs whichever branch was taken (none_failed_min_one_success).
 * Trigger with --conf '{"newScore": 0.8}' to take the `regressed` branch.
 */
import { dag, EmptyOperator, param, task } from 'baton';

export default dag(
  {
    id: 'example_branch_evaluate',
    schedule: null,
    startDate: '2024-01-01',
    tags: ['example', 'ml'],
    params: {
      newScore: param(0.91, { type: 'number', minimum: 0, maximum: 1 }),
      currentScore: param(0.88, { type: 'number', minimum: 0, maximum: 1 }),
    },
  },
  () => {
    const evaluate = task('evaluate', async (_: void, ctx) => {
      const newScore = ctx.params.newScore as number;
      const current = ctx.params.currentScore as number;
      ctx.log.info(`new model F1 ${newScore} vs current ${current}`);
      return { newScore, current };
    });

    const decide = task.branch('decide', async (scores: { newScore: number; current: number }) =>
      scores.newScore > scores.current ? 'improved' : 'regressed',
    );

    const improved = new EmptyOperator({ taskId: 'improved' });
    const regressed = new EmptyOperator({ taskId: 'regressed' });
    const serve = task('serve', async (_: void, ctx) => ctx.log.info('promoting the new model to production'))();
    const report = task('report', async (_: void, ctx) => ctx.log.info('writing a regression report'))();
    const notify = new EmptyOperator({ taskId: 'notify', triggerRule: 'none_failed_min_one_success' });

    decide(evaluate()).then([improved, regressed]);
    improved.then(serve);
    regressed.then(report);
    notify.after(serve, report);
  },
);
