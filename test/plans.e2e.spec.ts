import { DataSource } from 'typeorm';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { browser, Browser } from './helpers/http';
import { ozvpsctl, RunResult, RunningApi, startPanel } from './helpers/processes';

describe('plans through the API and ozvpsctl (built binaries, VirtFusion faked at the network boundary)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vf: FakeVirtFusion;
  let api: RunningApi;
  let admin: Browser;
  let customer: Browser;
  let anonymous: Browser;
  let cli: (...args: string[]) => Promise<RunResult>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    vf = await new FakeVirtFusion().start();
    vf.packages = [
      aPackage(1, { name: 'Starter' }),
      aPackage(2, { name: 'Pro' }),
      aPackage(3, { name: 'Hidden', enabled: false }),
    ];
    const env = { VIRTFUSION_URL: vf.url, VIRTFUSION_API_TOKEN: vf.token, VIRTFUSION_TIMEOUT_MS: '1000' };
    cli = (...args) => ozvpsctl(db.url, args, env);
    let origin: string;
    ({ api, origin } = await startPanel(db.url, { PLAN_SYNC_CRON: 'off', ...env }));
    // The start-up sync runs in the background; readiness did not wait for it.
    for (let i = 0; i < 100; i++) {
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM plan_sync_runs WHERE status <> 'running'`,
      );
      if (n > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    admin = await anAdminBrowser(api, origin, db.url, 'admin@example.test', env);
    customer = (await aCustomerBrowser(api, origin, 'c@example.test')).browser;
    anonymous = browser(api.baseUrl, origin);
  });

  afterAll(async () => {
    await api.stop();
    await ds.destroy();
    await db.drop();
    await vf.stop();
  });

  it('synced on start: every package is a plan, none on sale before it has a price', async () => {
    expect(await ds.query(`SELECT trigger, status FROM plan_sync_runs`)).toEqual([
      { trigger: 'startup', status: 'succeeded' },
    ]);
    expect((await anonymous.request('GET', '/api/plans')).body).toEqual({ plans: [] });
    const all = JSON.parse((await cli('plans', 'list', '--all', '--json')).stdout);
    expect(all.map((p: { virtfusionPackageId: number }) => p.virtfusionPackageId)).toEqual([1, 2, 3]);
    expect(Object.keys(all[0]).sort()).toEqual(
      [
        'id',
        'virtfusionPackageId',
        'name',
        'vcpu',
        'memoryMb',
        'storageGb',
        'trafficGb',
        'priceMonthlyCents',
        'enabled',
        'active',
      ].sort(),
    );
  });

  it('sets prices with ozvpsctl (by plan id or --package) and shows priced, enabled plans to everyone, cheapest first', async () => {
    const [pro] = await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 2`);
    const byId = await cli('plans', 'set-price', String(pro.id), '2500');
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(
      /^audit .* action=plans\.set-price user=- amount_cents=2500 currency=aud plan=\d+ package=2 previous_cents=none on_sale=true$/m,
    );
    expect((await cli('plans', 'set-price', '--package', '1', '900')).code).toBe(0);
    expect((await cli('plans', 'set-price', '--package', '3', '100')).code).toBe(0); // disabled in VirtFusion: priced, not on sale

    const listed = (await anonymous.request('GET', '/api/plans')).body as {
      plans: { name: string; priceMonthlyCents: number }[];
    };
    expect(listed.plans.map((p) => [p.name, p.priceMonthlyCents])).toEqual([
      ['Starter', 900],
      ['Pro', 2500],
    ]);
    const onSale = JSON.parse((await cli('plans', 'list', '--json')).stdout);
    expect(onSale.map((p: { name: string }) => p.name)).toEqual(['Starter', 'Pro']);
  });

  it('refuses bad set-price input with nothing written', async () => {
    const before = await ds.query(`SELECT id, price_monthly_cents FROM plans ORDER BY id`);
    for (const [args, code, message] of [
      [['plans', 'set-price', '--package', '1', '9.99'], 2, /whole number of cents/],
      [['plans', 'set-price', '--package', '1', '0'], 2, /greater than zero/],
      [['plans', 'set-price', '--package', '1', '10000001'], 2, /above the maximum/],
      [['plans', 'set-price', 'abc', '100'], 2, /plan id must be a whole number/],
      [['plans', 'set-price', '424242', '100'], 1, /No plan with id 424242/],
      [['plans', 'set-price', '--package', '1', '2', '100'], 2, /with --package <id>, give only the amount/],
      [['plans', 'set-price', '1'], 2, /give the plan id and the amount/],
      [['plans', 'set-price', '--package', 'x', '100'], 2, /--package must be a whole number/],
      [['plans', 'set-price', '--package', '99', '100'], 1, /No plan for VirtFusion package 99/],
    ] as const) {
      const r = await cli(...args);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toMatch(message);
    }
    expect(await ds.query(`SELECT id, price_monthly_cents FROM plans ORDER BY id`)).toEqual(before);
  });

  it('syncs on POST /api/admin/plans/sync for admins only, with the report', async () => {
    vf.packages = [
      aPackage(1, { name: 'Starter', cpuCores: 2 }),
      aPackage(2, { name: 'Pro' }),
      aPackage(3, { name: 'Hidden', enabled: false }),
    ];
    expect((await anonymous.request('POST', '/api/admin/plans/sync', { body: {} })).status).toBe(401);
    expect((await customer.request('POST', '/api/admin/plans/sync', { body: {} })).status).toBe(403);
    const r = await admin.request('POST', '/api/admin/plans/sync', { body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      created: 0,
      updated: 1,
      unchanged: 2,
      changes: [{ packageId: 1, kind: 'updated', fields: ['vcpu'] }],
    });
    const adminList = (await admin.request('GET', '/api/admin/plans')).body as {
      plans: unknown[];
      lastSyncRun: { trigger: string };
    };
    expect(adminList.plans).toHaveLength(3);
    expect(adminList.lastSyncRun).toMatchObject({ trigger: 'admin', status: 'succeeded' });
  });

  it('reports a failing VirtFusion (API 502, CLI exit 1) and leaves the plans as they were', async () => {
    const before = await ds.query(`SELECT * FROM plans ORDER BY id`);
    vf.failWith('401');
    try {
      const r = await admin.request('POST', '/api/admin/plans/sync', { body: {} });
      expect(r.status).toBe(502);
      expect(r.body).toEqual({
        error: {
          code: 'virtfusion_unauthorized',
          message: expect.stringMatching(/VIRTFUSION_API_TOKEN is wrong/),
        },
      });
      const c = await cli('plans', 'sync');
      expect(c.code).toBe(1);
      expect(c.stderr).toMatch(/^ozvpsctl: VirtFusion GET \/packages answered 401/m);
    } finally {
      vf.failWith('none', 0);
    }
    expect(await ds.query(`SELECT * FROM plans ORDER BY id`)).toEqual(before);
  });

  it('refuses an empty package list from the CLI unless --force', async () => {
    vf.packages = [];
    const refused = await cli('plans', 'sync');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/would take all 2 offered plan\(s\) off sale.*--force/);
    expect(((await anonymous.request('GET', '/api/plans')).body as { plans: unknown[] }).plans).toHaveLength(
      2,
    );
    const forced = await cli('plans', 'sync', '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ deactivated: 2, updated: 1 }); // package 3 was already off sale (disabled)
    expect((await anonymous.request('GET', '/api/plans')).body).toEqual({ plans: [] });
  });

  it('takes a plan off sale from the admin API (admins only) and ozvpsctl, and a sync does not put it back', async () => {
    vf.packages = [aPackage(1, { name: 'Starter' }), aPackage(2, { name: 'Pro' })];
    expect((await cli('plans', 'sync', '--force')).code).toBe(0);
    expect((await cli('plans', 'set-price', '--package', '1', '900')).code).toBe(0);
    expect((await cli('plans', 'set-price', '--package', '2', '2500')).code).toBe(0);
    const [starter] = await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 1`);
    const [pro] = await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 2`);
    const path = `/api/admin/plans/${starter.id}/off-sale`;
    expect((await anonymous.request('POST', path, { body: {} })).status).toBe(401);
    expect((await customer.request('POST', path, { body: {} })).status).toBe(403);
    expect(
      await ds.query(`SELECT price_monthly_cents::int AS p FROM plans WHERE id = $1`, [starter.id]),
    ).toEqual([{ p: 900 }]);
    const r = await admin.request('POST', path, { body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      plan: { id: Number(starter.id), priceMonthlyCents: null, active: false },
    });
    expect((await admin.request('POST', '/api/admin/plans/424242/off-sale', { body: {} })).status).toBe(404);

    const byCli = await cli('plans', 'off-sale', String(pro.id));
    expect(byCli.code).toBe(0);
    expect(byCli.stdout).toMatch(
      /^audit .* action=plans\.off-sale user=- plan=\d+ package=2 previous_cents=2500$/m,
    );
    expect((await cli('plans', 'off-sale', 'abc')).code).toBe(2);

    expect((await cli('plans', 'sync')).code).toBe(0);
    expect((await anonymous.request('GET', '/api/plans')).body).toEqual({ plans: [] });
    expect(
      await ds.query(
        `SELECT virtfusion_package_id AS pkg, price_monthly_cents, active FROM plans WHERE virtfusion_package_id IN (1, 2) ORDER BY 1`,
      ),
    ).toEqual([
      { pkg: 1, price_monthly_cents: null, active: false },
      { pkg: 2, price_monthly_cents: null, active: false },
    ]);
  });
});
