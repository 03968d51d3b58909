import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { User } from '@ozvps/users';
import type { PanelRequest } from './session.guard';

export const PUBLIC_ROUTE = 'ozvps:public';
export const ADMIN_ROUTE = 'ozvps:admin';
export const AUTH_RATE_LIMITED = 'ozvps:auth-rate-limited';

/** Reachable without a session. Never wins over @Admin() or a route declared under api/admin. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * Needs the admin role. Put it on the controller class: an admin controller holds admin routes
 * only, so a route added to it later cannot be left open by forgetting a decorator.
 */
export const Admin = () => SetMetadata(ADMIN_ROUTE, true);

/** Counts toward the per-IP and per-account limits on sign-in and sign-up attempts. */
export const AuthRateLimited = () => SetMetadata(AUTH_RATE_LIMITED, true);

export const SECOND_FACTOR_STEP = 'ozvps:second-factor-step';
export const OPEN_DURING_ENROLMENT = 'ozvps:open-during-enrolment';
export const SECOND_FACTOR_ATTEMPT = 'ozvps:second-factor-attempt';

/** Also reachable by a session that gave its password and still owes the second factor (verify, sign out). */
export const SecondFactorStep = () => SetMetadata(SECOND_FACTOR_STEP, true);

/**
 * Also reachable by an admin who must set up two-factor sign-in first (ADMIN_REQUIRE_2FA): the
 * enrolment routes, who am I, sign out. Every other route answers them 403.
 */
export const OpenDuringEnrolment = () => SetMetadata(OPEN_DURING_ENROLMENT, true);

/** Counts toward the per-IP limit on second-factor codes (the per-account one: SecondFactorAttemptGuard). */
export const SecondFactorRateLimited = () => SetMetadata(SECOND_FACTOR_ATTEMPT, true);

/** The signed-in user (the guard has already refused anonymous requests). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  const user = ctx.switchToHttp().getRequest<PanelRequest>().user;
  if (!user) throw new Error('CurrentUser used on a route without a signed-in user');
  return user;
});
