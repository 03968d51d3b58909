import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from '@ozvps/core';
import { Outbox } from '@ozvps/notifications';
import { AuthService, TwoFactorService, User } from '@ozvps/users';

export interface TwoFactorResetResult {
  /** False when the user had no two-factor sign-in (sessions are still signed out, the email still sent). */
  hadTwoFactor: boolean;
  sessionsRevoked: number;
}

/** An operator's reset for a user who lost their device: 2FA off, signed out everywhere, told by email. */
@Injectable()
export class TwoFactorResetService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly twoFactor: TwoFactorService,
    private readonly auth: AuthService,
    private readonly outbox: Outbox,
  ) {}

  /** Clears the secret and recovery codes, revokes every session and writes the email, in one transaction. */
  reset(user: User, actor: string): Promise<TwoFactorResetResult> {
    return this.dataSource.transaction(async (em) => {
      const hadTwoFactor = await this.twoFactor.clear(user.id, em);
      const sessionsRevoked = await this.auth.revokeAllSessions(user.id, em);
      await AuditTrail.record(em, {
        actor,
        action: 'users.reset-2fa',
        target: { type: 'user', id: user.id },
        before: { twoFactor: hadTwoFactor },
        after: { twoFactor: false, sessionsRevoked },
      });
      await this.outbox.enqueue(em, {
        kind: 'two-factor-reset',
        to: user.email,
        userId: user.id,
        dedupeKey: `two-factor-reset:${user.id}:${randomUUID()}`,
        data: { resetAt: new Date() },
      });
      return { hadTwoFactor, sessionsRevoked };
    });
  }
}
