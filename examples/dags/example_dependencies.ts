/**
 * Relationships, as in Airflow:
 *   task_1 >> [task_2_1, task_2_2] >> task_3
 *   task_2_2 >> task_4
 *   [task_3, task_4] >> task_5
 */
import { chain, dag, EmptyOperator } from 'baton';

export default dag({ id: 'example_dependencies', schedule: null, startDate: '2024-01-01', tags: ['example'] }, () => {
  const t1 = new EmptyOperator({ taskId: 'task_1' });
  const t21 = new EmptyOperator({ taskId: 'task_2_1' });
  const t22 = new EmptyOperator({ taskId: 'task_2_2' });
  const t3 = new EmptyOperator({ taskId: 'task_3' });
  const t4 = new EmptyOperator({ taskId: 'task_4' });
  const t5 = new EmptyOperator({ taskId: 'task_5' });

  chain(t1, [t21, t22], t3);
  t22.then(t4);
  t5.after(t3, t4);
});
