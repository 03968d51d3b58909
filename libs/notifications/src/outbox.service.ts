import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppConfig,
  Clock,
  CLOCK,
  escapeControlCharacters,
  isDeliverableAddressList,
} from '@ozvps/core';
import { OutboxRepository } from './outbox.repository';
import { MailDataByKind, MailKind, RenderedMail, TEMPLATES, TemplateContext } from './templates';

/** One message to write: its kind, the data its template needs, and the key that makes it once-only. */
export type MailInput = {
  [K in MailKind]: {
    kind: K;
    /** The recipient's address. */
    to: string;
    /** The customer it concerns: their receipts preference applies, and admins can filter by it. */
    userId?: number | null;
    /**
     * The user's receipts preference, when the caller read their row in this same transaction
     * (a renewal run writes thousands of receipts: this spares a read per message).
     */
    receiptsEmail?: boolean;
    /** Unique per message, e.g. `topup-received:<checkout session id>`: a second write is a no-op. */
    dedupeKey: string;
    data: MailDataByKind[K];
  };
}[MailKind];

const MAX_DEDUPE_KEY = 300;
/** How long a failing message is retried before it is marked dead. */
export const RETRY_FOR_MS = 24 * 60 * 60 * 1000;

/**
 * Writes messages to the outbox inside the caller's transaction, so a message exists if and only
 * if the change that causes it committed. Nothing here talks to the network.
 */
@Injectable()
export class Outbox {
  constructor(
    private readonly repository: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** What templates see: the panel's name, URL and currency. */
  get context(): TemplateContext {
    return {
      panelName: this.config.mail.panelName,
      appUrl: this.config.appUrl,
      currency: this.config.walletCurrency,
      supportEmail: addressOf(this.config.mail.from),
    };
  }

  /** Renders a kind's template with its data (no database, no network). */
  render(msg: Pick<MailInput, 'kind' | 'data'>): RenderedMail {
    const template = TEMPLATES[msg.kind] as { render(data: unknown, ctx: TemplateContext): RenderedMail };
    return template.render(msg.data, this.context);
  }

  /** How many messages wait to be sent (pending) and are being sent (sending) now. */
  depth(): Promise<{ pending: number; sending: number }> {
    return this.repository.unsentCounts();
  }

  /**
   * Renders the message now and writes it in `manager`'s transaction: `pending` when SMTP is
   * configured, `held` when not. Returns false when the dedupe key was already used, or when the
   * message is a receipt and the user switched receipts off (then nothing is written).
   */
  async enqueue(manager: EntityManager, msg: MailInput): Promise<boolean> {
    if (!msg.dedupeKey || msg.dedupeKey.length > MAX_DEDUPE_KEY)
      throw new Error(`An outbox dedupe key must be 1 to ${MAX_DEDUPE_KEY} characters`);
    const userId = msg.userId ?? null;
    if (TEMPLATES[msg.kind].category === 'receipt' && userId !== null) {
      const wants = msg.receiptsEmail ?? (await this.repository.wantsReceipts(manager, userId));
      if (!wants) return false;
    }
    const rendered = this.render(msg);
    const now = this.clock.now();
    // A bad address must not roll back the change that caused the message (a credit, say): the
    // message is kept, dead, where an admin sees it.
    const deliverable = isDeliverableAddressList(msg.to);
    const written = await this.repository.insert(manager, {
      userId,
      recipient: msg.to,
      kind: msg.kind,
      subject: rendered.subject,
      bodyText: rendered.text,
      bodyHtml: rendered.html,
      dedupeKey: msg.dedupeKey,
      status: !deliverable ? 'dead' : this.config.mail.smtp ? 'pending' : 'held',
      lastError: deliverable ? null : 'not a deliverable email address',
      now,
      giveUpAt: new Date(now.getTime() + RETRY_FOR_MS),
    });
    // Dead at birth is as much an admin's business as dead after retries. An alert about an
    // undeliverable alert would only die the same way.
    if (written && !deliverable && msg.kind !== 'admin-alert') {
      await this.alertAdmins(manager, {
        dedupeKey: `undeliverable:${createHash('sha256').update(msg.dedupeKey).digest('hex')}`,
        title: `A ${msg.kind} message could not be sent: bad address`,
        lines: [
          `A ${msg.kind} message ("${rendered.subject}")${userId !== null ? ` for user ${userId}` : ''} was written dead: "${escapeControlCharacters(msg.to.slice(0, 120))}" is not an address the panel can deliver to.`,
          `Correct the address, then: ozvpsctl mail list --status dead.`,
        ],
      });
    }
    return written;
  }

  /**
   * An alert to ADMIN_ALERT_EMAIL, in `manager`'s transaction; false when no alert address is
   * configured or the key was used already.
   */
  async alertAdmins(
    manager: EntityManager,
    alert: { dedupeKey: string; title: string; lines: readonly string[] },
  ): Promise<boolean> {
    const to = this.config.mail.adminAlertEmail;
    if (!to) return false;
    return this.enqueue(manager, {
      kind: 'admin-alert',
      to,
      userId: null,
      dedupeKey: alert.dedupeKey,
      data: { title: alert.title, lines: alert.lines },
    });
  }
}

/** The address of `Name <address>` or of a bare address. */
function addressOf(mailbox: string): string {
  return (/<([^<>]+)>$/.exec(mailbox)?.[1] ?? mailbox).trim();
}
