/**
 * Task groups: ids are prefixed with the group id, the group's defaultArgs apply to its tasks,
 * and edges can go to and from a whole group.
 */
import { BashOperator, dag, EmptyOperator, task, taskGroup } from 'baton';

export default dag({ id: 'example_task_group', schedule: null, startDate: '2024-01-01', tags: ['example'] }, () => {
  const start = new EmptyOperator({ taskId: 'start' });

  const section1 = taskGroup('section_1', { tooltip: 'Tasks for section_1', defaultArgs: { retries: 2 } }, () => {
    const t1 = new EmptyOperator({ taskId: 'task_1' });
    const t2 = new BashOperator({ taskId: 'task_2', bashCommand: 'echo 1' });
    const t3 = new EmptyOperator({ taskId: 'task_3' });
    t1.then([t2, t3]);
  });

  const section2 = taskGroup('section_2', () => {
    const t1 = new EmptyOperator({ taskId: 'task_1' });
    taskGroup('inner_section_2', () => {
      const a = new BashOperator({ taskId: 'task_2', bashCommand: 'echo 1' });
      const b = task('task_3', async () => 'inner')();
      a.then(b);
    }).after(t1);
  });

  const end = new EmptyOperator({ taskId: 'end' });
  start.then(section1).then(section2).then(end);
});
