import { PATH_METADATA } from '@nestjs/common/constants';
import { ADMIN_ROUTE, PUBLIC_ROUTE } from './auth.decorators';

export type RouteAccess = 'public' | 'signed-in' | 'admin';

function paths(target: object): string[] {
  const value: unknown = Reflect.getMetadata(PATH_METADATA, target);
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** True when a declared path (controller or route part) has an `admin` segment, in any letter case. */
export function declaredUnderAdmin(handler: object, controller: object): boolean {
  return [...paths(controller), ...paths(handler)].some((p) =>
    p.split('/').some((segment) => segment.toLowerCase() === 'admin'),
  );
}

/**
 * Who may call a route, from the matched route's metadata alone — never from the request's path,
 * whose spelling the client chooses. A route declared under api/admin is admin even without its
 * marker (fail closed); the route walk in test/routes.e2e.spec.ts still insists on the marker.
 */
export function routeAccess(handler: object, controller: object): RouteAccess {
  const marked = (key: string) =>
    Reflect.getMetadata(key, handler) === true || Reflect.getMetadata(key, controller) === true;
  if (marked(ADMIN_ROUTE) || declaredUnderAdmin(handler, controller)) return 'admin';
  if (marked(PUBLIC_ROUTE)) return 'public';
  return 'signed-in';
}

/** True when the route (or its controller) carries the marker `key`, e.g. OPEN_DURING_ENROLMENT. */
export function routeMarked(key: string, handler: object, controller: object): boolean {
  return Reflect.getMetadata(key, handler) === true || Reflect.getMetadata(key, controller) === true;
}
