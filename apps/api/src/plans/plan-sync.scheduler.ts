import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, JOB_NAMES, JobCounts } from '@ozvps/core';
import { PlanSyncInProgressError, PlanSyncService, SyncTrigger } from '@ozvps/plans';
import { ClusterJobs } from '../jobs/cluster-jobs';

export const PLAN_SYNC_JOB = JOB_NAMES.planSync;

/**
 * Runs the plan sync on API start (in the background: readiness does not wait for VirtFusion) and
 * on PLAN_SYNC_CRON, each tick in one API process of the cluster (ClusterJobs). On start every
 * process syncs; the advisory lock makes a second concurrent run step aside.
 */
@Injectable()
export class PlanSyncScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('PlanSync');

  constructor(
    private readonly planSync: PlanSyncService,
    private readonly jobs: ClusterJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.virtfusion) {
      this.logger.warn(
        'VirtFusion is not configured (VIRTFUSION_URL, VIRTFUSION_API_TOKEN): plans are not synced',
      );
      return;
    }
    if (this.config.planSyncCron)
      this.jobs.schedule(PLAN_SYNC_JOB, this.config.planSyncCron, () => this.run('schedule'));
    setImmediate(() => void this.jobs.runHere(PLAN_SYNC_JOB, () => this.run('startup')));
  }

  /**
   * One sync; failures are recorded in plan_sync_runs and logged by PlanSyncService, so they are
   * thrown on only for job_runs to record the run as failed.
   */
  async run(trigger: SyncTrigger): Promise<JobCounts> {
    try {
      const r = await this.planSync.sync(trigger);
      return {
        created: r.created,
        updated: r.updated,
        deactivated: r.deactivated,
        reactivated: r.reactivated,
        unchanged: r.unchanged,
      };
    } catch (err) {
      if (err instanceof PlanSyncInProgressError) {
        this.logger.log(`plan sync (${trigger}) skipped: another is running`);
        return { skipped: 1 };
      }
      throw err;
    }
  }
}
