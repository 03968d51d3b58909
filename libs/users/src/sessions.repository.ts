import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { Session } from './session.entity';
import { User } from './user.entity';

/** The only code that speaks TypeORM for the `sessions` table. */
@Injectable()
export class SessionsRepository {
  private readonly repo: Repository<Session>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(Session);
  }

  async insert(
    session: Pick<Session, 'userId' | 'tokenHash' | 'expiresAt' | 'ip' | 'userAgent'> &
      Partial<Pick<Session, 'secondFactorPending'>>,
  ): Promise<Session> {
    return this.repo.save(this.repo.create(session));
  }

  /**
   * A live session with its user and whether that user has two-factor sign-in on (one query), for
   * the guard and the last-seen stamp.
   */
  async findLive(tokenHash: string): Promise<(Session & { user: User; twoFactorEnabled: boolean }) | null> {
    const { entities, raw } = await this.repo
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.user', 'u')
      .addSelect(
        'EXISTS (SELECT 1 FROM user_two_factor t WHERE t.user_id = s.user_id AND t.enabled_at IS NOT NULL)',
        'two_factor_enabled',
      )
      .where('s.token_hash = :tokenHash', { tokenHash })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('u.disabled_at IS NULL')
      .andWhere('s.expires_at > now()')
      .getRawAndEntities<{ two_factor_enabled: boolean }>();
    const session = entities[0] as (Session & { user: User }) | undefined;
    if (!session) return null;
    return Object.assign(session, { twoFactorEnabled: raw[0]!.two_factor_enabled });
  }

  /** Stamps last_seen_at unless another request (or replica) did so in the last minute. */
  async touch(id: number): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(Session)
      .set({ lastSeenAt: () => 'now()' })
      .where(`id = :id AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')`, { id })
      .execute();
  }

  /** A user's live sessions, most recently used first. */
  listLive(userId: number): Promise<Session[]> {
    return this.repo
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > now()', { userId })
      .orderBy('COALESCE(s.last_seen_at, s.created_at)', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
  }

  /** Revokes one live session of this user; returns whether there was one. */
  async revokeOne(userId: number, id: number): Promise<boolean> {
    const result = await this.repo.update({ id, userId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every live session of a user except the one with this token hash; returns how many. */
  async revokeAllExcept(userId: number, keepTokenHash: string, em?: EntityManager): Promise<number> {
    const result = await (em ? em.getRepository(Session) : this.repo)
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL AND token_hash <> :keepTokenHash', {
        userId,
        keepTokenHash,
      })
      .execute();
    return result.affected ?? 0;
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
