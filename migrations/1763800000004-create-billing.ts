import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBilling1763800000004 implements MigrationInterface {
  name = 'CreateBilling1763800000004';

  async up(q: QueryRunner): Promise<void> {
    // A top-up from the moment the customer asks for it: pending until the verified webhook says
    // paid (credited), or failed / expired. The credit itself is the ledger row.
    await q.query(`
      CREATE TABLE IF NOT EXISTS topups (
        id                          bigint GENERATED ALWAYS AS IDENTITY,
        user_id                     bigint NOT NULL,
        amount_cents                bigint NOT NULL,
        currency                    text NOT NULL,
        status                      text NOT NULL DEFAULT 'pending',
        stripe_checkout_session_id  text,
        stripe_payment_intent_id    text,
        failure_reason              text,
        created_at                  timestamptz NOT NULL DEFAULT now(),
        updated_at                  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT topups_pkey PRIMARY KEY (id),
        CONSTRAINT topups_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT topups_amount_cents_check CHECK (amount_cents > 0),
        CONSTRAINT topups_status_check CHECK (status IN ('pending', 'credited', 'failed', 'expired'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS topups_stripe_checkout_session_id_key ON topups (stripe_checkout_session_id)`,
    );
    await q.query(`CREATE INDEX IF NOT EXISTS topups_user_id_idx ON topups (user_id)`);

    // Every delivery of every Stripe event, with what the panel did about it.
    await q.query(`
      CREATE TABLE IF NOT EXISTS stripe_events (
        id                          bigint GENERATED ALWAYS AS IDENTITY,
        event_id                    text NOT NULL,
        type                        text NOT NULL,
        livemode                    boolean NOT NULL,
        outcome                     text NOT NULL,
        stripe_customer_id          text,
        stripe_checkout_session_id  text,
        user_id                     bigint,
        amount_cents                bigint,
        currency                    text,
        reason                      text,
        received_at                 timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stripe_events_pkey PRIMARY KEY (id),
        CONSTRAINT stripe_events_outcome_check CHECK (outcome IN
          ('credited', 'duplicate', 'ignored', 'unpaid', 'unmatched', 'mismatch', 'failed', 'reversed', 'closed'))
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS stripe_events_event_id_idx ON stripe_events (event_id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS stripe_events_received_at_idx ON stripe_events (received_at)`);

    // One top-up credit per checkout session, whatever events deliver it.
    await q.query(`
      CREATE UNIQUE INDEX IF NOT EXISTS wallet_transactions_topup_session_key
        ON wallet_transactions (stripe_checkout_session_id) WHERE type = 'topup'`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
