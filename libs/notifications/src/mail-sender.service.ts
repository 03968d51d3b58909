import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '@ozvps/core';
import { SmtpSendError } from './errors';
import { MailTransport } from './mail-transport';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxRepository } from './outbox.repository';
import { Outbox } from './outbox.service';

/** Longer than connect + greeting + answer timeouts together, so a live send keeps its claim. */
const LEASE_MS = 5 * 60 * 1000;
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
  ) {}

  /** Sends what is due, up to `max` messages; with no SMTP configured, does nothing. */
  async runOnce(max = 50): Promise<SendRunResult> {
    const result: SendRunResult = { sent: 0, retried: 0, dead: 0 };
    if (!this.transport.configured) return result;
    for (let i = 0; i < max; i++) {
      const now = this.clock.now();
      const message = await this.repository.claimDue(now, new Date(now.getTime() + LEASE_MS));
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
      const marked = await this.repository.markSent(m.id, this.clock.now());
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
      await this.repository.markRetry(m.id, now, next, error);
      this.logger.warn(`${who} failed, retry at ${next.toISOString()}: ${error}`);
      return 'retried';
    }
    await this.dataSource.transaction(async (em) => {
      if (!(await this.repository.markDead(em, m.id, now, error))) return;
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
