import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWalletLedger1763800000001 implements MigrationInterface {
  name = 'CreateWalletLedger1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS wallets (
        id            bigint GENERATED ALWAYS AS IDENTITY,
        user_id       bigint NOT NULL,
        balance_cents bigint NOT NULL DEFAULT 0,
        currency      text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wallets_pkey PRIMARY KEY (id),
        CONSTRAINT wallets_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT wallets_currency_check CHECK (currency ~ '^[a-z]{3}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS wallets_user_id_key ON wallets (user_id)`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS wallet_transactions (
        id                         bigint GENERATED ALWAYS AS IDENTITY,
        wallet_id                  bigint NOT NULL,
        type                       text NOT NULL,
        amount_cents               bigint NOT NULL,
        balance_after_cents        bigint NOT NULL,
        actor                      text NOT NULL,
        reason                     text NOT NULL,
        stripe_event_id            text,
        stripe_checkout_session_id text,
        stripe_payment_intent_id   text,
        created_at                 timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wallet_transactions_pkey PRIMARY KEY (id),
        CONSTRAINT wallet_transactions_wallet_id_fkey FOREIGN KEY (wallet_id) REFERENCES wallets (id) ON DELETE RESTRICT,
        CONSTRAINT wallet_transactions_amount_check CHECK (amount_cents <> 0)
      )`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS wallet_transactions_wallet_id_id_idx ON wallet_transactions (wallet_id, id)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS wallet_transactions_stripe_event_id_key ON wallet_transactions (stripe_event_id)`,
    );

    // The ledger is append-only, enforced by the database so that no code path can rewrite history.
    await q.query(`
      CREATE OR REPLACE FUNCTION wallet_transactions_append_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'wallet_transactions is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`DROP TRIGGER IF EXISTS wallet_transactions_no_update_delete ON wallet_transactions`);
    await q.query(`
      CREATE TRIGGER wallet_transactions_no_update_delete
      BEFORE UPDATE OR DELETE ON wallet_transactions
      FOR EACH ROW EXECUTE FUNCTION wallet_transactions_append_only()`);
    await q.query(`DROP TRIGGER IF EXISTS wallet_transactions_no_truncate ON wallet_transactions`);
    await q.query(`
      CREATE TRIGGER wallet_transactions_no_truncate
      BEFORE TRUNCATE ON wallet_transactions
      FOR EACH STATEMENT EXECUTE FUNCTION wallet_transactions_append_only()`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
