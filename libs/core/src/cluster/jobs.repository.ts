import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobCounts, JobOutcome, JobTrigger } from './job-run.entity';

@Injectable()
export class JobsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the start of a run. With a tick, only the first process to claim (name, tick) gets a
   * row; the others get null and skip the run.
   */
  async start(
    name: string,
    tick: Date | null,
    trigger: JobTrigger,
    claimedBy: string,
  ): Promise<number | null> {
    const rows = (await this.dataSource.query(
      `INSERT INTO job_runs (name, tick, trigger, claimed_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name, tick) DO NOTHING RETURNING id`,
      [name, tick, trigger, claimedBy],
    )) as { id: string }[];
    return rows.length ? Number(rows[0]!.id) : null;
  }

  async finish(
    id: number,
    outcome: Exclude<JobOutcome, 'running'>,
    counts: JobCounts | null,
    error: string | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE job_runs SET finished_at = now(), outcome = $2, counts = $3, error = $4 WHERE id = $1`,
      [id, outcome, counts === null ? null : JSON.stringify(counts), error],
    );
  }

  /** Deletes runs that started before `keepDays` days ago; returns how many. */
  async prune(keepDays: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM job_runs WHERE started_at < now() - make_interval(days => $1)`,
      [keepDays],
    )) as [unknown, number];
    return count;
  }
}
