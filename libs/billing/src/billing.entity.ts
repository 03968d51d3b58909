import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { BigIntIdentityPrimaryColumn, bigintToNumber } from '@ozvps/core';
import { User } from '@ozvps/users';

export const TOPUP_STATUSES = ['pending', 'credited', 'failed', 'expired'] as const;
export type TopupStatus = (typeof TOPUP_STATUSES)[number];

@Entity({ name: 'topups' })
@Check('topups_amount_cents_check', `amount_cents > 0`)
@Check('topups_status_check', `status IN ('pending', 'credited', 'failed', 'expired')`)
export class Topup {
  @BigIntIdentityPrimaryColumn('topups_pkey')
  id!: number;

  @Index('topups_user_id_idx')
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintToNumber })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'topups_user_id_fkey' })
  user?: User;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: bigintToNumber })
  amountCents!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: TopupStatus;

  @Index('topups_stripe_checkout_session_id_key', { unique: true })
  @Column({ name: 'stripe_checkout_session_id', type: 'text', nullable: true })
  stripeCheckoutSessionId!: string | null;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const EVENT_OUTCOMES = [
  'credited',
  'duplicate',
  'ignored',
  'unpaid',
  'unmatched',
  'mismatch',
  'failed',
  'reversed',
  'closed',
  'malformed',
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

/** One row per delivery of a Stripe event, with what the panel did about it. */
@Entity({ name: 'stripe_events' })
@Check(
  'stripe_events_outcome_check',
  `outcome IN ('credited', 'duplicate', 'ignored', 'unpaid', 'unmatched', 'mismatch', 'failed', 'reversed', 'closed', 'malformed')`,
)
export class StripeEventRecord {
  @BigIntIdentityPrimaryColumn('stripe_events_pkey')
  id!: number;

  @Index('stripe_events_event_id_idx')
  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'boolean' })
  livemode!: boolean;

  @Column({ type: 'text' })
  outcome!: EventOutcome;

  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true })
  stripeCustomerId!: string | null;

  @Column({ name: 'stripe_checkout_session_id', type: 'text', nullable: true })
  stripeCheckoutSessionId!: string | null;

  @Column({ name: 'user_id', type: 'bigint', nullable: true, transformer: bigintToNumber })
  userId!: number | null;

  @Column({ name: 'amount_cents', type: 'bigint', nullable: true, transformer: bigintToNumber })
  amountCents!: number | null;

  @Column({ type: 'text', nullable: true })
  currency!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Index('stripe_events_received_at_idx')
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}

/** This installation: one row, made by the migration; its id prefixes every Stripe idempotency key. */
@Entity({ name: 'installation' })
export class Installation {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'installation_pkey' })
  id!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export const WEBHOOK_FAILURE_REASONS = ['no_signature', 'bad_signature', 'too_old', 'unreadable'] as const;
/**
 * Why a delivery was refused before an event could be read: no Stripe-Signature header (or no
 * body), no configured secret matches, the signature matches but is older than the tolerance, or
 * the signed body is not JSON.
 */
export type WebhookFailureReason = (typeof WEBHOOK_FAILURE_REASONS)[number];

/** Refused webhook deliveries, counted per hour and reason (bounded: anyone can send them). */
@Entity({ name: 'stripe_webhook_failures' })
export class StripeWebhookFailure {
  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'stripe_webhook_failures_pkey' })
  hour!: Date;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'stripe_webhook_failures_pkey' })
  reason!: WebhookFailureReason;

  @Column({ type: 'integer', default: 0 })
  count!: number;

  @Column({ name: 'last_at', type: 'timestamptz', default: () => 'now()' })
  lastAt!: Date;
}
