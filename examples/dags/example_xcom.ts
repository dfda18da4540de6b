/**
 * Explicit XCom, Airflow's classic pattern: task_1 pushes `x`; task_2 pulls it, adds 3 and
 * pushes `y`; a bash task reads `y` through a template.
 */
import { BashOperator, dag, FunctionOperator } from 'baton';

export default dag({ id: 'example_xcom', schedule: null, startDate: '2024-01-01', tags: ['example'] }, () => {
  const task1 = new FunctionOperator({
    taskId: 'task_1',
    fn: async (ctx) => {
      await ctx.ti.xcomPush('x', 39);
    },
  });

  const task2 = new FunctionOperator({
    taskId: 'task_2',
    fn: async (ctx) => {
      const x = await ctx.ti.xcomPull<number>({ taskIds: 'task_1', key: 'x' });
      ctx.log.info(`pulled x = ${x}`);
      await ctx.ti.xcomPush('y', x + 3);
    },
  });

  const show = new BashOperator({
    taskId: 'show_y',
    bashCommand: `echo "y is {{ ti.xcom_pull(task_ids='task_2', key='y') }}"`,
  });

  task1.then(task2).then(show);
});
