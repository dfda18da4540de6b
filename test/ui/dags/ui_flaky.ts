/** A DAG whose task fails on its first try and succeeds when cleared; its doc (Markdown) and log hold markup. */
import { dag, task } from 'baton';

export default dag(
  { id: 'ui_flaky', schedule: null, startDate: '2024-01-01', tags: ['ui'], docs: [
    '# Flaky on purpose',
    '',
    'Fails **once**, then works. [Airflow docs](https://airflow.apache.org/docs/)',
    '',
    'Do not follow [a trap](javascript:window.__xss=2).',
    '',
    '<script>window.__xss = "doc"</script><img src=x onerror="window.__xss=1">',
  ].join('\n') },
  () => {
    task({ taskId: 'flaky', retries: 0 }, async (_: void, ctx) => {
      ctx.log.info('<script>window.__xss = "log"</script> a line with markup');
      if (ctx.ti.tryNumber === 1) throw new Error('first try fails on purpose');
      ctx.log.info('second try works');
    })();
  },
);
