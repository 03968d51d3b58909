import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server self-service: `server_actions` (one running action per server, by a partial unique
 * index), the customers' `ssh_keys`, and on `servers` the customer's "cancel at the end of the
 * paid period" and the SSH keys a deploy installs.
 */
export class ServerActions1763800000014 implements MigrationInterface {
  name = 'ServerActions1763800000014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE servers ADD COLUMN IF NOT EXISTS cancel_at_period_end boolean NOT NULL DEFAULT false`,
    );
    await q.query(`ALTER TABLE servers ADD COLUMN IF NOT EXISTS ssh_key_ids bigint[]`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS server_actions (
        id           bigint GENERATED ALWAYS AS IDENTITY,
        server_id    bigint NOT NULL,
        kind         text NOT NULL,
        status       text NOT NULL DEFAULT 'running',
        actor        text NOT NULL,
        queue_id     integer,
        message      text,
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        CONSTRAINT server_actions_pkey PRIMARY KEY (id),
        CONSTRAINT server_actions_server_id_fkey FOREIGN KEY (server_id) REFERENCES servers (id) ON DELETE RESTRICT,
        CONSTRAINT server_actions_kind_check CHECK (kind IN
          ('start', 'shutdown', 'restart', 'poweroff', 'reinstall', 'reset_password')),
        CONSTRAINT server_actions_status_check CHECK (status IN ('running', 'succeeded', 'failed'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS server_actions_one_running_key ON server_actions (server_id) WHERE status = 'running'`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS server_actions_server_id_started_at_idx ON server_actions (server_id, started_at)`,
    );

    await q.query(`
      CREATE TABLE IF NOT EXISTS ssh_keys (
        id                 bigint GENERATED ALWAYS AS IDENTITY,
        user_id            bigint NOT NULL,
        name               text NOT NULL,
        public_key         text NOT NULL,
        type               text NOT NULL,
        bits               integer,
        fingerprint        text NOT NULL,
        virtfusion_key_id  integer,
        created_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ssh_keys_pkey PRIMARY KEY (id),
        CONSTRAINT ssh_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS ssh_keys_user_id_fingerprint_key ON ssh_keys (user_id, fingerprint)`,
    );
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
