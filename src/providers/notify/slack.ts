/**
 * Slack through an incoming webhook: POSTs `{"text": ...}` (plus optional channel, username and
 * icon) to the webhook URL. The URL comes from `webhookUrl` or a connection, read as Airflow's
 * Slack webhook connection is: the whole URL in `password`, or the base URL in `host`
 * (e.g. "https://hooks.slack.com/services") and the token path in `password`
 * ("T000/B000/XXXX"); `extra.webhook_url` also works.
 */
import type { ConnectionView, TaskContext } from '../../sdk/context.ts';
import type { TaskCallback } from '../../sdk/task-options.ts';
import { asCallback, DEFAULT_NOTIFY_TIMEOUT_MS, renderMessage, type Notifier } from './notifier.ts';

export interface SlackWebhookOptions {
  /** The incoming-webhook URL. Give this or `connId`. */
  webhookUrl?: string;
  /** A connection holding the webhook URL (see above). */
  connId?: string;
  /** The message, a Jinja template (Slack mrkdwn). */
  text: string;
  /** Overrides the webhook's channel, where the workspace allows it. */
  channel?: string;
  username?: string;
  iconEmoji?: string;
  /** Default 10 000 ms. */
  timeoutMs?: number;
}

export class SlackWebhookNotifier implements Notifier {
  readonly channel = 'Slack webhook';
  constructor(readonly options: SlackWebhookOptions) {
    if (!options || typeof options.text !== 'string' || options.text === '') throw new TypeError('SlackWebhookNotifier needs the message text');
    if (!options.webhookUrl && !options.connId) throw new TypeError('SlackWebhookNotifier needs webhookUrl or connId (a connection holding the webhook URL)');
  }

  async send(ctx: TaskContext, error?: unknown): Promise<void> {
    const url = this.options.webhookUrl ?? (await webhookUrlFromConnection(ctx, this.options.connId!));
    const text = await renderMessage(ctx, this.options.text, 'Slack message text', error);
    const body: Record<string, string> = { text };
    if (this.options.channel) body.channel = this.options.channel;
    if (this.options.username) body.username = this.options.username;
    if (this.options.iconEmoji) body.icon_emoji = this.options.iconEmoji;
    const where = safeOrigin(url);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS),
      });
    } catch (e) {
      throw new Error(`could not reach the Slack webhook at ${where}: ${describeFetchError(e)}; check the URL and the network`);
    }
    const answer = (await res.text()).slice(0, 300);
    if (!res.ok) throw new Error(`the Slack webhook at ${where} answered ${res.status} ${res.statusText}: ${answer || '(empty body)'}; check the webhook URL or token`);
  }
}

/** The webhook URL held by a Slack webhook connection. */
export function slackWebhookUrl(conn: ConnectionView): string {
  const extraUrl = conn.extra?.webhook_url ?? conn.extra?.webhookUrl;
  if (typeof extraUrl === 'string' && extraUrl) return extraUrl;
  const password = conn.password ?? '';
  if (/^https?:\/\//i.test(password)) return password;
  if (!conn.host) {
    throw new Error(`connection '${conn.connId}' holds no Slack webhook URL: put the whole URL in its password, or the base URL in host and the token in password`);
  }
  let base = /^https?:\/\//i.test(conn.host) ? conn.host : `https://${conn.host}${conn.port ? `:${conn.port}` : ''}${conn.schema ? `/${conn.schema}` : ''}`;
  base = base.replace(/\/+$/, '');
  return password ? `${base}/${password.replace(/^\/+/, '')}` : base;
}

async function webhookUrlFromConnection(ctx: TaskContext, connId: string): Promise<string> {
  const conn = await ctx.connections.get(connId);
  if (!conn) throw new Error(`Slack connection '${connId}' is not defined: create it with the webhook URL in its password (or base URL in host and token in password)`);
  return slackWebhookUrl(conn);
}

/** Scheme, host and port only: webhook paths are secrets and stay out of logs. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new Error('the Slack webhook URL is not a valid URL');
  }
}

function describeFetchError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError') return 'timed out';
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? e.message;
  }
  return String(e);
}

/** A task callback that posts `text` to Slack (e.g. `onFailure: slackNotifier({ connId: 'slack', text: '...' })`). */
export function slackNotifier(options: SlackWebhookOptions): TaskCallback {
  return asCallback(new SlackWebhookNotifier(options));
}
