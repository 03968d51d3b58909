import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JOB_CRONS, JOB_NAMES, JobsRepository, RateLimitsRepository } from '@ozvps/core';
import { ClusterJobs } from './cluster-jobs';

export const PRUNE_JOB = JOB_NAMES.prune;
/** How long job_runs keeps a run: enough to see what happened over the last few weeks. */
export const JOB_RUNS_KEEP_DAYS = 30;

/** Every 10 minutes, once across the cluster: expired rate-limit counters and old job runs go. */
@Injectable()
export class ClusterMaintenanceScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: ClusterJobs,
    private readonly jobRuns: JobsRepository,
    private readonly rateLimits: RateLimitsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule(PRUNE_JOB, JOB_CRONS[PRUNE_JOB], async () => ({
      rateLimitHits: await this.rateLimits.prune(),
      jobRuns: await this.jobRuns.prune(JOB_RUNS_KEEP_DAYS),
    }));
  }
}
