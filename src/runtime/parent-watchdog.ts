/**
 * Ends a child process (DAG parsing child, task worker) when the process that started it is
 * gone. A child normally stops when its IPC channel closes, but one stuck in user code that
 * blocks its event loop (an endless loop in a DAG file or a task) never notices: the watchdog
 * runs on its own thread, checks the parent every `intervalMs`, and kills this process when the
 * parent has exited.
 */
import { Worker } from 'node:worker_threads';

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  let alive = true;
  try { process.kill(workerData.parent, 0); } catch { alive = false; }
  if (!alive || process.ppid !== workerData.parent) process.kill(workerData.self, 'SIGKILL');
}, workerData.intervalMs);
`;

/** Starts the watchdog thread (it never keeps the process alive by itself). */
export function watchParent(intervalMs = 1000): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const w = new Worker(WATCHDOG, { eval: true, workerData: { parent, self: process.pid, intervalMs } });
  w.unref();
}
