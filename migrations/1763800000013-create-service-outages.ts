import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outside services the panel cannot reach right now, from their first failed call: shared by
 * every API process, so admins get one "VirtFusion unreachable for 15 minutes" alert per outage.
 */
export class CreateServiceOutages1763800000013 implements MigrationInterface {
  name = 'CreateServiceOutages1763800000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS service_outages (
        service          text NOT NULL,
        since            timestamptz NOT NULL,
        last_error       text NOT NULL,
        last_failure_at  timestamptz NOT NULL,
        CONSTRAINT service_outages_pkey PRIMARY KEY (service)
      )`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
