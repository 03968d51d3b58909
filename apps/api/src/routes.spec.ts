import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, INestApplication, Module, Post, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuthService, UsersService } from '@ozvps/users';
import { createTestDatabase, openDataSource, TestDatabase } from '../../../test/helpers/database';
import { testConfig } from '../../../test/helpers/panel';
import { rawRequest } from '../../../test/helpers/raw-http';
import { AppModule } from './app.module';
import {
  Admin,
  ADMIN_ROUTE,
  OPEN_DURING_ENROLMENT,
  Public,
  PUBLIC_ROUTE,
  SECOND_FACTOR_STEP,
} from './auth/auth.decorators';
import { RouteAccess, routeAccess, routeMarked } from './auth/route-access';
import { createPanelApp } from './http-app';
import { serveWebApp } from './web-app';
import { aPlanOnSale } from '../../../test/helpers/builders';

// The route walk runs in this process, on the app main.ts builds (createPanelApp + the web app
// fallback), so the routes it reads from the router are exactly the ones it then attacks.

interface WalkedRoute {
  method: string;
  path: string;
  access: RouteAccess;
  controller: string;
}

interface RouteWalk {
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
function walkRoutes(app: INestApplication): RouteWalk {
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
        if (
          name === 'constructor' ||
          typeof handler !== 'function' ||
          Reflect.getMetadata(METHOD_METADATA, handler) === undefined
        )
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

const BUILD = { version: 'test', commit: 'test', builtAt: null };

const WEB_BUILD = join(__dirname, '..', '..', '..', 'dist', 'web');

/** The panel's app as main.ts serves it, listening on a free port of this process. */
async function aPanel(databaseUrl: string): Promise<{ app: INestApplication; baseUrl: string }> {
  const config = testConfig(databaseUrl, { PLAN_SYNC_CRON: 'off' });
  const app = await createPanelApp(AppModule.forRoot(config, BUILD), config, false);
  // The SPA fallback takes every GET outside /api: with it in place, no spelling may reach it.
  if (existsSync(WEB_BUILD)) serveWebApp(app, WEB_BUILD);
  await app.listen(0, '127.0.0.1');
  return { app, baseUrl: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** Every way a client might spell `path` that a lenient router or proxy could take for it. */
function spellings(path: string): string[] {
  const upper = path.toUpperCase();
  const capitalised = path.replace('/admin', '/Admin');
  const apiUpper = path.replace('/api/', '/API/');
  return [
    upper,
    capitalised,
    apiUpper,
    path.replace('/admin', '/aDMin'),
    `${path}/`,
    `${capitalised}/`,
    `/${path}`,
    path.replace('/admin', '//admin'),
    path.replace('/api/admin/', '/api/admin//'),
    path.replace('/admin', '/%61dmin'),
    path.replace('/admin', '/%41dmin'),
    path.replace('/api/', '/%61pi/'),
    path.replace('/admin/', '/admin%2F'),
    path.replace('/admin', '/./admin'),
    path.replace('/admin', '/admin/.').replace('/admin/./', '/admin/./'),
    path.replace('/admin', '/x/../admin'),
    path.replace('/admin', '/x/%2E%2E/admin'),
    path.replace('/api/admin', '/api/Admin/../admin'),
    `${path}/.`,
  ].filter((p, i, all) => p !== path && all.indexOf(p) === i);
}

describe('routes: access is decided from route metadata, for every registered route', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let app: INestApplication;
  let routes: WalkedRoute[];
  let problems: string[];
  let baseUrl: string;
  let customerToken: string;
  let customerId: number;
  let adminToken: string;
  let planId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    ({ app, baseUrl } = await aPanel(db.url));
    ({ routes, problems } = walkRoutes(app));
    const users = app.get(UsersService);
    const auth = app.get(AuthService);
    const customer = await users.create({ email: 'mallory@example.test' });
    customerId = customer.id;
    customerToken = (await auth.startSession(customer)).token;
    adminToken = (await auth.startSession(await users.create({ email: 'root@example.test', role: 'admin' })))
      .token;
    planId = await aPlanOnSale(ds);
    // A dead message under the id the attacks use, so a retry that got through would show.
    await ds.query(
      `INSERT INTO outbox_messages (id, recipient, kind, subject, body_text, body_html, dedupe_key, status, give_up_at)
       OVERRIDING SYSTEM VALUE VALUES ($1, 'x@example.test', 'welcome', 's', 't', 'h', 'routes:dead', 'dead', now())`,
      [customerId],
    );
  });

  afterAll(async () => {
    await app?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('finds every route in the router, each public, signed-in or admin on purpose', () => {
    expect(problems).toEqual([]);
    const access = Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.access]));
    // Spot checks that the walk sees what the README promises, and that it saw them all.
    expect(access).toMatchObject({
      'GET /api/health': 'public',
      'POST /api/stripe/webhook': 'public',
      'GET /api/plans': 'public',
      'GET /api/wallet': 'signed-in',
      'POST /api/servers': 'signed-in',
      'GET /api/admin/users': 'admin',
      'POST /api/admin/users/:id/wallet/adjustments': 'admin',
      'PUT /api/admin/plans/:id/price': 'admin',
      'POST /api/admin/plans/sync': 'admin',
      'POST /api/admin/plans/:id/off-sale': 'admin',
      'GET /api/auth/session': 'public',
      'GET /api/billing/stripe/status': 'admin',
      'GET /api/admin/mail': 'admin',
      'GET /api/admin/mail/:id': 'admin',
      'GET /api/admin/mail/:id/preview': 'admin',
      'POST /api/admin/mail/:id/retry': 'admin',
      'GET /api/account/preferences': 'signed-in',
      'PUT /api/account/preferences': 'signed-in',
      // Accounts (wt/acct): emailed links are public; the rest is the signed-in user's own.
      'POST /api/auth/verify-email': 'public',
      'POST /api/auth/verify-email/resend': 'signed-in',
      'POST /api/auth/forgot-password': 'public',
      'POST /api/auth/reset-password': 'public',
      'POST /api/account/password': 'signed-in',
      'POST /api/account/email': 'signed-in',
      'GET /api/account/sessions': 'signed-in',
      'DELETE /api/account/sessions/:id': 'signed-in',
      'POST /api/account/sessions/revoke-others': 'signed-in',
      'GET /api/servers/:id/state': 'signed-in',
      'POST /api/servers/:id/power': 'signed-in',
      'POST /api/servers/:id/reset-password': 'signed-in',
      'POST /api/servers/:id/reinstall': 'signed-in',
      'POST /api/servers/:id/cancel-at-period-end': 'signed-in',
      'POST /api/virtfusion/login': 'signed-in',
      'GET /api/ssh-keys': 'signed-in',
      'DELETE /api/ssh-keys/:id': 'signed-in',
      'GET /api/admin/servers': 'admin',
      'GET /api/admin/servers/:id': 'admin',
      'POST /api/admin/servers/:id/power': 'admin',
      'POST /api/admin/servers/:id/reset-password': 'admin',
      'POST /api/admin/servers/:id/suspend': 'admin',
      'POST /api/admin/servers/:id/terminate': 'admin',
      'GET /api/admin/forecast': 'admin',
      'GET /api/admin/health': 'admin',
      'GET /api/documents': 'signed-in',
      'GET /api/documents/:number': 'signed-in',
      'GET /api/documents/:number/pdf': 'signed-in',
      'GET /api/account/billing-details': 'signed-in',
      'PUT /api/account/billing-details': 'signed-in',
      'GET /api/admin/users/:id/documents': 'admin',
      'GET /metrics': 'public',
      // Two-factor sign-in (the verify step is open to a session owing its code: see below).
      'POST /api/auth/2fa/verify': 'signed-in',
      'GET /api/account/2fa': 'signed-in',
      'POST /api/account/2fa/enrol': 'signed-in',
      'POST /api/account/2fa/confirm': 'signed-in',
      'POST /api/account/2fa/recovery-codes': 'signed-in',
      'POST /api/account/2fa/disable': 'signed-in',
      'GET /api/admin/audit': 'admin',
      'POST /api/admin/users/:id/role': 'admin',
      'POST /api/admin/users/:id/sign-out-everywhere': 'admin',
      'POST /api/admin/users/:id/disable': 'admin',
      'POST /api/admin/users/:id/enable': 'admin',
      'POST /api/admin/users/:id/password-reset-link': 'admin',
    });
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const r of routes) {
      expect(['public', 'signed-in', 'admin']).toContain(r.access);
      if (r.path.toLowerCase().split('/').includes('admin')) expect(r).toMatchObject({ access: 'admin' });
    }
  });

  it('reports an admin controller that forgot its @Admin() marker, and other marking mistakes', async () => {
    @Controller('api/admin/forgotten')
    class ForgottenAdminController {
      @Post('grant')
      grant() {
        return { granted: true };
      }
    }
    @Controller('api/reports')
    class HalfMarkedController {
      @Admin()
      @Get('revenue')
      revenue() {
        return {};
      }
    }
    @Public()
    @Admin()
    @Controller('api/confused')
    class ConfusedController {
      @Get()
      get() {
        return {};
      }
    }
    @Module({ controllers: [ForgottenAdminController, HalfMarkedController, ConfusedController] })
    class CarelessModule {}
    const config = testConfig(db.url);
    const careless = await (await createPanelApp({ module: CarelessModule }, config, false)).init();
    try {
      const { problems, routes: found } = walkRoutes(careless);
      expect(found.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
        'GET /api/confused',
        'GET /api/reports/revenue',
        'POST /api/admin/forgotten/grant',
      ]);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^POST \/api\/admin\/forgotten\/grant .*not marked @Admin\(\)/),
          expect.stringMatching(/^GET \/api\/reports\/revenue .*belongs on the controller/),
          expect.stringMatching(/^GET \/api\/confused .*both @Admin\(\) and @Public\(\)/),
        ]),
      );
    } finally {
      await careless.close();
    }
  });

  async function state() {
    const [row] = await ds.query(`SELECT
        (SELECT count(*)::int FROM wallet_transactions) AS ledger_rows,
        (SELECT coalesce(sum(balance_cents), 0)::text FROM wallets) AS balances,
        (SELECT string_agg(id || ':' || coalesce(price_monthly_cents::text, '-'), ',') FROM plans) AS prices,
        (SELECT count(*)::int FROM plan_sync_runs) AS sync_runs,
        (SELECT string_agg(id || ':' || role, ',' ORDER BY id) FROM users) AS roles,
        (SELECT string_agg(id || ':' || status || ':' || attempts, ',' ORDER BY id) FROM outbox_messages) AS mail,
        (SELECT count(*)::int FROM audit_events) AS audit_rows,
        (SELECT count(*)::int FROM outbox_messages WHERE kind = 'password-reset') AS reset_links,
        (SELECT count(*)::int FROM users WHERE disabled_at IS NOT NULL) AS disabled_users,
        (SELECT count(*)::int FROM sessions WHERE revoked_at IS NOT NULL) AS revoked_sessions`);
    return row as Record<string, unknown>;
  }

  /** What a customer would send to do the most damage through each admin route. */
  function attack(route: WalkedRoute): { path: string; body?: string } {
    const path = route.path.replace(':id/price', `${planId}/price`).replace(/:id\b/g, String(customerId));
    if (route.method === 'GET') return { path };
    if (path.endsWith('/wallet/adjustments'))
      return {
        path,
        body: JSON.stringify({
          direction: 'credit',
          amountCents: 10_000_000,
          reason: 'free money',
          confirm: true,
        }),
      };
    if (path.endsWith('/price')) return { path, body: JSON.stringify({ priceMonthlyCents: 1 }) };
    if (path.endsWith('/role')) return { path, body: JSON.stringify({ role: 'admin' }) };
    return { path, body: JSON.stringify({ force: true }) };
  }

  it('refuses a customer every admin route under every spelling of its path, changing nothing', async () => {
    const adminRoutes = routes.filter((r) => r.access === 'admin');
    expect(adminRoutes.length).toBeGreaterThanOrEqual(7);
    const before = await state();
    const leaks: string[] = [];
    for (const route of adminRoutes) {
      const { path, body } = attack(route);
      for (const spelling of [path, ...spellings(path)]) {
        const headers: Record<string, string> = { cookie: `ozvps_session=${customerToken}` };
        if (body) headers['content-type'] = 'application/json';
        const r = await rawRequest(baseUrl, route.method, spelling, { headers, body });
        if (![401, 403, 404].includes(r.status)) leaks.push(`${route.method} ${spelling} -> ${r.status}`);
        else if (r.status !== 404 || spelling === path)
          expect(JSON.parse(r.body)).toMatchObject({ error: { code: expect.any(String) } });
      }
    }
    expect(leaks).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it('opens only the code step and sign-out to a session owing its second factor, and only enrolment to an admin who must enrol', () => {
    const marked = (key: string) => {
      const found: string[] = [];
      for (const module of app.get(ModulesContainer).values()) {
        for (const wrapper of module.controllers.values()) {
          const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
          if (!controller) continue;
          const proto = controller.prototype as Record<string, object>;
          for (const name of Object.getOwnPropertyNames(proto)) {
            const handler = proto[name]!;
            if (name === 'constructor' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined)
              continue;
            if (!routeMarked(key, handler, controller)) continue;
            const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
            for (const base of asList(Reflect.getMetadata(PATH_METADATA, controller)))
              for (const sub of asList(Reflect.getMetadata(PATH_METADATA, handler)))
                found.push(`${method} ${joinPath(base, sub)}`);
          }
        }
      }
      return found.sort();
    };
    expect(marked(SECOND_FACTOR_STEP)).toEqual(['POST /api/auth/2fa/verify', 'POST /api/auth/logout']);
    expect(marked(OPEN_DURING_ENROLMENT)).toEqual([
      'GET /api/account/2fa',
      'GET /api/auth/me',
      'POST /api/account/2fa/confirm',
      'POST /api/account/2fa/disable',
      'POST /api/account/2fa/enrol',
      'POST /api/account/2fa/recovery-codes',
      'POST /api/auth/logout',
    ]);
  });

  it('routes only the exact spelling: other spellings are a 404 even for an admin', async () => {
    const headers = { cookie: `ozvps_session=${adminToken}` };
    expect((await rawRequest(baseUrl, 'GET', '/api/admin/users', { headers })).status).toBe(200);
    for (const spelling of spellings('/api/admin/users')) {
      const r = await rawRequest(baseUrl, 'GET', spelling, { headers });
      expect({ spelling, status: r.status }).toEqual({ spelling, status: 404 });
      expect(r.headers['content-type']).toMatch(/application\/json/);
    }
    expect((await rawRequest(baseUrl, 'GET', '/api/health/')).status).toBe(404);
    expect((await rawRequest(baseUrl, 'GET', '/API/health')).status).toBe(404);
  });
});
