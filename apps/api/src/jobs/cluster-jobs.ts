import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob, CronTime } from 'cron';
import { APP_CONFIG, AppConfig, JobCounts, JobRunner } from '@ozvps/core';

type Job = () => Promise<JobCounts | void>;

/**
 * The occurrence of `time` that a firing at `now` stands for: the nearest one, so a timer that
 * fires a few milliseconds early or a busy event loop that fires it late still names the same
 * tick as every other process (half the gap between occurrences either way).
 */
export function tickOf(time: CronTime, now: Date): Date {
  const next = time.getNextDateFrom(now).toJSDate();
  const after = time.getNextDateFrom(next).toJSDate();
  const half = (after.getTime() - next.getTime()) / 2;
  return time.getNextDateFrom(new Date(now.getTime() - half)).toJSDate();
}

/**
 * Scheduled jobs that run once per tick across every API process on the database: each process
 * fires on the schedule, and the first to claim the tick in job_runs runs it. Every run, on start
 * or scheduled, is recorded there with the process that ran it.
 */
@Injectable()
export class ClusterJobs {
  private readonly logger = new Logger('Jobs');
  private readonly running = new Set<string>();

  constructor(
    private readonly runner: JobRunner,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Registers `job` as `name` on `cron` (or the tests' schedule, OZVPS_TEST_JOBS_CRON). */
  schedule(name: string, cron: string, job: Job): CronJob {
    const cronTime = this.config.testJobsCron ?? cron;
    const time = new CronTime(cronTime);
    const cronJob = CronJob.from({
      cronTime,
      start: true,
      onTick: async () => void (await this.tick(name, tickOf(time, new Date()), job)),
    });
    this.registry.addCronJob(name, cronJob);
    return cronJob;
  }

  /** Runs `job` in this process now (on start), whatever the others do; recorded, never thrown. */
  async runHere(name: string, job: Job): Promise<void> {
    if (!this.enter(name)) return;
    try {
      await this.runner.runHere(name, job);
    } catch (err) {
      this.logger.error(`${name} failed: ${(err as Error).message}`);
    } finally {
      this.running.delete(name);
    }
  }

  /** One tick: run here if this process claims it; failures are recorded and logged, never thrown. */
  async tick(name: string, tick: Date, job: Job): Promise<'ran' | 'skipped'> {
    // A run still going here (a slow sweep) lets another process have the tick.
    if (!this.enter(name)) return 'skipped';
    try {
      return await this.runner.runOnce(name, tick, job);
    } catch (err) {
      this.logger.error(`${name} failed: ${(err as Error).message}`);
      return 'ran';
    } finally {
      this.running.delete(name);
    }
  }

  private enter(name: string): boolean {
    if (this.running.has(name)) return false;
    this.running.add(name);
    return true;
  }
}
