/** Notifications (Slack webhooks, email) as callbacks or tasks. */
export { asCallback, renderMessage, DEFAULT_NOTIFY_TIMEOUT_MS, type Notifier } from './notifier.ts';
export { SlackWebhookNotifier, slackNotifier, slackWebhookUrl, type SlackWebhookOptions } from './slack.ts';
export { SmtpNotifier, smtpNotifier, type SmtpNotifierOptions } from './smtp.ts';
export { NotifyOperator, notify, type NotifyOperatorOptions } from './operator.ts';
