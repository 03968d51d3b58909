import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A counter after one more hit, as a throttler needs it. */
export interface RateLimitCount {
  hits: number;
  /** Seconds until the window ends. */
  expiresInSeconds: number;
  blocked: boolean;
  /** Seconds until the block ends; 0 when not blocked. */
  blockedForSeconds: number;
}

/**
 * Rate-limit counters in PostgreSQL, so every API process counts against the same numbers. A
 * fixed window per key: the hit that goes over `limit` blocks the key for `blockMs`, and hits
 * while blocked are not counted. One INSERT … ON CONFLICT DO UPDATE per hit: the row lock orders
 * concurrent hits, with no read-then-write race between processes.
 */
@Injectable()
export class RateLimitsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts one hit on `key` and says whether the key is now blocked. */
  async hit(
    key: string,
    throttler: string,
    ttlMs: number,
    limit: number,
    blockMs: number,
  ): Promise<RateLimitCount> {
    const [row] = (await this.dataSource.query(HIT, [
      key,
      throttler,
      ttlMs,
      limit,
      blockMs > 0 ? blockMs : ttlMs,
    ])) as { hits: number; expires_in_s: number; blocked: boolean; blocked_for_s: number }[];
    return {
      hits: row!.hits,
      expiresInSeconds: row!.expires_in_s,
      blocked: row!.blocked,
      blockedForSeconds: row!.blocked ? row!.blocked_for_s : 0,
    };
  }

  /** Deletes counters whose window and block are both over; returns how many. */
  async prune(): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM rate_limit_hits
        WHERE expires_at < now() AND (blocked_until IS NULL OR blocked_until < now())`,
    )) as [unknown, number];
    return count;
  }
}

// A row starts afresh when its window is over or its block has ended; a blocked row is left as is.
const FRESH = `(r.expires_at <= now() OR r.blocked_until IS NOT NULL)`;
const BLOCKED = `(r.blocked_until > now())`;
const ms = (p: string) => `make_interval(secs => ${p}::double precision / 1000)`;
// Whole seconds left, never more than the window: now() is when OUR transaction began, and a row
// another transaction (begun later) just wrote may end up to a few ms past now() + the window.
const remaining = (until: string, windowMs: string) =>
  `least(ceil(${windowMs}::double precision / 1000), greatest(0, ceil(extract(epoch FROM ${until} - now()))))::int`;

const HIT = `
  INSERT INTO rate_limit_hits AS r (key, throttler, hits, window_started_at, expires_at, blocked_until)
  VALUES ($1, $2, 1, now(), now() + ${ms('$3')}, CASE WHEN 1 > $4::int THEN now() + ${ms('$5')} END)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN ${BLOCKED} THEN r.hits WHEN ${FRESH} THEN 1 ELSE r.hits + 1 END,
    window_started_at = CASE WHEN ${BLOCKED} THEN r.window_started_at WHEN ${FRESH} THEN now()
                        ELSE r.window_started_at END,
    expires_at = CASE WHEN ${BLOCKED} THEN r.expires_at WHEN ${FRESH} THEN EXCLUDED.expires_at
                 ELSE r.expires_at END,
    blocked_until = CASE WHEN ${BLOCKED} THEN r.blocked_until
                    WHEN (CASE WHEN ${FRESH} THEN 1 ELSE r.hits + 1 END) > $4::int THEN now() + ${ms('$5')}
                    END
  RETURNING hits,
    ${remaining('expires_at', '$3')} AS expires_in_s,
    coalesce(blocked_until > now(), false) AS blocked,
    ${remaining('coalesce(blocked_until, now())', '$5')} AS blocked_for_s`;
