import { Controller, Get, INestApplication, Module, Post } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppModule } from '../apps/api/src/app.module';
import { Admin, Public } from '../apps/api/src/auth/auth.decorators';
import { createPanelApp } from '../apps/api/src/http-app';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { Browser } from './helpers/http';
import { testConfig } from './helpers/panel';
import { RunningApi, startPanel } from './helpers/processes';
import { rawRequest } from './helpers/raw-http';
import { walkRoutes, WalkedRoute } from './helpers/routes';

const BUILD = { version: 'test', commit: 'test', builtAt: null };

/** The panel's own app, initialised in this process so its router can be read. */
async function panelRouter(databaseUrl: string): Promise<INestApplication> {
  const config = testConfig(databaseUrl, { PLAN_SYNC_CRON: 'off' });
  const app = await createPanelApp(AppModule.forRoot(config, BUILD), config, false);
  return app.init();
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
  let api: RunningApi;
  let origin: string;
  let customer: Browser;
  let customerId: number;
  let admin: Browser;
  let planId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    app = await panelRouter(db.url);
    const walk = walkRoutes(app);
    expect(walk.problems).toEqual([]);
    routes = walk.routes;
    ({ api, origin } = await startPanel(db.url));
    ({ browser: customer, id: customerId } = await aCustomerBrowser(api, origin, 'mallory@example.test'));
    admin = await anAdminBrowser(api, origin, db.url, 'root@example.test');
    [{ id: planId }] = await ds.query(
      `INSERT INTO plans (virtfusion_package_id, name, vcpu, memory_mb, storage_gb, traffic_gb,
         network_speed_in_mbps, network_speed_out_mbps, enabled, present, active, price_monthly_cents, last_synced_at)
       VALUES (7, 'Small', 1, 1024, 20, 0, 1000, 1000, true, true, true, 1500, now()) RETURNING id::int AS id`,
    );
  });

  afterAll(async () => {
    await app?.close();
    await api?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  it('finds every route in the router, each public, signed-in or admin on purpose', () => {
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
      'GET /api/billing/stripe/status': 'admin',
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
        (SELECT string_agg(id || ':' || role, ',' ORDER BY id) FROM users) AS roles`);
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
        const headers: Record<string, string> = { origin, cookie: `ozvps_session=${customer.token}` };
        if (body) headers['content-type'] = 'application/json';
        const r = await rawRequest(api.baseUrl, route.method, spelling, { headers, body });
        if (![401, 403, 404].includes(r.status)) leaks.push(`${route.method} ${spelling} -> ${r.status}`);
        else if (r.status !== 404 || spelling === path)
          expect(JSON.parse(r.body)).toMatchObject({ error: { code: expect.any(String) } });
      }
    }
    expect(leaks).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it('routes only the exact spelling: other spellings are a 404 even for an admin', async () => {
    const headers = { origin, cookie: `ozvps_session=${admin.token}` };
    expect((await rawRequest(api.baseUrl, 'GET', '/api/admin/users', { headers })).status).toBe(200);
    for (const spelling of spellings('/api/admin/users')) {
      const r = await rawRequest(api.baseUrl, 'GET', spelling, { headers });
      expect({ spelling, status: r.status }).toEqual({ spelling, status: 404 });
      expect(r.headers['content-type']).toMatch(/application\/json/);
    }
    expect((await rawRequest(api.baseUrl, 'GET', '/api/health/')).status).toBe(404);
    expect((await rawRequest(api.baseUrl, 'GET', '/API/health')).status).toBe(404);
  });
});
