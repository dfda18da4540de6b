/**
 * NotifyOperator: sends a notification as a task of its own. Unlike a callback, a delivery
 * failure fails this task (and is retried like any failure when the task has retries).
 *
 *   notify({ taskId: 'announce', notifier: new SlackWebhookNotifier({ connId: 'slack', text: 'F1 = {{ ti.xcom_pull(task_ids="evaluate")["f1"] }}' }) });
 */
import { BaseOperator, type BaseOperatorOptions } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import type { XComArg } from '../../sdk/xcom-arg.ts';
import type { Notifier } from './notifier.ts';

export interface NotifyOperatorOptions extends BaseOperatorOptions {
  notifier: Notifier;
}

export class NotifyOperator extends BaseOperator<void> {
  static override uiColor = '#e0f0ff';
  readonly notifier: Notifier;

  constructor(o: NotifyOperatorOptions) {
    super(o);
    if (!o.notifier || typeof o.notifier.send !== 'function') throw new TypeError(`NotifyOperator '${o.taskId}': notifier must be a Notifier (e.g. new SlackWebhookNotifier({...}))`);
    this.notifier = o.notifier;
  }

  override describeFields(): Record<string, unknown> {
    return { channel: this.notifier.channel };
  }

  async execute(ctx: TaskContext): Promise<void> {
    await this.notifier.send(ctx);
    ctx.log.info(`Notification sent by ${this.notifier.channel}`);
  }
}

/** Creates a notification task in the current DAG; link it like any task (`evaluate.then(notify(...))`). */
export function notify(options: NotifyOperatorOptions): XComArg<void> {
  return new NotifyOperator(options).output;
}
