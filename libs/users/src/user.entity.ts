import { Check, Column, CreateDateColumn, Entity, Index, UpdateDateColumn } from 'typeorm';
import { BigIntIdentityPrimaryColumn } from '@ozvps/core';

export const USER_ROLES = ['user', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

@Entity({ name: 'users' })
@Check('users_role_check', `role IN ('user', 'admin')`)
// Case-insensitive uniqueness lives in a functional index that TypeORM cannot describe.
@Index('users_email_lower_key', { synchronize: false })
export class User {
  @BigIntIdentityPrimaryColumn('users_pkey')
  id!: number;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text', default: '' })
  name!: string;

  @Column({ type: 'text', default: 'user' })
  role!: UserRole;

  @Index('users_auth0_sub_key', { unique: true })
  @Column({ name: 'auth0_sub', type: 'text', nullable: true })
  auth0Sub!: string | null;

  @Index('users_stripe_customer_id_key', { unique: true })
  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true })
  stripeCustomerId!: string | null;

  /** Receipts (top-ups, renewals) by email; notices about money and servers are always sent. */
  @Column({ name: 'receipts_email', type: 'boolean', default: true })
  receiptsEmail!: boolean;

  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  /** Set by an admin: no sign-in, no live session; their servers keep running. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  /** When the user proved the address is theirs; until then no top-up and no deploy. */
  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
