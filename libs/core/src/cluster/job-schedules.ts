import { AppConfig } from '../config/app-config';

/** The names of the scheduled jobs, as job_runs records them. */
export const JOB_NAMES = {
  serversSweep: 'servers-sweep',
  renewals: 'renewals',
  settleActions: 'server-actions-settle',
  planSync: 'plan-sync',
  prune: 'prune',
  healthWatch: 'health-watch',
} as const;

/** The fixed schedules (plan sync's is PLAN_SYNC_CRON). */
export const JOB_CRONS = {
  [JOB_NAMES.serversSweep]: '* * * * *',
  [JOB_NAMES.renewals]: '0 * * * *',
  [JOB_NAMES.settleActions]: '* * * * *',
  [JOB_NAMES.prune]: '*/10 * * * *',
  [JOB_NAMES.healthWatch]: '*/5 * * * *',
} as const;

export interface JobSchedule {
  name: string;
  /** The cron expression the API schedules it on (OZVPS_TEST_JOBS_CRON in the tests). */
  cron: string;
}

/**
 * Every job the API schedules and on what: the schedulers register these, and health reads them
 * to say when each should next run and whether one is late. The CLI, which runs no jobs, learns
 * the schedule from here rather than from a running API.
 */
export function jobSchedules(config: AppConfig): JobSchedule[] {
  const crons: [string, string | null][] = [
    [JOB_NAMES.serversSweep, JOB_CRONS[JOB_NAMES.serversSweep]],
    [JOB_NAMES.renewals, JOB_CRONS[JOB_NAMES.renewals]],
    [JOB_NAMES.settleActions, JOB_CRONS[JOB_NAMES.settleActions]],
    [JOB_NAMES.planSync, config.planSyncCron],
    [JOB_NAMES.prune, JOB_CRONS[JOB_NAMES.prune]],
    [JOB_NAMES.healthWatch, JOB_CRONS[JOB_NAMES.healthWatch]],
  ];
  return crons
    .filter((c): c is [string, string] => c[1] !== null)
    .map(([name, cron]) => ({ name, cron: config.testJobsCron ?? cron }));
}
