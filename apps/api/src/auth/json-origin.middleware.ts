import {
  ForbiddenException,
  Inject,
  Injectable,
  NestMiddleware,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { STRIPE_WEBHOOK_PATH } from '../routes';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Stripe posts server to server, with no Origin, and its signature is its authentication. */
const EXEMPT_PATHS = new Set([STRIPE_WEBHOOK_PATH]);

/**
 * Cross-site request defence for cookie-authenticated writes: a state-changing request must be
 * `application/json` (an HTML form cannot send that cross-site without a CORS preflight, which
 * the panel never grants) and, when the browser names its Origin, come from APP_URL's origin.
 */
@Injectable()
export class JsonOriginMiddleware implements NestMiddleware {
  private readonly allowedOrigin: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.allowedOrigin = new URL(config.appUrl).origin;
  }

  use(req: Request, _res: Response, next: NextFunction): void {
    if (SAFE_METHODS.has(req.method) || EXEMPT_PATHS.has(req.path)) return next();
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.allowedOrigin) {
      return next(new ForbiddenException('Cross-origin request refused'));
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return next(new UnsupportedMediaTypeException('Send the request body as application/json'));
    }
    next();
  }
}
