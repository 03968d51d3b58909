import { Column, Entity, JoinColumn, OneToOne, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '@ozvps/core';
import { User } from '@ozvps/users';

/** What a customer wants on their documents as the buyer: a business name and ABN, both optional. */
@Entity({ name: 'billing_details' })
export class BillingDetails {
  @Column({
    name: 'user_id',
    type: 'bigint',
    primary: true,
    primaryKeyConstraintName: 'billing_details_pkey',
    transformer: bigintToNumber,
  })
  userId!: number;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'billing_details_user_id_fkey' })
  user?: User;

  @Column({ name: 'business_name', type: 'text', nullable: true })
  businessName!: string | null;

  /** 11 digits, no spaces, checksum-valid. */
  @Column({ type: 'text', nullable: true })
  abn!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
