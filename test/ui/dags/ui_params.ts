/** A DAG whose trigger form is built from its params. */
import { dag, param, task } from 'baton';

export default dag(
  {
    id: 'ui_params',
    schedule: null,
    startDate: '2024-01-01',
    tags: ['ui'],
    params: {
      rows: param(5, { type: 'integer', minimum: 1, maximum: 100, description: 'rows to make' }),
      label: param('batch', { type: 'string' }),
    },
  },
  () => {
    const make = task('make', async (_: void, ctx) => {
      const rows = Number(ctx.params.rows);
      ctx.log.info(`making ${rows} rows labelled ${String(ctx.params.label)}`);
      return rows;
    });
    const report = task('report', async (rows: number, ctx) => {
      ctx.log.info(`made ${rows} rows`);
    });
    report(make());
  },
);
