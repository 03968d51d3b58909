import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * Serves the built SPA: hashed assets cached for a year, index.html never cached, so a browser
 * picks up a new release on its next navigation. Every GET outside /api falls back to index.html.
 */
export function serveWebApp(app: NestExpressApplication, webDir: string): boolean {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) return false;
  app.useStaticAssets(join(webDir, 'assets'), {
    prefix: '/assets',
    immutable: true,
    maxAge: '365d',
    index: false,
  });
  app.useStaticAssets(webDir, {
    index: false,
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || apiLike(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}

/**
 * Any spelling of an API path (`//api/…`, `/API/…`, `/x/../api/…`, `/%61pi/…`) is left to the
 * router, which knows only the exact spelling: such a request gets a JSON 404, never the SPA.
 * So is /metrics (and its spellings): a scraper gets the metrics or a JSON error, never a page.
 */
function apiLike(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  const p = posix.normalize(decoded.replace(/\\/g, '/')).toLowerCase();
  return p === '/api' || p === '/api/' || p.startsWith('/api/') || p === '/metrics' || p === '/metrics/';
}
