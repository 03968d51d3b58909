import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts a customer can recover: a verified email, single-use tokens (verify, reset, change
 * email), and when each session was last used.
 *
 * Existing admins, and users who already paid (a top-up), are treated as verified: they reached
 * the panel before verification existed and have proved they are real. That backfill runs only
 * when the column is added, so running this twice verifies nobody new.
 */
export class Accounts1763800000017 implements MigrationInterface {
  name = 'Accounts1763800000017';

  async up(q: QueryRunner): Promise<void> {
    const hadColumn = await q.hasColumn('users', 'email_verified_at');
    await q.query(`ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified_at timestamptz`);
    if (!hadColumn) {
      await q.query(`
        UPDATE users u SET email_verified_at = now()
         WHERE u.email_verified_at IS NULL
           AND (u.role = 'admin'
                OR EXISTS (SELECT 1 FROM topups t WHERE t.user_id = u.id AND t.status = 'credited')
                OR EXISTS (SELECT 1 FROM wallets w JOIN wallet_transactions x ON x.wallet_id = w.id
                            WHERE w.user_id = u.id AND x.type = 'topup'))`);
    }

    await q.query(`ALTER TABLE sessions ADD COLUMN IF NOT EXISTS last_seen_at timestamptz`);

    // One table for every emailed link: only a SHA-256 of the token is stored, each is used once.
    // `email` is the address the link was sent to (verification and change of email act on it).
    await q.query(`
      CREATE TABLE IF NOT EXISTS account_tokens (
        id          bigint GENERATED ALWAYS AS IDENTITY,
        user_id     bigint NOT NULL,
        purpose     text NOT NULL,
        token_hash  text NOT NULL,
        email       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        CONSTRAINT account_tokens_pkey PRIMARY KEY (id),
        CONSTRAINT account_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('verify-email', 'reset-password', 'change-email'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS account_tokens_token_hash_key ON account_tokens (token_hash)`,
    );
    await q.query(`CREATE INDEX IF NOT EXISTS account_tokens_user_id_idx ON account_tokens (user_id)`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
