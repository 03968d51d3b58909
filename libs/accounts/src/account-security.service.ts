import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, CLOCK, ValidationError } from '@ozvps/core';
import { Outbox } from '@ozvps/notifications';
import {
  AuthService,
  CredentialsService,
  EmailTakenError,
  hashToken,
  normaliseEmail,
  User,
  UsersService,
} from '@ozvps/users';
import { AccountTokensRepository } from './account-tokens.repository';
import { EmailVerificationService, VERIFY_EMAIL_TTL_MS } from './email-verification.service';
import { EmailUnchangedError } from './errors';

/** Changes a signed-in user makes to how they sign in; each asks for the current password again. */
@Injectable()
export class AccountSecurityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AccountTokensRepository,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly credentials: CredentialsService,
    private readonly links: EmailVerificationService,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A new password; the asking session stays signed in, every other one is signed out. Returns how many. */
  async changePassword(
    user: User,
    currentPassword: unknown,
    newPassword: unknown,
    sessionToken: string,
  ): Promise<number> {
    await this.credentials.assertCurrentPassword(user, currentPassword);
    const passwordHash = await this.auth.hashPassword(newPassword as string, user.email);
    return this.dataSource.transaction(async (em) => {
      const ended = await this.credentials.replacePassword(user.id, passwordHash, em, sessionToken);
      await this.outbox.enqueue(em, {
        kind: 'password-changed',
        to: user.email,
        userId: user.id,
        dedupeKey: `password-changed:${randomUUID()}`,
        data: { changedAt: this.clock.now(), how: 'account' },
      });
      return ended;
    });
  }

  /**
   * Starts a move to a new address: a link to the new one (the change happens only when it is
   * followed) and a notice to the current one. Returns the address the link went to.
   */
  async requestEmailChange(user: User, currentPassword: unknown, newEmail: unknown): Promise<string> {
    await this.credentials.assertCurrentPassword(user, currentPassword);
    if (typeof newEmail !== 'string') throw new ValidationError('newEmail is required');
    const email = normaliseEmail(newEmail);
    if (email === user.email.toLowerCase()) throw new EmailUnchangedError();
    await this.dataSource.transaction(async (em) => {
      if (await this.users.findByEmail(email, em)) throw new EmailTakenError(email);
      const issued = await this.tokens.issue(em, {
        userId: user.id,
        purpose: 'change-email',
        email,
        ttlMs: VERIFY_EMAIL_TTL_MS,
        now: this.clock.now(),
      });
      const key = hashToken(issued.token).slice(0, 32);
      await this.outbox.enqueue(em, {
        kind: 'email-change',
        to: email,
        userId: user.id,
        dedupeKey: `email-change:${key}`,
        data: { confirmUrl: this.links.linkTo('verify-email', issued.token), expiresAt: issued.expiresAt },
      });
      await this.outbox.enqueue(em, {
        kind: 'email-change-notice',
        to: user.email,
        userId: user.id,
        dedupeKey: `email-change-notice:${key}`,
        data: { newEmail: email },
      });
    });
    return email;
  }
}
