import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob, CronTime } from 'cron';
import { APP_CONFIG, AppConfig, JobCounts, JobRunner } from '@ozvps/core';
import { AdminAlerts } from '@ozvps/notifications';
import { PanelMetrics } from '../metrics/panel-metrics';

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
 * or scheduled, is recorded there with the process that ran it; a run that fails is also an admin
 * alert (AdminAlerts: one per job per hour).
 */
@Injectable()
export class ClusterJobs implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  /** Runs going on in this process, by job name. */
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly scheduled: CronJob[] = [];
  private stopping = false;

  constructor(
    private readonly runner: JobRunner,
    private readonly registry: SchedulerRegistry,
    private readonly alerts: AdminAlerts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: PanelMetrics,
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
    this.scheduled.push(cronJob);
    return cronJob;
  }

  /** Runs `job` in this process now (on start), whatever the others do; recorded, never thrown. */
  async runHere(name: string, job: Job): Promise<void> {
    await this.exclusive(name, async () => {
      await this.runner.runHere(name, job);
      return 'ran' as const;
    });
  }

  /** One tick: run here if this process claims it; failures are recorded and logged, never thrown. */
  async tick(name: string, tick: Date, job: Job): Promise<'ran' | 'skipped'> {
    return this.exclusive(name, () => this.runner.runOnce(name, tick, job));
  }

  /**
   * On SIGTERM: no new runs, and the ones going on finish (and are recorded) before the database
   * closes, so a rolling restart leaves no run half done.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const job of this.scheduled) void job.stop();
    await Promise.allSettled(this.running.values());
  }

  private async exclusive(name: string, run: () => Promise<'ran' | 'skipped'>): Promise<'ran' | 'skipped'> {
    // A run still going here (a slow sweep) lets another process have the tick.
    if (this.stopping || this.running.has(name)) return 'skipped';
    const started = performance.now();
    const going = run().then(
      (result) => {
        if (result === 'ran') this.metrics?.jobRun(name, 'succeeded', started);
        return result;
      },
      async (err: Error) => {
        this.metrics?.jobRun(name, 'failed', started);
        this.logger.error(`${name} failed: ${err.message}`);
        await this.alerts.jobFailed(name, err.message).catch((e: Error) => {
          this.logger.error(`could not alert admins that ${name} failed: ${e.message}`);
        });
        return 'ran' as const;
      },
    );
    this.running.set(name, going);
    try {
      return await going;
    } finally {
      this.running.delete(name);
    }
  }
}
