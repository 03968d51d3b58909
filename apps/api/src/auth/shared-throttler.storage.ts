import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RateLimitsRepository } from '@ozvps/core';
import { SHARED_RATE_LIMITS } from './rate-limits';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler's counters: the sign-in limits in PostgreSQL, shared by every API process, so N
 * replicas allow the configured number of attempts and not N times it; the per-address request
 * budgets in this process's memory (see SHARED_RATE_LIMITS for why). With the database down a
 * sign-in attempt cannot be counted, and is refused (503, as every other use of the database) —
 * it could not have succeeded without the database anyway.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly local = new ThrottlerStorageService();

  constructor(private readonly counters: RateLimitsRepository) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (!SHARED_RATE_LIMITS.has(throttlerName))
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    const count = await this.counters.hit(key, throttlerName, ttl, limit, blockDuration);
    return {
      totalHits: count.hits,
      timeToExpire: count.expiresInSeconds,
      isBlocked: count.blocked,
      timeToBlockExpire: count.blockedForSeconds,
    };
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
