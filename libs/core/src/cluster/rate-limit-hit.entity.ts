import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One rate-limit counter (a throttler's key: an address, an account, …) for its current window,
 * shared by every API process. Counters are disposable, so the table is UNLOGGED (migration
 * 1763800000015): no WAL, cheap to update, emptied by a crash of PostgreSQL itself.
 */
@Entity({ name: 'rate_limit_hits' })
@Index('rate_limit_hits_expires_at_idx', ['expiresAt'])
export class RateLimitHit {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'rate_limit_hits_pkey' })
  key!: string;

  @Column({ type: 'text' })
  throttler!: string;

  @Column({ type: 'integer' })
  hits!: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil!: Date | null;
}
