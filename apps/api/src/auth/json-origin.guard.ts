import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { STRIPE_WEBHOOK_PATH } from '../routes';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Stripe posts server to server, with no Origin, and its signature is its authentication. */
const EXEMPT_PATHS = new Set([STRIPE_WEBHOOK_PATH]);

/**
 * Cross-site request defence for cookie-authenticated writes: a state-changing request must be
 * `application/json` (an HTML form cannot send that cross-site without a CORS preflight, which
 * the panel never grants) and, when the browser names its Origin, come from APP_URL's origin.
 * A guard, not a middleware: guards run once the router has found a handler, so a request no
 * route answers is a 404 whatever its method, and every real write is still checked first.
 */
@Injectable()
export class JsonOriginGuard implements CanActivate {
  private readonly allowedOrigin: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.allowedOrigin = new URL(config.appUrl).origin;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method) || EXEMPT_PATHS.has(req.path)) return true;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.allowedOrigin) {
      throw new ForbiddenException('Cross-origin request refused');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new UnsupportedMediaTypeException('Send the request body as application/json');
    }
    return true;
  }
}
