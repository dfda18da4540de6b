/** Where a try's log lives: logs/dag_id=…/run_id=…/task_id=…/[map_index=…/]attempt=N.log */
import { join } from 'node:path';

export interface LogPathParts {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
}

/** Path of a try's log file under `logsFolder`. Ids are made safe for the file system. */
export function tryLogPath(logsFolder: string, p: LogPathParts): string {
  const safe = (s: string) => s.replace(/[/\\\0]/g, '_').replace(/^\.+$/, '_');
  const parts = [`dag_id=${safe(p.dagId)}`, `run_id=${safe(p.runId)}`, `task_id=${safe(p.taskId)}`];
  if (p.mapIndex >= 0) parts.push(`map_index=${p.mapIndex}`);
  return join(logsFolder, ...parts, `attempt=${p.tryNumber}.log`);
}
