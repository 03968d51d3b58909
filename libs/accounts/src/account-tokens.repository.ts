import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { hashToken } from '@ozvps/users';
import { AccountToken, TokenPurpose } from './account-token.entity';
import { AccountTokenError } from './errors';

export interface IssuedToken {
  /** The secret for the link; only its hash is stored, so it exists only in the email. */
  token: string;
  expiresAt: Date;
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** The only code that speaks TypeORM for `account_tokens`. */
@Injectable()
export class AccountTokensRepository {
  /**
   * A new single-use token for this user and purpose. Earlier unused ones of the same purpose are
   * closed (marked used): only the newest link sent works.
   */
  async issue(
    em: EntityManager,
    input: { userId: number; purpose: TokenPurpose; email: string; ttlMs: number; now: Date },
  ): Promise<IssuedToken> {
    const repo = em.getRepository(AccountToken);
    await repo
      .createQueryBuilder()
      .update(AccountToken)
      .set({ usedAt: input.now })
      .where('user_id = :userId AND purpose = :purpose AND used_at IS NULL', input)
      .execute();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(input.now.getTime() + input.ttlMs);
    await repo.insert({
      userId: input.userId,
      purpose: input.purpose,
      tokenHash: hashToken(token),
      email: input.email,
      expiresAt,
    });
    return { token, expiresAt };
  }

  /**
   * Uses a token once, in `em`'s transaction (the row stays locked until it commits, so two uses at
   * once cannot both pass). `forUserId`: the signed-in user, whose link it must be.
   */
  async consume(
    em: EntityManager,
    token: unknown,
    purposes: readonly TokenPurpose[],
    now: Date,
    forUserId?: number,
  ): Promise<AccountToken> {
    const row = await this.find(em, token, purposes, true);
    if (row.usedAt) throw new AccountTokenError('token_used');
    if (row.expiresAt.getTime() <= now.getTime()) throw new AccountTokenError('token_expired');
    if (forUserId !== undefined && row.userId !== forUserId)
      throw new AccountTokenError('token_other_account');
    await em.getRepository(AccountToken).update({ id: row.id }, { usedAt: now });
    return row;
  }

  /** A usable token without using it (to learn whose it is before slow work outside a transaction). */
  async peek(
    em: EntityManager,
    token: unknown,
    purposes: readonly TokenPurpose[],
    now: Date,
  ): Promise<AccountToken> {
    const row = await this.find(em, token, purposes, false);
    if (row.usedAt) throw new AccountTokenError('token_used');
    if (row.expiresAt.getTime() <= now.getTime()) throw new AccountTokenError('token_expired');
    return row;
  }

  private async find(
    em: EntityManager,
    token: unknown,
    purposes: readonly TokenPurpose[],
    lock: boolean,
  ): Promise<AccountToken> {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) throw new AccountTokenError('token_invalid');
    const qb = em
      .getRepository(AccountToken)
      .createQueryBuilder('t')
      .where('t.token_hash = :hash', { hash: hashToken(token) });
    if (lock) qb.setLock('pessimistic_write');
    const row = await qb.getOne();
    if (!row || !purposes.includes(row.purpose)) throw new AccountTokenError('token_invalid');
    return row;
  }
}
