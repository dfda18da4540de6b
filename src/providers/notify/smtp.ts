/**
 * Email through an SMTP server (nodemailer). The server comes from `host`/`port` or a
 * connection of type "smtp" as Airflow's: host, port, login, password, and in extra
 * `from_email`, `disable_ssl` (true: no implicit TLS) and `disable_tls` (true: no STARTTLS).
 */
import type { TaskContext } from '../../sdk/context.ts';
import type { TaskCallback } from '../../sdk/task-options.ts';
import { asCallback, DEFAULT_NOTIFY_TIMEOUT_MS, renderMessage, type Notifier } from './notifier.ts';

export interface SmtpNotifierOptions {
  /** Recipient address(es). */
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  /** Default: the connection's extra.from_email, else "baton@localhost". */
  from?: string;
  /** Jinja template. */
  subject: string;
  /** HTML body, a Jinja template. Give `html`, `text` or both. */
  html?: string;
  /** Plain-text body, a Jinja template. */
  text?: string;
  /** A connection of type "smtp". Used when `host` is not given. */
  connId?: string;
  host?: string;
  /** Default: the connection's port, else 587 (465 when `secure`). */
  port?: number;
  /** Implicit TLS from the first byte. Default: true on port 465, or as the connection's disable_ssl says. */
  secure?: boolean;
  /** Never upgrade with STARTTLS. Default false (or the connection's disable_tls). */
  ignoreTls?: boolean;
  user?: string;
  password?: string;
  /** Default 10 000 ms for connecting, greeting and each socket wait. */
  timeoutMs?: number;
}

interface Server {
  host: string;
  port: number;
  secure: boolean;
  ignoreTLS: boolean;
  user: string | null;
  password: string | null;
  from: string | null;
}

export class SmtpNotifier implements Notifier {
  readonly channel = 'email (SMTP)';
  constructor(readonly options: SmtpNotifierOptions) {
    if (!options || (typeof options.to === 'string' ? options.to === '' : !Array.isArray(options.to) || options.to.length === 0)) {
      throw new TypeError('SmtpNotifier needs at least one recipient in `to`');
    }
    if (typeof options.subject !== 'string') throw new TypeError('SmtpNotifier needs a subject');
    if (options.html === undefined && options.text === undefined) throw new TypeError('SmtpNotifier needs a body: give html, text or both');
    if (!options.host && !options.connId) throw new TypeError('SmtpNotifier needs host (and port) or connId (a connection of type "smtp")');
  }

  async send(ctx: TaskContext, error?: unknown): Promise<void> {
    const server = await this.server(ctx);
    const o = this.options;
    const subject = await renderMessage(ctx, o.subject, 'email subject', error);
    const html = o.html === undefined ? undefined : await renderMessage(ctx, o.html, 'email HTML body', error);
    const text = o.text === undefined ? undefined : await renderMessage(ctx, o.text, 'email text body', error);
    const timeout = o.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
    // Loaded here rather than at import: DAG files that only name a notifier do not pay for it.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: server.host,
      port: server.port,
      secure: server.secure,
      ignoreTLS: server.ignoreTLS,
      auth: server.user ? { user: server.user, pass: server.password ?? '' } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    try {
      await transport.sendMail({ from: o.from ?? server.from ?? 'baton@localhost', to: o.to, cc: o.cc, bcc: o.bcc, subject, html, text });
    } catch (e) {
      throw new Error(`the SMTP server ${server.host}:${server.port} did not accept the email: ${e instanceof Error ? e.message : String(e)}; check the host, port, TLS settings and credentials`);
    } finally {
      transport.close();
    }
  }

  private async server(ctx: TaskContext): Promise<Server> {
    const o = this.options;
    if (o.host) {
      const secure = o.secure ?? o.port === 465;
      return { host: o.host, port: o.port ?? (secure ? 465 : 587), secure, ignoreTLS: o.ignoreTls ?? false, user: o.user ?? null, password: o.password ?? null, from: null };
    }
    const conn = await ctx.connections.get(o.connId!);
    if (!conn) throw new Error(`SMTP connection '${o.connId}' is not defined: create it (type "smtp", host, port, login, password)`);
    if (!conn.host) throw new Error(`SMTP connection '${o.connId}' has no host`);
    const flag = (v: unknown) => v === true || v === 'true' || v === 'True' || v === '1';
    const disableSsl = conn.extra.disable_ssl;
    const port = o.port ?? conn.port ?? 587;
    const secure = o.secure ?? (disableSsl === undefined ? port === 465 : !flag(disableSsl));
    return {
      host: conn.host,
      port,
      secure,
      ignoreTLS: o.ignoreTls ?? flag(conn.extra.disable_tls),
      user: o.user ?? conn.login,
      password: o.password ?? conn.password,
      from: typeof conn.extra.from_email === 'string' ? conn.extra.from_email : null,
    };
  }
}

/** A task callback that sends an email (e.g. `onFailure: smtpNotifier({ connId: 'smtp_default', to, subject, text })`). */
export function smtpNotifier(options: SmtpNotifierOptions): TaskCallback {
  return asCallback(new SmtpNotifier(options));
}
