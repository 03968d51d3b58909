import { JobRun } from './job-run.entity';
import { RateLimitHit } from './rate-limit-hit.entity';

export * from './job-run.entity';
export * from './rate-limit-hit.entity';
export * from './job-runner';
export * from './jobs.repository';
export * from './rate-limits.repository';
export * from './cluster.module';
export * from './job-schedules';

export const CLUSTER_ENTITIES = [JobRun, RateLimitHit];
