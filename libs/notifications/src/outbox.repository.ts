import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrail } from '@ozvps/core';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';

export interface NewOutboxRow {
  userId: number | null;
  recipient: string;
  kind: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  dedupeKey: string;
  status: OutboxStatus;
  lastError: string | null;
  now: Date;
  giveUpAt: Date;
}

/** The only code that speaks SQL to outbox_messages. */
/**
 * Which claim a sender holds: every claim adds one to `attempts` and sets a new lease, so the
 * pair names this claim and no later one (a requeue resets attempts, never the lease with it).
 */
export interface OutboxClaim {
  readonly id: number;
  readonly attempts: number;
  readonly leaseUntil: Date;
}

const CLAIMED = `id = $1 AND status = 'sending' AND attempts = $3 AND lease_until = $4`;

@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Unsent messages by status: read through the partial index of unsent rows, so it stays cheap. */
  async unsentCounts(): Promise<{ pending: number; sending: number }> {
    const rows: { status: 'pending' | 'sending'; n: string }[] = await this.dataSource.query(
      `SELECT status, count(*) AS n FROM outbox_messages WHERE status IN ('pending', 'sending') GROUP BY status`,
    );
    const counts = { pending: 0, sending: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Inserts unless the dedupe key exists; true when this call wrote the row. */
  async insert(em: EntityManager, row: NewOutboxRow): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO outbox_messages
         (user_id, recipient, kind, subject, body_text, body_html, dedupe_key, status, last_error,
          next_attempt_at, created_at, updated_at, give_up_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10, $11)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [
        row.userId,
        row.recipient,
        row.kind,
        row.subject,
        row.bodyText,
        row.bodyHtml,
        row.dedupeKey,
        row.status,
        row.lastError,
        row.now,
        row.giveUpAt,
      ],
    );
    return rows.length === 1;
  }

  /** Whether the user wants receipts; a user that does not exist (yet) gets the default. */
  async wantsReceipts(em: EntityManager, userId: number): Promise<boolean> {
    const rows: { receipts_email: boolean }[] = await em.query(
      `SELECT receipts_email FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0]?.receipts_email ?? true;
  }

  findById(id: number): Promise<OutboxMessage | null> {
    return this.dataSource.getRepository(OutboxMessage).findOneBy({ id });
  }

  /** Newest first, keyset-paged by id; every filter optional. */
  list(filter: OutboxFilter, limit: number, beforeId?: number): Promise<OutboxMessage[]> {
    const q = this.dataSource
      .getRepository(OutboxMessage)
      .createQueryBuilder('m')
      .orderBy('m.id', 'DESC')
      .limit(limit);
    if (filter.status) q.andWhere('m.status = :status', { status: filter.status });
    if (filter.kind) q.andWhere('m.kind = :kind', { kind: filter.kind });
    if (filter.userId !== undefined) q.andWhere('m.userId = :userId', { userId: filter.userId });
    if (beforeId !== undefined) q.andWhere('m.id < :beforeId', { beforeId });
    return q.getMany();
  }

  /**
   * Claims the oldest due message for this sender: pending and due, or sending with a lapsed
   * lease (its sender died mid-send). One statement, SKIP LOCKED: concurrent senders never claim
   * the same row, and the claim is committed before any network call.
   */
  async claimDue(now: Date, leaseUntil: Date): Promise<OutboxMessage | null> {
    const rows = updatedRows<RawRow>(
      await this.dataSource.query(
        `UPDATE outbox_messages m
          SET status = 'sending', lease_until = $2, attempts = m.attempts + 1, updated_at = $1
        WHERE m.id = (
          SELECT id FROM outbox_messages
           WHERE (status = 'pending' AND next_attempt_at <= $1)
              OR (status = 'sending' AND lease_until <= $1)
           ORDER BY next_attempt_at, id
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
       RETURNING m.*`,
        [now, leaseUntil],
      ),
    );
    return rows[0] ? fromRaw(rows[0]) : null;
  }

  /**
   * Marks a claimed message sent; false when this claim is no longer the message's (its lease
   * lapsed and another sender claimed it, or an admin retried it): then the row is left alone.
   */
  async markSent(claim: OutboxClaim, now: Date): Promise<boolean> {
    const rows = updatedRows(
      await this.dataSource.query(
        `UPDATE outbox_messages
          SET status = 'sent', sent_at = $2, lease_until = NULL, last_error = NULL, updated_at = $2
        WHERE ${CLAIMED}
       RETURNING id`,
        [claim.id, now, claim.attempts, claim.leaseUntil],
      ),
    );
    return rows.length === 1;
  }

  /** A failed attempt: back to pending at `nextAttemptAt`; false when the claim is no longer ours. */
  async markRetry(claim: OutboxClaim, now: Date, nextAttemptAt: Date, error: string): Promise<boolean> {
    const rows = updatedRows(
      await this.dataSource.query(
        `UPDATE outbox_messages
          SET status = 'pending', next_attempt_at = $5, lease_until = NULL, last_error = $6, updated_at = $2
        WHERE ${CLAIMED}
       RETURNING id`,
        [claim.id, now, claim.attempts, claim.leaseUntil, nextAttemptAt, error],
      ),
    );
    return rows.length === 1;
  }

  /** Gives up on a claimed message, inside `em`'s transaction (its admin alert joins it). */
  async markDead(em: EntityManager, claim: OutboxClaim, now: Date, error: string): Promise<boolean> {
    const rows = updatedRows(
      await em.query(
        `UPDATE outbox_messages
          SET status = 'dead', lease_until = NULL, last_error = $5, updated_at = $2
        WHERE ${CLAIMED}
       RETURNING id`,
        [claim.id, now, claim.attempts, claim.leaseUntil, error],
      ),
    );
    return rows.length === 1;
  }

  /** A dead or held message back to the queue, due now, with a fresh count and 24 hours. */
  async requeue(id: number, now: Date, giveUpAt: Date, actor?: string): Promise<OutboxMessage | null> {
    return this.dataSource.transaction(async (em) => {
      const before = (await em.query(
        `SELECT status FROM outbox_messages WHERE id = $1 AND status IN ('dead', 'held') FOR UPDATE`,
        [id],
      )) as { status: string }[];
      if (!before[0]) return null;
      const rows = updatedRows<RawRow>(
        await em.query(
          `UPDATE outbox_messages
            SET status = 'pending', attempts = 0, next_attempt_at = $2, give_up_at = $3,
                lease_until = NULL, updated_at = $2
          WHERE id = $1
         RETURNING *`,
          [id, now, giveUpAt],
        ),
      );
      if (actor)
        await AuditTrail.record(em, {
          actor,
          action: 'mail.retry',
          target: { type: 'mail', id },
          before: { status: before[0].status },
          after: { status: 'pending' },
        });
      return rows[0] ? fromRaw(rows[0]) : null;
    });
  }

  /** A message sent outside the queue (`mail test`), recorded with its outcome. */
  async record(row: NewOutboxRow & { attempts: number; sentAt: Date | null }): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO outbox_messages
         (user_id, recipient, kind, subject, body_text, body_html, dedupe_key, status, last_error,
          attempts, sent_at, next_attempt_at, created_at, updated_at, give_up_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12, $12)
       RETURNING id`,
      [
        row.userId,
        row.recipient,
        row.kind,
        row.subject,
        row.bodyText,
        row.bodyHtml,
        row.dedupeKey,
        row.status,
        row.lastError,
        row.attempts,
        row.sentAt,
        row.now,
      ],
    );
    return Number(rows[0]!.id);
  }
}

export interface OutboxFilter {
  status?: OutboxStatus;
  kind?: string;
  userId?: number;
}

/** TypeORM answers an UPDATE … RETURNING with [rows, affected count] (an INSERT with the rows). */
function updatedRows<T = unknown>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}

interface RawRow {
  id: string;
  user_id: string | null;
  recipient: string;
  kind: string;
  subject: string;
  body_text: string;
  body_html: string;
  dedupe_key: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  give_up_at: Date;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function fromRaw(r: RawRow): OutboxMessage {
  return Object.assign(new OutboxMessage(), {
    id: Number(r.id),
    userId: r.user_id === null ? null : Number(r.user_id),
    recipient: r.recipient,
    kind: r.kind,
    subject: r.subject,
    bodyText: r.body_text,
    bodyHtml: r.body_html,
    dedupeKey: r.dedupe_key,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    leaseUntil: r.lease_until,
    giveUpAt: r.give_up_at,
    lastError: r.last_error,
    sentAt: r.sent_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}
