import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { AdminAlerts } from '@ozvps/notifications';
import { PlanSyncInProgressError, PlanSyncService, SyncTrigger } from '@ozvps/plans';

export const PLAN_SYNC_JOB = 'plan-sync';

/**
 * Runs the plan sync on API start (in the background: readiness does not wait for VirtFusion) and
 * on PLAN_SYNC_CRON. With several API processes every one schedules it; the advisory lock makes
 * the extra runs step aside.
 */
@Injectable()
export class PlanSyncScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('PlanSync');

  constructor(
    private readonly planSync: PlanSyncService,
    private readonly registry: SchedulerRegistry,
    private readonly alerts: AdminAlerts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.virtfusion) {
      this.logger.warn(
        'VirtFusion is not configured (VIRTFUSION_URL, VIRTFUSION_API_TOKEN): plans are not synced',
      );
      return;
    }
    if (this.config.planSyncCron) {
      const job = CronJob.from({
        cronTime: this.config.planSyncCron,
        onTick: () => this.run('schedule'),
        start: true,
      });
      this.registry.addCronJob(PLAN_SYNC_JOB, job);
    }
    setImmediate(() => void this.run('startup'));
  }

  /** One sync; failures are recorded in plan_sync_runs and logged, never thrown into the scheduler. */
  async run(trigger: SyncTrigger): Promise<void> {
    try {
      await this.planSync.sync(trigger);
    } catch (err) {
      if (err instanceof PlanSyncInProgressError) {
        this.logger.log(`plan sync (${trigger}) skipped: another is running`);
        return;
      }
      // Already logged and recorded by PlanSyncService; admins hear of it (once an hour at most).
      await this.alerts.jobFailed('plan-sync', (err as Error).message).catch((e: unknown) => {
        this.logger.error(`could not alert admins that the plan sync failed: ${(e as Error).message}`);
      });
    }
  }
}
