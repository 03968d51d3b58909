import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-factor sign-in: each user's TOTP secret (active once confirmed) with the last time step a
 * code was accepted for (so a code cannot be replayed, across every API process), their one-time
 * recovery codes (hashed), and on `sessions` the "password given, code still owed" state.
 */
export class TwoFactor1763800000018 implements MigrationInterface {
  name = 'TwoFactor1763800000018';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS user_two_factor (
        user_id         bigint NOT NULL,
        secret          text NOT NULL,
        enabled_at      timestamptz,
        last_used_step  bigint,
        created_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_two_factor_pkey PRIMARY KEY (user_id),
        CONSTRAINT user_two_factor_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS user_recovery_codes (
        id          bigint GENERATED ALWAYS AS IDENTITY,
        user_id     bigint NOT NULL,
        code_hash   text NOT NULL,
        used_at     timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_recovery_codes_pkey PRIMARY KEY (id),
        CONSTRAINT user_recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS user_recovery_codes_user_id_code_hash_key ON user_recovery_codes (user_id, code_hash)`,
    );
    await q.query(
      `ALTER TABLE sessions ADD COLUMN IF NOT EXISTS second_factor_pending boolean NOT NULL DEFAULT false`,
    );
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
