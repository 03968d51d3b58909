import { Client } from 'pg';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@ozvps/migrations';
import { deliver, FakeStripe, testStripeKeys } from './fakes/stripe';
import { fakeStripeEnv } from './fakes/env';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase, urlFor } from './helpers/database';
import { Browser } from './helpers/http';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

/** Issue 14, part C: the webhook under storms and bad input, wallets at sign-up, installation id. */
describe('Stripe webhook robustness (built API, real SDK against a fake Stripe, signed webhooks)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let stripe: FakeStripe;
  let api: RunningApi;
  let origin: string;
  const keys = testStripeKeys();
  let n = 0;
  const stripeEnv = () => fakeStripeEnv(keys, stripe);

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    stripe = await new FakeStripe().start();
    // No sign-up credit: a new user's wallet has no ledger rows, as an old row-less user's had none.
    ({ api, origin } = await startPanel(db.url, stripeEnv()));
  });

  afterAll(async () => {
    await api.stop();
    await stripe.stop();
    await ds.destroy();
    await db.drop();
  });

  const send = (event: Stripe.Event | string, options?: Parameters<typeof deliver>[3]) =>
    deliver(api.baseUrl, event, keys.webhookSecret, options);

  async function aCustomer(): Promise<{ customer: Browser; userId: number }> {
    const { browser: customer, id: userId } = await aCustomerBrowser(api, origin, `storm${++n}@example.test`);
    return { customer, userId };
  }

  async function aTopup(customer: Browser, amountCents: number): Promise<string> {
    const r = await customer.request('POST', '/api/wallet/topups', { body: { amountCents } });
    expect(r.status).toBe(201);
    return (r.body as { sessionId: string }).sessionId;
  }

  async function wallet(userId: number): Promise<{ balance: number; ledger: number; rows: number } | null> {
    const [w] = await ds.query(
      `SELECT w.balance_cents::int AS balance,
              COALESCE((SELECT sum(amount_cents) FROM wallet_transactions t WHERE t.wallet_id = w.id), 0)::int AS ledger,
              (SELECT count(*) FROM wallet_transactions t WHERE t.wallet_id = w.id)::int AS rows
         FROM wallets w WHERE w.user_id = $1`,
      [userId],
    );
    return w ?? null;
  }

  async function outcomes(eventId: string): Promise<{ outcome: string; user_id: string | null }[]> {
    return ds.query(`SELECT outcome, user_id FROM stripe_events WHERE event_id = $1 ORDER BY id`, [eventId]);
  }

  describe('wallets exist from sign-up on', () => {
    it('opens a wallet (balance 0, no rows) for a sign-up and for ozvpsctl users create', async () => {
      const { userId } = await aCustomer();
      expect(await wallet(userId)).toEqual({ balance: 0, ledger: 0, rows: 0 });
      const made = await ozvpsctl(db.url, ['users', 'create', 'made-by-operator@example.test', '--json']);
      expect(made.code).toBe(0);
      const { id } = JSON.parse(made.stdout) as { id: number };
      expect(await wallet(id)).toEqual({ balance: 0, ledger: 0, rows: 0 });
    });

    it('the migration backfills a wallet for a user who has none, and a second run changes nothing', async () => {
      const { userId } = await aCustomer();
      await ds.query(`DELETE FROM wallets WHERE user_id = $1`, [userId]); // an old, row-less user
      const Backfill = MIGRATIONS.find((M) => new M().name === 'WebhookRobustness1763800000007')!;
      const runner = ds.createQueryRunner();
      try {
        await new Backfill().up(runner);
        const [first] = await ds.query(`SELECT id, currency FROM wallets WHERE user_id = $1`, [userId]);
        expect(first).toMatchObject({ currency: 'aud' });
        await new Backfill().up(runner);
        expect(await ds.query(`SELECT id, currency FROM wallets WHERE user_id = $1`, [userId])).toEqual([
          first,
        ]);
        expect(await ds.query(`SELECT count(*)::int AS n FROM installation`)).toEqual([{ n: 1 }]);
      } finally {
        await runner.release();
      }
    });

    it('credits 10 concurrent first top-ups of a user with no wallet row: never 4xx, one credit per session, ledger = balance', async () => {
      // Five storms: the old code answered 402 to some credits of most of them.
      for (let storm = 0; storm < 5; storm++) {
        const { customer, userId } = await aCustomer();
        const sessions: string[] = [];
        for (let i = 0; i < 10; i++) sessions.push(await aTopup(customer, 1000 + i));
        await ds.query(`DELETE FROM wallets WHERE user_id = $1`, [userId]);
        const events = sessions.map((s) => stripe.complete(s));
        // Staggered by a millisecond or two, as Stripe's deliveries arrive: some credits then start
        // while an earlier one is between opening the wallet and committing.
        const first = await Promise.all(
          events.map((e, i) => new Promise((r) => setTimeout(r, i * 2)).then(() => send(e))),
        );
        expect(first.filter((r) => r.status >= 400 && r.status < 500)).toEqual([]);
        // A transient clash may answer 5xx; Stripe retries it, and the retry credits.
        for (const [i, r] of first.entries()) {
          if (r.status >= 500) expect((await send(events[i]!)).status).toBe(200);
          else expect(r).toEqual({ status: 200, body: { received: true, outcome: 'credited' } });
        }
        const total = sessions.reduce((sum, _, i) => sum + 1000 + i, 0);
        expect(await wallet(userId)).toEqual({ balance: total, ledger: total, rows: 10 });
        const perSession: { session: string; n: number }[] = await ds.query(
          `SELECT stripe_checkout_session_id AS session, count(*)::int AS n FROM wallet_transactions
            WHERE stripe_checkout_session_id = ANY($1) GROUP BY 1`,
          [sessions],
        );
        expect(perSession.map((r) => r.n)).toEqual(Array(10).fill(1));
        expect(
          await ds.query(`SELECT count(*)::int AS n FROM topups WHERE user_id = $1 AND status = 'credited'`, [
            userId,
          ]),
        ).toEqual([{ n: 10 }]);
      }
    });
  });

  describe('the one log line and the record name the user', () => {
    it('for an unpaid completion, a non-top-up session and an expired session of a known user', async () => {
      const { customer, userId } = await aCustomer();
      const sessionId = await aTopup(customer, 900);
      const session = stripe.sessions.get(sessionId)!;
      const unpaid = stripe.complete(sessionId, 'unpaid');
      const notTopup = stripe.event('checkout.session.completed', {
        ...session,
        payment_status: 'paid',
        metadata: {},
      });
      const expired = stripe.event('checkout.session.expired', session);
      for (const [event, outcome] of [
        [unpaid, 'unpaid'],
        [notTopup, 'ignored'],
        [expired, 'closed'],
      ] as const) {
        expect(await send(event)).toEqual({ status: 200, body: { received: true, outcome } });
        expect(await outcomes(event.id)).toEqual([{ outcome, user_id: String(userId) }]);
        expect(api.output()).toMatch(
          new RegExp(
            `stripe event ${event.id} type=\\S+ customer=cus_\\S+ .* user=${userId} credited=no outcome=${outcome}`,
          ),
        );
      }
    });

    it('for an unknown event type about a known customer, and by metadata when the customer is unknown', async () => {
      const { customer, userId } = await aCustomer();
      const sessionId = await aTopup(customer, 800);
      const cus = stripe.sessions.get(sessionId)!.customer as string;
      const updated = stripe.event('customer.updated', { id: cus, object: 'customer' });
      expect((await send(updated)).body).toMatchObject({ outcome: 'ignored' });
      expect(await outcomes(updated.id)).toEqual([{ outcome: 'ignored', user_id: String(userId) }]);
      const byMetadata = stripe.event('checkout.session.completed', {
        id: 'cs_test_elsewhere',
        object: 'checkout.session',
        customer: 'cus_unknown_here',
        metadata: { ozvps_user_id: String(userId) },
        payment_status: 'paid',
        amount_total: 100,
        currency: 'aud',
      });
      expect((await send(byMetadata)).body).toMatchObject({ outcome: 'ignored' });
      expect(await outcomes(byMetadata.id)).toEqual([{ outcome: 'ignored', user_id: String(userId) }]);
      expect(api.output()).toContain(`stripe event ${byMetadata.id} `);
      expect(api.output()).toMatch(new RegExp(`${byMetadata.id} .* user=${userId} credited=no`));
    });
  });

  describe('a signed event the handler cannot read: recorded as malformed and answered 400', () => {
    const session = {
      id: 'cs_test_shape',
      object: 'checkout.session',
      customer: 'cus_shape',
      metadata: { kind: 'wallet_topup' },
      payment_status: 'paid',
      amount_total: 500,
      currency: 'aud',
    };
    it.each([
      ['no data.object', { data: {} }],
      ['data.object is an array', { data: { object: [session] } }],
      ['data.object is a string', { data: { object: 'cs_test_shape' } }],
      ['data.object is null', { data: { object: null } }],
      ['no data at all', { data: undefined }],
      ['metadata is an array', { data: { object: { ...session, metadata: ['wallet_topup'] } } }],
      ['amount_total is a string', { data: { object: { ...session, amount_total: '500' } } }],
      ['currency is a number', { data: { object: { ...session, currency: 36 } } }],
      ['customer is a number', { data: { object: { ...session, customer: 42 } } }],
      ['payment_status is an object', { data: { object: { ...session, payment_status: { paid: true } } } }],
      [
        'a refund without amount_refunded',
        {
          type: 'charge.refunded',
          data: { object: { id: 'ch_1', object: 'charge', payment_intent: 'pi_1' } },
        },
      ],
      [
        'a dispute with a negative amount',
        {
          type: 'charge.dispute.funds_withdrawn',
          data: { object: { id: 'dp_1', object: 'dispute', payment_intent: 'pi_1', amount: -5 } },
        },
      ],
    ])('%s', async (_, change) => {
      const event = { ...stripe.event('checkout.session.completed', session), ...change } as Stripe.Event;
      const before = await ds.query(`SELECT count(*)::int AS n FROM wallet_transactions`);
      const r = await send(event);
      expect(r).toEqual({
        status: 400,
        body: {
          error: { code: 'malformed_event', message: expect.stringMatching(/^Malformed Stripe event: /) },
        },
      });
      expect((await outcomes(event.id)).map((o) => o.outcome)).toEqual(['malformed']);
      expect(await ds.query(`SELECT count(*)::int AS n FROM wallet_transactions`)).toEqual(before);
    });

    it('an event that is a JSON array: 400, recorded without an id', async () => {
      const before: { n: number }[] = await ds.query(
        `SELECT count(*)::int AS n FROM stripe_events WHERE outcome = 'malformed' AND event_id = '(none)'`,
      );
      const r = await send(JSON.stringify([{ id: 'evt_in_array' }]));
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'malformed_event' } });
      expect(
        await ds.query(
          `SELECT count(*)::int AS n FROM stripe_events WHERE outcome = 'malformed' AND event_id = '(none)'`,
        ),
      ).toEqual([{ n: before[0]!.n + 1 }]);
    });
    it('an event id with a NUL byte: 400, recorded with the id escaped, logged escaped', async () => {
      const { customer } = await aCustomer();
      const sessionId = await aTopup(customer, 700);
      const event = { ...stripe.complete(sessionId), id: 'evt_nul\u0000byte' } as Stripe.Event;
      const logBefore = api.output().length;
      const r = await send(event);
      expect(r).toEqual({
        status: 400,
        body: { error: { code: 'malformed_event', message: expect.stringContaining('event id') } },
      });
      expect(await outcomes('evt_nul\\u0000byte')).toEqual([{ outcome: 'malformed', user_id: null }]);
      expect(
        await ds.query(`SELECT status FROM topups WHERE stripe_checkout_session_id = $1`, [sessionId]),
      ).toEqual([{ status: 'pending' }]);
      const log = api.output().slice(logBefore);
      expect(log).toContain('stripe event evt_nul\\u0000byte type=checkout.session.completed');
      expect(log).not.toContain('\u0000');
      expect(log).not.toMatch(/QueryFailedError|invalid byte sequence|\n\s+at /);
    });

    it('an event id of 10 000 characters: 400, recorded and logged cut short', async () => {
      const long = `evt_${'A'.repeat(10_000)}`;
      const logBefore = api.output().length;
      const r = await send({
        ...stripe.event('customer.created', { id: 'cus_long', object: 'customer' }),
        id: long,
      } as Stripe.Event);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'malformed_event' } });
      const [row] = await ds.query(
        `SELECT length(event_id)::int AS n, outcome FROM stripe_events WHERE event_id LIKE 'evt_AAAA%'`,
      );
      expect(row).toEqual({ n: 255, outcome: 'malformed' });
      const lines = api
        .output()
        .slice(logBefore)
        .split('\n')
        .filter((l) => l.includes('evt_AAAA'));
      expect(lines).toHaveLength(1);
      expect(lines[0]!.length).toBeLessThan(400);
    });

    it.each([
      ['customer', { customer: 'cus_\u0000x' }],
      ['session id', { id: 'cs_test_\u0000' }],
      ['payment_intent', { payment_intent: 'pi_\u0000' }],
      ['currency', { currency: 'a\u0000d' }],
      ['payment_status', { payment_status: 'paid\u0000' }],
      ['metadata.ozvps_user_id', { metadata: { kind: 'wallet_topup', ozvps_user_id: '1\u0000' } }],
    ])('a NUL byte in the %s: 400, recorded as malformed, no money moves', async (_, change) => {
      const { customer, userId } = await aCustomer();
      const sessionId = await aTopup(customer, 800);
      const paid = stripe.complete(sessionId);
      const object = paid.data.object as unknown as Record<string, unknown>;
      const event = { ...paid, data: { object: { ...object, ...change } } } as Stripe.Event;
      const r = await send(event);
      expect(r).toEqual({
        status: 400,
        body: { error: { code: 'malformed_event', message: expect.stringContaining('unreadable text') } },
      });
      expect((await outcomes(event.id)).map((o) => o.outcome)).toEqual(['malformed']);
      expect(await wallet(userId)).toEqual({ balance: 0, ledger: 0, rows: 0 });
    });

    it('an id with the right characters still passes (the check is not too strict)', async () => {
      const { customer, userId } = await aCustomer();
      const paid = stripe.complete(await aTopup(customer, 900));
      const event = { ...paid, id: `evt_1Abc_${'z'.repeat(200)}` } as Stripe.Event;
      expect(await send(event)).toEqual({ status: 200, body: { received: true, outcome: 'credited' } });
      expect(await wallet(userId)).toEqual({ balance: 900, ledger: 900, rows: 1 });
    });
  });

  describe('refused deliveries are logged in one line, counted, and shown to operators', () => {
    const cli = (...args: string[]) => ozvpsctl(db.url, args, { ...stripeEnv(), APP_URL: origin });

    it('counts each reason class, never logs the secret or the body, and warns in stripe status and the admin page', async () => {
      const { customer } = await aCustomer();
      const event = stripe.complete(await aTopup(customer, 1300));
      // A good delivery first, so that only the failures below are "failing now".
      expect((await send(event)).status).toBe(200);
      await ds.query(`DELETE FROM stripe_webhook_failures`);
      const good = await cli('stripe', 'status', '--json');
      expect(good.code).toBe(0);
      expect(JSON.parse(good.stdout)).toMatchObject({
        signatureFailures24h: 0,
        signatureWarning: null,
        signaturesFailingNow: false,
      });

      const wrongSecret = testStripeKeys().webhookSecret;
      const secretMarker = 'body-marker-that-must-not-be-logged';
      const marked = { ...event, id: `evt_${secretMarker}` } as Stripe.Event;
      expect((await deliver(api.baseUrl, marked, wrongSecret)).status).toBe(400);
      expect((await deliver(api.baseUrl, marked, wrongSecret)).status).toBe(400);
      expect((await send(marked, { timestamp: Math.floor(Date.now() / 1000) - 400 })).status).toBe(400);
      const noHeader = await fetch(`${api.baseUrl}/api/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(marked),
      });
      expect(noHeader.status).toBe(400);
      expect(await noHeader.json()).toMatchObject({ error: { code: 'invalid_signature' } });

      expect(
        await ds.query(
          `SELECT reason, sum(count)::int AS n FROM stripe_webhook_failures GROUP BY 1 ORDER BY 1`,
        ),
      ).toEqual([
        { reason: 'bad_signature', n: 2 },
        { reason: 'no_signature', n: 1 },
        { reason: 'too_old', n: 1 },
      ]);
      expect(await outcomes(marked.id)).toEqual([]);
      const log = api.output();
      expect(log).toMatch(
        /stripe webhook refused: reason=bad_signature \(no configured STRIPE_WEBHOOK_SECRET matches\)/,
      );
      expect(log).toMatch(/stripe webhook refused: reason=too_old/);
      expect(log).toMatch(/stripe webhook refused: reason=no_signature/);
      expect(log).not.toContain(secretMarker);
      expect(log).not.toContain(keys.webhookSecret);
      expect(log).not.toContain(wrongSecret);

      const warning = '3 signature failures in 24 h — check STRIPE_WEBHOOK_SECRET';
      const failing = await cli('stripe', 'status', '--json');
      expect(failing.code).toBe(1);
      expect(JSON.parse(failing.stdout)).toMatchObject({
        signatureFailures24h: 3,
        refusedDeliveries24h: { bad_signature: 2, too_old: 1, no_signature: 1 },
        signatureWarning: warning,
        signaturesFailingNow: true,
        problems: expect.arrayContaining([warning]),
      });
      const human = await cli('stripe', 'status');
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`problem: ${warning}`);
      expect(human.stdout + human.stderr).not.toContain(wrongSecret);
      expect(human.stdout + human.stderr).not.toContain(keys.webhookSecret);

      const admin = await anAdminBrowser(api, origin, db.url, 'robust-admin@example.test');
      const http = await admin.request('GET', '/api/billing/stripe/status');
      expect(http.status).toBe(200);
      expect(http.body).toMatchObject({ signatureFailures24h: 3, signatureWarning: warning });
      expect(JSON.stringify(http.body)).not.toContain(keys.webhookSecret);

      // The secret is fixed: the next verified delivery ends "failing now"; the warning stays for 24 h.
      const next = stripe.complete(await aTopup(customer, 1400));
      expect((await send(next)).status).toBe(200);
      const fixed = await cli('stripe', 'status', '--json');
      expect(fixed.code).toBe(0);
      expect(JSON.parse(fixed.stdout)).toMatchObject({
        signatureWarning: warning,
        signaturesFailingNow: false,
      });
    });

    it('keeps one counter row per hour and reason however many bad requests arrive', async () => {
      await ds.query(`DELETE FROM stripe_webhook_failures`);
      const bad = await Promise.all(
        Array.from({ length: 40 }, () => send('{"id":"evt_flood"}', { signature: 't=1,v1=deadbeef' })),
      );
      expect(bad.every((r) => r.status === 400)).toBe(true);
      expect(await ds.query(`SELECT reason, count FROM stripe_webhook_failures`)).toEqual([
        { reason: 'bad_signature', count: 40 },
      ]);
      // Counters older than 30 days are dropped by the next count.
      await ds.query(
        `INSERT INTO stripe_webhook_failures (hour, reason, count) VALUES (now() - interval '40 days', 'bad_signature', 7)`,
      );
      await send('{"id":"evt_flood"}', { signature: 't=1,v1=deadbeef' });
      expect(await ds.query(`SELECT count(*)::int AS n FROM stripe_webhook_failures`)).toEqual([{ n: 1 }]);
    });
    it('writes one refusal line per reason every few seconds, with how many it left out, and counts them all', async () => {
      await ds.query(`DELETE FROM stripe_webhook_failures`);
      // Let any earlier no_signature line's window pass, so this storm starts a fresh one.
      await new Promise((r) => setTimeout(r, 5_100));
      const logBefore = api.output().length;
      const unsigned = () =>
        fetch(`${api.baseUrl}/api/stripe/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"id":"evt_unsigned"}',
        }).then((r) => r.status);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push(...(await Promise.all(Array.from({ length: 50 }, unsigned))));
      expect(statuses).toEqual(Array(200).fill(400));
      const lines = () =>
        api
          .output()
          .slice(logBefore)
          .split('\n')
          .filter((l) => l.includes('stripe webhook refused: reason=no_signature'));
      expect(lines().length).toBeGreaterThanOrEqual(1);
      expect(lines().length).toBeLessThanOrEqual(2);
      expect(await ds.query(`SELECT reason, count FROM stripe_webhook_failures`)).toEqual([
        { reason: 'no_signature', count: 200 },
      ]);
      // After the window the next refusal is written, with the number left out since the last line.
      await new Promise((r) => setTimeout(r, 5_100));
      expect(await unsigned()).toBe(400);
      await new Promise((r) => setTimeout(r, 200));
      // Every refusal is either a line or counted in the next one: 201 refusals in all.
      const left = lines().map((l) => Number(/and (\d+) more like it in the last 5\+ s/.exec(l)?.[1] ?? 0));
      expect(left.at(-1)).toBeGreaterThan(0);
      expect(left.reduce((a, b) => a + b, 0) + lines().length).toBe(201);
    });
  });

  describe('sign-up does not tell a stranger which emails are registered', () => {
    it('answers a registered email (any letter case) with the generic refusal, and writes nothing', async () => {
      const { userId } = await aCustomer();
      const [{ email }] = await ds.query(`SELECT email FROM users WHERE id = $1`, [userId]);
      const users = await ds.query(`SELECT count(*)::int AS n FROM users`);
      for (const taken of [email, (email as string).toUpperCase()]) {
        const r = await aCustomerBrowser(api, origin, taken).catch((err: Error) => err.message);
        expect(r).toBe(
          'sign-up answered 400: {"error":{"code":"signup_refused","message":"We could not create an account with these details. If you already have an account, sign in or ask for help."}}',
        );
        expect(r).not.toContain(email);
      }
      expect(await ds.query(`SELECT count(*)::int AS n FROM users`)).toEqual(users);
    });

    it('checks the password the same way for a registered and a new email (the same work either way)', async () => {
      const { userId } = await aCustomer();
      const [{ email }] = await ds.query(`SELECT email FROM users WHERE id = $1`, [userId]);
      const attempt = (e: string) =>
        fetch(`${api.baseUrl}/api/auth/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin },
          body: JSON.stringify({ email: e, password: 'password123' }),
        }).then(async (r) => ({ status: r.status, body: await r.json() }));
      expect(await attempt(email)).toEqual(await attempt('never-seen@example.test'));
    });
  });
});

/** Two installations (and a restored backup) against one Stripe: no idempotency key is shared. */
describe('Stripe idempotency keys carry the installation id', () => {
  const keys = testStripeKeys();
  let stripe: FakeStripe;
  const made: string[] = [];

  async function adminQuery(sql: string): Promise<void> {
    const c = new Client({ connectionString: process.env.OZVPS_TEST_ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  async function emptyDatabase(): Promise<string> {
    const db = await createTestDatabase({ empty: true });
    made.push(db.name);
    return db.url;
  }

  /** Starts a panel (which migrates), signs up `email`, starts a top-up; stops the panel. */
  async function firstTopup(url: string, email: string) {
    const { api, origin } = await startPanel(url, fakeStripeEnv(keys, stripe));
    try {
      const { browser, id } = await aCustomerBrowser(api, origin, email);
      const r = await browser.request('POST', '/api/wallet/topups', { body: { amountCents: 1500 } });
      expect(r.status).toBe(201);
      const ds = await openDataSource(url);
      try {
        const [user] = await ds.query(`SELECT stripe_customer_id FROM users WHERE id = $1`, [id]);
        const [inst] = await ds.query(`SELECT id FROM installation`);
        return { userId: id, customer: user.stripe_customer_id as string, installationId: inst.id as string };
      } finally {
        await ds.destroy();
      }
    } finally {
      await api.stop();
    }
  }

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
  });

  afterAll(async () => {
    await stripe.stop();
    for (const name of made) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('two installations (or a reset database) with the same user id make two customers, each with its own email', async () => {
    const a = await firstTopup(await emptyDatabase(), 'first-install@example.test');
    const b = await firstTopup(await emptyDatabase(), 'second-install@example.test');
    expect(a.userId).toBe(b.userId); // both databases start their ids at the same number
    expect(a.installationId).not.toBe(b.installationId);
    expect(a.customer).not.toBe(b.customer);
    expect(stripe.customers.get(b.customer)).toMatchObject({ email: 'second-install@example.test' });
    const customerKeys = stripe.requests
      .filter((r) => r.path === '/v1/customers')
      .map((r) => r.idempotencyKey);
    expect(customerKeys).toEqual([
      expect.stringMatching(new RegExp(`^ozvps-${a.installationId}-customer-${a.userId}-\\d+$`)),
      expect.stringMatching(new RegExp(`^ozvps-${b.installationId}-customer-${b.userId}-\\d+$`)),
    ]);
    const sessionKeys = stripe.requests
      .filter((r) => r.path === '/v1/checkout/sessions')
      .map((r) => r.idempotencyKey);
    expect(sessionKeys).toEqual([
      expect.stringMatching(new RegExp(`^ozvps-${a.installationId}-topup-\\d+-\\d+$`)),
      expect.stringMatching(new RegExp(`^ozvps-${b.installationId}-topup-\\d+-\\d+$`)),
    ]);
  });

  it('a database restored from a backup (same installation id, ids reused) does not replay the lost requests', async () => {
    const original = await emptyDatabase();
    await firstTopup(original, 'before-backup@example.test'); // migrated, one user
    const backup = `ozvps_test_backup_${Date.now()}`;
    await adminQuery(`CREATE DATABASE ${backup} TEMPLATE ${original.split('/').pop()}`);
    made.push(backup);
    const lost = await firstTopup(original, 'after-backup@example.test'); // lost with the restore
    const restored = await firstTopup(urlFor(backup), 'after-restore@example.test');
    expect(restored.installationId).toBe(lost.installationId);
    expect(restored.userId).toBe(lost.userId);
    expect(restored.customer).not.toBe(lost.customer);
    expect(stripe.customers.get(restored.customer)).toMatchObject({ email: 'after-restore@example.test' });
  });
});
