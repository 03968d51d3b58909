import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from '@ozvps/core';
import { User } from './user.entity';

/** A user's TOTP secret: pending until confirmed with a code (`enabledAt` null), then active. */
@Entity({ name: 'user_two_factor' })
export class UserTwoFactor {
  @PrimaryColumn({
    name: 'user_id',
    type: 'bigint',
    transformer: bigintToNumber,
    primaryKeyConstraintName: 'user_two_factor_pkey',
  })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_two_factor_user_id_fkey' })
  user?: User;

  /** Base32. Never logged, never returned after enrolment (see README "Two-factor sign-in"). */
  @Column({ type: 'text' })
  secret!: string;

  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true })
  enabledAt!: Date | null;

  /** The 30-second step of the last accepted code: a code for this step or an earlier one is refused. */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true, transformer: bigintToNumber })
  lastUsedStep!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
