import { DataSource } from 'typeorm';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { Browser } from './helpers/http';
import { RunningApi, startPanel } from './helpers/processes';
import { rawRequest } from './helpers/raw-http';
import { aPlanOnSale } from './helpers/builders';

// The exhaustive walk over every registered route is apps/api/src/routes.spec.ts; this file holds
// the issue's own examples against the built panel, as an operator runs it.
describe('admin routes under other spellings (the built API)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let api: RunningApi;
  let origin: string;
  let customer: Browser;
  let customerId: number;
  let admin: Browser;
  let planId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    ({ api, origin } = await startPanel(db.url));
    ({ browser: customer, id: customerId } = await aCustomerBrowser(api, origin, 'mallory@example.test'));
    admin = await anAdminBrowser(api, origin, db.url, 'root@example.test');
    planId = await aPlanOnSale(ds);
  });

  afterAll(async () => {
    await api?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  const as = (who: Browser, method: string, path: string, body?: unknown) =>
    rawRequest(api.baseUrl, method, path, {
      headers: {
        origin,
        cookie: `ozvps_session=${who.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('refuses a customer the wallet adjustment, the user list and a price change, however spelled', async () => {
    const [before] = await ds.query(
      `SELECT (SELECT count(*)::int FROM wallet_transactions) AS rows,
              (SELECT coalesce(sum(balance_cents), 0)::text FROM wallets) AS balances,
              (SELECT price_monthly_cents::text FROM plans WHERE id = $1) AS price`,
      [planId],
    );
    const adjustment = { direction: 'credit', amountCents: 10_000_000, reason: 'free money', confirm: true };
    const attempts: [string, string, unknown][] = [
      ['POST', `/api/Admin/users/${customerId}/wallet/adjustments`, adjustment],
      ['POST', `/api/admin/users/${customerId}/wallet/adjustments/`, adjustment],
      ['POST', `//api/admin/users/${customerId}/wallet/adjustments`, adjustment],
      ['POST', `/api/%61dmin/users/${customerId}/wallet/adjustments`, adjustment],
      ['POST', `/api/x/../admin/users/${customerId}/wallet/adjustments`, adjustment],
      ['POST', `/api/admin/users/${customerId}/wallet/adjustments`, adjustment],
      ['GET', '/api/ADMIN/users', undefined],
      ['GET', '/api/admin/users/', undefined],
      ['GET', '/api/./admin/users', undefined],
      ['GET', '/api/admin/users', undefined],
      ['PUT', `/api/ADMIN/plans/${planId}/price`, { priceMonthlyCents: 1 }],
      ['PUT', `/api/admin/plans/${planId}/price`, { priceMonthlyCents: 1 }],
    ];
    const answers = [];
    for (const [method, path, body] of attempts) {
      const r = await as(customer, method, path, body);
      answers.push([method, path, r.status]);
      expect(r.headers['content-type']).toMatch(/application\/json/);
    }
    expect(answers).toEqual(
      attempts.map(([method, path]) => [method, path, /[A-Z%.]|\/\/|\/$/.test(path) ? 404 : 403]),
    );
    const [after] = await ds.query(
      `SELECT (SELECT count(*)::int FROM wallet_transactions) AS rows,
              (SELECT coalesce(sum(balance_cents), 0)::text FROM wallets) AS balances,
              (SELECT price_monthly_cents::text FROM plans WHERE id = $1) AS price`,
      [planId],
    );
    expect(after).toEqual(before);
  });

  it('routes only the exact spelling, for an admin too, and never falls back to the web app', async () => {
    expect((await as(admin, 'GET', '/api/admin/users')).status).toBe(200);
    for (const path of ['/api/Admin/users', '/api/admin/users/', '//api/admin/users', '/API/health']) {
      const r = await as(admin, 'GET', path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'not_found' } });
    }
    // The web app still answers its own paths.
    const page = await rawRequest(api.baseUrl, 'GET', '/admin/users');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
  });

  it("refuses a customer the admin list of a user's documents, however spelled (issue 18)", async () => {
    const attempts = [
      `/api/admin/users/${customerId}/documents`,
      `/api/Admin/users/${customerId}/documents`,
      `/api/admin/users/${customerId}/documents/`,
      `//api/admin/users/${customerId}/documents`,
      `/api/%61dmin/users/${customerId}/documents`,
    ];
    const answers = [];
    for (const path of attempts) answers.push([path, (await as(customer, 'GET', path)).status]);
    expect(answers).toEqual(attempts.map((path) => [path, /[A-Z%]|\/\/|\/$/.test(path) ? 404 : 403]));
    expect((await as(admin, 'GET', `/api/admin/users/${customerId}/documents`)).status).toBe(200);
  });
});
