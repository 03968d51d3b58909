import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RateLimitsRepository } from '@ozvps/core';
import { AuthService, TooManySecondFactorAttemptsError } from '@ozvps/users';
import { SECOND_FACTOR_LIMITS } from './rate-limits';
import type { PanelRequest } from './session.guard';

/**
 * The per-account limit on second-factor codes, counted in PostgreSQL like the sign-in limits (so
 * it holds across replicas). A route guard, not a global throttler: it needs the session's user,
 * which only the SessionGuard knows. Past the limit, a sign-in waiting for its code is ended.
 */
@Injectable()
export class SecondFactorAttemptGuard implements CanActivate {
  constructor(
    private readonly counters: RateLimitsRepository,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PanelRequest>();
    const user = req.sessionUser;
    if (!user) return true; // the SessionGuard has already refused anyone without a session
    const count = await this.counters.hit(
      `two-factor:user:${user.id}`,
      SECOND_FACTOR_LIMITS.accountThrottler,
      SECOND_FACTOR_LIMITS.windowMs,
      SECOND_FACTOR_LIMITS.perAccount,
      SECOND_FACTOR_LIMITS.windowMs,
    );
    if (!count.blocked) return true;
    if (req.sessionStage === 'second-factor' && req.sessionToken) await this.auth.revoke(req.sessionToken);
    throw new TooManySecondFactorAttemptsError();
  }
}
