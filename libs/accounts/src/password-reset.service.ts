import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, Clock, CLOCK, ValidationError } from '@ozvps/core';
import { Outbox } from '@ozvps/notifications';
import { AuthService, CredentialsService, hashToken, normaliseEmail, User, UsersService } from '@ozvps/users';
import { AccountTokensRepository } from './account-tokens.repository';
import { EmailVerificationService } from './email-verification.service';

export const RESET_PASSWORD_TTL_MS = 3_600_000;

/** "Forgot password?": a single-use link by email, then a new password and every session ended. */
@Injectable()
export class PasswordResetService {
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

  /**
   * Emails a reset link if the address has an account. Says nothing either way: the caller answers
   * the same whether or not it does, so the form cannot be used to learn who has an account.
   */
  async request(rawEmail: unknown): Promise<void> {
    if (typeof rawEmail !== 'string') throw new ValidationError('email is required');
    const email = normaliseEmail(rawEmail);
    await this.dataSource.transaction(async (em) => {
      const user = await this.users.findByEmail(email, em);
      if (!user) return;
      await this.sendLink(em, user);
    });
  }

  /**
   * An admin sends the user the same reset link by email (the admin never sees it), audited as
   * `actor` in the same transaction. Returns when the link expires.
   */
  async sendByAdmin(userId: number, actor: string): Promise<{ email: string; expiresAt: Date }> {
    return this.dataSource.transaction(async (em) => {
      const user = await this.users.getById(userId, em);
      const expiresAt = await this.sendLink(em, user);
      await AuditTrail.record(em, {
        actor,
        action: 'users.password-reset-link',
        target: { type: 'user', id: user.id },
        after: { sentTo: user.email, expiresAt: expiresAt.toISOString() },
      });
      return { email: user.email, expiresAt };
    });
  }

  private async sendLink(em: EntityManager, user: User): Promise<Date> {
    const issued = await this.tokens.issue(em, {
      userId: user.id,
      purpose: 'reset-password',
      email: user.email,
      ttlMs: RESET_PASSWORD_TTL_MS,
      now: this.clock.now(),
    });
    await this.outbox.enqueue(em, {
      kind: 'password-reset',
      to: user.email,
      userId: user.id,
      dedupeKey: `password-reset:${hashToken(issued.token).slice(0, 32)}`,
      data: { resetUrl: this.links.linkTo('reset-password', issued.token), expiresAt: issued.expiresAt },
    });
    return issued.expiresAt;
  }

  /**
   * Sets the new password from a reset link: the link is used up, every session of the user ends,
   * and a "your password was changed" message goes out, all in one transaction. Following the link
   * also proves the address, so an unverified one becomes verified.
   */
  async reset(token: unknown, password: unknown): Promise<void> {
    const now = this.clock.now();
    const peeked = await this.tokens.peek(this.dataSource.manager, token, ['reset-password'], now);
    const owner = await this.users.getById(peeked.userId);
    // The policy check and the slow hash happen before the transaction; a refused password leaves the link usable.
    const passwordHash = await this.auth.hashPassword(password as string, owner.email);
    await this.dataSource.transaction(async (em) => {
      const row = await this.tokens.consume(em, token, ['reset-password'], now);
      await this.credentials.replacePassword(row.userId, passwordHash, em);
      await this.credentials.markEmailVerified(row.userId, row.email, em);
      await this.outbox.enqueue(em, {
        kind: 'password-changed',
        to: owner.email,
        userId: row.userId,
        dedupeKey: `password-changed:${hashToken(token as string).slice(0, 32)}`,
        data: { changedAt: now, how: 'reset' },
      });
    });
  }
}
