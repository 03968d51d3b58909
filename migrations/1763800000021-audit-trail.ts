import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail of admin actions (`audit_events`, append-only like the ledger: a trigger refuses
 * UPDATE, DELETE and TRUNCATE to every role, and the runtime role is granted INSERT and SELECT
 * only), and `users.disabled_at`: a disabled user cannot sign in and their sessions stop working.
 */
export class AuditTrail1763800000021 implements MigrationInterface {
  name = 'AuditTrail1763800000021';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS audit_events (
        id           bigint GENERATED ALWAYS AS IDENTITY,
        created_at   timestamptz NOT NULL DEFAULT now(),
        actor        text NOT NULL,
        action       text NOT NULL,
        target_type  text NOT NULL,
        target_id    text,
        before       jsonb,
        after        jsonb,
        reason       text,
        CONSTRAINT audit_events_pkey PRIMARY KEY (id)
      )`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS audit_events_target_idx ON audit_events (target_type, target_id, id)`,
    );
    await q.query(`CREATE INDEX IF NOT EXISTS audit_events_created_at_idx ON audit_events (created_at)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete
      BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate
      BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`ALTER TABLE users ADD COLUMN IF NOT EXISTS disabled_at timestamptz`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
