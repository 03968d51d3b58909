import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The wallet page's totals kept on the wallet: `topped_up_cents` (sum of its `topup` rows) and
 * `spent_cents` (minus the sum of its `server_charge` and `server_refund` rows), changed by the
 * same statement that appends a ledger row, so reading them costs the same at any ledger size.
 * The backfill recomputes both from the ledger: running it twice changes nothing more.
 */
export class WalletTotals1763800000016 implements MigrationInterface {
  name = 'WalletTotals1763800000016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE wallets ADD COLUMN IF NOT EXISTS topped_up_cents bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE wallets ADD COLUMN IF NOT EXISTS spent_cents bigint NOT NULL DEFAULT 0`);
    // Old code appends rows without moving the totals: the panel is stopped for an upgrade, and
    // `ozvpsctl wallet verify` names any wallet this could have missed.
    await q.query(`
      UPDATE wallets w SET topped_up_cents = s.topped_up, spent_cents = s.spent
        FROM (SELECT wallet_id,
                     COALESCE(sum(amount_cents) FILTER (WHERE type = 'topup'), 0) AS topped_up,
                     COALESCE(-sum(amount_cents) FILTER (WHERE type IN ('server_charge', 'server_refund')), 0) AS spent
                FROM wallet_transactions GROUP BY wallet_id) s
       WHERE s.wallet_id = w.id AND (w.topped_up_cents, w.spent_cents) IS DISTINCT FROM (s.topped_up, s.spent)`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
