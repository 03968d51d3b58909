import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ADMIN_ROUTE, PUBLIC_ROUTE } from '../../apps/api/src/auth/auth.decorators';
import { RouteAccess, routeAccess } from '../../apps/api/src/auth/route-access';

export interface WalkedRoute {
  method: string;
  path: string;
  access: RouteAccess;
  controller: string;
}

export interface RouteWalk {
  routes: WalkedRoute[];
  /** Why the access of some route is not on purpose; empty when every route is marked as it must be. */
  problems: string[];
}

const joinPath = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

const asList = (value: unknown): string[] =>
  value === undefined ? [''] : (Array.isArray(value) ? value : [value]).map(String);

const hasAdminSegment = (path: string) => path.split('/').some((s) => s.toLowerCase() === 'admin');

/**
 * Every route the Express router of an initialised app holds, each matched to the Nest handler
 * that declared it and classified by the same function the SessionGuard uses. A router route no
 * handler accounts for is a problem too: nothing is left out because a list forgot it.
 */
export function walkRoutes(app: INestApplication): RouteWalk {
  const problems: string[] = [];
  const declared = new Map<string, WalkedRoute>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const classAdmin = Reflect.getMetadata(ADMIN_ROUTE, controller) === true;
      const classPublic = Reflect.getMetadata(PUBLIC_ROUTE, controller) === true;
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined)
          continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const access = routeAccess(handler, controller);
        const handlerAdmin = Reflect.getMetadata(ADMIN_ROUTE, handler) === true;
        const handlerPublic = Reflect.getMetadata(PUBLIC_ROUTE, handler) === true;
        for (const base of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const sub of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            const path = joinPath(base, sub);
            const route = { method, path, access, controller: controller.name };
            declared.set(`${method} ${path}`, route);
            const where = `${method} ${path} (${controller.name}.${name})`;
            if (hasAdminSegment(path) && !classAdmin)
              problems.push(`${where}: under admin but its controller is not marked @Admin()`);
            if (handlerAdmin && !classAdmin)
              problems.push(`${where}: @Admin() belongs on the controller, not one route`);
            if ((classAdmin || handlerAdmin) && (classPublic || handlerPublic))
              problems.push(`${where}: marked both @Admin() and @Public()`);
          }
        }
      }
    }
  }

  const router = (
    app.getHttpAdapter().getInstance() as {
      router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    }
  ).router;
  const routes: WalkedRoute[] = [];
  for (const layer of router.stack) {
    if (!layer.route) continue;
    for (const m of Object.keys(layer.route.methods)) {
      const method = m === '_all' ? 'ALL' : m.toUpperCase();
      const route = declared.get(`${method} ${layer.route.path}`);
      if (!route) {
        problems.push(`${method} ${layer.route.path}: in the router, but no handler declares its access`);
        continue;
      }
      routes.push(route);
    }
  }
  return { routes, problems };
}
