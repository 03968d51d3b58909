import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { JobCounts } from './job-run.entity';
import { JobsRepository } from './jobs.repository';

/** This process, as job_runs names it. */
export const PROCESS_NAME = `${hostname()}:${process.pid}`;

/** The start of the period of `everyMs` that `at` falls in (periods counted from the epoch). */
export function periodStart(everyMs: number, at: Date = new Date()): Date {
  return new Date(Math.floor(at.getTime() / everyMs) * everyMs);
}

/**
 * Runs scheduled jobs once per tick across every API process on the database, and records each
 * run (who, when, how it ended) in job_runs. Jobs that are safe on every replica at once (the
 * outbox sender, with SKIP LOCKED) need none of this.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');

  constructor(private readonly jobs: JobsRepository) {}

  /**
   * Runs `job` if this process is the first to claim `name` for `tick` (the period this run
   * stands for, the same in every process); otherwise does nothing and says 'skipped'. The job's
   * error is recorded and thrown on.
   */
  async runOnce(name: string, tick: Date, job: () => Promise<JobCounts | void>): Promise<'ran' | 'skipped'> {
    const id = await this.jobs.start(name, tick, 'schedule', PROCESS_NAME);
    if (id === null) return 'skipped';
    await this.record(id, job);
    return 'ran';
  }

  /** Runs `job` in this process (on start), recorded but not claimed. */
  async runHere(name: string, job: () => Promise<JobCounts | void>): Promise<void> {
    const id = await this.jobs.start(name, null, 'startup', PROCESS_NAME);
    await this.record(id!, job);
  }

  private async record(id: number, job: () => Promise<JobCounts | void>): Promise<void> {
    let counts: JobCounts | null = null;
    try {
      counts = (await job()) ?? null;
    } catch (err) {
      await this.finish(id, 'failed', null, (err as Error).message ?? String(err));
      throw err;
    }
    await this.finish(id, 'succeeded', counts, null);
  }

  private async finish(
    id: number,
    outcome: 'succeeded' | 'failed',
    counts: JobCounts | null,
    error: string | null,
  ): Promise<void> {
    // The job's own work is done (or failed) either way: a lost record is worth a line, not a throw.
    await this.jobs
      .finish(id, outcome, counts, error === null ? null : error.slice(0, 500))
      .catch((err: Error) => this.logger.warn(`could not record the end of job run ${id}: ${err.message}`));
  }
}
