import { DataSource } from 'typeorm';
import { fakeStripeEnv } from './fakes/env';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';
import { FakeStripe, testStripeKeys } from './fakes/stripe';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

const ADMIN = 'ops@example.test';

/** Polls `check` until it holds (the API's background work is not awaited by any request). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

/** What the built API writes from a deploy, its schedulers, handlers and the webhook, and sends. */
describe('emails from the running API: server-ready and admin alerts (built panel, real SMTP server, fake VirtFusion and Stripe)', () => {
  let db: TestDatabase;
  let smtp: FakeSmtp;
  let ds: DataSource;
  let vf: FakeVirtFusion;
  let stripe: FakeStripe;
  let api: RunningApi;
  let origin: string;
  const keys = testStripeKeys();

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    stripe = await new FakeStripe().start();
    smtp = await startFakeSmtp();
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1)];
    vf.failWith('503'); // down from the start: the start-up plan sync fails
    ({ api, origin } = await startPanel(db.url, {
      ...fakeStripeEnv(keys, stripe),
      VIRTFUSION_URL: vf.url,
      VIRTFUSION_API_TOKEN: vf.token,
      VIRTFUSION_TIMEOUT_MS: '500',
      VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
      ADMIN_ALERT_EMAIL: ADMIN,
      SMTP_URL: smtp.url,
    }));
  });

  afterAll(async () => {
    await api.stop();
    await vf.stop();
    await stripe.stop();
    await smtp.close();
    await ds.destroy();
    await db.drop();
  });

  const alertKeys = async (prefix: string): Promise<string[]> =>
    (
      await ds.query(
        `SELECT dedupe_key AS key FROM outbox_messages WHERE kind = 'admin-alert' AND recipient = $1
           AND dedupe_key LIKE $2 ORDER BY id`,
        [ADMIN, `${prefix}%`],
      )
    ).map((r: { key: string }) => r.key);
  const outage = async (): Promise<{ since: Date } | undefined> =>
    (await ds.query(`SELECT since FROM service_outages WHERE service = 'virtfusion'`))[0];

  it('a failed plan sync is a job alert, and VirtFusion not answering opens an outage; its answer closes it', async () => {
    await eventually(async () => (await alertKeys('alert:job:plan-sync:')).length === 1, 'plan-sync alert');
    await eventually(async () => (await outage()) !== undefined, 'outage recorded');
    const [alert] = await smtp.waitFor(
      1,
      (m) => m.subject === '[OzVPS alert] Scheduled job failed: plan-sync',
    );
    expect(alert!.to).toEqual([ADMIN]);
    expect(alert!.text).toContain('VirtFusion GET /packages answered 503');
    expect(alert!.text).not.toContain(vf.token);

    vf.failWith('none');
    const admin = await anAdminBrowser(api, origin, db.url);
    const sync = await admin.request('POST', '/api/admin/plans/sync', { body: {} });
    expect(sync.status).toBe(200);
    await eventually(async () => (await outage()) === undefined, 'outage closed');
  });

  it('a deploy through the API -> its owner gets one server-ready email, with the server page on APP_URL', async () => {
    vf.failWith('none');
    await eventually(
      async () => (await ds.query(`SELECT 1 FROM plans WHERE virtfusion_package_id = 1`)).length > 0,
      'plan synced',
    );
    const cli = (...args: string[]) =>
      ozvpsctl(db.url, args, { VIRTFUSION_URL: vf.url, VIRTFUSION_API_TOKEN: vf.token });
    expect((await cli('plans', 'set-price', '--package', '1', '1200')).code).toBe(0);
    const planId = Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 1`))[0].id);
    const email = 'deployer@example.test';
    const { browser, id } = await aCustomerBrowser(api, origin, email);
    expect((await cli('wallet', 'add', String(id), '1200', '--reason', 'opening balance')).code).toBe(0);
    const body = { planId, osTemplateId: 44, hostname: 'ready.example.test', idempotencyKey: 'e2e-ready-1' };
    const r = await browser.request('POST', '/api/servers', { body });
    expect(r.status).toBe(201);
    const server = (r.body as { server: { id: number; status: string; ipAddress: string } }).server;
    expect(server.status).toBe('active');
    expect((await browser.request('POST', '/api/servers', { body })).status).toBe(200); // the same deploy again

    const isReady = (m: { to: string[]; subject: string }) =>
      m.to.includes(email) && m.subject === 'Your server ready.example.test is ready';
    const [mail] = await smtp.waitFor(1, isReady);
    expect(mail!.text).toContain(`IP address: ${server.ipAddress}`);
    expect(mail!.text).toContain('Operating system: Debian 12 (Bookworm) Minimal');
    expect(mail!.text).toContain(`${origin}/servers/${server.id}`);
    await eventually(
      async () =>
        (await ds.query(`SELECT 1 FROM outbox_messages WHERE status = 'pending' OR status = 'sending'`))
          .length === 0,
      'outbox drained',
    );
    expect(smtp.received.filter(isReady)).toHaveLength(1);
  });

  it('Stripe webhook deliveries with a bad signature: one alert for the hour, and still a 400', async () => {
    const hourBefore = new Date().toISOString().slice(0, 13);
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${api.baseUrl}/api/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': `t=${i + 1},v1=deadbeef` },
        body: JSON.stringify({ id: `evt_bad_${i}`, object: 'event' }),
      });
      expect(r.status).toBe(400);
    }
    const hourAfter = new Date().toISOString().slice(0, 13);
    const keys = await alertKeys('alert:webhook-signature:');
    // One per hour: the three posts fell in one hour, or (rarely) straddled two.
    expect(keys).toEqual([...new Set([hourBefore, hourAfter])].map((h) => `alert:webhook-signature:${h}`));
    const sent = await smtp.waitFor(keys.length, (m) =>
      m.subject.includes('Stripe webhook deliveries refused'),
    );
    expect(sent[0]!.text).toContain('STRIPE_WEBHOOK_SECRET');
  });
});
