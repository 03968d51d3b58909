import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobCounts, JobOutcome } from '@ozvps/core';

export interface JobRunRow {
  name: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: JobOutcome;
  error: string | null;
  counts: JobCounts | null;
}

export interface OutboxCounts {
  pending: number;
  oldestPendingAt: Date | null;
  held: number;
  dead: number;
  deadSince: number;
  lastSentAt: Date | null;
}

/** The reads health makes of the other libs' tables: counts and latest rows, nothing written. */
@Injectable()
export class HealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Per job name: its newest run, its newest failed run, its newest success. */
  async jobRuns(
    names: string[],
  ): Promise<{ last: JobRunRow[]; lastFailed: JobRunRow[]; lastSucceeded: { name: string; at: Date }[] }> {
    const newest = (where: string): Promise<JobRunRow[]> =>
      this.dataSource.query(
        `SELECT DISTINCT ON (name) name, started_at AS "startedAt", finished_at AS "finishedAt", outcome, error, counts
           FROM job_runs WHERE name = ANY($1) ${where} ORDER BY name, started_at DESC, id DESC`,
        [names],
      );
    return {
      last: await newest(''),
      lastFailed: await newest(`AND outcome = 'failed'`),
      lastSucceeded: await this.dataSource.query(
        `SELECT name, max(started_at) AS at FROM job_runs WHERE name = ANY($1) AND outcome = 'succeeded' GROUP BY name`,
        [names],
      ),
    };
  }

  /** When the first recorded job run started: since when the panel has been running its jobs. */
  async firstJobRunAt(): Promise<Date | null> {
    const [{ first }] = (await this.dataSource.query(`SELECT min(started_at) AS first FROM job_runs`)) as {
      first: Date | null;
    }[];
    return first;
  }

  /** Recorded webhook deliveries since `since`, by outcome. */
  async webhookOutcomesSince(since: Date): Promise<{ outcome: string; n: number }[]> {
    return this.dataSource.query(
      `SELECT outcome, count(*)::int AS n FROM stripe_events WHERE received_at >= $1 GROUP BY outcome`,
      [since],
    );
  }

  async databaseSizeBytes(): Promise<number> {
    const [{ size }] = (await this.dataSource.query(
      `SELECT pg_database_size(current_database())::bigint AS size`,
    )) as { size: string }[];
    return Number(size);
  }

  /** The outbox's depth, its oldest waiting message, dead ones (all, and since `deadSince`), last send. */
  async outbox(deadSince: Date): Promise<OutboxCounts> {
    const [r] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending'))::int AS pending,
              min(created_at) FILTER (WHERE status IN ('pending', 'sending')) AS "oldestPendingAt",
              count(*) FILTER (WHERE status = 'held')::int AS held,
              count(*) FILTER (WHERE status = 'dead')::int AS dead,
              count(*) FILTER (WHERE status = 'dead' AND updated_at >= $1)::int AS "deadSince",
              max(sent_at) AS "lastSentAt"
         FROM outbox_messages`,
      [deadSince],
    )) as OutboxCounts[];
    return r!;
  }
}
