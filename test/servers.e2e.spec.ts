import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findFreePort } from '@ozvps/core';
import { ServerQueriesService, SweepService } from '@ozvps/servers';
import { deliver, FakeStripe, testStripeKeys } from './fakes/stripe';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { Browser } from './helpers/http';
import { bootLibs, TestClock } from './helpers/panel';
import { ozvpsctl, RunningApi, startApi, startPanel } from './helpers/processes';

const PRICE = 1200;

/** Polls `check` until it returns a value (not undefined), for up to `ms`. */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('servers through the built API and ozvpsctl (fake VirtFusion, fake Stripe, signed webhooks)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vf: FakeVirtFusion;
  let stripe: FakeStripe;
  let api: RunningApi;
  let origin: string;
  let planId: number;
  const keys = testStripeKeys();
  let n = 0;

  const vfEnv = () => ({
    VIRTFUSION_URL: vf.url,
    VIRTFUSION_API_TOKEN: vf.token,
    VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
  });
  const stripeEnv = () => ({
    STRIPE_SECRET_KEY: keys.secretKey,
    STRIPE_WEBHOOK_SECRET: keys.webhookSecret,
    STRIPE_API_BASE: stripe.url,
  });
  const cli = (...args: string[]) => ozvpsctl(db.url, args, vfEnv());

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter' })];
    stripe = await new FakeStripe().start();
    ({ api, origin } = await startPanel(db.url, {
      ...vfEnv(),
      ...stripeEnv(),
      VIRTFUSION_TIMEOUT_MS: '2000',
    }));
    await eventually(async () =>
      (await ds.query(`SELECT 1 FROM plans WHERE virtfusion_package_id = 1`)).length ? true : undefined,
    );
    expect((await cli('plans', 'set-price', '--package', '1', String(PRICE))).code).toBe(0);
    planId = Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 1`))[0].id);
  });

  afterAll(async () => {
    await api.stop();
    await stripe.stop();
    await vf.stop();
    await ds.destroy();
    await db.drop();
  });

  async function aCustomer(balanceCents = 0): Promise<{ browser: Browser; id: number }> {
    const c = await aCustomerBrowser(api, origin, `servers${++n}@example.test`);
    if (balanceCents > 0) {
      const r = await cli('wallet', 'add', String(c.id), String(balanceCents), '--reason', 'opening balance');
      expect(r.code).toBe(0);
    }
    return c;
  }
  const deployBody = (overrides: Record<string, unknown> = {}) => ({
    planId,
    osTemplateId: 8,
    hostname: `vps${++n}.example.test`,
    idempotencyKey: `e2e-key-${n}-${Date.now()}`,
    ...overrides,
  });
  const ledger = async (userId: number) =>
    (
      await ds.query(
        `SELECT t.type, t.amount_cents::int AS amount FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id
          WHERE w.user_id = $1 ORDER BY t.id`,
        [userId],
      )
    ).map((r: { type: string; amount: number }) => `${r.type} ${r.amount}`);
  const balance = async (userId: number) =>
    Number(
      (await ds.query(`SELECT balance_cents FROM wallets WHERE user_id = $1`, [userId]))[0]?.balance_cents ??
        0,
    );
  const serverCount = async (userId: number) =>
    Number((await ds.query(`SELECT count(*) AS n FROM servers WHERE user_id = $1`, [userId]))[0].n);

  it('lists the templates VirtFusion offers for a plan, to signed-in users only', async () => {
    const { browser } = await aCustomer();
    const r = await browser.request('GET', `/api/plans/${planId}/templates`);
    expect(r.status).toBe(200);
    expect((r.body as { templates: { id: number }[] }).templates.map((t) => t.id)).toEqual([8, 44]);
    const anonymous = await fetch(`${api.baseUrl}/api/plans/${planId}/templates`);
    expect(anonymous.status).toBe(401);
  });

  it('deploys (201, active with an IP), answers a repeat with the same server (200), shows it to its owner only', async () => {
    const { browser, id } = await aCustomer(5000);
    const body = deployBody();
    const first = await browser.request('POST', '/api/servers', { body });
    expect(first.status).toBe(201);
    const server = (
      first.body as { server: { id: number; status: string; ipAddress: string; paidUntil: string } }
    ).server;
    expect(server.status).toBe('active');
    expect(server.ipAddress).toMatch(/^203\.0\.113\./);
    const again = await browser.request('POST', '/api/servers', { body });
    expect(again.status).toBe(200);
    expect((again.body as { server: { id: number } }).server.id).toBe(server.id);
    // The host name is checked and compared as it is stored (trimmed, lower-cased): the same deploy.
    const shouted = await browser.request('POST', '/api/servers', {
      body: { ...body, hostname: ` ${body.hostname.toUpperCase()} ` },
    });
    expect(shouted.status).toBe(200);
    expect((shouted.body as { server: { id: number; hostname: string } }).server).toMatchObject({
      id: server.id,
      hostname: body.hostname,
    });
    expect(await ledger(id)).toEqual(['admin_credit 5000', `server_charge -${PRICE}`]);

    const list = await browser.request('GET', '/api/servers');
    expect((list.body as { servers: { id: number }[] }).servers.map((s) => s.id)).toEqual([server.id]);
    const one = await browser.request('GET', `/api/servers/${server.id}`);
    expect(one.status).toBe(200);
    expect((one.body as { events: { type: string }[] }).events.map((e) => e.type)).toContain('active');
    const wallet = await browser.request('GET', '/api/wallet');
    expect((wallet.body as { summary: { activeServers: number; spentCents: number } }).summary).toMatchObject(
      {
        activeServers: 1,
        spentCents: PRICE,
      },
    );

    const other = await aCustomer();
    expect((await other.browser.request('GET', `/api/servers/${server.id}`)).status).toBe(404);
    expect((await other.browser.request('GET', '/api/servers/abc')).status).toBe(404);
    expect((await other.browser.request('GET', '/api/servers')).body).toEqual({ servers: [] });
  });

  it('refuses a short wallet with 402 and bad input with 400; nothing is written', async () => {
    const { browser, id } = await aCustomer(PRICE - 1);
    const short = await browser.request('POST', '/api/servers', { body: deployBody() });
    expect(short.status).toBe(402);
    expect((short.body as { error: { code: string } }).error.code).toBe('insufficient_funds');
    const idRule = (name: string) => `${name} must be a positive whole number`;
    const hostRule =
      'hostname must be a valid host name (letters, digits and hyphens, dot-separated, up to 253 characters)';
    const keyRule = 'idempotencyKey must be 8 to 100 characters of letters, digits, _ . : -';
    for (const [bad, message] of [
      [{ hostname: 'bad host' }, hostRule],
      [{ hostname: '-bad.example' }, hostRule],
      [{ hostname: `${'a'.repeat(64)}.example` }, hostRule],
      [{ hostname: 42 }, hostRule],
      [{ planId: 'x' }, idRule('planId')],
      [{ planId: '1' }, idRule('planId')],
      [{ planId: 1.5 }, idRule('planId')],
      [{ planId: 2 ** 60 }, idRule('planId')],
      [{ osTemplateId: -1 }, idRule('osTemplateId')],
      [{ osTemplateId: null }, idRule('osTemplateId')],
      [{ idempotencyKey: 'short' }, keyRule],
      [{ idempotencyKey: 'has spaces in it' }, keyRule],
      [{ idempotencyKey: undefined }, keyRule],
      [{ topUpIfShort: 'yes' }, 'topUpIfShort must be true or false'],
      [{ topUpIfShort: null }, 'topUpIfShort must be true or false'],
      [{ planId: 0, hostname: '' }, `${idRule('planId')}; ${hostRule}`],
      [{ extra: 1 }, 'property extra should not exist'],
    ] as const) {
      const r = await browser.request('POST', '/api/servers', { body: deployBody(bad) });
      expect(r.status).toBe(400);
      expect((r.body as { error: { message: string } }).error.message).toBe(message);
    }
    expect(
      (await browser.request('POST', '/api/servers', { body: deployBody({ osTemplateId: 999 }) })).status,
    ).toBe(400);
    expect(await serverCount(id)).toBe(0);
    expect(await ledger(id)).toEqual([`admin_credit ${PRICE - 1}`]);
  });

  it('Top up & deploy: a waiting deploy and a checkout for the shortfall; the signed webhook credits, the server follows', async () => {
    const { browser, id } = await aCustomer(300);
    const r = await browser.request('POST', '/api/servers', { body: deployBody({ topUpIfShort: true }) });
    expect(r.status).toBe(202);
    const { server, topup } = r.body as {
      server: { id: number; status: string };
      topup: { sessionId: string; checkoutUrl: string; amountCents: number };
    };
    expect(server.status).toBe('awaiting_funds');
    expect(topup.amountCents).toBe(PRICE - 300 < 500 ? 500 : PRICE - 300);
    expect(stripe.sessions.get(topup.sessionId)!.amount_total).toBe(topup.amountCents);
    expect(await ledger(id)).toEqual(['admin_credit 300']);

    const paid = await deliver(api.baseUrl, stripe.complete(topup.sessionId), keys.webhookSecret);
    expect(paid.status).toBe(200);
    const active = await eventually(async () => {
      const s = await browser.request('GET', `/api/servers/${server.id}`);
      const status = (s.body as { server: { status: string } }).server.status;
      return status === 'active' ? s : undefined;
    });
    expect((active.body as { server: { ipAddress: string } }).server.ipAddress).toBeTruthy();
    expect(await ledger(id)).toEqual([
      'admin_credit 300',
      `topup ${topup.amountCents}`,
      `server_charge -${PRICE}`,
    ]);
    expect(await balance(id)).toBe(300 + topup.amountCents - PRICE);
  });

  it('Top up & deploy under duplicates: a repeated POST, the webhook 3 times at once and a second process resuming at once start one server and one charge', async () => {
    const { browser, id } = await aCustomer();
    const body = deployBody({ topUpIfShort: true });
    const first = await browser.request('POST', '/api/servers', { body });
    expect(first.status).toBe(202);
    const again = await browser.request('POST', '/api/servers', { body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body); // same server, same checkout, same amount
    const { server, topup } = first.body as { server: { id: number }; topup: { sessionId: string } };

    const other = await bootLibs(db.url, { env: { ...vfEnv(), ...stripeEnv() }, servers: true });
    try {
      const event = stripe.complete(topup.sessionId);
      const deliveries = Promise.all([1, 2, 3].map(() => deliver(api.baseUrl, event, keys.webhookSecret)));
      const resumed = Promise.all(
        [1, 2, 3].map(() => other.get(SweepService).startForTopup(topup.sessionId)),
      );
      expect((await deliveries).map((d) => d.status)).toEqual([200, 200, 200]);
      await resumed;
      await eventually(async () => {
        const s = await browser.request('GET', `/api/servers/${server.id}`);
        return (s.body as { server: { status: string } }).server.status === 'active' ? true : undefined;
      });
    } finally {
      await other.close();
    }
    expect(await ledger(id)).toEqual([`topup ${PRICE}`, `server_charge -${PRICE}`]);
    expect(await balance(id)).toBe(0);
    expect(await serverCount(id)).toBe(1);
    const vfUser = vf.users.find((u) => u.extRelationId === id)!;
    expect(vf.servers.filter((s) => s.ownerId === vfUser.id)).toHaveLength(1);
  });

  it('Top up & deploy where VirtFusion then refuses: the server fails and the money stays in the wallet', async () => {
    const { browser, id } = await aCustomer();
    const r = await browser.request('POST', '/api/servers', { body: deployBody({ topUpIfShort: true }) });
    const { server, topup } = r.body as {
      server: { id: number };
      topup: { sessionId: string; amountCents: number };
    };
    expect(topup.amountCents).toBe(PRICE);
    vf.failCall('POST /servers', '422');
    expect((await deliver(api.baseUrl, stripe.complete(topup.sessionId), keys.webhookSecret)).status).toBe(
      200,
    );
    await eventually(async () => {
      const s = await browser.request('GET', `/api/servers/${server.id}`);
      return (s.body as { server: { status: string } }).server.status === 'failed' ? true : undefined;
    });
    expect(await ledger(id)).toEqual([`topup ${PRICE}`, `server_charge -${PRICE}`, `server_refund ${PRICE}`]);
    expect(await balance(id)).toBe(PRICE);
  });

  describe('Top up & deploy: a top-up pays only the deploy it was opened for', () => {
    type Waiting = {
      server: { id: number; status: string };
      topup: { sessionId: string; amountCents: number };
    };
    type ServerJson = {
      server: {
        status: string;
        topup: { amountCents: number; status: string; checkoutUrl: string | null } | null;
      };
      events: { type: string; actor: string }[];
    };
    let sweeper: INestApplicationContext;

    // A second panel process's servers lib: the same sweep the API runs every minute, run on demand.
    beforeAll(async () => {
      sweeper = await bootLibs(db.url, { env: { ...vfEnv(), ...stripeEnv() }, servers: true });
    });
    afterAll(() => sweeper.close());

    async function topUpAndDeploy(browser: Browser): Promise<Waiting> {
      const r = await browser.request('POST', '/api/servers', { body: deployBody({ topUpIfShort: true }) });
      expect(r.status).toBe(202);
      return r.body as Waiting;
    }
    const show = async (browser: Browser, serverId: number) =>
      (await browser.request('GET', `/api/servers/${serverId}`)).body as ServerJson;
    const statusOf = async (serverId: number) =>
      String((await ds.query(`SELECT status FROM servers WHERE id = $1`, [serverId]))[0].status);
    const vfServersOf = (userId: number) => {
      const vfUser = vf.users.find((u) => u.extRelationId === userId);
      return vfUser ? vf.servers.filter((s) => s.ownerId === vfUser.id) : [];
    };
    const whenActive = (browser: Browser, serverId: number) =>
      eventually(async () => ((await show(browser, serverId)).server.status === 'active' ? true : undefined));

    it("cancel A (Stripe's Cancel), pay B: B is deployed, A stays cancelled and uncharged, a later top-up stays in the wallet", async () => {
      const { browser, id } = await aCustomer();
      const a = await topUpAndDeploy(browser);
      // Stripe's Cancel leads to A's page with A's own cancel token, which cancels A at once.
      expect(stripe.sessions.get(a.topup.sessionId)!.cancel_url).toMatch(
        new RegExp(`^${origin}/servers/${a.server.id}\\?checkout=cancelled&token=[\\w-]{32}$`),
      );
      const waitingA = await show(browser, a.server.id);
      expect(waitingA.server.topup).toEqual({
        amountCents: PRICE,
        status: 'pending',
        checkoutUrl: stripe.sessions.get(a.topup.sessionId)!.url,
      });
      const cancelled = await browser.request('POST', `/api/servers/${a.server.id}/cancel`, { body: {} });
      expect(cancelled.status).toBe(200);
      expect((cancelled.body as ServerJson).server).toMatchObject({
        status: 'cancelled',
        topup: { status: 'expired', checkoutUrl: null },
      });
      expect(await statusOf(a.server.id)).toBe('cancelled');
      // Its checkout was expired at Stripe: it can no longer be paid.
      expect(stripe.sessions.get(a.topup.sessionId)!.status).toBe('expired');
      expect((await show(browser, a.server.id)).events).toContainEqual(
        expect.objectContaining({ type: 'cancelled', actor: `user:${id}` }),
      );

      const b = await topUpAndDeploy(browser);
      const list = await browser.request('GET', '/api/servers');
      expect((list.body as { servers: { id: number; status: string; topup: unknown }[] }).servers).toEqual([
        expect.objectContaining({
          id: b.server.id,
          status: 'awaiting_funds',
          topup: {
            amountCents: PRICE,
            status: 'pending',
            checkoutUrl: stripe.sessions.get(b.topup.sessionId)!.url,
          },
        }),
        expect.objectContaining({
          id: a.server.id,
          status: 'cancelled',
          topup: expect.objectContaining({ status: 'expired' }),
        }),
      ]);
      const paid = await deliver(api.baseUrl, stripe.complete(b.topup.sessionId), keys.webhookSecret);
      expect(paid.status).toBe(200);
      await whenActive(browser, b.server.id);
      const returnPage = await browser.request('GET', `/api/wallet/topups/${b.topup.sessionId}`);
      expect(returnPage.body).toMatchObject({ status: 'credited', serverId: b.server.id });

      // An ordinary top-up afterwards stays in the wallet, even after a sweep.
      const plain = await browser.request('POST', '/api/wallet/topups', { body: { amountCents: 2500 } });
      const plainSession = (plain.body as { sessionId: string }).sessionId;
      expect((await deliver(api.baseUrl, stripe.complete(plainSession), keys.webhookSecret)).status).toBe(
        200,
      );
      expect((await browser.request('GET', `/api/wallet/topups/${plainSession}`)).body).toMatchObject({
        status: 'credited',
        serverId: null,
      });
      await sweeper.get(SweepService).sweep();
      expect(await statusOf(a.server.id)).toBe('cancelled');
      expect(await ledger(id)).toEqual([`topup ${PRICE}`, `server_charge -${PRICE}`, 'topup 2500']);
      expect(await balance(id)).toBe(2500);
      expect(vfServersOf(id)).toHaveLength(1);
    });

    it('cancel is for the owner (404 otherwise), repeatable (200), and refused once the deploy has started (409)', async () => {
      const { browser } = await aCustomer();
      const a = await topUpAndDeploy(browser);
      const stranger = await aCustomer();
      expect(
        (await stranger.browser.request('POST', `/api/servers/${a.server.id}/cancel`, { body: {} })).status,
      ).toBe(404);
      expect(await statusOf(a.server.id)).toBe('awaiting_funds');
      const anonymous = await fetch(`${api.baseUrl}/api/servers/${a.server.id}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: '{}',
      });
      expect(anonymous.status).toBe(401);

      const twice = await Promise.all(
        [1, 2].map(() => browser.request('POST', `/api/servers/${a.server.id}/cancel`, { body: {} })),
      );
      expect(twice.map((r) => r.status)).toEqual([200, 200]);
      expect((await show(browser, a.server.id)).events.filter((e) => e.type === 'cancelled')).toHaveLength(1);

      const rich = await aCustomer(PRICE);
      const running = await rich.browser.request('POST', '/api/servers', { body: deployBody() });
      const runningId = (running.body as { server: { id: number } }).server.id;
      const refused = await rich.browser.request('POST', `/api/servers/${runningId}/cancel`, { body: {} });
      expect(refused.status).toBe(409);
      expect((refused.body as { error: { code: string } }).error.code).toBe('server_state');
      expect(await statusOf(runningId)).toBe('active');
    });

    it('paid in another tab before the cancel reached Stripe: the webhook credits the wallet, the deploy stays cancelled', async () => {
      const { browser, id } = await aCustomer();
      const a = await topUpAndDeploy(browser);
      const paidElsewhere = stripe.complete(a.topup.sessionId); // complete at Stripe, webhook not yet sent
      const cancelled = await browser.request('POST', `/api/servers/${a.server.id}/cancel`, { body: {} });
      expect(cancelled.status).toBe(200);
      // The expire was tried and refused by Stripe (the session is complete): nothing more to do.
      expect(
        stripe.requests.filter((r) => r.path === `/v1/checkout/sessions/${a.topup.sessionId}/expire`),
      ).toHaveLength(1);

      expect((await deliver(api.baseUrl, paidElsewhere, keys.webhookSecret)).status).toBe(200);
      await sweeper.get(SweepService).sweep();
      expect(await statusOf(a.server.id)).toBe('cancelled');
      expect(await ledger(id)).toEqual([`topup ${PRICE}`]);
      expect(await balance(id)).toBe(PRICE);
      expect(vfServersOf(id)).toHaveLength(0);
      // The page can say where the money went.
      expect((await show(browser, a.server.id)).server).toMatchObject({
        status: 'cancelled',
        topup: { status: 'credited', amountCents: PRICE, checkoutUrl: null },
      });
      expect((await browser.request('GET', `/api/wallet/topups/${a.topup.sessionId}`)).body).toMatchObject({
        status: 'credited',
        serverId: a.server.id,
        serverStatus: 'cancelled',
      });
    });

    it('an admin credit while a deploy waits starts nothing, not even in the sweep', async () => {
      const { browser, id } = await aCustomer();
      const a = await topUpAndDeploy(browser);
      expect((await cli('wallet', 'add', String(id), String(PRICE * 2), '--reason', 'goodwill')).code).toBe(
        0,
      );
      await sweeper.get(SweepService).sweep();
      await new Promise((r) => setTimeout(r, 300)); // anything the credit set going has had its chance
      expect(await statusOf(a.server.id)).toBe('awaiting_funds');
      expect(await ledger(id)).toEqual([`admin_credit ${PRICE * 2}`]);
      expect(vfServersOf(id)).toHaveLength(0);
      expect((await show(browser, a.server.id)).server.topup).toMatchObject({ status: 'pending' });
    });

    it('a credited top-up still pays an overdue renewal and lifts its suspension (the same event handler)', async () => {
      const { browser, id } = await aCustomer(PRICE);
      const deployed = await browser.request('POST', '/api/servers', { body: deployBody() });
      const serverId = (deployed.body as { server: { id: number } }).server.id;
      // A month later: the renewal went unpaid and the server was suspended for it.
      await ds.query(
        `UPDATE servers SET anchor_at = now() - interval '1 month 1 hour', paid_until = now() - interval '1 hour',
            overdue_since = now() - interval '1 hour', status = 'suspended', suspend_reason = 'overdue', suspended_at = now()
          WHERE id = $1`,
        [serverId],
      );
      const vfServer = vfServersOf(id)[0]!;
      vfServer.suspended = true;

      const plain = await browser.request('POST', '/api/wallet/topups', { body: { amountCents: PRICE } });
      const session = (plain.body as { sessionId: string }).sessionId;
      expect((await deliver(api.baseUrl, stripe.complete(session), keys.webhookSecret)).status).toBe(200);
      await whenActive(browser, serverId);
      expect(vfServer.suspended).toBe(false);
      expect(await ledger(id)).toEqual([
        `admin_credit ${PRICE}`,
        `server_charge -${PRICE}`,
        `topup ${PRICE}`,
        `server_charge -${PRICE}`,
      ]);
    });

    it('a credit made by ozvpsctl stripe reconcile --yes provisions nothing in the CLI; the sweep then starts that deploy (and no other), once', async () => {
      const { browser, id } = await aCustomer();
      const a = await topUpAndDeploy(browser);
      const b = await topUpAndDeploy(browser);
      // The wallet could pay B as well: only A's own top-up may start anything.
      expect((await cli('wallet', 'add', String(id), String(PRICE), '--reason', 'goodwill')).code).toBe(0);
      stripe.complete(a.topup.sessionId); // paid; the webhook never arrived (an outage)

      // The CLI talks to its own VirtFusion fake: any call it made would land there.
      const cliVirtFusion = await new FakeVirtFusion(vf.token).start();
      try {
        const reconciled = await ozvpsctl(db.url, ['stripe', 'reconcile', '--since', '1h', '--yes'], {
          ...stripeEnv(),
          VIRTFUSION_URL: cliVirtFusion.url,
          VIRTFUSION_API_TOKEN: vf.token,
          VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
        });
        expect(reconciled.code).toBe(0);
        expect(cliVirtFusion.requests).toBe(0);
      } finally {
        await cliVirtFusion.stop();
      }
      expect(
        (
          await ds.query(`SELECT status FROM topups WHERE stripe_checkout_session_id = $1`, [
            a.topup.sessionId,
          ])
        )[0].status,
      ).toBe('credited');

      // The crash-recovery sweep: run twice at once, it starts A once and leaves B waiting.
      await Promise.all([1, 2].map(() => sweeper.get(SweepService).sweep()));
      await whenActive(browser, a.server.id);
      await sweeper.get(SweepService).sweep();
      expect(await statusOf(b.server.id)).toBe('awaiting_funds');
      expect(await ledger(id)).toEqual([
        `admin_credit ${PRICE}`,
        `topup ${PRICE}`,
        `server_charge -${PRICE}`,
      ]);
      expect(vfServersOf(id)).toHaveLength(1);
    });
  });

  describe("a waiting deploy's own payment that no longer covers it: cancelled at once, the money stays in the wallet", () => {
    type Waiting = {
      server: { id: number; status: string };
      topup: { sessionId: string; amountCents: number };
    };
    const STANDARD = PRICE; // A$12.00
    const STARTER = 600; // A$6.00
    let starterPlanId: number;
    let sweeper: INestApplicationContext;
    const SHORT_REASON =
      'Your payment of A$5.00 arrived, but your balance no longer covered A$12.00: the money is in your wallet. Deploy again when you are ready.';

    beforeAll(async () => {
      vf.packages = [...vf.packages, aPackage(2, { name: 'Starter 6' })];
      expect((await cli('plans', 'sync')).code).toBe(0);
      expect((await cli('plans', 'set-price', '--package', '2', String(STARTER))).code).toBe(0);
      starterPlanId = Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 2`))[0].id);
      sweeper = await bootLibs(db.url, { env: { ...vfEnv(), ...stripeEnv() }, servers: true });
    });
    afterAll(() => sweeper.close());

    const row = async (serverId: number) =>
      (
        await ds.query(
          `SELECT status, cancel_reason AS "cancelReason", failure_reason AS reason FROM servers WHERE id = $1`,
          [serverId],
        )
      )[0] as { status: string; cancelReason: string | null; reason: string | null };
    const vfServersOf = (userId: number) => {
      const vfUser = vf.users.find((u) => u.extRelationId === userId);
      return vfUser ? vf.servers.filter((s) => s.ownerId === vfUser.id) : [];
    };
    const settled = (serverId: number) =>
      eventually(async () => ((await row(serverId)).status !== 'awaiting_funds' ? true : undefined));

    /** A$7 in the wallet → Top up & deploy Standard (A$12: a A$5 top-up opens) → Starter from the wallet (A$1 left). */
    async function standardWaitingThenStarterFromWallet() {
      const customer = await aCustomer(700);
      const r = await customer.browser.request('POST', '/api/servers', {
        body: deployBody({ topUpIfShort: true }),
      });
      expect(r.status).toBe(202);
      const standard = r.body as Waiting;
      expect(standard.topup.amountCents).toBe(500);
      const starter = await customer.browser.request('POST', '/api/servers', {
        body: deployBody({ planId: starterPlanId }),
      });
      expect(starter.status).toBe(201);
      expect(await balance(customer.id)).toBe(100);
      return { ...customer, standard };
    }

    it("the tester's sequence: the A$5 arrives (A$6 < A$12) → Standard cancelled with the reason; a plain A$10 top-up and the sweep start nothing", async () => {
      const { browser, id, standard } = await standardWaitingThenStarterFromWallet();
      const paid = await deliver(api.baseUrl, stripe.complete(standard.topup.sessionId), keys.webhookSecret);
      expect(paid.status).toBe(200);
      await settled(standard.server.id);
      expect(await row(standard.server.id)).toEqual({
        status: 'cancelled',
        cancelReason: 'payment_short',
        reason: SHORT_REASON,
      });
      expect(await balance(id)).toBe(600);

      // The pages tell the truth: the server page and the return page say cancelled, money in the wallet.
      const page = (await browser.request('GET', `/api/servers/${standard.server.id}`)).body as {
        server: Record<string, unknown>;
        events: { type: string; actor: string; detail: string }[];
      };
      expect(page.server).toMatchObject({
        status: 'cancelled',
        cancelReason: 'payment_short',
        failureReason: SHORT_REASON,
        topup: { status: 'credited', amountCents: 500, checkoutUrl: null },
      });
      expect(page.events).toContainEqual(
        expect.objectContaining({
          type: 'cancelled',
          actor: 'system',
          detail: `${SHORT_REASON} Nothing was charged.`,
        }),
      );
      expect(
        (await browser.request('GET', `/api/wallet/topups/${standard.topup.sessionId}`)).body,
      ).toMatchObject({
        status: 'credited',
        serverId: standard.server.id,
        serverStatus: 'cancelled',
        serverCancelReason: 'payment_short',
      });

      // A plain A$10 top-up, then the sweep (twice): nothing is charged for Standard.
      const plain = await browser.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } });
      const plainSession = (plain.body as { sessionId: string }).sessionId;
      expect((await deliver(api.baseUrl, stripe.complete(plainSession), keys.webhookSecret)).status).toBe(
        200,
      );
      expect(await sweeper.get(SweepService).sweep()).toMatchObject({ started: 0 });
      await sweeper.get(SweepService).sweep();
      await new Promise((r) => setTimeout(r, 300)); // anything the credit set going has had its chance
      expect((await row(standard.server.id)).status).toBe('cancelled');
      expect(await ledger(id)).toEqual([
        'admin_credit 700',
        `server_charge -${STARTER}`,
        'topup 500',
        'topup 1000',
      ]);
      expect(await balance(id)).toBe(1600);
      expect(vfServersOf(id)).toHaveLength(1); // the Starter only
    });

    it("the same with a cancelled deploy's late payment as the other money: it stays in the wallet too", async () => {
      const { browser, id, standard } = await standardWaitingThenStarterFromWallet();
      expect(
        (await deliver(api.baseUrl, stripe.complete(standard.topup.sessionId), keys.webhookSecret)).status,
      ).toBe(200);
      await settled(standard.server.id);
      expect((await row(standard.server.id)).cancelReason).toBe('payment_short');

      // Another Top up & deploy, cancelled by its owner, paid anyway in another tab.
      const other = (
        await browser.request('POST', '/api/servers', { body: deployBody({ topUpIfShort: true }) })
      ).body as Waiting;
      expect(other.topup.amountCents).toBe(STANDARD - 600);
      const paidElsewhere = stripe.complete(other.topup.sessionId);
      expect(
        (await browser.request('POST', `/api/servers/${other.server.id}/cancel`, { body: {} })).status,
      ).toBe(200);
      expect((await deliver(api.baseUrl, paidElsewhere, keys.webhookSecret)).status).toBe(200);
      await sweeper.get(SweepService).sweep();
      await new Promise((r) => setTimeout(r, 300));

      expect((await row(standard.server.id)).status).toBe('cancelled');
      expect(await row(other.server.id)).toMatchObject({ status: 'cancelled', cancelReason: 'owner' });
      expect(await ledger(id)).toEqual([
        'admin_credit 700',
        `server_charge -${STARTER}`,
        'topup 500',
        `topup ${STANDARD - 600}`,
      ]);
      expect(await balance(id)).toBe(STANDARD);
      expect(vfServersOf(id)).toHaveLength(1);
    });

    it('a credit whose start was lost (ozvpsctl reconcile) and no longer covers the deploy: the sweep makes one attempt and cancels it; later money starts nothing', async () => {
      const { id, standard } = await standardWaitingThenStarterFromWallet();
      stripe.complete(standard.topup.sessionId); // paid; the webhook never arrived
      const reconciled = await ozvpsctl(db.url, ['stripe', 'reconcile', '--since', '1h', '--yes'], {
        ...stripeEnv(),
        ...vfEnv(),
      });
      expect(reconciled.code).toBe(0);
      expect((await row(standard.server.id)).status).toBe('awaiting_funds');

      const swept = await Promise.all([1, 2].map(() => sweeper.get(SweepService).sweep()));
      // (The API's own minute sweep may have made the one attempt first: at most one cancel in all.)
      expect(swept.reduce((n, r) => n + r.cancelled, 0)).toBeLessThanOrEqual(1);
      expect(swept.reduce((n, r) => n + r.started, 0)).toBe(0);
      expect(await row(standard.server.id)).toEqual({
        status: 'cancelled',
        cancelReason: 'payment_short',
        reason: SHORT_REASON,
      });
      expect((await cli('wallet', 'add', String(id), String(STANDARD), '--reason', 'goodwill')).code).toBe(0);
      await sweeper.get(SweepService).sweep();
      expect((await row(standard.server.id)).status).toBe('cancelled');
      expect(await ledger(id)).toEqual([
        'admin_credit 700',
        `server_charge -${STARTER}`,
        'topup 500',
        `admin_credit ${STANDARD}`,
      ]);
      expect(vfServersOf(id)).toHaveLength(1);
    });
  });

  describe('a waiting deploy is cancelled by its owner or by its own Stripe cancel link, not by a forged link', () => {
    const topUpAndDeploy = async (browser: Browser) => {
      const r = await browser.request('POST', '/api/servers', { body: deployBody({ topUpIfShort: true }) });
      expect(r.status).toBe(202);
      return r.body as { server: { id: number }; topup: { sessionId: string } };
    };
    const statusOf = async (serverId: number) =>
      String((await ds.query(`SELECT status FROM servers WHERE id = $1`, [serverId]))[0].status);

    it("a forged or another deploy's token cancels nothing (409); the token from Stripe's cancel_url cancels at once", async () => {
      const { browser } = await aCustomer();
      const a = await topUpAndDeploy(browser);
      const b = await topUpAndDeploy(browser);
      const tokenOf = (sessionId: string) =>
        new URL(String(stripe.sessions.get(sessionId)!.cancel_url)).searchParams.get('token')!;
      for (const token of ['guessed', '', tokenOf(b.topup.sessionId), 42]) {
        const r = await browser.request('POST', `/api/servers/${a.server.id}/cancel`, { body: { token } });
        expect(r.status).toBe(409);
        expect((r.body as { error: { code: string } }).error.code).toBe('cancel_link_invalid');
      }
      expect(await statusOf(a.server.id)).toBe('awaiting_funds');
      expect(stripe.sessions.get(a.topup.sessionId)!.status).toBe('open');
      expect(
        await ds.query(
          `SELECT count(*)::int AS n FROM server_events WHERE server_id = $1 AND type = 'cancelled'`,
          [a.server.id],
        ),
      ).toEqual([{ n: 0 }]);
      // The token is stored hashed, never as sent.
      const [{ hash }] = await ds.query(`SELECT cancel_token_hash AS hash FROM servers WHERE id = $1`, [
        a.server.id,
      ]);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).not.toBe(tokenOf(a.topup.sessionId));

      const real = await browser.request('POST', `/api/servers/${a.server.id}/cancel`, {
        body: { token: tokenOf(a.topup.sessionId) },
      });
      expect(real.status).toBe(200);
      expect(await statusOf(a.server.id)).toBe('cancelled');
      expect(stripe.sessions.get(a.topup.sessionId)!.status).toBe('expired');
      expect(await statusOf(b.server.id)).toBe('awaiting_funds');
    });

    it('at most 3 deploys wait for payment per customer: the 4th is refused (409) with nothing written and no checkout opened', async () => {
      const { browser, id } = await aCustomer();
      const waiting = [
        await topUpAndDeploy(browser),
        await topUpAndDeploy(browser),
        await topUpAndDeploy(browser),
      ];
      const sessionsBefore = stripe.sessions.size;
      const refused = await Promise.all(
        [1, 2].map(() =>
          browser.request('POST', '/api/servers', { body: deployBody({ topUpIfShort: true }) }),
        ),
      );
      for (const r of refused) {
        expect(r.status).toBe(409);
        expect((r.body as { error: { code: string; message: string } }).error).toEqual({
          code: 'too_many_waiting_deploys',
          message:
            'You already have 3 deploys waiting for payment: pay or cancel one of them first. Nothing was charged.',
        });
      }
      expect(await serverCount(id)).toBe(3);
      expect(stripe.sessions.size).toBe(sessionsBefore);
      expect(await ds.query(`SELECT count(*)::int AS n FROM topups WHERE user_id = $1`, [id])).toEqual([
        { n: 3 },
      ]);
      expect(await ledger(id)).toEqual([]);

      // Cancelling one makes room for one more.
      expect(
        (await browser.request('POST', `/api/servers/${waiting[0]!.server.id}/cancel`, { body: {} })).status,
      ).toBe(200);
      await topUpAndDeploy(browser);
      expect(await serverCount(id)).toBe(4);
    });

    it('at most 10 open checkouts per customer: 12 at once open 10, the rest and a Top up & deploy are refused (409) with nothing written', async () => {
      const { browser, id } = await aCustomer();
      const sessionsBefore = stripe.sessions.size;
      const opened = await Promise.all(
        Array.from({ length: 12 }, () =>
          browser.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } }),
        ),
      );
      expect(opened.filter((r) => r.status === 201 || r.status === 200)).toHaveLength(10);
      const refused = opened.filter((r) => r.status === 409);
      expect(refused).toHaveLength(2);
      for (const r of refused)
        expect((r.body as { error: { code: string } }).error.code).toBe('too_many_open_topups');
      expect(stripe.sessions.size).toBe(sessionsBefore + 10);
      const openTopups = async () =>
        (
          await ds.query(`SELECT count(*)::int AS n FROM topups WHERE user_id = $1 AND status = 'pending'`, [
            id,
          ])
        )[0].n as number;
      expect(await openTopups()).toBe(10);

      const deploy = await browser.request('POST', '/api/servers', {
        body: deployBody({ topUpIfShort: true }),
      });
      expect(deploy.status).toBe(409);
      expect((deploy.body as { error: { code: string } }).error.code).toBe('too_many_open_topups');
      expect(await serverCount(id)).toBe(0);
      expect(stripe.sessions.size).toBe(sessionsBefore + 10);

      // Paying one closes it: room for one more.
      const paid = (opened.find((r) => r.status !== 409)!.body as { sessionId: string }).sessionId;
      expect((await deliver(api.baseUrl, stripe.complete(paid), keys.webhookSecret)).status).toBe(200);
      await eventually(async () => ((await openTopups()) === 9 ? true : undefined));
      const more = await browser.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } });
      expect(more.status).not.toBe(409);
      expect(await ledger(id)).toEqual(['topup 1000']);
    });
  });

  it('ozvpsctl servers list, show, suspend and unsuspend (--yes required)', async () => {
    const { browser, id } = await aCustomer(PRICE);
    const deployed = await browser.request('POST', '/api/servers', { body: deployBody() });
    const server = (deployed.body as { server: { id: number } }).server;

    const list = await cli('servers', 'list', '--user', String(id), '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: server.id, status: 'active', userId: id }),
    ]);
    const show = await cli('servers', 'show', String(server.id));
    expect(show.stdout).toMatch(/status:\s+active/);
    expect(show.stdout).toMatch(/events:\n.*charged/);

    const vfId = vf.servers.find((s) => s.ownerId === vf.users.find((u) => u.extRelationId === id)!.id)!.id;
    const unconfirmed = await cli('servers', 'suspend', String(server.id));
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    expect(vf.servers.find((s) => s.id === vfId)!.suspended).toBe(false);

    const suspended = await cli('servers', 'suspend', String(server.id), '--yes');
    expect(suspended.code).toBe(0);
    expect(suspended.stdout).toMatch(/action=servers\.suspend/);
    expect(vf.servers.find((s) => s.id === vfId)!.suspended).toBe(true);
    expect((await browser.request('GET', `/api/servers/${server.id}`)).body).toMatchObject({
      server: { status: 'suspended', suspendReason: 'admin' },
    });
    expect((await cli('servers', 'unsuspend', String(server.id), '--yes')).code).toBe(0);
    expect(vf.servers.find((s) => s.id === vfId)!.suspended).toBe(false);

    expect((await cli('servers', 'show', '999999')).code).toBe(1);
    expect((await cli('servers', 'show', 'x1')).code).toBe(2);
  });

  describe('a panel process killed mid-deploy is recovered by the sweep (charged once, one server)', () => {
    let recovery: INestApplicationContext;
    let clock: TestClock;

    beforeAll(async () => {
      clock = new TestClock(new Date());
      recovery = await bootLibs(db.url, { env: { ...vfEnv(), ...stripeEnv() }, servers: true, clock });
    });
    afterAll(() => recovery.close());

    /** A second API process whose deploy hangs at `call`; it is SIGKILLed once `crashedWhen` holds. */
    async function crashDuringDeploy(
      call: 'GET /servers/user' | 'POST /servers',
      browserBody: unknown,
      token: string,
      crashedWhen: () => Promise<boolean>,
    ) {
      const port = await findFreePort();
      const doomed = await startApi({
        port,
        env: {
          DATABASE_URL: db.url,
          OZVPS_ENV_FILE: '/dev/null',
          PORT: String(port),
          APP_URL: origin,
          PLAN_SYNC_CRON: 'off',
          VIRTFUSION_TIMEOUT_MS: '60000',
          ...vfEnv(),
        },
      });
      vf.failCall(call, call === 'POST /servers' ? 'timeout-after' : 'timeout');
      if (call === 'POST /servers') vf.failCall('GET /servers/user', 'pass');
      const pending = fetch(`${doomed.baseUrl}/api/servers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, cookie: `ozvps_session=${token}` },
        body: JSON.stringify(browserBody),
      }).catch(() => null);
      await eventually(async () => ((await crashedWhen()) ? true : undefined));
      doomed.child.kill('SIGKILL');
      await doomed.stop();
      await pending;
    }

    it('killed after the charge, before POST /servers: resumed, created, active', async () => {
      const { browser, id } = await aCustomer(5000);
      await crashDuringDeploy('GET /servers/user', deployBody(), browser.token!, async () =>
        (await ledger(id)).includes(`server_charge -${PRICE}`),
      );
      const [row] = await ds.query(`SELECT id, status, step FROM servers WHERE user_id = $1`, [id]);
      expect(row).toMatchObject({ status: 'provisioning', step: 'reserved' });
      const vfUser = vf.users.find((u) => u.extRelationId === id)!;
      expect(vf.servers.filter((s) => s.ownerId === vfUser.id)).toHaveLength(0);

      clock.set(new Date(Date.now() + 4 * 60_000)); // the dead process's lease has run out
      const swept = await recovery.get(SweepService).sweep();
      expect(swept.resumed).toBeGreaterThanOrEqual(1);
      const after = await recovery.get(ServerQueriesService).get(Number(row.id));
      expect(after.status).toBe('active');
      expect(vf.servers.filter((s) => s.ownerId === vfUser.id)).toHaveLength(1);
      expect(await ledger(id)).toEqual(['admin_credit 5000', `server_charge -${PRICE}`]);
    });

    it('killed while POST /servers was in flight (VirtFusion created it): adopted, not created twice', async () => {
      const { browser, id } = await aCustomer(5000);
      await crashDuringDeploy('POST /servers', deployBody(), browser.token!, async () => {
        const vfUser = vf.users.find((u) => u.extRelationId === id);
        return !!vfUser && vf.servers.some((s) => s.ownerId === vfUser.id);
      });
      const [row] = await ds.query(`SELECT id, status, step FROM servers WHERE user_id = $1`, [id]);
      expect(row).toMatchObject({ status: 'provisioning', step: 'creating' });

      clock.set(new Date(Date.now() + 4 * 60_000));
      await recovery.get(SweepService).sweep();
      const after = await recovery.get(ServerQueriesService).get(Number(row.id));
      expect(after.status).toBe('active');
      const vfUser = vf.users.find((u) => u.extRelationId === id)!;
      expect(vf.servers.filter((s) => s.ownerId === vfUser.id)).toHaveLength(1);
      expect(after.virtfusionServerId).toBe(vf.servers.find((s) => s.ownerId === vfUser.id)!.id);
      expect(await ledger(id)).toEqual(['admin_credit 5000', `server_charge -${PRICE}`]);
    });
  });

  it('renews at its own price; ozvpsctl servers reprice previews (exit 2, nothing written) and schedules with --yes; shown by the API, servers show and the admin route', async () => {
    const { browser } = await aCustomer(PRICE);
    const deployed = await browser.request('POST', '/api/servers', { body: deployBody() });
    const server = (deployed.body as { server: { id: number; priceMonthlyCents: number } }).server;
    expect(server.priceMonthlyCents).toBe(PRICE);
    const scheduled = async () =>
      (await ds.query(`SELECT next_price_cents::int AS cents FROM servers WHERE id = $1`, [server.id]))[0]
        .cents;
    expect((await cli('plans', 'set-price', '--package', '1', '1500')).code).toBe(0);
    try {
      // A plan's new price is for new deploys: the server's page still shows what it costs.
      const page = await browser.request('GET', `/api/servers/${server.id}`);
      expect(page.body).toMatchObject({ server: { priceMonthlyCents: PRICE, scheduledPrice: null } });

      const preview = await cli('servers', 'reprice', '--plan', String(planId), '--from', '2030-01-15');
      expect(preview.code).toBe(2);
      expect(preview.stderr).toMatch(/Not repriced: .*--yes/);
      expect(preview.stdout).toMatch(new RegExp(`^\\s*${server.id}\\s`, 'm'));
      expect(await scheduled()).toBeNull();
      expect(
        (await cli('servers', 'reprice', '--plan', String(planId), '--from', '15/01/2030', '--yes')).code,
      ).toBe(2);
      expect((await cli('servers', 'reprice', '--from', '2030-01-15', '--yes')).code).toBe(2);

      const done = await cli(
        'servers',
        'reprice',
        '--plan',
        String(planId),
        '--from',
        '2030-01-15',
        '--yes',
        '--json',
      );
      expect(done.code).toBe(0);
      expect(done.stderr).toMatch(/action=servers\.reprice/);
      const report = JSON.parse(done.stdout) as {
        applied: boolean;
        changes: { serverId: number; fromCents: number; toCents: number; fromDate: string }[];
      };
      expect(report.applied).toBe(true);
      const mine = report.changes.find((c) => c.serverId === server.id)!;
      expect(mine).toMatchObject({ fromCents: PRICE, toCents: 1500 });
      expect(mine.fromDate >= '2030-01-15').toBe(true);
      expect(await scheduled()).toBe(1500);

      const after = await browser.request('GET', `/api/servers/${server.id}`);
      expect(after.body).toMatchObject({
        server: { priceMonthlyCents: PRICE, scheduledPrice: { amountCents: 1500, fromDate: mine.fromDate } },
      });
      expect((after.body as { events: { type: string }[] }).events.map((e) => e.type)).toContain(
        'reprice_scheduled',
      );
      const show = await cli('servers', 'show', String(server.id));
      expect(show.stdout).toMatch(
        new RegExp(`next price:\\s+A\\$15\\.00 a month from the renewal on ${mine.fromDate.slice(0, 10)}`),
      );

      // The admin route: customers refused; a preview without confirm writes nothing.
      const refused = await browser.request('POST', `/api/admin/plans/${planId}/reprice`, {
        body: { fromDate: '2031-01-01', confirm: true },
      });
      expect(refused.status).toBe(403);
      const admin = await anAdminBrowser(api, origin, db.url, 'reprice-admin@example.test', vfEnv());
      const look = await admin.request('POST', `/api/admin/plans/${planId}/reprice`, {
        body: { fromDate: '2031-01-01' },
      });
      expect(look.status).toBe(200);
      expect(look.body).toMatchObject({ applied: false, priceCents: 1500 });
      expect(await scheduled()).toBe(1500);
      const bad = await admin.request('POST', `/api/admin/plans/${planId}/reprice`, {
        body: { fromDate: 'tomorrow', confirm: true },
      });
      expect(bad.status).toBe(400);
      expect(
        (
          await admin.request('POST', `/api/admin/plans/${planId}/reprice`, {
            body: { fromDate: '2031-01-01', confirm: 'yes' },
          })
        ).status,
      ).toBe(400);
    } finally {
      expect((await cli('plans', 'set-price', '--package', '1', String(PRICE))).code).toBe(0);
    }
  });

  it('reprice edges through ozvpsctl and the admin API: waiting deploys listed as skipped, set-price warns of scheduled prices that differ, back to the price cancels, nothing to change exits 0', async () => {
    // A plan of its own, so every count below is exact.
    vf.packages = [...vf.packages, aPackage(3, { name: 'Edge' })];
    expect((await cli('plans', 'sync')).code).toBe(0);
    expect((await cli('plans', 'set-price', '--package', '3', String(PRICE))).code).toBe(0);
    const edgePlanId = Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 3`))[0].id);
    const { browser, id: userId } = await aCustomer(PRICE);
    const deployed = await browser.request('POST', '/api/servers', {
      body: deployBody({ planId: edgePlanId }),
    });
    expect(deployed.status).toBe(201);
    const serverId = (deployed.body as { server: { id: number } }).server.id;
    const [waiting] = await ds.query(
      `INSERT INTO servers (user_id, plan_id, status, hostname, os_template_id, idempotency_key, price_monthly_cents, currency)
       VALUES ($1, $2, 'awaiting_funds', 'edge-waiting.example.test', 8, $3, $4, 'aud') RETURNING id::int`,
      [userId, edgePlanId, `edge-waiting-${Date.now()}`, PRICE],
    );
    const rowOf = async (id: number) =>
      (
        await ds.query(
          `SELECT price_monthly_cents::int AS price, next_price_cents::int AS next FROM servers WHERE id = $1`,
          [id],
        )
      )[0] as { price: number; next: number | null };
    const eventsOf = async (id: number) =>
      (await ds.query(`SELECT type, detail FROM server_events WHERE server_id = $1 ORDER BY id`, [id])) as {
        type: string;
        detail: string;
      }[];
    const reprice = (...more: string[]) =>
      cli('servers', 'reprice', '--plan', String(edgePlanId), '--from', '2030-01-15', ...more);
    try {
      // Nothing scheduled and the plan at the server's price: "Nothing to change", exit 0, nothing written.
      const idle = await reprice();
      expect(idle.code).toBe(0);
      expect(idle.stdout).toMatch(/^Nothing to change$/m);
      expect(idle.stderr).not.toMatch(/Not repriced/);

      const set900 = await cli('plans', 'set-price', '--package', '3', '900', '--json');
      expect(set900.code).toBe(0);
      expect(JSON.parse(set900.stdout)).toMatchObject({ priceMonthlyCents: 900, scheduledRepricesDiffer: 0 });

      // The waiting deploy keeps the price it was sold at, and the preview says so.
      const preview = await reprice();
      expect(preview.code).toBe(2);
      expect(preview.stdout).toMatch(/first renewal at or after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      expect(preview.stdout).toContain(
        `server ${waiting.id} (edge-waiting.example.test, awaiting_funds) skipped: not running yet (sold at A$12.00)`,
      );
      const done = await reprice('--yes', '--json');
      expect(done.code).toBe(0);
      const report = JSON.parse(done.stdout) as {
        changes: { serverId: number; toCents: number; fromDate: string }[];
        skipped: { serverId: number; status: string; soldAtCents: number }[];
      };
      expect(report.changes.map((c) => [c.serverId, c.toCents])).toEqual([[serverId, 900]]);
      expect(report.skipped).toEqual([expect.objectContaining({ serverId: waiting.id, soldAtCents: PRICE })]);
      expect(await rowOf(serverId)).toEqual({ price: PRICE, next: 900 });
      expect(await rowOf(waiting.id)).toEqual({ price: PRICE, next: null });
      const on = new Date(report.changes[0]!.fromDate);
      const day = `${on.getUTCDate()} ${on.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${on.getUTCFullYear()}`;
      expect((await eventsOf(serverId)).filter((e) => e.type === 'reprice_scheduled')).toEqual([
        { type: 'reprice_scheduled', detail: `A$12.00 → A$9.00 a month from the renewal on ${day}` },
      ]);

      // Lowering the plan below the scheduled price: the admin API and the CLI say so; the schedule stays.
      const admin = await anAdminBrowser(api, origin, db.url, 'edge-admin@example.test', vfEnv());
      const put = await admin.request('PUT', `/api/admin/plans/${edgePlanId}/price`, {
        body: { priceMonthlyCents: 750 },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        plan: { priceMonthlyCents: 750 },
        scheduledRepricesDiffer: 1,
        scheduledRepricesNote: '1 server has a scheduled price of A$9.00; run servers reprice to change it',
      });
      const cliSet = await cli('plans', 'set-price', '--package', '3', '750');
      expect(cliSet.code).toBe(0);
      expect(cliSet.stdout).toContain(
        '1 server has a scheduled price of A$9.00; run servers reprice to change it',
      );
      expect(await rowOf(serverId)).toEqual({ price: PRICE, next: 900 });
      const atScheduled = await admin.request('PUT', `/api/admin/plans/${edgePlanId}/price`, {
        body: { priceMonthlyCents: 900 },
      });
      expect(atScheduled.body).toMatchObject({ scheduledRepricesDiffer: 0, scheduledRepricesNote: null });

      // Back to the server's own price: the preview shows current → scheduled → new; --yes cancels, once.
      expect((await cli('plans', 'set-price', '--package', '3', String(PRICE))).code).toBe(0);
      const back = await reprice();
      expect(back.code).toBe(2);
      expect(back.stdout).toMatch(
        /A\$12\.00\s+A\$9\.00 from \d{4}-\d\d-\d\d .*A\$12\.00 \(cancels the scheduled price\)/,
      );
      expect(await rowOf(serverId)).toEqual({ price: PRICE, next: 900 });
      const cancel = await reprice('--yes');
      expect(cancel.code).toBe(0);
      expect(cancel.stdout).toMatch(/action=servers\.reprice .*servers=1 cancelled=1 skipped=0 /);
      expect(await rowOf(serverId)).toEqual({ price: PRICE, next: null });
      const page = await browser.request('GET', `/api/servers/${serverId}`);
      expect(page.body).toMatchObject({ server: { priceMonthlyCents: PRICE, scheduledPrice: null } });
      const cancelled = (await eventsOf(serverId)).filter((e) => e.type === 'reprice_cancelled');
      expect(cancelled).toEqual([
        {
          type: 'reprice_cancelled',
          detail: `scheduled price change cancelled: stays A$12.00 a month (was to be A$9.00 from the renewal on ${day})`,
        },
      ]);
      const events = (await eventsOf(serverId)).length;
      const nothing = await reprice();
      expect(nothing.code).toBe(0);
      expect(nothing.stdout).toMatch(/^Nothing to change$/m);
      expect(await eventsOf(serverId)).toHaveLength(events);
      expect((await eventsOf(serverId)).some((e) => /A\$12\.00 → A\$12\.00/.test(e.detail))).toBe(false);
    } finally {
      await ds.query(`UPDATE servers SET status = 'cancelled' WHERE id = $1`, [waiting.id]);
    }
  });

  it("twenty concurrent deploys by one customer: each a deliberate answer, another customer's pages and /api/health stay fast, nothing blamed on VirtFusion", async () => {
    const busy = await aCustomer(21 * PRICE);
    const other = await aCustomer(PRICE);
    // Linked to VirtFusion by a first deploy, so the burst is about the lock, not account creation.
    expect((await busy.browser.request('POST', '/api/servers', { body: deployBody() })).status).toBe(201);
    vf.latencyMs = 150;
    const timings: { what: string; status: number; ms: number }[] = [];
    let deploying = true;
    const timed = async (what: string, call: () => Promise<number>) => {
      const started = Date.now();
      const status = await call();
      timings.push({ what, status, ms: Date.now() - started });
    };
    const watcher = (async () => {
      while (deploying) {
        await Promise.all([
          timed('health', async () => (await fetch(`${api.baseUrl}/api/health`)).status),
          timed('wallet', async () => (await other.browser.request('GET', '/api/wallet')).status),
        ]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let answers: { status: number; body: unknown }[];
    try {
      answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          busy.browser.request('POST', '/api/servers', { body: deployBody() }),
        ),
      );
    } finally {
      deploying = false;
      await watcher;
      vf.latencyMs = 0;
    }

    const statuses = answers.map((a) => a.status);
    for (const status of statuses) expect([200, 201, 202, 402, 409, 503]).toContain(status);
    expect(statuses).toContain(201);
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.body).toMatchObject({ error: { code: 'deploy_in_progress' } });
    for (const a of answers.filter((x) => x.status === 201))
      expect(a.body).toMatchObject({ server: { status: 'active', failureReason: null } });

    expect(timings.filter((t) => t.what === 'health').length).toBeGreaterThan(0);
    for (const t of timings) {
      expect(t.status).toBe(200);
      expect(t.ms).toBeLessThan(2000);
    }

    // The database agrees: one server and one charge per 201, nothing failed, nothing refunded.
    const rows: { status: string; reason: string | null }[] = await ds.query(
      `SELECT status, failure_reason AS reason FROM servers WHERE user_id = $1`,
      [busy.id],
    );
    const created = statuses.filter((x) => x === 201).length;
    expect(rows).toHaveLength(1 + created);
    expect(rows.every((r) => r.status === 'active' && r.reason === null)).toBe(true);
    expect((await ledger(busy.id)).filter((r: string) => r.startsWith('server_charge'))).toHaveLength(
      1 + created,
    );
    expect((await ledger(busy.id)).filter((r: string) => r.startsWith('server_refund'))).toHaveLength(0);
    expect(await balance(busy.id)).toBe(21 * PRICE - (1 + created) * PRICE);
  });

  it('the ledger invariant holds after the whole suite (ozvpsctl wallet verify)', async () => {
    const r = await cli('wallet', 'verify');
    expect(r.code).toBe(0);
  });
});
