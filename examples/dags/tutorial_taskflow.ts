/**
 * Airflow's TaskFlow tutorial: extract → transform → load. Passing one task's output into the
 * next creates the edge and carries the value, typed end to end.
 */
import { dag, task } from 'baton';

interface OrderSummary {
  totalOrderValue: number;
  orderCount: number;
}

export default dag(
  { id: 'tutorial_taskflow', schedule: '@daily', startDate: '2024-01-01', catchup: false, tags: ['example'] },
  () => {
    const extract = task('extract', async () => {
      const dataString = '{"1001": 301.27, "1002": 433.21, "1003": 502.22}';
      return JSON.parse(dataString) as Record<string, number>;
    });

    const transform = task(
      { taskId: 'transform', multipleOutputs: true },
      async (orderData: Record<string, number>): Promise<OrderSummary> => {
        const values = Object.values(orderData);
        return { totalOrderValue: values.reduce((a, b) => a + b, 0), orderCount: values.length };
      },
    );

    const load = task('load', async ({ total }: { total: number }, ctx) => {
      ctx.log.info(`Total order value is: ${total.toFixed(2)}`);
      return total;
    });

    const summary = transform(extract());
    load({ total: summary.get('totalOrderValue') });
  },
);
