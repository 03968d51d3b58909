import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
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
}

/** The only code that speaks SQL to outbox_messages. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts unless the dedupe key exists; true when this call wrote the row. */
  async insert(em: EntityManager, row: NewOutboxRow): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO outbox_messages
         (user_id, recipient, kind, subject, body_text, body_html, dedupe_key, status, last_error,
          next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)
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
}
