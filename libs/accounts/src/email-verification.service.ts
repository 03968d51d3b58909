import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig, Clock, CLOCK } from '@ozvps/core';
import { Outbox } from '@ozvps/notifications';
import { CredentialsService, hashToken, User, UsersService } from '@ozvps/users';
import { AccountTokensRepository } from './account-tokens.repository';
import { AccountTokenError } from './errors';

export const VERIFY_EMAIL_TTL_MS = 24 * 3_600_000;

export type VerifiedLink =
  | { purpose: 'verify-email'; email: string }
  | { purpose: 'change-email'; email: string; previousEmail: string };

/** Proving an address is the user's: at sign-up, on request, and when moving to a new one. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AccountTokensRepository,
    private readonly credentials: CredentialsService,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Writes a verification link for the user's address, in the caller's transaction. */
  async sendVerification(user: User, em: EntityManager): Promise<void> {
    const issued = await this.tokens.issue(em, {
      userId: user.id,
      purpose: 'verify-email',
      email: user.email,
      ttlMs: VERIFY_EMAIL_TTL_MS,
      now: this.clock.now(),
    });
    await this.outbox.enqueue(em, {
      kind: 'email-verification',
      to: user.email,
      userId: user.id,
      dedupeKey: `email-verification:${hashToken(issued.token).slice(0, 32)}`,
      data: { verifyUrl: this.linkTo('verify-email', issued.token), expiresAt: issued.expiresAt },
    });
  }

  /** A new link for a user who has not verified yet; returns false (nothing sent) when already verified. */
  async resend(user: User): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.users.getById(user.id, em);
      if (current.emailVerifiedAt) return false;
      await this.sendVerification(current, em);
      return true;
    });
  }

  /**
   * Follows a link from a verification or change-of-email message. `signedInUserId`: the browser's
   * user, if any; a link for another account is refused and stays usable.
   */
  async verify(token: unknown, signedInUserId?: number): Promise<VerifiedLink> {
    return this.dataSource.transaction(async (em) => {
      const row = await this.tokens.consume(
        em,
        token,
        ['verify-email', 'change-email'],
        this.clock.now(),
        signedInUserId,
      );
      const user = await this.users.getById(row.userId, em);
      if (row.purpose === 'change-email') {
        await this.credentials.changeEmail(user.id, row.email, em);
        return { purpose: 'change-email', email: row.email, previousEmail: user.email };
      }
      // A link to an address the user has since left proves nothing about the current one.
      if (user.email.toLowerCase() !== row.email.toLowerCase()) throw new AccountTokenError('token_invalid');
      await this.credentials.markEmailVerified(user.id, row.email, em);
      return { purpose: 'verify-email', email: row.email };
    });
  }

  /** The web page a link opens. The token rides in the fragment, which browsers never send to a server (or its logs). */
  linkTo(page: 'verify-email' | 'reset-password', token: string): string {
    return `${this.config.appUrl}/${page}#token=${token}`;
  }
}
