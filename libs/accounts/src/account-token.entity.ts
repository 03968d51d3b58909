import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BigIntIdentityPrimaryColumn, bigintToNumber } from '@ozvps/core';
import { User } from '@ozvps/users';

export const TOKEN_PURPOSES = ['verify-email', 'reset-password', 'change-email'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** A single-use link sent by email; only the SHA-256 of its token is stored. */
@Entity({ name: 'account_tokens' })
@Check('account_tokens_purpose_check', `purpose IN ('verify-email', 'reset-password', 'change-email')`)
export class AccountToken {
  @BigIntIdentityPrimaryColumn('account_tokens_pkey')
  id!: number;

  @Index('account_tokens_user_id_idx')
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintToNumber })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'account_tokens_user_id_fkey' })
  user?: User;

  @Column({ type: 'text' })
  purpose!: TokenPurpose;

  @Index('account_tokens_token_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** The address the link went to: verification and a change of email act on this one. */
  @Column({ type: 'text' })
  email!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
