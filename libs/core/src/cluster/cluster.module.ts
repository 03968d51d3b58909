import { Module } from '@nestjs/common';
import { JobRunner } from './job-runner';
import { JobsRepository } from './jobs.repository';
import { RateLimitsRepository } from './rate-limits.repository';

/** What lets several API processes on one database behave as one: claimed job runs, shared rate limits. */
@Module({
  providers: [JobsRepository, JobRunner, RateLimitsRepository],
  exports: [JobRunner, JobsRepository, RateLimitsRepository],
})
export class ClusterModule {}
