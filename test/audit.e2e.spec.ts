import { DataSource } from 'typeorm';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aCustomerBrowser, anAdminBrowser, PASSWORD } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { browser, Browser } from './helpers/http';
import { ozvpsctl, RunningApi, SUDO_USER, startPanel } from './helpers/processes';

interface AuditRow {
  id: number;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
}

describe('the audit trail: one row per admin action, from the web and from ozvpsctl (built API, fake VirtFusion)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vf: FakeVirtFusion;
  let smtp: FakeSmtp;
  let api: RunningApi;
  let origin: string;
  let admin: Browser;
  let adminId: number;
  let customer: { browser: Browser; id: number };
  let planId: number;
  let n = 0;

  const vfEnv = () => ({
    VIRTFUSION_URL: vf.url,
    VIRTFUSION_API_TOKEN: vf.token,
    VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
    VIRTFUSION_TIMEOUT_MS: '1000',
    SMTP_URL: smtp.url,
  });
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
    ozvpsctl(db.url, args, { ...vfEnv(), ...env }, input);
  const lastId = async () =>
    Number((await ds.query(`SELECT coalesce(max(id), 0) AS id FROM audit_events`))[0].id);
  const rowsAfter = (id: number) =>
    ds.query(
      `SELECT id::int, actor, action, target_type, target_id, before, after, reason
         FROM audit_events WHERE id > $1 ORDER BY id`,
      [id],
    ) as Promise<AuditRow[]>;

  /** Runs `act` and returns the audit rows it wrote (asserted to be exactly one). */
  async function theOneRowOf(act: () => Promise<unknown>): Promise<AuditRow> {
    const before = await lastId();
    await act();
    const rows = await rowsAfter(before);
    expect(rows.map((r) => r.action)).toHaveLength(1);
    return rows[0]!;
  }

  async function noRowFrom(act: () => Promise<unknown>): Promise<void> {
    const before = await lastId();
    await act();
    expect(await rowsAfter(before)).toEqual([]);
  }

  const ok = async (p: Promise<{ status: number; body: unknown }>, status = 200) => {
    const r = await p;
    expect({ status: r.status, body: r.body }).toMatchObject({ status });
    return r;
  };
  const cliOk = async (p: ReturnType<typeof cli>) => {
    const r = await p;
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    return r;
  };

  async function aServer(): Promise<{ id: number; hostname: string }> {
    const hostname = `audit${++n}.example.test`;
    const r = await customer.browser.request('POST', '/api/servers', {
      body: { planId, osTemplateId: 8, hostname, idempotencyKey: `audit-${n}-${Date.now()}` },
    });
    expect(r.status).toBe(201);
    return { id: (r.body as { server: { id: number } }).server.id, hostname };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    vf = await new FakeVirtFusion().start();
    smtp = await startFakeSmtp();
    vf.packages = [aPackage(1, { name: 'Starter', traffic: 500 })];
    ({ api, origin } = await startPanel(db.url, vfEnv()));
    for (let i = 0; i < 100 && !(await ds.query(`SELECT 1 FROM plans`)).length; i++)
      await new Promise((r) => setTimeout(r, 100));
    await cliOk(cli(['plans', 'set-price', '--package', '1', '1200']));
    planId = Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 1`))[0].id);
    customer = await aCustomerBrowser(api, origin, 'carol@example.test');
    await cliOk(cli(['wallet', 'add', String(customer.id), '50000', '--reason', 'opening']));
    admin = await anAdminBrowser(api, origin, db.url, 'root@example.test');
    adminId = Number((await ds.query(`SELECT id FROM users WHERE email = 'root@example.test'`))[0].id);
  });

  afterAll(async () => {
    await api?.stop();
    await vf?.stop();
    await smtp?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('web: wallet credit and deduct are one row each, naming the admin, with the balance before and after and the reason', async () => {
    const webActor = `admin:${adminId}:root@example.test`;
    const [{ balance }] = await ds.query(
      `SELECT balance_cents::int AS balance FROM wallets WHERE user_id = $1`,
      [customer.id],
    );
    const credit = await theOneRowOf(() =>
      ok(
        admin.request('POST', `/api/admin/users/${customer.id}/wallet/adjustments`, {
          body: { direction: 'credit', amountCents: 500, reason: 'goodwill for ticket 7' },
        }),
        201,
      ),
    );
    expect(credit).toMatchObject({
      actor: webActor,
      action: 'wallet.credit',
      target_type: 'user',
      target_id: String(customer.id),
      before: { balanceCents: balance },
      after: { balanceCents: balance + 500, amountCents: 500 },
      reason: 'goodwill for ticket 7',
    });
    const deduct = await theOneRowOf(() =>
      ok(
        admin.request('POST', `/api/admin/users/${customer.id}/wallet/adjustments`, {
          body: { direction: 'debit', amountCents: 200, reason: 'correction', confirm: true },
        }),
        201,
      ),
    );
    expect(deduct).toMatchObject({
      actor: webActor,
      action: 'wallet.deduct',
      before: { balanceCents: balance + 500 },
      after: { balanceCents: balance + 300, amountCents: -200 },
    });
  });

  it('web: a refused deduction writes no audit row, and a repeated request key writes one', async () => {
    await noRowFrom(async () => {
      const r = await admin.request('POST', `/api/admin/users/${customer.id}/wallet/adjustments`, {
        body: { direction: 'debit', amountCents: 99_000_000, reason: 'too much', confirm: true },
      });
      expect(r.body).toMatchObject({ error: { code: 'insufficient_funds' } });
    });
    const before = await lastId();
    const body = {
      direction: 'credit',
      amountCents: 100,
      reason: 'double click',
      requestKey: 'audit-key-0001',
    };
    const [a, b] = await Promise.all([
      admin.request('POST', `/api/admin/users/${customer.id}/wallet/adjustments`, { body }),
      admin.request('POST', `/api/admin/users/${customer.id}/wallet/adjustments`, { body }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await rowsAfter(before)).map((r) => r.action)).toEqual(['wallet.credit']);
  });

  it('web: role change, sign out everywhere, disable and enable are one row each', async () => {
    const target = await aCustomerBrowser(api, origin, 'dave@example.test');
    const role = await theOneRowOf(() =>
      ok(admin.request('POST', `/api/admin/users/${target.id}/role`, { body: { role: 'admin' } })),
    );
    expect(role).toMatchObject({
      action: 'users.set-role',
      target_id: String(target.id),
      before: { role: 'user' },
      after: { role: 'admin' },
    });
    await theOneRowOf(() =>
      ok(admin.request('POST', `/api/admin/users/${target.id}/role`, { body: { role: 'user' } })),
    );
    // The same role again changes nothing and records nothing.
    await noRowFrom(() =>
      ok(admin.request('POST', `/api/admin/users/${target.id}/role`, { body: { role: 'user' } })),
    );

    expect((await target.browser.request('GET', '/api/wallet')).status).toBe(200);
    const signOut = await theOneRowOf(() =>
      ok(admin.request('POST', `/api/admin/users/${target.id}/sign-out-everywhere`, { body: {} })),
    );
    expect(signOut).toMatchObject({ action: 'users.sign-out-everywhere', after: { sessionsRevoked: 1 } });
    expect((await target.browser.request('GET', '/api/wallet')).status).toBe(401);

    expect(
      (
        await target.browser.request('POST', '/api/auth/login', {
          body: { email: 'dave@example.test', password: PASSWORD },
        })
      ).status,
    ).toBe(200);
    const disable = await theOneRowOf(() =>
      ok(admin.request('POST', `/api/admin/users/${target.id}/disable`, { body: {} })),
    );
    expect(disable).toMatchObject({
      action: 'users.disable',
      before: { disabledAt: null },
      after: { sessionsRevoked: 1 },
    });
    await theOneRowOf(() => ok(admin.request('POST', `/api/admin/users/${target.id}/enable`, { body: {} })));
  });

  it('a disabled user cannot sign in and their open session stops working; their servers keep running; enabled, they sign in again', async () => {
    const server = await aServer();
    const fresh = browser(api.baseUrl, origin);
    const signIn = () =>
      fresh.request('POST', '/api/auth/login', { body: { email: 'carol@example.test', password: PASSWORD } });
    expect((await customer.browser.request('GET', '/api/wallet')).status).toBe(200);

    await ok(admin.request('POST', `/api/admin/users/${customer.id}/disable`, { body: {} }));
    expect((await customer.browser.request('GET', '/api/wallet')).status).toBe(401);
    const refused = await signIn();
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: 'account_disabled' } });
    expect(refused.token).toBeNull();
    // A wrong password still says only that: being disabled is not told to someone without it.
    const wrong = await fresh.request('POST', '/api/auth/login', {
      body: { email: 'carol@example.test', password: 'not the password at all' },
    });
    expect(wrong.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect(await ds.query(`SELECT status FROM servers WHERE id = $1`, [server.id])).toEqual([
      { status: 'active' },
    ]);
    expect(
      (
        await ds.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [
          customer.id,
        ])
      )[0].n,
    ).toBe(0);

    await ok(admin.request('POST', `/api/admin/users/${customer.id}/enable`, { body: {} }));
    const back = await signIn();
    expect(back.status).toBe(200);
    customer.browser = fresh;
  });

  it('an admin cannot disable themselves: refused, nothing written', async () => {
    await noRowFrom(async () => {
      const r = await admin.request('POST', `/api/admin/users/${adminId}/disable`, { body: {} });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'cannot_disable_self' } });
    });
    expect(
      (await ds.query(`SELECT disabled_at FROM users WHERE id = $1`, [adminId]))[0].disabled_at,
    ).toBeNull();
  });

  it('web: price change, plan sync and reprice are one row each', async () => {
    const price = await theOneRowOf(() =>
      ok(admin.request('PUT', `/api/admin/plans/${planId}/price`, { body: { priceMonthlyCents: 1500 } })),
    );
    expect(price).toMatchObject({
      action: 'plans.set-price',
      target_type: 'plan',
      target_id: String(planId),
      before: { priceMonthlyCents: 1200 },
      after: { priceMonthlyCents: 1500 },
    });
    const sync = await theOneRowOf(() => ok(admin.request('POST', '/api/admin/plans/sync', { body: {} })));
    expect(sync).toMatchObject({ action: 'plans.sync', after: { unchanged: 1 } });
    const reprice = await theOneRowOf(() =>
      ok(
        admin.request('POST', `/api/admin/plans/${planId}/reprice`, {
          body: { fromDate: '2030-01-01', confirm: true },
        }),
      ),
    );
    expect(reprice).toMatchObject({
      action: 'plans.reprice',
      target_id: String(planId),
      after: { priceCents: 1500 },
    });
    // A preview (no confirm) changes nothing and records nothing.
    await noRowFrom(() =>
      ok(admin.request('POST', `/api/admin/plans/${planId}/reprice`, { body: { fromDate: '2030-01-01' } })),
    );
    await ok(admin.request('PUT', `/api/admin/plans/${planId}/price`, { body: { priceMonthlyCents: 1200 } }));
  });

  it('web: suspend, unsuspend, power and terminate are one row each; the customer acting on their own server is not audited', async () => {
    const s = await aServer();
    await noRowFrom(() =>
      ok(
        customer.browser.request('POST', `/api/servers/${s.id}/power`, { body: { action: 'restart' } }),
        202,
      ),
    );
    const suspend = await theOneRowOf(() =>
      ok(
        admin.request('POST', `/api/admin/servers/${s.id}/suspend`, { body: { reason: 'abuse report 12' } }),
      ),
    );
    expect(suspend).toMatchObject({
      action: 'servers.suspend',
      target_type: 'server',
      target_id: String(s.id),
      before: { status: 'active' },
      after: { status: 'suspended' },
      reason: 'abuse report 12',
    });
    await theOneRowOf(() => ok(admin.request('POST', `/api/admin/servers/${s.id}/unsuspend`, { body: {} })));
    // Wait for the customer's restart to finish so the admin's may start.
    for (let i = 0; i < 100; i++) {
      const [{ running }] = await ds.query(
        `SELECT count(*)::int AS running FROM server_actions WHERE server_id = $1 AND status = 'running'`,
        [s.id],
      );
      if (running === 0) break;
      await admin.request('GET', `/api/admin/servers/${s.id}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const power = await theOneRowOf(() =>
      ok(admin.request('POST', `/api/admin/servers/${s.id}/power`, { body: { action: 'poweroff' } }), 202),
    );
    expect(power).toMatchObject({ action: 'servers.poweroff', actor: `admin:${adminId}:root@example.test` });
    const terminate = await theOneRowOf(() =>
      ok(
        admin.request('POST', `/api/admin/servers/${s.id}/terminate`, {
          body: { confirmHostname: s.hostname },
        }),
      ),
    );
    expect(terminate).toMatchObject({ action: 'servers.terminate', after: { status: 'terminated' } });
  });

  it('ozvpsctl: every admin action is one row naming the operator (SUDO_USER, or OZVPS_OPERATOR from the installed wrapper)', async () => {
    const cliActor = `cli:${SUDO_USER}`;
    const bob = await aCustomerBrowser(api, origin, 'bob@example.test');
    const who = String(bob.id);
    const expectations: [string[], string, string?][] = [
      [['wallet', 'add', who, '700', '--reason', 'cli credit'], 'wallet.credit'],
      [['wallet', 'deduct', who, '300', '--reason', 'cli debit', '--yes'], 'wallet.deduct'],
      [['users', 'set-role', who, 'admin', '--yes'], 'users.set-role'],
      [['users', 'set-role', who, 'user', '--yes'], 'users.set-role'],
      [['users', 'set-password', who, '--password-stdin'], 'users.set-password', 'a brand new passphrase\n'],
      [['users', 'sign-out', who], 'users.sign-out-everywhere'],
      [['users', 'disable', who, '--yes'], 'users.disable'],
      [['users', 'enable', who, '--yes'], 'users.enable'],
      [['plans', 'set-price', String(planId), '1300'], 'plans.set-price'],
      [['plans', 'set-price', String(planId), '1200'], 'plans.set-price'],
      [['plans', 'sync'], 'plans.sync'],
      [['servers', 'reprice', '--plan', String(planId), '--from', '2030-01-01', '--yes'], 'plans.reprice'],
    ];
    for (const [args, action, input] of expectations) {
      const row = await theOneRowOf(() => cliOk(cli(args, {}, input)));
      expect({ args, actor: row.actor, action: row.action }).toEqual({ args, actor: cliActor, action });
    }
    const s = await aServer();
    const serverActions: [string[], string][] = [
      [['servers', 'suspend', String(s.id), '--yes'], 'servers.suspend'],
      [['servers', 'unsuspend', String(s.id), '--yes'], 'servers.unsuspend'],
      [['servers', 'terminate', String(s.id), '--yes'], 'servers.terminate'],
    ];
    for (const [args, action] of serverActions) {
      const row = await theOneRowOf(() => cliOk(cli(args, { OZVPS_OPERATOR: 'alice' })));
      expect({ args, actor: row.actor, action: row.action, target: row.target_id }).toEqual({
        args,
        actor: 'cli:alice',
        action,
        target: String(s.id),
      });
    }
    // Nothing that only reads writes a row; a refused command writes none either.
    await noRowFrom(async () => {
      await cliOk(cli(['wallet', 'show', who]));
      await cliOk(cli(['audit', '--json']));
      expect((await cli(['users', 'disable', who])).code).not.toBe(0);
      expect(
        (await cli(['wallet', 'deduct', who, '99999999', '--reason', 'too much', '--yes'])).code,
      ).not.toBe(0);
    });
  });

  it('a password reset link, from the web and ozvpsctl, is emailed to the user (never shown) and is one row each', async () => {
    const erin = await aCustomerBrowser(api, origin, 'erin@example.test');
    const links = async () =>
      (
        await ds.query(
          `SELECT count(*)::int AS n FROM outbox_messages WHERE kind = 'password-reset' AND user_id = $1`,
          [erin.id],
        )
      )[0].n as number;
    let answer: unknown;
    const web = await theOneRowOf(async () => {
      answer = (
        await ok(admin.request('POST', `/api/admin/users/${erin.id}/password-reset-link`, { body: {} }))
      ).body;
    });
    expect(answer).toEqual({ sentTo: 'erin@example.test', expiresAt: expect.any(String) });
    expect(JSON.stringify(answer)).not.toMatch(/token|reset-password#/);
    expect(web).toMatchObject({
      actor: `admin:${adminId}:root@example.test`,
      action: 'users.password-reset-link',
      target_id: String(erin.id),
      after: { sentTo: 'erin@example.test' },
    });
    expect(JSON.stringify(web)).not.toMatch(/token/);
    expect(await links()).toBe(1);
    const shell = await theOneRowOf(() =>
      cliOk(cli(['users', 'send-reset-link', 'erin@example.test', '--json'])),
    );
    expect(shell).toMatchObject({ actor: `cli:${SUDO_USER}`, action: 'users.password-reset-link' });
    expect(await links()).toBe(2);
    // An unknown user: refused, nothing sent, nothing recorded.
    await noRowFrom(async () =>
      expect(
        (await admin.request('POST', '/api/admin/users/999999/password-reset-link', { body: {} })).status,
      ).toBe(404),
    );
  });

  it('mail retry, from the web and ozvpsctl, is one row each: dead -> pending', async () => {
    const dead = async (key: string) =>
      Number(
        (
          await ds.query(
            `INSERT INTO outbox_messages (recipient, kind, subject, body_text, body_html, dedupe_key, status, give_up_at)
             VALUES ('x@example.test', 'welcome', 's', 't', 'h', $1, 'dead', now()) RETURNING id`,
            [key],
          )
        )[0].id,
      );
    const web = await dead('audit:dead:web');
    const row = await theOneRowOf(() =>
      ok(admin.request('POST', `/api/admin/mail/${web}/retry`, { body: {} })),
    );
    expect(row).toMatchObject({
      actor: `admin:${adminId}:root@example.test`,
      action: 'mail.retry',
      target_type: 'mail',
      target_id: String(web),
      before: { status: 'dead' },
      after: { status: 'pending' },
    });
    // Queued now, so a second retry is refused and records nothing.
    await noRowFrom(async () =>
      expect((await admin.request('POST', `/api/admin/mail/${web}/retry`, { body: {} })).status).toBe(409),
    );
    const shell = await dead('audit:dead:cli');
    const cliRow = await theOneRowOf(() => cliOk(cli(['mail', 'retry', String(shell), '--yes'])));
    expect(cliRow).toMatchObject({
      actor: `cli:${SUDO_USER}`,
      action: 'mail.retry',
      target_id: String(shell),
    });
  });

  it('GET /api/admin/audit and ozvpsctl audit filter by actor, target and since, newest first, paged', async () => {
    const all = (await ok(admin.request('GET', '/api/admin/audit?limit=500'))).body as {
      events: { id: number; actor: string; action: string; targetType: string; targetId: string | null }[];
    };
    expect(all.events.length).toBeGreaterThan(20);
    const ids = all.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const alice = (await ok(admin.request('GET', '/api/admin/audit?actor=alice'))).body as typeof all;
    expect(alice.events.map((e) => e.action)).toEqual([
      'servers.terminate',
      'servers.unsuspend',
      'servers.suspend',
    ]);

    const plans = (await ok(admin.request('GET', `/api/admin/audit?target=plan:${planId}&limit=2`)))
      .body as typeof all & {
      nextBefore: number | null;
    };
    expect(plans.events).toHaveLength(2);
    expect(plans.events.every((e) => e.targetType === 'plan' && e.targetId === String(planId))).toBe(true);
    const next = (
      await ok(
        admin.request('GET', `/api/admin/audit?target=plan:${planId}&limit=2&before=${plans.nextBefore}`),
      )
    ).body as typeof all;
    expect(next.events[0]!.id).toBeLessThan(plans.events[1]!.id);

    const future = (await ok(admin.request('GET', '/api/admin/audit?since=2099-01-01'))).body as typeof all;
    expect(future.events).toEqual([]);
    for (const bad of ['since=yesterday', 'target=User%3B1', 'limit=0', 'colour=red']) {
      const r = await admin.request('GET', `/api/admin/audit?${bad}`);
      expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
    }
    expect((await customer.browser.request('GET', '/api/admin/audit')).status).toBe(403);

    const json = await cliOk(cli(['audit', '--actor', 'alice', '--since', '1d', '--json']));
    expect((JSON.parse(json.stdout) as { action: string }[]).map((e) => e.action)).toEqual(
      alice.events.map((e) => e.action),
    );
    const table = await cliOk(cli(['audit', '--target', `plan:${planId}`]));
    expect(table.stdout).toMatch(/^ID\s+AT\s+ACTOR\s+ACTION\s+TARGET\s+CHANGE\s+REASON$/m);
    expect(table.stdout).toContain('plans.set-price');
    const badSince = await cli(['audit', '--since', 'last tuesday']);
    expect(badSince.code).not.toBe(0);
    expect(badSince.stderr).toContain('--since must look like');
  });

  it('the admin Stripe events show the customer’s email next to each cus_…', async () => {
    await ds.query(`UPDATE users SET stripe_customer_id = 'cus_AUDIT1' WHERE id = $1`, [customer.id]);
    await ds.query(
      `INSERT INTO stripe_events (event_id, type, livemode, outcome, stripe_customer_id)
       VALUES ('evt_audit_1', 'checkout.session.completed', false, 'credited', 'cus_AUDIT1'),
              ('evt_audit_2', 'checkout.session.completed', false, 'unmatched', 'cus_NOBODY')`,
    );
    const r = await ok(admin.request('GET', '/api/admin/stripe/events'));
    const events = (r.body as { events: { eventId: string; customerEmail: string | null }[] }).events;
    expect(events.find((e) => e.eventId === 'evt_audit_1')).toMatchObject({
      customerEmail: 'carol@example.test',
    });
    expect(events.find((e) => e.eventId === 'evt_audit_2')).toMatchObject({ customerEmail: null });
  });
});
