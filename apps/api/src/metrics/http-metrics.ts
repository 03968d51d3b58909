import type { NextFunction, Request, Response } from 'express';
import type { PanelMetrics } from './panel-metrics';

/** Requests that no API route matched (the web app, its assets, 404s): one label, whatever the path. */
export const OTHER_ROUTE = '(other)';

/**
 * Counts and times every answer by its route template (`/api/servers/:id`), never by the raw
 * path: a scanner's thousand paths stay one series. Registered first, so the time includes the
 * body parsers and the guards.
 */
export function httpMetrics(metrics: PanelMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const template = (req.route as { path?: unknown } | undefined)?.path;
      const labels = {
        method: req.method,
        // Nest answers unknown paths from a catch-all route (`/{*path}`): that is no route of ours.
        route:
          typeof template === 'string' && !template.includes('*') ? `${req.baseUrl}${template}` : OTHER_ROUTE,
        status: String(res.statusCode),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
