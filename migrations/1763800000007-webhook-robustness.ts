import { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookRobustness1763800000007 implements MigrationInterface {
  name = 'WebhookRobustness1763800000007';

  async up(q: QueryRunner): Promise<void> {
    // This installation's id, made once: it prefixes every Stripe idempotency key, so a reset or
    // restored database never replays the requests of an earlier install (Stripe keeps keys 24 h).
    await q.query(`
      CREATE TABLE IF NOT EXISTS installation (
        id          uuid NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT installation_pkey PRIMARY KEY (id)
      )`);
    // Migrations run one at a time under an advisory lock, so this makes exactly one row.
    await q.query(
      `INSERT INTO installation (id) SELECT gen_random_uuid() WHERE NOT EXISTS (SELECT 1 FROM installation)`,
    );

    // Webhook deliveries refused before any event could be read (no header, bad signature, too
    // old): counted per hour and reason class, never one row per request, since anyone can send them.
    await q.query(`
      CREATE TABLE IF NOT EXISTS stripe_webhook_failures (
        hour        timestamptz NOT NULL,
        reason      text NOT NULL,
        count       integer NOT NULL DEFAULT 0,
        last_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stripe_webhook_failures_pkey PRIMARY KEY (hour, reason)
      )`);

    // A signed event whose shape the handler cannot read is recorded as malformed.
    await q.query(`ALTER TABLE stripe_events DROP CONSTRAINT IF EXISTS stripe_events_outcome_check`);
    await q.query(`
      ALTER TABLE stripe_events ADD CONSTRAINT stripe_events_outcome_check CHECK (outcome IN
        ('credited', 'duplicate', 'ignored', 'unpaid', 'unmatched', 'mismatch', 'failed', 'reversed', 'closed', 'malformed'))`);

    // Every user has a wallet from the start now; older users without one get it here. The panel's
    // currency is not known to a migration, so it is taken from the existing wallets when they all
    // agree; otherwise (no wallets at all, or several currencies) the credit path opens the wallet.
    await q.query(`
      INSERT INTO wallets (user_id, currency)
      SELECT u.id, c.currency
        FROM users u
       CROSS JOIN (SELECT min(currency) AS currency FROM wallets HAVING count(DISTINCT currency) = 1) c
       WHERE NOT EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = u.id)
      ON CONFLICT (user_id) DO NOTHING`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
