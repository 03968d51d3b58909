import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthService, User } from '@ozvps/users';
import { ADMIN_ONLY, PUBLIC_ROUTE } from './auth.decorators';
import { readSessionCookie } from './session-cookie';

export interface PanelRequest extends Request {
  user?: User;
  sessionToken?: string;
}

/**
 * The one gate every route passes. Signed-in is the default; @Public() opts a route out;
 * everything under /api/admin requires the admin role whatever its decorators say, so a
 * future admin route cannot be left open by mistake.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

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
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (adminOnly || req.path === '/api/admin' || req.path.startsWith('/api/admin/')) {
      if (!req.user) throw new UnauthorizedException('Sign in first');
      if (req.user.role !== 'admin') throw new ForbiddenException('This needs the admin role');
      return true;
    }
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    if (!req.user) throw new UnauthorizedException('Sign in first');
    return true;
  }
}
