export * from './operations.module';
export {
  BACKUP_MAX_AGE_HOURS,
  HealthService,
  OUTBOX_MAX_WAIT_MINUTES,
  REACHABILITY_TIMEOUT_MS,
} from './health.service';
export type { CheckStatus, HealthReport, JobHealth, Reachability } from './health.service';
