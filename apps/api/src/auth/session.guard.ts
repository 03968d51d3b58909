import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { AuthService, User } from '@ozvps/users';
import { routeAccess } from './route-access';
import { readSessionCookie } from './session-cookie';

export interface PanelRequest extends Request {
  user?: User;
  sessionToken?: string;
}

/**
 * The one gate every route passes. Access comes from the matched route's metadata (see
 * routeAccess): @Admin() on the controller, @Public() to opt out of signing in, signed-in otherwise.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PanelRequest>();
    const token = readSessionCookie(req);
    if (token) {
      const user = await this.auth.userForToken(token);
      if (user) {
        req.user = user;
        req.sessionToken = token;
      }
    }
    const access = routeAccess(context.getHandler(), context.getClass());
    if (access === 'public') return true;
    if (!req.user) throw new UnauthorizedException('Sign in first');
    if (access === 'admin' && req.user.role !== 'admin') {
      throw new ForbiddenException('This needs the admin role');
    }
    return true;
  }
}
