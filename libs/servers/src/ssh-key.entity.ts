import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BigIntIdentityPrimaryColumn, bigintToNumber } from '@ozvps/core';
import { User } from '@ozvps/users';

/** A customer's OpenSSH public key, offered at deploy and reinstall. */
@Entity({ name: 'ssh_keys' })
@Index('ssh_keys_user_id_fingerprint_key', ['userId', 'fingerprint'], { unique: true })
export class SshKey {
  @BigIntIdentityPrimaryColumn('ssh_keys_pkey')
  id!: number;

  @Column({ name: 'user_id', type: 'bigint', transformer: bigintToNumber })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'ssh_keys_user_id_fkey' })
  user?: User;

  @Column({ type: 'text' })
  name!: string;

  /** `<type> <base64>` as parsed (the comment is dropped: it can name a person or a host). */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  /** ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa. */
  @Column({ type: 'text' })
  type!: string;

  /** The key size for RSA and ECDSA; null for ed25519 (always 256). */
  @Column({ type: 'integer', nullable: true })
  bits!: number | null;

  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  @Column({ type: 'text' })
  fingerprint!: string;

  /** The same key in the owner's VirtFusion account, once it has been used there. */
  @Column({ name: 'virtfusion_key_id', type: 'integer', nullable: true })
  virtfusionKeyId!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
