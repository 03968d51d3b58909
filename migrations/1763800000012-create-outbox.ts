import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox: every email the panel means to send, written in the same transaction as the change
 * that causes it. Rows change status but are never deleted, so an admin can always see what was
 * sent, what is held and what could not be delivered. And the customer's one switch: receipts.
 */
export class CreateOutbox1763800000012 implements MigrationInterface {
  name = 'CreateOutbox1763800000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN IF NOT EXISTS receipts_email boolean NOT NULL DEFAULT true`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS outbox_messages (
        id               bigint GENERATED ALWAYS AS IDENTITY,
        user_id          bigint,
        recipient        text NOT NULL,
        kind             text NOT NULL,
        subject          text NOT NULL,
        body_text        text NOT NULL,
        body_html        text NOT NULL,
        dedupe_key       text NOT NULL,
        status           text NOT NULL,
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        lease_until      timestamptz,
        give_up_at       timestamptz NOT NULL,
        last_error       text,
        sent_at          timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outbox_messages_pkey PRIMARY KEY (id),
        CONSTRAINT outbox_messages_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT outbox_messages_status_check CHECK (status IN ('pending', 'sending', 'sent', 'held', 'dead')),
        CONSTRAINT outbox_messages_attempts_check CHECK (attempts >= 0)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS outbox_messages_dedupe_key_key ON outbox_messages (dedupe_key)`,
    );
    // The sender's question, "what is due?", only ever looks at unsent rows.
    await q.query(`
      CREATE INDEX IF NOT EXISTS outbox_messages_due_idx ON outbox_messages (next_attempt_at)
        WHERE status IN ('pending', 'sending')`);
    await q.query(`CREATE INDEX IF NOT EXISTS outbox_messages_user_id_idx ON outbox_messages (user_id)`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
