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

export const TRANSACTION_TYPES = [
  'topup',
  'bonus',
  'admin_credit',
  'admin_debit',
  'server_charge',
  'server_refund',
  'stripe_refund',
  'dispute_withdrawn',
  'dispute_reinstated',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

@Entity({ name: 'wallets' })
@Check('wallets_currency_check', `currency ~ '^[a-z]{3}$'`)
export class Wallet {
  @BigIntIdentityPrimaryColumn('wallets_pkey')
  id!: number;

  @Index('wallets_user_id_key', { unique: true })
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintToNumber })
  userId!: number;

  // ManyToOne, not OneToOne: one wallet per user is the unique index above; OneToOne would add a second.
  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'wallets_user_id_fkey' })
  user?: User;

  @Column({ name: 'balance_cents', type: 'bigint', default: 0, transformer: bigintToNumber })
  balanceCents!: number;

  @Column({ type: 'text' })
  currency!: string;

  /** Sum of the `topup` rows, kept by the statement that appends each row (the wallet page's total). */
  @Column({ name: 'topped_up_cents', type: 'bigint', default: 0, transformer: bigintToNumber })
  toppedUpCents!: number;

  /** Minus the sum of the `server_charge` and `server_refund` rows, kept the same way. */
  @Column({ name: 'spent_cents', type: 'bigint', default: 0, transformer: bigintToNumber })
  spentCents!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** One row per balance change. The database refuses UPDATE, DELETE and TRUNCATE on this table. */
@Entity({ name: 'wallet_transactions' })
// One top-up credit per checkout session (a partial index TypeORM cannot describe).
@Index('wallet_transactions_topup_session_key', { synchronize: false })
@Check('wallet_transactions_amount_check', `amount_cents <> 0`)
@Index('wallet_transactions_wallet_id_id_idx', ['walletId', 'id'])
export class WalletTransaction {
  @BigIntIdentityPrimaryColumn('wallet_transactions_pkey')
  id!: number;

  @Column({ name: 'wallet_id', type: 'bigint', transformer: bigintToNumber })
  walletId!: number;

  @ManyToOne(() => Wallet, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'wallet_id', foreignKeyConstraintName: 'wallet_transactions_wallet_id_fkey' })
  wallet?: Wallet;

  @Column({ type: 'text' })
  type!: TransactionType;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: bigintToNumber })
  amountCents!: number;

  @Column({ name: 'balance_after_cents', type: 'bigint', transformer: bigintToNumber })
  balanceAfterCents!: number;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Index('wallet_transactions_stripe_event_id_key', { unique: true })
  @Column({ name: 'stripe_event_id', type: 'text', nullable: true })
  stripeEventId!: string | null;

  @Column({ name: 'stripe_checkout_session_id', type: 'text', nullable: true })
  stripeCheckoutSessionId!: string | null;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  @Index('wallet_transactions_idempotency_key_key', { unique: true })
  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
