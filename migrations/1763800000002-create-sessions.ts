import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessions1763800000002 implements MigrationInterface {
  name = 'CreateSessions1763800000002';

  async up(q: QueryRunner): Promise<void> {
    // Browser sessions: only a SHA-256 of the cookie's token is stored, so a database leak yields
    // no usable session; revoked and expired rows stay as an audit trail.
    await q.query(`
      CREATE TABLE IF NOT EXISTS sessions (
        id          bigint GENERATED ALWAYS AS IDENTITY,
        user_id     bigint NOT NULL,
        token_hash  text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        revoked_at  timestamptz,
        ip          text,
        user_agent  text,
        CONSTRAINT sessions_pkey PRIMARY KEY (id),
        CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS sessions_token_hash_key ON sessions (token_hash)`);
    await q.query(`CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id)`);

    // A business-level key for credits that must happen once per thing (the sign-up credit per user,
    // later a renewal per server and period), enforced by the database.
    await q.query(`ALTER TABLE wallet_transactions ADD COLUMN IF NOT EXISTS idempotency_key text`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS wallet_transactions_idempotency_key_key ON wallet_transactions (idempotency_key)`,
    );
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
