import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1763800000000 implements MigrationInterface {
  name = 'CreateUsers1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS users (
        id                 bigint GENERATED ALWAYS AS IDENTITY,
        email              text NOT NULL,
        name               text NOT NULL DEFAULT '',
        role               text NOT NULL DEFAULT 'user',
        auth0_sub          text,
        stripe_customer_id text,
        password_hash      text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_pkey PRIMARY KEY (id),
        CONSTRAINT users_role_check CHECK (role IN ('user', 'admin'))
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS users_email_lower_key ON users (lower(email))`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS users_auth0_sub_key ON users (auth0_sub)`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS users_stripe_customer_id_key ON users (stripe_customer_id)`,
    );
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
