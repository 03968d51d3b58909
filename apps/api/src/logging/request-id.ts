import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What a proxy or a client may name a request: short, and nothing a log line could trip on. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Gives each request an id: the caller's X-Request-Id when it is short and plain (a proxy's id
 * ties its log to ours), a new UUID otherwise. It is sent back in the response header and is
 * the `requestId` of every JSON log line written for the request.
 */
export function requestId() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
    (req as Request & { id?: string }).id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}
