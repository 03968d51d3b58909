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
    session: Pick<Session, 'userId' | 'tokenHash' | 'expiresAt' | 'ip' | 'userAgent'>,
  ): Promise<Session> {
    return this.repo.save(this.repo.create(session));
  }

  /** The user behind a live (unrevoked, unexpired) session. */
  async findLiveUser(tokenHash: string): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin(Session, 's', 's.user_id = u.id')
      .where('s.token_hash = :tokenHash', { tokenHash })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('u.disabled_at IS NULL')
      .andWhere('s.expires_at > now()')
      .getOne();
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
