import type { DynamicModule, LoggerService } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '@ozvps/core';
import { errorBody, GlobalExceptionFilter } from './global-exception.filter';
import { requestId } from './logging/request-id';
import { httpMetrics } from './metrics/http-metrics';
import { PanelMetrics } from './metrics/panel-metrics';
import { STRIPE_WEBHOOK_PATH } from './routes';

/** Request bodies: Stripe's events can be large; nothing a person sends needs more than this. */
export const BODY_LIMIT_BYTES = 64 * 1024;
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
/** Deeper JSON than any request of ours (or any Stripe event) has; recursive walkers overflow far later. */
export const MAX_JSON_DEPTH = 32;

/**
 * The panel's HTTP application, as main.ts serves it and the route walk test inspects it.
 * Routing is case-sensitive and strict: `/api/Admin/users` and `/api/admin/users/` are not routes.
 * Express reads both settings once, when its router is first created, so they are set on an
 * Express instance of our own before Nest registers anything on it.
 */
export async function createPanelApp(
  module: DynamicModule,
  config: AppConfig,
  logger: LoggerService | false,
): Promise<NestExpressApplication> {
  const json = config.logFormat === 'json' && logger !== false;
  const server = express();
  server.set('case sensitive routing', true);
  server.set('strict routing', true);
  const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(server), {
    // Our own parsers below: one limit for the webhook, a small one for everything else.
    bodyParser: false,
    logger,
    // JSON logs: start-up lines wait for the JSON logger, which exists only once the module does.
    bufferLogs: json,
    abortOnError: false,
  });
  if (json) app.useLogger(app.get(PinoLogger));
  app.disable('x-powered-by');
  // First, so every later line and the timing cover the whole request.
  app.use(requestId());
  const metrics = provided(app, PanelMetrics);
  if (metrics) app.use(httpMetrics(metrics));
  // Whose X-Forwarded-For names the client (sign-in limits count per source): TRUST_PROXY.
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders(config));
  app.use(compression());
  app.use(bodyParsers());
  app.useGlobalFilters(new GlobalExceptionFilter());
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
  );
  return app;
}

/** A provider of the module, or undefined when it has none (the route walk's test modules). */
function provided<T>(app: NestExpressApplication, type: new (...args: never[]) => T): T | undefined {
  try {
    return app.get(type);
  } catch {
    return undefined;
  }
}

function securityHeaders(config: AppConfig) {
  return helmet({
    // The SPA loads only its own bundle and stylesheet; no inline script or style, no framing.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // HSTS only means something over https; on plain http it would pin nothing.
    strictTransportSecurity: config.appUrl.startsWith('https://') ? { maxAge: 31_536_000 } : false,
  });
}

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** Sets `req.rawBody`: the webhook's signature is checked over the exact bytes Stripe sent. */
const keepRaw = (req: Request, _res: Response, buf: Buffer) => {
  (req as Request & { rawBody?: Buffer }).rawBody = buf;
};

/**
 * Refuses JSON nested deeper than MAX_JSON_DEPTH before it is parsed: the validation pipe and
 * class-transformer walk a body recursively, and 10 000 levels overflow the stack (a 500 with a
 * stack in the log). One pass over the bytes, no recursion; the raw body is kept as it came.
 */
const keepRawAndLimitDepth = (req: Request, res: Response, buf: Buffer) => {
  keepRaw(req, res, buf);
  if (jsonDepth(buf) > MAX_JSON_DEPTH) throw new BodyTooDeepError();
};

class BodyTooDeepError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = 'entity.too.deep';
  constructor() {
    super(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
}

/** The deepest nesting of objects and arrays in JSON text; brackets inside strings do not count. */
export function jsonDepth(buf: Uint8Array): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next byte is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

function bodyParsers(): Array<Middleware | ErrorRequestHandler> {
  const parsers = (limit: number): Middleware[] => [
    express.json({ limit, verify: keepRawAndLimitDepth }),
    express.urlencoded({ limit, extended: true, verify: keepRaw }),
  ];
  const webhook = parsers(WEBHOOK_BODY_LIMIT_BYTES);
  const others = parsers(BODY_LIMIT_BYTES);
  const choose =
    (i: number): Middleware =>
    (req, res, next) =>
      (req.path === STRIPE_WEBHOOK_PATH ? webhook : others)[i]!(req, res, next);
  return [choose(0), choose(1), bodyErrors];
}

/**
 * A body the parsers refuse (too large, not JSON, unknown charset) is the client's mistake: the
 * usual error JSON with the parser's 4xx status, and nothing in the log. This sits right after
 * the parsers because their errors never reach Nest's exception filters.
 */
function bodyErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const status = (err as { status?: unknown } | null)?.status;
  const expose = (err as { expose?: unknown } | null)?.expose;
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return next(err);
  const message =
    status === 413
      ? 'The request body is too large'
      : (err as { type?: unknown }).type === 'entity.too.deep'
        ? (err as Error).message
        : status === 400
          ? 'The request body is not valid JSON'
          : 'The request body could not be read';
  res.status(status).json(errorBody(status, message));
}
