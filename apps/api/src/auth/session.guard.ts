import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import {
  AuthService,
  SecondFactorRequiredError,
  SessionStage,
  TwoFactorEnrolmentRequiredError,
  User,
} from '@ozvps/users';
import { OPEN_DURING_ENROLMENT, SECOND_FACTOR_STEP } from './auth.decorators';
import { routeAccess, routeMarked } from './route-access';
import { readSessionCookie } from './session-cookie';

export interface PanelRequest extends Request {
  /** Set for a session that may act (full, or an admin confined to enrolment); never while a code is owed. */
  user?: User;
  sessionToken?: string;
  /** What the session may do: see SessionStage. */
  sessionStage?: SessionStage;
  /** The user of the session, whatever its stage (the second-factor step needs it before `user` is set). */
  sessionUser?: User;
  twoFactorEnabled?: boolean;
}

/**
 * The one gate every route passes. Access comes from the matched route's metadata (see
 * routeAccess): @Admin() on the controller, @Public() to opt out of signing in, signed-in otherwise.
 * A session still owing its second factor reaches only @SecondFactorStep() routes; an admin who
 * must enrol first (ADMIN_REQUIRE_2FA) only @OpenDuringEnrolment() ones.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PanelRequest>();
    const token = readSessionCookie(req);
    const live = token ? await this.auth.sessionForToken(token) : null;
    if (live) {
      req.sessionToken = token;
      req.sessionStage = live.stage;
      req.sessionUser = live.user;
      req.twoFactorEnabled = live.twoFactorEnabled;
      if (live.stage !== 'second-factor') req.user = live.user;
    }
    const handler = context.getHandler();
    const controller = context.getClass();
    const access = routeAccess(handler, controller);
    if (access === 'public') return true;
    if (live?.stage === 'second-factor') {
      if (routeMarked(SECOND_FACTOR_STEP, handler, controller)) return true;
      throw new SecondFactorRequiredError();
    }
    if (!req.user) throw new UnauthorizedException('Sign in first');
    if (live?.stage === 'enrolment' && !routeMarked(OPEN_DURING_ENROLMENT, handler, controller)) {
      throw new TwoFactorEnrolmentRequiredError();
    }
    if (access === 'admin' && req.user.role !== 'admin') {
      throw new ForbiddenException('This needs the admin role');
    }
    return true;
  }
}
