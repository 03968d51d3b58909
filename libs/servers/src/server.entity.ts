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
import { Plan } from '@ozvps/plans';
import { User } from '@ozvps/users';

const bigintArray = {
  to: (value: unknown) => value,
  from: (value: unknown) =>
    Array.isArray(value) ? value.map((v) => bigintToNumber.from(v) as number) : (value ?? null),
};

export const SERVER_STATUSES = [
  'awaiting_funds',
  'provisioning',
  'active',
  'suspended',
  'failed',
  'terminated',
  'cancelled',
] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/** How far provisioning got: reserved (paid) → creating (POST /servers sent) → created → building → done. */
export const PROVISIONING_STEPS = ['reserved', 'creating', 'created', 'building', 'done'] as const;
export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];

export type SuspendReason = 'overdue' | 'admin';

/**
 * Why a waiting deploy was cancelled: by its owner; its own payment arrived but the wallet no
 * longer covered the price (the money stays in the wallet); never paid within 24 h; its top-up
 * failed or expired; its top-up could not be opened.
 */
export const CANCEL_REASONS = [
  'owner',
  'payment_short',
  'unpaid',
  'topup_failed',
  'topup_not_opened',
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** The panel user's VirtFusion user (VirtFusion's extRelationId is the panel's user id). */
@Entity({ name: 'virtfusion_accounts' })
export class VirtFusionAccount {
  @Column({
    name: 'user_id',
    type: 'bigint',
    primary: true,
    primaryKeyConstraintName: 'virtfusion_accounts_pkey',
    transformer: bigintToNumber,
  })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'virtfusion_accounts_user_id_fkey' })
  user?: User;

  @Index('virtfusion_accounts_virtfusion_user_id_key', { unique: true })
  @Column({ name: 'virtfusion_user_id', type: 'integer' })
  virtfusionUserId!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'servers' })
@Index('servers_user_id_idempotency_key_key', ['userId', 'idempotencyKey'], { unique: true })
@Check(
  'servers_status_check',
  `status IN ('awaiting_funds', 'provisioning', 'active', 'suspended', 'failed', 'terminated', 'cancelled')`,
)
@Check('servers_step_check', `step IN ('reserved', 'creating', 'created', 'building', 'done')`)
@Check('servers_suspend_reason_check', `suspend_reason IS NULL OR suspend_reason IN ('overdue', 'admin')`)
@Check('servers_price_monthly_cents_check', `price_monthly_cents > 0`)
@Check(
  'servers_next_price_check',
  `(next_price_cents IS NULL AND next_price_from IS NULL) OR (next_price_cents > 0 AND next_price_from IS NOT NULL)`,
)
@Check(
  'servers_cancel_reason_check',
  `cancel_reason IS NULL OR cancel_reason IN ('owner', 'payment_short', 'unpaid', 'topup_failed', 'topup_not_opened')`,
)
export class Server {
  @BigIntIdentityPrimaryColumn('servers_pkey')
  id!: number;

  @Column({ name: 'user_id', type: 'bigint', transformer: bigintToNumber })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'servers_user_id_fkey' })
  user?: User;

  @Column({ name: 'plan_id', type: 'bigint', transformer: bigintToNumber })
  planId!: number;

  @ManyToOne(() => Plan, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'servers_plan_id_fkey' })
  plan?: Plan;

  @Index('servers_status_idx')
  @Column({ type: 'text' })
  status!: ServerStatus;

  @Column({ type: 'text', default: 'reserved' })
  step!: ProvisioningStep;

  @Column({ type: 'text' })
  hostname!: string;

  @Column({ name: 'os_template_id', type: 'integer' })
  osTemplateId!: number;

  /** The customer's key for this deploy: the same key again is the same deploy. */
  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /**
   * What this server costs a month: the plan's price when it was sold (the first month charged, or
   * offered to a deploy waiting for its top-up). Every renewal charges this, whatever the plan's
   * price is now; only an admin's reprice changes it, announced in `nextPriceCents`.
   */
  @Column({ name: 'price_monthly_cents', type: 'bigint', transformer: bigintToNumber })
  priceMonthlyCents!: number;

  /** A scheduled reprice: charged from the renewal that falls on `nextPriceFrom`. */
  @Column({ name: 'next_price_cents', type: 'bigint', nullable: true, transformer: bigintToNumber })
  nextPriceCents!: number | null;

  @Column({ name: 'next_price_from', type: 'timestamptz', nullable: true })
  nextPriceFrom!: Date | null;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'virtfusion_user_id', type: 'integer', nullable: true })
  virtfusionUserId!: number | null;

  @Index('servers_virtfusion_server_id_key', { unique: true })
  @Column({ name: 'virtfusion_server_id', type: 'integer', nullable: true })
  virtfusionServerId!: number | null;

  /** The user's VirtFusion servers just before POST /servers: after a lost answer, a new one is ours. */
  @Column({ name: 'vf_servers_before', type: 'integer', array: true, nullable: true })
  vfServersBefore!: number[] | null;

  @Column({ name: 'ip_address', type: 'text', nullable: true })
  ipAddress!: string | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  /** The top-up checkout a waiting deploy is paid by ("Top up & deploy"). */
  @Column({ name: 'topup_session_id', type: 'text', nullable: true })
  topupSessionId!: string | null;

  @Column({ name: 'topup_checkout_url', type: 'text', nullable: true })
  topupCheckoutUrl!: string | null;

  /** sha256 of the token in the waiting deploy's Stripe cancel_url (only that link cancels on arrival). */
  @Column({ name: 'cancel_token_hash', type: 'text', nullable: true })
  cancelTokenHash!: string | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason!: CancelReason | null;

  /** Months paid for, the first included. */
  @Column({ name: 'periods_paid', type: 'integer', default: 0 })
  periodsPaid!: number;

  /** When it became active: renewals fall on this day of the month. */
  @Column({ name: 'anchor_at', type: 'timestamptz', nullable: true })
  anchorAt!: Date | null;

  @Column({ name: 'paid_until', type: 'timestamptz', nullable: true })
  paidUntil!: Date | null;

  /** When an unpaid renewal fell due; cleared when it is paid. */
  @Column({ name: 'overdue_since', type: 'timestamptz', nullable: true })
  overdueSince!: Date | null;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt!: Date | null;

  @Column({ name: 'suspend_reason', type: 'text', nullable: true })
  suspendReason!: SuspendReason | null;

  @Column({ name: 'terminated_at', type: 'timestamptz', nullable: true })
  terminatedAt!: Date | null;

  /** A worker owns the row until then (a crashed worker's lease runs out and the sweep resumes). */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The customer cancelled at the end of the paid period: not renewed, terminated at paid_until. */
  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  cancelAtPeriodEnd!: boolean;

  /** The customer's SSH keys (ssh_keys ids) chosen at deploy, installed by the build. */
  @Column({ name: 'ssh_key_ids', type: 'bigint', array: true, nullable: true, transformer: bigintArray })
  sshKeyIds!: number[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'server_events' })
export class ServerEvent {
  @BigIntIdentityPrimaryColumn('server_events_pkey')
  id!: number;

  @Index('server_events_server_id_idx')
  @Column({ name: 'server_id', type: 'bigint', transformer: bigintToNumber })
  serverId!: number;

  @ManyToOne(() => Server, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'server_id', foreignKeyConstraintName: 'server_events_server_id_fkey' })
  server?: Server;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
