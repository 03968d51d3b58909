import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JOB_CRONS, JOB_NAMES } from '@ozvps/core';
import { HealthService } from '@ozvps/operations';
import { ClusterJobs } from '../jobs/cluster-jobs';

/**
 * A job that has not run for twice its interval is itself an alert: checked every few minutes,
 * once across the cluster; HealthService.alertLateJobs writes one alert per lateness.
 */
@Injectable()
export class HealthWatchScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: ClusterJobs,
    private readonly health: HealthService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule(JOB_NAMES.healthWatch, JOB_CRONS[JOB_NAMES.healthWatch], async () => ({
      lateJobsAlerted: (await this.health.alertLateJobs()).length,
    }));
  }
}
