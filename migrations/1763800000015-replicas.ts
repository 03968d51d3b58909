import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several API processes on one database: `job_runs`, where a scheduled run claims its tick (the
 * unique (name, tick) lets one process have it) and records who ran it and how it ended; and
 * `rate_limit_hits`, the sign-in limits' counters shared by every process. The counters are
 * UNLOGGED: rewritten on every attempt, worthless after a crash, so they skip the WAL.
 */
export class Replicas1763800000015 implements MigrationInterface {
  name = 'Replicas1763800000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS job_runs (
        id           bigint GENERATED ALWAYS AS IDENTITY,
        name         text NOT NULL,
        tick         timestamptz,
        trigger      text NOT NULL,
        claimed_by   text NOT NULL,
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        outcome      text NOT NULL DEFAULT 'running',
        error        text,
        counts       jsonb,
        CONSTRAINT job_runs_pkey PRIMARY KEY (id),
        CONSTRAINT job_runs_trigger_check CHECK (trigger IN ('schedule', 'startup')),
        CONSTRAINT job_runs_outcome_check CHECK (outcome IN ('running', 'succeeded', 'failed'))
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS job_runs_name_tick_key ON job_runs (name, tick)`);
    await q.query(`CREATE INDEX IF NOT EXISTS job_runs_started_at_idx ON job_runs (started_at)`);
    await q.query(`
      CREATE UNLOGGED TABLE IF NOT EXISTS rate_limit_hits (
        key                text NOT NULL,
        throttler          text NOT NULL,
        hits               integer NOT NULL,
        window_started_at  timestamptz NOT NULL,
        expires_at         timestamptz NOT NULL,
        blocked_until      timestamptz,
        CONSTRAINT rate_limit_hits_pkey PRIMARY KEY (key)
      )`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS rate_limit_hits_expires_at_idx ON rate_limit_hits (expires_at)`,
    );
  }

  async down(): Promise<void> {
    throw new Error(
      'Migrations are forward-only: restore the pg_dump backup taken before upgrading instead.',
    );
  }
}
