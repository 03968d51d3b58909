import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePlans1763800000003 implements MigrationInterface {
  name = 'CreatePlans1763800000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS plans (
        id                      bigint GENERATED ALWAYS AS IDENTITY,
        virtfusion_package_id   integer NOT NULL,
        name                    text NOT NULL,
        description             text,
        vcpu                    integer NOT NULL,
        memory_mb               integer NOT NULL,
        storage_gb              integer NOT NULL,
        traffic_gb              integer NOT NULL,
        network_speed_in_mbps   integer NOT NULL,
        network_speed_out_mbps  integer NOT NULL,
        enabled                 boolean NOT NULL,
        present                 boolean NOT NULL,
        active                  boolean NOT NULL DEFAULT false,
        price_monthly_cents     bigint,
        last_synced_at          timestamptz NOT NULL,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plans_pkey PRIMARY KEY (id),
        CONSTRAINT plans_price_monthly_cents_check CHECK (price_monthly_cents IS NULL OR price_monthly_cents > 0)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS plans_virtfusion_package_id_key ON plans (virtfusion_package_id)`,
    );
    await q.query(`
      CREATE TABLE IF NOT EXISTS plan_sync_runs (
        id           bigint GENERATED ALWAYS AS IDENTITY,
        trigger      text NOT NULL,
        status       text NOT NULL,
        started_at   timestamptz NOT NULL,
        finished_at  timestamptz,
        created      integer NOT NULL DEFAULT 0,
        updated      integer NOT NULL DEFAULT 0,
        deactivated  integer NOT NULL DEFAULT 0,
        reactivated  integer NOT NULL DEFAULT 0,
        unchanged    integer NOT NULL DEFAULT 0,
        error        text,
        changes      jsonb NOT NULL DEFAULT '[]',
        CONSTRAINT plan_sync_runs_pkey PRIMARY KEY (id),
        CONSTRAINT plan_sync_runs_trigger_check CHECK (trigger IN ('startup', 'schedule', 'admin', 'cli')),
        CONSTRAINT plan_sync_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'refused'))
      )`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
