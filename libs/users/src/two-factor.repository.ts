import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RecoveryCode } from './recovery-code.entity';
import { UserTwoFactor } from './user-two-factor.entity';

/** The only code that speaks TypeORM for `user_two_factor` and `user_recovery_codes`. */
@Injectable()
export class TwoFactorRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  find(userId: number, em?: EntityManager): Promise<UserTwoFactor | null> {
    return this.manager(em).getRepository(UserTwoFactor).findOneBy({ userId });
  }

  async isEnabled(userId: number): Promise<boolean> {
    const row = await this.find(userId);
    return row?.enabledAt != null;
  }

  /** Stores a new, not yet active secret; false when 2FA is already active (nothing written). */
  async savePending(userId: number, secret: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO user_two_factor (user_id, secret) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE
         SET secret = excluded.secret, last_used_step = NULL, created_at = now()
         WHERE user_two_factor.enabled_at IS NULL
       RETURNING user_id`,
      [userId, secret],
    )) as unknown[];
    return rows.length === 1;
  }

  /**
   * Takes `step` as used if it is later than the last accepted one, in one conditional UPDATE:
   * two requests with the same code (on any API process) cannot both pass. With `activate`, the
   * pending secret becomes active at the same time.
   */
  async acceptStep(userId: number, step: number, activate: boolean, em?: EntityManager): Promise<boolean> {
    const [, affected] = (await this.manager(em).query(
      `UPDATE user_two_factor
          SET last_used_step = $2, enabled_at = CASE WHEN $3 THEN now() ELSE enabled_at END
        WHERE user_id = $1
          AND (enabled_at IS NULL) = $3
          AND (last_used_step IS NULL OR last_used_step < $2)`,
      [userId, step, activate],
    )) as [unknown, number];
    return affected === 1;
  }

  /** Replaces the user's recovery codes (the old ones stop working). */
  async replaceRecoveryCodes(userId: number, hashes: string[], em: EntityManager): Promise<void> {
    await em.getRepository(RecoveryCode).delete({ userId });
    await em
      .getRepository(RecoveryCode)
      .insert(hashes.map((codeHash) => ({ userId, codeHash, usedAt: null })));
  }

  /** Marks an unused recovery code used; false when there is no such unused code. */
  async useRecoveryCode(userId: number, codeHash: string): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(
      `UPDATE user_recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [userId, codeHash],
    )) as [unknown, number];
    return affected === 1;
  }

  async unusedRecoveryCodes(userId: number): Promise<number> {
    return this.dataSource.getRepository(RecoveryCode).countBy({ userId, usedAt: IsNull() });
  }

  /** Deletes the secret and every recovery code; true when there was a secret. */
  async clear(userId: number, em: EntityManager): Promise<boolean> {
    await em.getRepository(RecoveryCode).delete({ userId });
    const result = await em.getRepository(UserTwoFactor).delete({ userId });
    return (result.affected ?? 0) > 0;
  }
}
