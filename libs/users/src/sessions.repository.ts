import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { Session } from './session.entity';
import { User } from './user.entity';

/** The only code that speaks TypeORM for the `sessions` table. */
@Injectable()
export class SessionsRepository {
  private readonly repo: Repository<Session>;

  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(Session);
  }

  async insert(
    session: Pick<Session, 'userId' | 'tokenHash' | 'expiresAt' | 'ip' | 'userAgent'> &
      Partial<Pick<Session, 'secondFactorPending'>>,
  ): Promise<Session> {
    return this.repo.save(this.repo.create(session));
  }

  /** A live session with its user, and whether that user has two-factor sign-in on. */
  async findLive(
    tokenHash: string,
  ): Promise<{ user: User; secondFactorPending: boolean; twoFactorEnabled: boolean } | null> {
    const { entities, raw } = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin(Session, 's', 's.user_id = u.id')
      .addSelect('s.second_factor_pending', 'second_factor_pending')
      .addSelect(
        'EXISTS (SELECT 1 FROM user_two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL)',
        'two_factor_enabled',
      )
      .where('s.token_hash = :tokenHash', { tokenHash })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.expires_at > now()')
      .getRawAndEntities<{ second_factor_pending: boolean; two_factor_enabled: boolean }>();
    const user = entities[0];
    if (!user) return null;
    return {
      user,
      secondFactorPending: raw[0]!.second_factor_pending,
      twoFactorEnabled: raw[0]!.two_factor_enabled,
    };
  }

  async revokeByHash(tokenHash: string): Promise<void> {
    await this.repo.update({ tokenHash, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }

  /** Revokes every live session of a user; returns how many. */
  async revokeAllForUser(userId: number, em?: EntityManager): Promise<number> {
    const result = await (em ? em.getRepository(Session) : this.repo).update(
      { userId, revokedAt: IsNull() },
      { revokedAt: () => 'now()' },
    );
    return result.affected ?? 0;
  }
}
