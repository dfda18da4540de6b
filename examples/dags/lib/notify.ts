/**
 * Notifications of the pipelines, delivered where the deployment configured them:
 *
 * - Slack, when the connection `slack_default` exists (the webhook URL in its password, or
 *   the base URL in host and the token in password);
 * - email, when the connection `smtp_default` exists (type smtp) and recipients are known:
 *   the DAG param `notifyEmail`, else the variable `notify_email` (comma-separated);
 * - otherwise a line in the task log.
 */
import type { TaskCallback, TaskContext } from 'baton';
import { SlackWebhookNotifier, SmtpNotifier } from 'baton/providers';

export const SLACK_CONN_ID = 'slack_default';
export const SMTP_CONN_ID = 'smtp_default';

export interface Message {
  subject: string;
  text: string;
}

/** Notifier messages are templates: this keeps the text as written. */
function verbatim(text: string): string {
  return `{% raw %}${text.replaceAll('{% endraw %}', '')}{% endraw %}`;
}

async function recipients(ctx: TaskContext): Promise<string[]> {
  const fromParam = ctx.params.notifyEmail;
  const raw = typeof fromParam === 'string' && fromParam.trim() !== '' ? fromParam : ((await ctx.variables.get('notify_email')) ?? '');
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Delivers the message through every configured channel; returns the channels used ('log' when none is configured). */
export async function announce(ctx: TaskContext, message: Message): Promise<string[]> {
  const used: string[] = [];
  if (await ctx.connections.get(SLACK_CONN_ID)) {
    await new SlackWebhookNotifier({ connId: SLACK_CONN_ID, text: verbatim(`*${message.subject}*\n${message.text}`) }).send(ctx);
    ctx.log.info(`Notification sent to Slack (connection ${SLACK_CONN_ID}): ${message.subject}`);
    used.push('slack');
  }
  if (await ctx.connections.get(SMTP_CONN_ID)) {
    const to = await recipients(ctx);
    if (to.length === 0) {
      ctx.log.warn(`Connection ${SMTP_CONN_ID} exists but no recipient is set (param notifyEmail or variable notify_email): no email sent`);
    } else {
      await new SmtpNotifier({ connId: SMTP_CONN_ID, to, subject: verbatim(message.subject), text: verbatim(message.text) }).send(ctx);
      ctx.log.info(`Notification emailed to ${to.join(', ')}: ${message.subject}`);
      used.push('email');
    }
  }
  if (used.length === 0) {
    ctx.log.info(`NOTIFICATION ${message.subject}\n${message.text}`);
    used.push('log');
  }
  return used;
}

/** A failure callback announcing the failed task; delivery problems are logged, never raised. */
export const announceFailure: TaskCallback = async (ctx, error) => {
  const why = error instanceof Error ? error.message : String(error ?? 'unknown error');
  try {
    await announce(ctx, {
      subject: `${ctx.dag.dagId}: task ${ctx.task.taskId} failed`,
      text: `Run ${ctx.runId}, try ${ctx.ti.tryNumber}: ${why.slice(0, 1000)}`,
    });
  } catch (e) {
    ctx.log.error(`The failure notification was not delivered: ${e instanceof Error ? e.message : String(e)}`);
  }
};
