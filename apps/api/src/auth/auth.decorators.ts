import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { User } from '@ozvps/users';
import type { PanelRequest } from './session.guard';

export const PUBLIC_ROUTE = 'ozvps:public';
export const AUTH_RATE_LIMITED = 'ozvps:auth-rate-limited';

/** Reachable without a session. Has no effect under /api/admin, which is always admin-only. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const ADMIN_ONLY = 'ozvps:admin-only';

/** Admin-only outside /api/admin (where every route already is). */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** Counts toward the per-IP and per-account limits on sign-in and sign-up attempts. */
export const AuthRateLimited = () => SetMetadata(AUTH_RATE_LIMITED, true);

/** The signed-in user (the guard has already refused anonymous requests). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  const user = ctx.switchToHttp().getRequest<PanelRequest>().user;
  if (!user) throw new Error('CurrentUser used on a route without a signed-in user');
  return user;
});
