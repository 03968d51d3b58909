import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '@ozvps/core';

const PINO_LEVEL: Record<AppConfig['logLevel'], string> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Field names that hold a secret wherever they appear in a logged object. */
const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'code',
  'secret',
  'apiToken',
  'secretKey',
  'webhookSecret',
  'clientSecret',
  'authorization',
  'cookie',
];

/**
 * Redaction is the logger's job, not each caller's: these paths are censored in every line,
 * whatever a serializer or a log call puts there.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.body',
  'req.query',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
];

/** The headers worth a line: who called and through what; never the credentials. */
const LOGGED_HEADERS = [
  'user-agent',
  'content-type',
  'content-length',
  'x-forwarded-for',
  'origin',
  'referer',
];

interface SerializedReq {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

/**
 * LOG_FORMAT=json: one JSON object per line on stdout (pino via nestjs-pino), one line per
 * request when its answer is sent, and `requestId` on every line logged while a request is
 * handled. Bodies and query strings are never logged (a query may carry a sign-in code or a
 * reset token); the route path is.
 */
export function jsonLogParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: PINO_LEVEL[config.logLevel],
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
      customAttributeKeys: { reqId: 'requestId' },
      // App lines inside a request carry only the id; the request line carries the rest.
      quietReqLogger: true,
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : 'info',
      serializers: {
        req: (req: SerializedReq) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
          remoteAddress: req.remoteAddress,
          headers: Object.fromEntries(
            LOGGED_HEADERS.filter((h) => req.headers?.[h] !== undefined).map((h) => [h, req.headers![h]]),
          ),
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
