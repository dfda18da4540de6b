/**
 * Dynamic task mapping: one `square` task instance per element of a list produced at run time,
 * with a constant from partial(), then a reduce that receives every result in order.
 */
import { dag, task } from 'baton';

export default dag({ id: 'example_mapping', schedule: null, startDate: '2024-01-01', tags: ['example'] }, () => {
  const numbers = task('numbers', async () => [1, 2, 3, 4]);

  const square = task('square', async ({ x, offset }: { x: number; offset: number }, ctx) => {
    ctx.log.info(`map index ${ctx.ti.mapIndex}: ${x}² + ${offset}`);
    return x * x + offset;
  });

  const total = task('total', async ({ values }: { values: number[] }, ctx) => {
    const sum = values.reduce((a, b) => a + b, 0);
    ctx.log.info(`values ${JSON.stringify(values)} sum to ${sum}`);
    return sum;
  });

  const squares = square.partial({ offset: 1 }).expand({ x: numbers() });
  total({ values: squares });
});
