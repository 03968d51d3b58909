import { Injectable } from '@nestjs/common';
import { verify as argon2Verify } from '@node-rs/argon2';
import { EntityManager } from 'typeorm';
import { hashToken } from './auth.service';
import { WrongPasswordError } from './errors';
import { SessionsRepository } from './sessions.repository';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

/**
 * Password and email changes for a user who has proved who they are (current password, or an
 * emailed link). Each write takes the caller's transaction, so the change, the sessions it ends
 * and the email it causes commit together.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
  ) {}

  /** Throws WrongPasswordError unless `password` is the user's current password. */
  async assertCurrentPassword(user: User, password: unknown): Promise<void> {
    const ok =
      typeof password === 'string' &&
      password.length <= 1024 &&
      !!user.passwordHash &&
      (await argon2Verify(user.passwordHash, password).catch(() => false));
    if (!ok) throw new WrongPasswordError();
  }

  /**
   * Stores a new password hash and ends the user's sessions: all of them, or all but the one whose
   * token is `keepSessionToken` (the browser that made the change). Returns the sessions ended.
   */
  async replacePassword(
    userId: number,
    passwordHash: string,
    em: EntityManager,
    keepSessionToken?: string,
  ): Promise<number> {
    await this.users.update(userId, { passwordHash }, em);
    return keepSessionToken
      ? this.sessions.revokeAllExcept(userId, hashToken(keepSessionToken), em)
      : this.sessions.revokeAllForUser(userId, em);
  }

  /** Marks `email` verified if it is still the user's address. */
  markEmailVerified(userId: number, email: string, em: EntityManager): Promise<boolean> {
    return this.users.markEmailVerified(userId, email, em);
  }

  /** Moves the user to a new address, verified by the link that brought them here. */
  changeEmail(userId: number, email: string, em: EntityManager): Promise<void> {
    return this.users.changeEmail(userId, email, em);
  }
}
