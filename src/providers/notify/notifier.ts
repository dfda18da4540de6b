/**
 * Notifiers deliver a message rendered with a task's context. One notifier works three ways:
 * as a task callback (`onFailure: slackNotifier({...})`), as a task of its own
 * (`notify({ taskId, notifier })`), or called directly (`await notifier.send(ctx)`).
 *
 * Messages are Jinja templates rendered with the task's full context, so
 * `{{ ti.xcom_pull(task_ids='evaluate')['f1'] }}`, `{{ ds }}` or `{{ dag.dag_id }}` work; in a
 * failure or retry callback `{{ exception }}` holds the error's message.
 */
import type { TaskContext } from '../../sdk/context.ts';
import type { TaskCallback } from '../../sdk/task-options.ts';
import { renderTaskTemplate } from '../render-template.ts';

export interface Notifier {
  /** What the notifier delivers through, for logs (e.g. "Slack webhook", "email"). */
  readonly channel: string;
  /** Renders the message with `ctx` and delivers it; throws when delivery fails. */
  send(ctx: TaskContext, error?: unknown): Promise<void>;
}

/** Default time allowed for one delivery, in milliseconds. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

/**
 * The notifier as a task callback. Delivery errors are logged with what to check; they never
 * change the task's state.
 */
export function asCallback(notifier: Notifier): TaskCallback {
  return async (ctx, error) => {
    try {
      await notifier.send(ctx, error);
      ctx.log.info(`Notification sent by ${notifier.channel}`);
    } catch (e) {
      ctx.log.error(`Notification by ${notifier.channel} was not delivered (the task's state is unchanged): ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}

/** Renders one message template of a notifier; `exception` is set for failure callbacks. */
export function renderMessage(ctx: TaskContext, template: string, what: string, error?: unknown): Promise<string> {
  const exception = error === undefined ? null : error instanceof Error ? error.message : String(error);
  return renderTaskTemplate(ctx, template, { name: what, extras: { exception } });
}
