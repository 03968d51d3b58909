import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A server renews at its own price: `price_monthly_cents` (recorded at deploy) becomes the price
 * every renewal charges, and an admin's reprice is scheduled in `next_price_cents` from the
 * renewal `next_price_from`.
 */
export class ServerOwnPrice1763800000009 implements MigrationInterface {
  name = 'ServerOwnPrice1763800000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE servers ADD COLUMN IF NOT EXISTS next_price_cents bigint`);
    await q.query(`ALTER TABLE servers ADD COLUMN IF NOT EXISTS next_price_from timestamptz`);
    await q.query(`ALTER TABLE servers DROP CONSTRAINT IF EXISTS servers_next_price_check`);
    await q.query(`
      ALTER TABLE servers ADD CONSTRAINT servers_next_price_check CHECK (
        (next_price_cents IS NULL AND next_price_from IS NULL)
        OR (next_price_cents > 0 AND next_price_from IS NOT NULL))`);

    // Until now renewals charged the plan's current price, so what a server really costs is what
    // it was last charged (its ledger rows are keyed `server-charge:<server>:<period>`). A server
    // never charged (a deploy still waiting for its top-up, a cancelled one) keeps the price it
    // was offered at, which its row already holds. Running this twice changes nothing more.
    await q.query(`
      UPDATE servers s SET price_monthly_cents = last.price
        FROM (SELECT DISTINCT ON (server_id) server_id, -amount_cents AS price
                FROM (SELECT split_part(idempotency_key, ':', 2)::bigint AS server_id, amount_cents, id
                        FROM wallet_transactions
                       WHERE type = 'server_charge' AND idempotency_key ~ '^server-charge:[0-9]+:[0-9]+$') c
               ORDER BY server_id, id DESC) last
       WHERE last.server_id = s.id AND last.price > 0 AND s.price_monthly_cents <> last.price`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
