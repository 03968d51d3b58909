import { Column, Entity, Index } from 'typeorm';
import { BigIntIdentityPrimaryColumn } from '../bigint.transformer';

/**
 * One admin action, from the web or the shell: who did what to which record, the record before
 * and after, and why. Append-only: the panel's role may only INSERT and SELECT, and a trigger
 * refuses UPDATE, DELETE and TRUNCATE to every role.
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_target_idx', ['targetType', 'targetId', 'id'])
@Index('audit_events_created_at_idx', ['createdAt'])
export class AuditEvent {
  @BigIntIdentityPrimaryColumn('audit_events_pkey')
  id!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** `admin:<id>:<email>` from the web, `cli:<operator>` from ozvpsctl. */
  @Column({ type: 'text' })
  actor!: string;

  /** Dotted, stable: `wallet.credit`, `users.set-role`, `servers.suspend`, … */
  @Column({ type: 'text' })
  action!: string;

  /** `user`, `server`, `plan`, `mail`, `stripe`, … */
  @Column({ name: 'target_type', type: 'text' })
  targetType!: string;

  @Column({ name: 'target_id', type: 'text', nullable: true })
  targetId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}
