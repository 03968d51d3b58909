import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A waiting deploy's cancel link: `cancel_token_hash` (sha256 of the random token in Stripe's
 * cancel_url, so a guessed `/servers/<id>?checkout=cancelled` cancels nothing), and
 * `cancel_reason`, why a waiting deploy was cancelled, so the pages can tell the customer the truth.
 */
export class WaitingDeployCancel1763800000011 implements MigrationInterface {
  name = 'WaitingDeployCancel1763800000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE servers ADD COLUMN IF NOT EXISTS cancel_token_hash text`);
    await q.query(`ALTER TABLE servers ADD COLUMN IF NOT EXISTS cancel_reason text`);
    await q.query(`ALTER TABLE servers DROP CONSTRAINT IF EXISTS servers_cancel_reason_check`);
    await q.query(`
      ALTER TABLE servers ADD CONSTRAINT servers_cancel_reason_check CHECK (
        cancel_reason IS NULL
        OR cancel_reason IN ('owner', 'payment_short', 'unpaid', 'topup_failed', 'topup_not_opened'))`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
