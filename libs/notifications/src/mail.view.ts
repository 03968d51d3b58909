import { OutboxMessage } from './outbox-message.entity';

/** A message as admins see it in lists (API and `ozvpsctl mail list --json`): no bodies. */
export function toMailSummary(m: OutboxMessage) {
  return {
    id: m.id,
    userId: m.userId,
    recipient: m.recipient,
    kind: m.kind,
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    nextAttemptAt: m.status === 'pending' || m.status === 'sending' ? m.nextAttemptAt.toISOString() : null,
    lastError: m.lastError,
    sentAt: m.sentAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}

/** One message with its bodies and dedupe key (API `GET /api/admin/mail/:id`, `mail show --json`). */
export function toMailDetail(m: OutboxMessage) {
  return {
    ...toMailSummary(m),
    dedupeKey: m.dedupeKey,
    giveUpAt: m.giveUpAt.toISOString(),
    bodyText: m.bodyText,
    bodyHtml: m.bodyHtml,
  };
}

export type MailSummary = ReturnType<typeof toMailSummary>;
export type MailDetail = ReturnType<typeof toMailDetail>;

/** A page of messages, newest first; `nextBefore` asks for the next page. */
export function toMailPage(rows: OutboxMessage[]) {
  return {
    messages: rows.map(toMailSummary),
    nextBefore: rows.length > 0 ? rows[rows.length - 1]!.id : null,
  };
}
