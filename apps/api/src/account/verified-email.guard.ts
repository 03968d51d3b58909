import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { EmailUnverifiedError } from '@ozvps/accounts';
import type { PanelRequest } from '../auth/session.guard';
import { REQUIRES_VERIFIED_EMAIL } from './account.decorators';

/** Runs after the SessionGuard: money in (top-up) and servers out (deploy) wait for a verified address. */
@Injectable()
export class VerifiedEmailGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (Reflect.getMetadata(REQUIRES_VERIFIED_EMAIL, context.getHandler()) !== true) return true;
    const user = context.switchToHttp().getRequest<PanelRequest>().user;
    if (user && !user.emailVerifiedAt) throw new EmailUnverifiedError();
    return true;
  }
}
