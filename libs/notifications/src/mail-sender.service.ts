import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, Clock, CLOCK } from '@ozvps/core';
import { SmtpSendError } from './errors';
import { MailTransport } from './mail-transport';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxClaim, OutboxRepository } from './outbox.repository';
import { Outbox } from './outbox.service';

/**
 * How many SMTP_TIMEOUT_MS waits one send can hold: connect, greeting, EHLO, STARTTLS, EHLO again,
 * AUTH (up to three steps), MAIL FROM, RCPT TO, DATA, the body's answer, QUIT, and spare.
 */
export const SMTP_WAITS_PER_SEND = 15;
const LEASE_MARGIN_MS = 60 * 1000;
const MIN_LEASE_MS = 5 * 60 * 1000;

/** A claim's lease: longer than every timeout of one send together, so a live send keeps its claim. */
export function leaseMsFor(smtpTimeoutMs: number): number {
  return Math.max(MIN_LEASE_MS, smtpTimeoutMs * SMTP_WAITS_PER_SEND + LEASE_MARGIN_MS);
}
const FIRST_RETRY_MS = 60 * 1000;
const MAX_RETRY_MS = 60 * 60 * 1000;

export interface SendRunResult {
  sent: number;
  retried: number;
  dead: number;
}

/**
 * Delivers due outbox messages. Each is claimed (committed) first, sent outside any transaction,
 * then marked; a sender that dies mid-send leaves a lease that lapses, so the message is sent
 * again: at worst twice, never lost.
 */
@Injectable()
export class MailSender {
  private readonly logger = new Logger('Mail');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: OutboxRepository,
    private readonly transport: MailTransport,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sends what is due, up to `max` messages; with no SMTP configured, does nothing. */
  async runOnce(max = 50): Promise<SendRunResult> {
    const result: SendRunResult = { sent: 0, retried: 0, dead: 0 };
    const smtp = this.config.mail.smtp;
    if (!smtp || !this.transport.configured) return result;
    const leaseMs = leaseMsFor(smtp.timeoutMs);
    for (let i = 0; i < max; i++) {
      const now = this.clock.now();
      const message = await this.repository.claimDue(now, new Date(now.getTime() + leaseMs));
      if (!message) break;
      result[await this.deliver(message)]++;
    }
    return result;
  }

  private async deliver(m: OutboxMessage): Promise<keyof SendRunResult> {
    const who = `mail ${m.id} kind=${m.kind} to=*@${domainOf(m.recipient)} attempt=${m.attempts}`;
    try {
      const answer = await this.transport.send({
        to: m.recipient,
        subject: m.subject,
        text: m.bodyText,
        html: m.bodyHtml,
        messageKey: `outbox-${m.id}.${m.createdAt.getTime()}`,
      });
      const marked = await this.repository.markSent(claimOf(m), this.clock.now());
      this.logger.log(`${who} sent${marked ? '' : ' (another sender had taken it over)'}: ${answer}`);
      return 'sent';
    } catch (err) {
      if (!(err instanceof SmtpSendError)) throw err;
      return this.failed(m, err.message, who);
    }
  }

  private async failed(m: OutboxMessage, error: string, who: string): Promise<keyof SendRunResult> {
    const now = this.clock.now();
    if (now.getTime() < m.giveUpAt.getTime()) {
      const backoff = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, m.attempts - 1), MAX_RETRY_MS);
      const next = new Date(Math.min(now.getTime() + backoff, m.giveUpAt.getTime()));
      if (await this.repository.markRetry(claimOf(m), now, next, error))
        this.logger.warn(`${who} failed, retry at ${next.toISOString()}: ${error}`);
      else this.logger.warn(`${who} failed, and another sender had taken it over: ${error}`);
      return 'retried';
    }
    await this.dataSource.transaction(async (em) => {
      if (!(await this.repository.markDead(em, claimOf(m), now, error))) return;
      // An alert about an undeliverable alert would only die the same way.
      if (m.kind === 'admin-alert') return;
      await this.outbox.alertAdmins(em, {
        dedupeKey: `dead:${m.id}`,
        title: `Message ${m.id} could not be delivered`,
        lines: [
          `A ${m.kind} message to ${m.recipient} ("${m.subject}") failed ${m.attempts} times since ${m.createdAt.toISOString()} and is now dead.`,
          `Last error: ${error}`,
          `To send it again: ozvpsctl mail retry ${m.id} --yes, or Retry on the admin Outbox page.`,
        ],
      });
    });
    this.logger.error(`${who} dead after ${m.attempts} attempts: ${error}`);
    return 'dead';
  }
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : '?';
}

function claimOf(m: OutboxMessage): OutboxClaim {
  if (!m.leaseUntil) throw new Error(`mail ${m.id} was claimed without a lease`);
  return { id: m.id, attempts: m.attempts, leaseUntil: m.leaseUntil };
}
