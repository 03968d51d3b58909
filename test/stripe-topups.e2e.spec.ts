import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { deliver, FakeStripe, testStripeKeys } from './fakes/stripe';
import { fakeStripeEnv } from './fakes/env';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { Browser } from './helpers/http';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

describe('Stripe top-ups end to end (built API, real SDK against a fake Stripe, signed webhooks)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let stripe: FakeStripe;
  let api: RunningApi;
  let origin: string;
  const keys = testStripeKeys();
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    stripe = await new FakeStripe().start();
    ({ api, origin } = await startPanel(db.url, fakeStripeEnv(keys, stripe)));
  });

  afterAll(async () => {
    await api.stop();
    await stripe.stop();
    await ds.destroy();
    await db.drop();
  });

  /** A new customer with a started top-up of `amountCents`. */
  async function aTopup(
    amountCents = 2500,
  ): Promise<{ customer: Browser; userId: number; sessionId: string }> {
    const { browser: customer, id: userId } = await aCustomerBrowser(api, origin, `payer${++n}@example.test`);
    const r = await customer.request('POST', '/api/wallet/topups', { body: { amountCents } });
    expect(r.status).toBe(201);
    const { sessionId, checkoutUrl } = r.body as { sessionId: string; checkoutUrl: string };
    expect(checkoutUrl).toBe(`${stripe.url}/checkout/${sessionId}`);
    return { customer, userId, sessionId };
  }

  const send = (event: Stripe.Event | string, options?: Parameters<typeof deliver>[3]) =>
    deliver(api.baseUrl, event, keys.webhookSecret, options);

  async function ledger(userId: number) {
    return ds.query(
      `SELECT t.type, t.amount_cents::int AS amount, t.balance_after_cents::int AS after, t.stripe_event_id AS event, t.stripe_checkout_session_id AS session
         FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 ORDER BY t.id`,
      [userId],
    );
  }
  async function balance(userId: number): Promise<number> {
    const rows = await ds.query(`SELECT balance_cents::int AS b FROM wallets WHERE user_id = $1`, [userId]);
    return rows[0]?.b ?? 0;
  }
  async function outcomes(eventId: string): Promise<string[]> {
    return (
      await ds.query(`SELECT outcome FROM stripe_events WHERE event_id = $1 ORDER BY id`, [eventId])
    ).map((r: { outcome: string }) => r.outcome);
  }
  async function topupStatus(sessionId: string): Promise<string> {
    return (await ds.query(`SELECT status FROM topups WHERE stripe_checkout_session_id = $1`, [sessionId]))[0]
      ?.status;
  }

  it('starts a top-up: a pending row, a Stripe customer with the panel id, a checkout with the required fields', async () => {
    const { userId, sessionId, customer } = await aTopup(2500);
    const session = stripe.sessions.get(sessionId)!;
    const [user] = await ds.query(`SELECT stripe_customer_id FROM users WHERE id = $1`, [userId]);
    expect(session).toMatchObject({
      customer: user.stripe_customer_id,
      client_reference_id: String(userId),
      metadata: { ozvps_user_id: String(userId), kind: 'wallet_topup' },
      amount_total: 2500,
      currency: 'aud',
      success_url: `${origin}/wallet/topup/return?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${origin}/wallet?topup=cancelled`,
    });
    expect(stripe.customers.get(user.stripe_customer_id)).toMatchObject({
      metadata: { ozvps_user_id: String(userId) },
    });
    expect(await topupStatus(sessionId)).toBe('pending');
    expect((await customer.request('GET', `/api/wallet/topups/${sessionId}`)).body).toEqual({
      status: 'pending',
      amountCents: 2500,
      currency: 'aud',
      // A plain top-up pays for no deploy (a "Top up & deploy" names its server here).
      serverId: null,
      serverStatus: null,
      serverCancelReason: null,
    });
    expect(await ledger(userId)).toEqual([]);
  });

  it('credits a paid checkout session once, even when the event is delivered twice', async () => {
    const { userId, sessionId, customer } = await aTopup(2500);
    const event = stripe.complete(sessionId);
    expect(await send(event)).toEqual({ status: 200, body: { received: true, outcome: 'credited' } });
    expect(await send(event)).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
    expect(await ledger(userId)).toEqual([
      { type: 'topup', amount: 2500, after: 2500, event: event.id, session: sessionId },
    ]);
    expect(await balance(userId)).toBe(2500);
    expect(await outcomes(event.id)).toEqual(['credited', 'duplicate']);
    expect(await topupStatus(sessionId)).toBe('credited');
    expect((await customer.request('GET', `/api/wallet/topups/${sessionId}`)).body).toMatchObject({
      status: 'credited',
    });
    expect((await customer.request('GET', '/api/wallet')).body).toMatchObject({
      balanceCents: 2500,
      currency: 'aud',
    });
  });

  it('credits once when 20 copies of one event arrive at the same moment', async () => {
    const { userId, sessionId } = await aTopup(1000);
    const event = stripe.complete(sessionId);
    const results = await Promise.all(Array.from({ length: 20 }, () => send(event)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => (r.body as { outcome: string }).outcome === 'credited')).toHaveLength(1);
    expect(await ledger(userId)).toHaveLength(1);
    expect(await balance(userId)).toBe(1000);
    expect((await outcomes(event.id)).sort()).toEqual(['credited', ...Array(19).fill('duplicate')]);
  });

  it('credits once when both completed and async_payment_succeeded arrive for one session', async () => {
    const { userId, sessionId } = await aTopup(700);
    const completed = stripe.complete(sessionId);
    const succeeded = stripe.event(
      'checkout.session.async_payment_succeeded',
      stripe.sessions.get(sessionId)!,
    );
    const [a, b] = await Promise.all([send(completed), send(succeeded)]);
    expect([a.body, b.body].map((x) => (x as { outcome: string }).outcome).sort()).toEqual([
      'credited',
      'duplicate',
    ]);
    expect(await ledger(userId)).toHaveLength(1);
    expect(await balance(userId)).toBe(700);
  });

  it('waits for a delayed payment: unpaid at completion, credited on async success', async () => {
    const { userId, sessionId } = await aTopup(1500);
    expect((await send(stripe.complete(sessionId, 'unpaid'))).body).toMatchObject({ outcome: 'unpaid' });
    expect(await balance(userId)).toBe(0);
    expect(await topupStatus(sessionId)).toBe('pending');
    stripe.sessions.get(sessionId)!.payment_status = 'paid';
    expect(
      (await send(stripe.event('checkout.session.async_payment_succeeded', stripe.sessions.get(sessionId)!)))
        .body,
    ).toMatchObject({ outcome: 'credited' });
    expect(await balance(userId)).toBe(1500);
  });

  it.each([
    ['checkout.session.async_payment_failed', 'failed'],
    ['checkout.session.expired', 'expired'],
  ])('closes the top-up on %s without crediting', async (type, status) => {
    const { userId, sessionId, customer } = await aTopup(900);
    const r = await send(stripe.event(type, stripe.sessions.get(sessionId)!));
    expect(r).toEqual({ status: 200, body: { received: true, outcome: 'closed' } });
    expect(await topupStatus(sessionId)).toBe(status);
    expect((await customer.request('GET', `/api/wallet/topups/${sessionId}`)).body).toMatchObject({ status });
    expect(await ledger(userId)).toEqual([]);
  });

  describe('refuses what it cannot trust, and writes nothing', () => {
    let userId: number;
    let event: Stripe.Event;

    beforeAll(async () => {
      const t = await aTopup(1200);
      userId = t.userId;
      event = stripe.complete(t.sessionId);
    });

    afterEach(async () => {
      expect(await ledger(userId)).toEqual([]);
      expect(await balance(userId)).toBe(0);
    });

    it('a bad signature: 400', async () => {
      expect((await send(event, { signature: 't=1,v1=deadbeef' })).status).toBe(400);
      expect(await outcomes(event.id)).toEqual([]);
    });

    it('a signature older than 300 seconds: 400', async () => {
      expect((await send(event, { timestamp: Math.floor(Date.now() / 1000) - 301 })).status).toBe(400);
    });

    it('a payload signed with another secret (the other mode endpoint): 400', async () => {
      expect((await deliver(api.baseUrl, event, testStripeKeys().webhookSecret)).status).toBe(400);
    });

    it('a payload changed after signing: 400', async () => {
      const payload = JSON.stringify(event);
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: keys.webhookSecret });
      expect((await send(payload.replace('"paid"', '"paid" '), { signature })).status).toBe(400);
    });

    it('malformed JSON: 400', async () => {
      expect((await send('{"id": "evt_broken", ')).status).toBe(400);
    });

    it('a live-mode event reaching test keys: refused loudly and recorded', async () => {
      const live = { ...event, id: 'evt_live_mode_test', livemode: true };
      const r = await send(live as Stripe.Event);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'livemode_mismatch' } });
      expect(await outcomes('evt_live_mode_test')).toEqual(['failed']);
    });
  });

  it('answers 200 to an unknown event type and records it as ignored', async () => {
    const event = stripe.event('customer.updated', { id: 'cus_x', object: 'customer' });
    expect(await send(event)).toEqual({ status: 200, body: { received: true, outcome: 'ignored' } });
    expect(await outcomes(event.id)).toEqual(['ignored']);
  });

  it('records an event for an unknown customer without metadata as unmatched', async () => {
    const orphan = {
      id: 'cs_test_orphan',
      object: 'checkout.session',
      customer: 'cus_nobody',
      metadata: { kind: 'wallet_topup' },
      payment_status: 'paid',
      amount_total: 500,
      currency: 'aud',
      livemode: false,
    };
    const event = stripe.event('checkout.session.completed', orphan);
    expect((await send(event)).body).toMatchObject({ outcome: 'unmatched' });
    const [row] = await ds.query(
      `SELECT outcome, user_id, stripe_customer_id, amount_cents::int AS amount FROM stripe_events WHERE event_id = $1`,
      [event.id],
    );
    expect(row).toEqual({
      outcome: 'unmatched',
      user_id: null,
      stripe_customer_id: 'cus_nobody',
      amount: 500,
    });
  });

  it.each([
    ['amount', { amount_total: 99999 }],
    ['currency', { currency: 'usd' }],
  ])(
    'records a %s that differs from the pending top-up as a mismatch, crediting nothing',
    async (_, change) => {
      const { userId, sessionId } = await aTopup(2000);
      Object.assign(stripe.sessions.get(sessionId)!, change);
      expect((await send(stripe.complete(sessionId))).body).toMatchObject({ outcome: 'mismatch' });
      expect(await ledger(userId)).toEqual([]);
      expect(await topupStatus(sessionId)).toBe('pending');
    },
  );

  it('answers 5xx when the database fails mid-credit, keeps nothing half-written, and credits once on the retry', async () => {
    const { userId, sessionId } = await aTopup(3300);
    const event = stripe.complete(sessionId);
    await ds.query(
      `CREATE OR REPLACE FUNCTION fail_ledger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$`,
    );
    await ds.query(
      `CREATE TRIGGER fail_ledger BEFORE INSERT ON wallet_transactions FOR EACH ROW EXECUTE FUNCTION fail_ledger()`,
    );
    try {
      const r = await send(event);
      expect(r.status).toBe(500);
      expect(await ledger(userId)).toEqual([]);
      expect(await balance(userId)).toBe(0);
      expect(await topupStatus(sessionId)).toBe('pending');
    } finally {
      await ds.query(`DROP TRIGGER fail_ledger ON wallet_transactions`);
    }
    expect((await send(event)).body).toMatchObject({ outcome: 'credited' });
    expect(await balance(userId)).toBe(3300);
    expect(await outcomes(event.id)).toEqual(['failed', 'credited']);
  });

  it('makes one Stripe customer for two first top-up clicks at once', async () => {
    const { browser: customer, id: userId } = await aCustomerBrowser(
      api,
      origin,
      'double-click@example.test',
    );
    const before = stripe.customers.size;
    const [a, b] = await Promise.all([
      customer.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } }),
      customer.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(stripe.customers.size).toBe(before + 1);
    const [user] = await ds.query(`SELECT stripe_customer_id FROM users WHERE id = $1`, [userId]);
    const sessions = [a, b].map((r) => stripe.sessions.get((r.body as { sessionId: string }).sessionId)!);
    expect(sessions.map((s) => s.customer)).toEqual([user.stripe_customer_id, user.stripe_customer_id]);
  });

  it('tells the user clearly when Stripe fails, keeps no half-made top-up, and a retry works', async () => {
    const { browser: customer, id: userId } = await aCustomerBrowser(api, origin, 'stripe-down@example.test');
    stripe.failNext(/^POST \/v1\/checkout\/sessions$/, 500, 3); // the SDK retries twice
    const failed = await customer.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } });
    expect(failed.status).toBe(502);
    expect(failed.body).toEqual({
      error: { code: 'stripe_unavailable', message: expect.stringMatching(/nothing was charged/) },
    });
    expect(await ds.query(`SELECT status FROM topups WHERE user_id = $1`, [userId])).toEqual([
      { status: 'failed' },
    ]);

    stripe.failNext(/^POST \/v1\/customers$/, 500, 3);
    const other = await aCustomerBrowser(api, origin, 'stripe-down-2@example.test');
    expect(
      (await other.browser.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } })).status,
    ).toBe(502);
    expect(await ds.query(`SELECT count(*)::int AS n FROM topups WHERE user_id = $1`, [other.id])).toEqual([
      { n: 0 },
    ]);

    const retry = await customer.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } });
    expect(retry.status).toBe(201);
  });

  it.each([
    ['below the minimum', 499],
    ['above the maximum', 100001],
    ['fractional', 10.5],
    ['a string', '1000'],
  ])('refuses a top-up %s with nothing written', async (_, amountCents) => {
    const { browser: customer, id: userId } = await aCustomerBrowser(
      api,
      origin,
      `bad-amount-${++n}@example.test`,
    );
    const r = await customer.request('POST', '/api/wallet/topups', { body: { amountCents } });
    expect(r.status).toBe(400);
    expect(await ds.query(`SELECT count(*)::int AS n FROM topups WHERE user_id = $1`, [userId])).toEqual([
      { n: 0 },
    ]);
  });

  it('claws back only the newly refunded part: partial, then full, then a late copy', async () => {
    const { userId, sessionId } = await aTopup(5000);
    await send(stripe.complete(sessionId));
    const partial = stripe.refund(sessionId, 2000);
    const full = stripe.refund(sessionId, 5000);
    expect((await send(partial)).body).toMatchObject({ outcome: 'reversed' });
    expect((await send(full)).body).toMatchObject({ outcome: 'reversed' });
    expect((await send(partial)).body).toMatchObject({ outcome: 'duplicate' });
    expect((await send(stripe.refund(sessionId, 2000))).body).toMatchObject({ outcome: 'duplicate' }); // an old state, re-sent
    expect((await ledger(userId)).map((r: { type: string; amount: number }) => [r.type, r.amount])).toEqual([
      ['topup', 5000],
      ['stripe_refund', -2000],
      ['stripe_refund', -3000],
    ]);
    expect(await balance(userId)).toBe(0);
  });

  it('lets a refund take the balance below zero when the money was already spent', async () => {
    const { userId, sessionId } = await aTopup(1000);
    await send(stripe.complete(sessionId));
    const spent = await ozvpsctl(db.url, [
      'wallet',
      'deduct',
      String(userId),
      '800',
      '--reason',
      'spent on a server',
      '--yes',
    ]);
    expect(spent.code).toBe(0);
    expect((await send(stripe.refund(sessionId, 1000))).body).toMatchObject({ outcome: 'reversed' });
    expect(await balance(userId)).toBe(-800);
  });

  it('takes the money back when a dispute is lost and returns it when reinstated, once each', async () => {
    const { userId, sessionId } = await aTopup(4000);
    await send(stripe.complete(sessionId));
    const withdrawn = stripe.dispute(sessionId, 'withdrawn', 4000, `dp_${sessionId.slice(-8)}`);
    const reinstated = stripe.dispute(sessionId, 'reinstated', 4000, `dp_${sessionId.slice(-8)}`);
    expect((await send(withdrawn)).body).toMatchObject({ outcome: 'reversed' });
    expect((await send(withdrawn)).body).toMatchObject({ outcome: 'duplicate' });
    expect(await balance(userId)).toBe(0);
    expect((await send(reinstated)).body).toMatchObject({ outcome: 'credited' });
    expect(
      (await send(stripe.dispute(sessionId, 'reinstated', 4000, `dp_${sessionId.slice(-8)}`))).body,
    ).toMatchObject({ outcome: 'duplicate' });
    expect(await balance(userId)).toBe(4000);
    expect((await ledger(userId)).map((r: { type: string; amount: number }) => [r.type, r.amount])).toEqual([
      ['topup', 4000],
      ['dispute_withdrawn', -4000],
      ['dispute_reinstated', 4000],
    ]);
  });

  it("hides another user's top-up (404) and needs a session (401)", async () => {
    const { sessionId } = await aTopup(800);
    const stranger = await aCustomerBrowser(api, origin, 'stranger@example.test');
    expect((await stranger.browser.request('GET', `/api/wallet/topups/${sessionId}`)).status).toBe(404);
    const anonymous = await fetch(`${api.baseUrl}/api/wallet/topups/${sessionId}`);
    expect(anonymous.status).toBe(401);
  });

  describe('operators: ozvpsctl stripe and the admin status', () => {
    const stripeEnv = () => ({
      ...fakeStripeEnv(keys, stripe),
      APP_URL: origin,
    });
    const cli = (...args: string[]) => ozvpsctl(db.url, args, stripeEnv());

    it('status shows mode, masked keys and the webhook URL, never a secret', async () => {
      const r = await cli('stripe', 'status', '--json');
      expect(r.code).toBe(0);
      const status = JSON.parse(r.stdout);
      expect(status).toMatchObject({
        configured: true,
        mode: 'test',
        secretKey: `sk_test_…${keys.secretKey.slice(-4)}`,
        publishableKey: `pk_test_…${keys.publishableKey.slice(-4)}`,
        webhookSecrets: [`whsec_…${keys.webhookSecret.slice(-4)}`],
        webhookUrl: `${origin}/api/stripe/webhook`,
      });
      expect(status.lastEvent).toMatchObject({ eventId: expect.stringMatching(/^evt_/) });
      expect(status.last24h.credited).toBeGreaterThan(0);
      const human = await cli('stripe', 'status');
      for (const secret of Object.values(keys)) {
        expect(r.stdout + r.stderr + human.stdout + human.stderr).not.toContain(secret);
      }
    });

    it('status exits 1 when Stripe is not configured', async () => {
      const r = await ozvpsctl(db.url, ['stripe', 'status']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^configured:\s+no$/m);
    });

    it('show gives the contract fields', async () => {
      const { userId } = await aTopup(600);
      const [row] = await ds.query(`SELECT stripe_customer_id FROM users WHERE id = $1`, [userId]);
      expect(JSON.parse((await cli('stripe', 'show', String(userId), '--json')).stdout)).toEqual({
        userId,
        stripeCustomerId: row.stripe_customer_id,
      });
    });

    it('events filters by outcome and refuses an unknown one', async () => {
      const credited = JSON.parse((await cli('stripe', 'events', '--outcome', 'credited', '--json')).stdout);
      expect(credited.length).toBeGreaterThan(0);
      expect(credited.every((e: { outcome: string }) => e.outcome === 'credited')).toBe(true);
      const bad = await cli('stripe', 'events', '--outcome', 'maybe');
      expect(bad.code).toBe(2);
      expect((await cli('stripe', 'events', '--since', '45d')).code).toBe(2);
    });

    it('reconcile finds a paid session whose webhook never arrived, credits it with --yes, and never twice', async () => {
      const { userId, sessionId } = await aTopup(4200);
      const lost = stripe.complete(sessionId); // Stripe has the event; the panel never received it
      const dry = await cli('stripe', 'reconcile', '--since', '1h', '--json');
      expect(dry.code).toBe(0);
      expect(JSON.parse(dry.stdout).events).toContainEqual(
        expect.objectContaining({ eventId: lost.id, alreadyRecorded: false, outcome: null }),
      );
      expect(await balance(userId)).toBe(0);

      const applied = await cli('stripe', 'reconcile', '--since', '1h', '--yes');
      expect(applied.code).toBe(0);
      // Every paid session the panel missed is credited, this one included.
      expect(applied.stdout).toMatch(/action=stripe\.reconcile .*credited=[1-9]\d* /);
      expect(await balance(userId)).toBe(4200);
      const again = await cli('stripe', 'reconcile', '--since', '1h', '--yes', '--json');
      expect(
        JSON.parse(again.stdout).events.find((e: { eventId: string }) => e.eventId === lost.id),
      ).toMatchObject({ outcome: 'duplicate' });
      expect(await balance(userId)).toBe(4200);
      expect(await ledger(userId)).toHaveLength(1);
    });

    it('shows the status over HTTP to admins only', async () => {
      const admin = await anAdminBrowser(api, origin, db.url, 'stripe-admin@example.test');
      const { browser: customer } = await aCustomerBrowser(api, origin, 'not-admin@example.test');
      expect((await fetch(`${api.baseUrl}/api/billing/stripe/status`)).status).toBe(401);
      expect((await customer.request('GET', '/api/billing/stripe/status')).status).toBe(403);
      const r = await admin.request('GET', '/api/billing/stripe/status');
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toContain(keys.secretKey);
      expect((await admin.request('GET', '/api/admin/stripe/events?outcome=mismatch')).body).toMatchObject({
        events: expect.arrayContaining([expect.objectContaining({ outcome: 'mismatch' })]),
      });
    });
  });
});
