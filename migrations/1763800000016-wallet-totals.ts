import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The wallet page's totals kept on the wallet: `topped_up_cents` (sum of its `topup` rows) and
 * `spent_cents` (minus the sum of its `server_charge` and `server_refund` rows), so reading them
 * costs the same at any ledger size.
 *
 * A trigger on the ledger keeps them, not the app: during an upgrade the previous release still
 * appends rows while this runs, and whatever code inserts a row (old, new, or an operator's SQL)
 * moves the totals in the same statement. The panel's role owns neither the table nor the
 * function, so it cannot drop or disable them (like the append-only triggers).
 *
 * Trigger and backfill commit together while inserts into the ledger wait, so no row can land
 * between the backfill's snapshot and the trigger's first firing. Running it twice changes nothing.
 */
export class WalletTotals1763800000016 implements MigrationInterface {
  name = 'WalletTotals1763800000016';

  async up(q: QueryRunner): Promise<void> {
    // The runner gives each migration its own transaction; a direct call (a re-run) gets one here,
    // because the lock below means something only until the end of a transaction.
    const own = !q.isTransactionActive;
    if (own) await q.startTransaction();
    try {
      // Wallets first, then the ledger: the app's order (UPDATE wallets, then INSERT), so an
      // in-flight old transaction finishes before this takes the ledger's lock, instead of deadlocking.
      await q.query(`ALTER TABLE wallets ADD COLUMN IF NOT EXISTS topped_up_cents bigint NOT NULL DEFAULT 0`);
      await q.query(`ALTER TABLE wallets ADD COLUMN IF NOT EXISTS spent_cents bigint NOT NULL DEFAULT 0`);
      // SHARE blocks INSERT (ROW EXCLUSIVE) until this migration's transaction commits.
      await q.query(`LOCK TABLE wallet_transactions IN SHARE MODE`);
      // The type lists here and in WalletRepository.drift must agree: `wallet verify` checks one
      // against the other on every wallet.
      await q.query(`
        CREATE OR REPLACE FUNCTION wallet_transactions_keep_totals() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.type = 'topup' THEN
            UPDATE wallets SET topped_up_cents = topped_up_cents + NEW.amount_cents WHERE id = NEW.wallet_id;
          ELSIF NEW.type IN ('server_charge', 'server_refund') THEN
            UPDATE wallets SET spent_cents = spent_cents - NEW.amount_cents WHERE id = NEW.wallet_id;
          END IF;
          RETURN NULL;
        END
        $$`);
      await q.query(`DROP TRIGGER IF EXISTS wallet_transactions_keep_totals ON wallet_transactions`);
      await q.query(`
        CREATE TRIGGER wallet_transactions_keep_totals
        AFTER INSERT ON wallet_transactions
        FOR EACH ROW EXECUTE FUNCTION wallet_transactions_keep_totals()`);
      await q.query(`
        UPDATE wallets w SET topped_up_cents = s.topped_up, spent_cents = s.spent
          FROM (SELECT wallet_id,
                       COALESCE(sum(amount_cents) FILTER (WHERE type = 'topup'), 0) AS topped_up,
                       COALESCE(-sum(amount_cents) FILTER (WHERE type IN ('server_charge', 'server_refund')), 0) AS spent
                  FROM wallet_transactions GROUP BY wallet_id) s
         WHERE s.wallet_id = w.id AND (w.topped_up_cents, w.spent_cents) IS DISTINCT FROM (s.topped_up, s.spent)`);
      if (own) await q.commitTransaction();
    } catch (err) {
      if (own) await q.rollbackTransaction();
      throw err;
    }
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
