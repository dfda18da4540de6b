/**
 * An executor that completes every workload at once in this process (no workers, no IPC), so a
 * benchmark run through it measures the scheduler's own overhead per task.
 */
import type { Executor, ExecutorEvent, TaskWorkload, TiKey } from '../src/executors/executor.ts';
import { tiKeyString } from '../src/executors/executor.ts';

export class InstantExecutor implements Executor {
  readonly name = 'InstantExecutor';
  private onEvent: (e: ExecutorEvent) => void = () => {};
  private readonly active = new Map<string, TiKey>();

  constructor(private readonly slots = 2) {}

  async start(onEvent: (e: ExecutorEvent) => void): Promise<void> {
    this.onEvent = onEvent;
  }
  openSlots(): number {
    return Math.max(0, this.slots - this.active.size);
  }
  queue(w: TaskWorkload): void {
    const k = tiKeyString(w.key);
    this.active.set(k, w.key);
    setImmediate(() => {
      const at = new Date().toISOString();
      this.onEvent({ kind: 'started', key: w.key, tryNumber: w.tryNumber, hostname: 'bench', pid: process.pid, at });
      this.active.delete(k);
      this.onEvent({
        kind: 'finished', key: w.key, tryNumber: w.tryNumber,
        result: { state: 'success', error: null, xcoms: [{ key: 'return_value', value: 'null' }], skip: [], mapLengths: [], datasetEvents: [], triggerRequests: [], rescheduleAt: null, defer: null, renderedFields: null, startedAt: at, endedAt: at },
      });
    });
  }
  activeKeys(): TiKey[] {
    return [...this.active.values()];
  }
  terminate(): void {}
  async stop(): Promise<void> {}
}
