import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  UpdateDateColumn,
} from 'typeorm';
import { BigIntIdentityPrimaryColumn, bigintToNumber } from '@ozvps/core';
import { User } from '@ozvps/users';

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'held', 'dead'] as const;
/**
 * pending: due at next_attempt_at; sending: claimed by a sender until lease_until; sent; held: no
 * SMTP configured when it was written; dead: could not be delivered for 24 h (an admin may retry).
 */
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One email, written in the transaction of the change that causes it. Never deleted. */
@Entity({ name: 'outbox_messages' })
@Check('outbox_messages_status_check', `status IN ('pending', 'sending', 'sent', 'held', 'dead')`)
@Check('outbox_messages_attempts_check', `attempts >= 0`)
// A partial index (unsent rows only) that TypeORM cannot describe.
@Index('outbox_messages_due_idx', { synchronize: false })
export class OutboxMessage {
  @BigIntIdentityPrimaryColumn('outbox_messages_pkey')
  id!: number;

  @Index('outbox_messages_user_id_idx')
  @Column({ name: 'user_id', type: 'bigint', nullable: true, transformer: bigintToNumber })
  userId!: number | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'outbox_messages_user_id_fkey' })
  user?: User;

  @Column({ type: 'text' })
  recipient!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'body_text', type: 'text' })
  bodyText!: string;

  @Column({ name: 'body_html', type: 'text' })
  bodyHtml!: string;

  @Index('outbox_messages_dedupe_key_key', { unique: true })
  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey!: string;

  @Column({ type: 'text' })
  status!: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** While `sending`: until when the claiming sender owns it; after that another may take it. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** Failed sends are retried until then (24 h after it was written or last re-queued), then dead. */
  @Column({ name: 'give_up_at', type: 'timestamptz' })
  giveUpAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
