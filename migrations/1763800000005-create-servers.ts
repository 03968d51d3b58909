import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateServers1763800000005 implements MigrationInterface {
  name = 'CreateServers1763800000005';

  async up(q: QueryRunner): Promise<void> {
    // The VirtFusion user each panel user is linked to (VirtFusion's extRelationId = users.id).
    await q.query(`
      CREATE TABLE IF NOT EXISTS virtfusion_accounts (
        user_id             bigint NOT NULL,
        virtfusion_user_id  integer NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT virtfusion_accounts_pkey PRIMARY KEY (user_id),
        CONSTRAINT virtfusion_accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS virtfusion_accounts_virtfusion_user_id_key ON virtfusion_accounts (virtfusion_user_id)`,
    );

    // A customer's server from the moment it is asked for. The money is in the ledger
    // (server_charge / server_refund rows keyed by server and period); this row says where the
    // server is in its life, and `step` how far provisioning got, so a crash can be resumed.
    await q.query(`
      CREATE TABLE IF NOT EXISTS servers (
        id                    bigint GENERATED ALWAYS AS IDENTITY,
        user_id               bigint NOT NULL,
        plan_id               bigint NOT NULL,
        status                text NOT NULL,
        step                  text NOT NULL DEFAULT 'reserved',
        hostname              text NOT NULL,
        os_template_id        integer NOT NULL,
        idempotency_key       text NOT NULL,
        price_monthly_cents   bigint NOT NULL,
        currency              text NOT NULL,
        virtfusion_user_id    integer,
        virtfusion_server_id  integer,
        vf_servers_before     integer[],
        ip_address            text,
        failure_reason        text,
        topup_session_id      text,
        topup_checkout_url    text,
        periods_paid          integer NOT NULL DEFAULT 0,
        anchor_at             timestamptz,
        paid_until            timestamptz,
        overdue_since         timestamptz,
        suspended_at          timestamptz,
        suspend_reason        text,
        terminated_at         timestamptz,
        lease_until           timestamptz,
        attempts              integer NOT NULL DEFAULT 0,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT servers_pkey PRIMARY KEY (id),
        CONSTRAINT servers_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT servers_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE RESTRICT,
        CONSTRAINT servers_status_check CHECK (status IN
          ('awaiting_funds', 'provisioning', 'active', 'suspended', 'failed', 'terminated', 'cancelled')),
        CONSTRAINT servers_step_check CHECK (step IN ('reserved', 'creating', 'created', 'building', 'done')),
        CONSTRAINT servers_suspend_reason_check CHECK (suspend_reason IS NULL OR suspend_reason IN ('overdue', 'admin')),
        CONSTRAINT servers_price_monthly_cents_check CHECK (price_monthly_cents > 0)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS servers_user_id_idempotency_key_key ON servers (user_id, idempotency_key)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS servers_virtfusion_server_id_key ON servers (virtfusion_server_id)`,
    );
    await q.query(`CREATE INDEX IF NOT EXISTS servers_status_idx ON servers (status)`);

    // Everything that happened to a server, for the customer, the admin and the audit.
    await q.query(`
      CREATE TABLE IF NOT EXISTS server_events (
        id          bigint GENERATED ALWAYS AS IDENTITY,
        server_id   bigint NOT NULL,
        type        text NOT NULL,
        actor       text NOT NULL,
        detail      text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT server_events_pkey PRIMARY KEY (id),
        CONSTRAINT server_events_server_id_fkey FOREIGN KEY (server_id) REFERENCES servers (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS server_events_server_id_idx ON server_events (server_id)`);
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
