import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, CLOCK, isDeliverableAddress, ValidationError } from '@ozvps/core';
import {
  MailMessageNotFoundError,
  MailNotRetryableError,
  SmtpNotConfiguredError,
  SmtpSendError,
} from './errors';
import { MailTransport } from './mail-transport';
import { OUTBOX_STATUSES, OutboxMessage, OutboxStatus } from './outbox-message.entity';
import { OutboxFilter, OutboxRepository } from './outbox.repository';
import { Outbox, RETRY_FOR_MS } from './outbox.service';

export interface MailListQuery {
  status?: string;
  kind?: string;
  userId?: number;
  limit?: number;
  beforeId?: number;
}

export interface TestMailResult {
  id: number;
  /** The SMTP server's answer to the message. */
  response: string;
}

const MAX_PAGE = 500;

/** What admins do with the outbox (web panel and ozvpsctl): look, retry, send a test. */
@Injectable()
export class MailAdminService {
  private readonly logger = new Logger('Mail');

  constructor(
    private readonly repository: OutboxRepository,
    private readonly outbox: Outbox,
    private readonly transport: MailTransport,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Messages newest first, filtered by status, kind and user. */
  async list(query: MailListQuery = {}): Promise<OutboxMessage[]> {
    const limit = query.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw new ValidationError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
    const filter: OutboxFilter = {};
    if (query.status !== undefined) {
      if (!(OUTBOX_STATUSES as readonly string[]).includes(query.status))
        throw new ValidationError(`status must be one of ${OUTBOX_STATUSES.join(', ')}`);
      filter.status = query.status as OutboxStatus;
    }
    if (query.kind !== undefined) {
      if (!/^[a-z0-9-]{1,60}$/.test(query.kind))
        throw new ValidationError('kind must be a message kind such as welcome');
      filter.kind = query.kind;
    }
    if (query.userId !== undefined) filter.userId = query.userId;
    return this.repository.list(filter, limit, query.beforeId);
  }

  async get(id: number): Promise<OutboxMessage> {
    const message = await this.repository.findById(id);
    if (!message) throw new MailMessageNotFoundError(id);
    return message;
  }

  /** A dead or held message back to the queue: due now, attempts reset, another 24 hours. Needs SMTP_URL. */
  async retry(id: number, actor?: string): Promise<OutboxMessage> {
    // Without SMTP the sender sends nothing: a retried message would only look queued.
    if (!this.transport.configured) throw new SmtpNotConfiguredError();
    const now = this.clock.now();
    const requeued = await this.repository.requeue(id, now, new Date(now.getTime() + RETRY_FOR_MS), actor);
    if (requeued) return requeued;
    const current = await this.get(id);
    throw new MailNotRetryableError(id, current.status);
  }

  /**
   * Sends one test message now, past the queue, and records it with its outcome. Resolves with the
   * server's answer; a refusal is recorded dead and thrown as SmtpSendError with the answer.
   */
  async sendTest(to: string, requestedBy: string): Promise<TestMailResult> {
    if (!this.transport.configured) throw new SmtpNotConfiguredError();
    const address = to.trim();
    if (!isDeliverableAddress(address))
      throw new ValidationError(`"${address.slice(0, 80)}" is not an email address`);
    const rendered = this.outbox.render({ kind: 'test', data: { requestedBy } });
    let response: string;
    let error: string | null = null;
    let unreachable = false;
    try {
      response = await this.transport.send({ to: address, ...rendered });
    } catch (err) {
      if (!(err instanceof SmtpSendError)) throw err;
      error = err.message;
      response = err.message;
      unreachable = err.unreachable;
    }
    const now = this.clock.now();
    const id = await this.repository.record({
      userId: null,
      recipient: address,
      kind: 'test',
      subject: rendered.subject,
      bodyText: rendered.text,
      bodyHtml: rendered.html,
      dedupeKey: `test:${randomUUID()}`,
      status: error ? 'dead' : 'sent',
      lastError: error,
      now,
      giveUpAt: now,
      attempts: 1,
      sentAt: error ? null : now,
    });
    this.logger.log(
      `mail ${id} kind=test to=*@${address.split('@')[1]} ${error ? 'failed' : 'sent'}: ${response}`,
    );
    if (error && unreachable)
      throw new SmtpSendError(
        `Could not connect to the SMTP server ${this.transport.display} (recorded as ${id}): ${error}`,
        true,
      );
    if (error)
      throw new SmtpSendError(`The SMTP server refused the test message (recorded as ${id}): ${error}`);
    return { id, response };
  }
}
