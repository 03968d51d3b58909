import { DataSource } from 'typeorm';
import { deliver, FakeStripe, testStripeKeys } from './fakes/stripe';
import { fakeServicesEnv } from './fakes/env';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aCustomerBrowser, PASSWORD } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { aPlanOnSale } from './helpers/builders';
import { browser } from './helpers/http';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

const METRICS_TOKEN = 'scrape-me-0123456789abcdef-metrics';
const PRICE = 1200;

/** One sample of the exposition text: `name{a="b",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, read the way a scraper reads it (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; 0 when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value ?? 0;
}

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

describe('metrics and JSON logs from the built panel (fake Stripe and VirtFusion, signed webhooks)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let stripe: FakeStripe;
  let vf: FakeVirtFusion;
  let api: RunningApi;
  let origin: string;
  const keys = testStripeKeys();

  const scrape = (authorization?: string) =>
    fetch(`${api.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
  const metrics = async () => {
    const r = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(r.status).toBe(200);
    return parseExposition(await r.text());
  };
  /** Every line the panel wrote (stdout and stderr), each parsed: a line that is not JSON fails. */
  const logLines = () =>
    api
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          throw new Error(`a log line that is not JSON: ${l}`);
        }
      });

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    stripe = await new FakeStripe().start();
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter' })];
    ({ api, origin } = await startPanel(db.url, {
      ...fakeServicesEnv(keys, stripe, vf),
      METRICS_TOKEN,
      LOG_FORMAT: 'json',
    }));
    await eventually(async () =>
      (await ds.query(`SELECT 1 FROM plans WHERE virtfusion_package_id = 1`)).length ? true : undefined,
    );
    const priced = await ozvpsctl(db.url, ['plans', 'set-price', '--package', '1', String(PRICE)], {
      VIRTFUSION_URL: vf.url,
      VIRTFUSION_API_TOKEN: vf.token,
    });
    expect(priced.code).toBe(0);
  });

  afterAll(async () => {
    await api?.stop();
    await stripe?.stop();
    await vf?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  it('refuses /metrics without the bearer token, with a wrong one, or as Basic: 401 and nothing exposed', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789abcdefgh',
      `Bearer ${METRICS_TOKEN}x`,
      `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`,
      METRICS_TOKEN,
    ]) {
      const r = await scrape(authorization);
      expect({ authorization, status: r.status }).toEqual({ authorization, status: 401 });
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await r.text();
      expect(JSON.parse(body)).toMatchObject({ error: { code: expect.any(String) } });
      expect(body).not.toMatch(/ozvps_/);
    }
    // Other spellings are not the endpoint (and not the web app either): a JSON 404.
    for (const path of ['/metrics/', '/Metrics', '/api/metrics']) {
      const r = await fetch(`${api.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
    }
    const ok = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const samples = parseExposition(await ok.text());
    // Default process metrics are on.
    expect(valueOf(samples, 'ozvps_process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('counts a signed webhook credit and a server charge once each, in count and cents, after they commit', async () => {
    const { browser: customer, id: userId } = await aCustomerBrowser(api, origin, 'metrics@example.test');
    const before = await metrics();
    const started = await customer.request('POST', '/api/wallet/topups', { body: { amountCents: 2500 } });
    expect(started.status).toBe(201);
    const event = stripe.complete((started.body as { sessionId: string }).sessionId);
    expect(await deliver(api.baseUrl, event, keys.webhookSecret)).toMatchObject({ status: 200 });
    expect(await deliver(api.baseUrl, event, keys.webhookSecret)).toMatchObject({
      status: 200,
      body: { outcome: 'duplicate' },
    });
    expect(
      await deliver(api.baseUrl, event, keys.webhookSecret, { signature: 't=1,v1=deadbeef' }),
    ).toMatchObject({ status: 400 });

    const deployed = await customer.request('POST', '/api/servers', {
      body: {
        planId: Number((await ds.query(`SELECT id FROM plans WHERE virtfusion_package_id = 1`))[0].id),
        osTemplateId: 8,
        hostname: 'metrics.example.test',
        idempotencyKey: `metrics-${Date.now()}`,
      },
    });
    expect(deployed.status).toBe(201);
    const serverId = (deployed.body as { server: { id: number } }).server.id;
    expect((await customer.request('GET', `/api/servers/${serverId}`)).status).toBe(200);
    expect((await customer.request('GET', '/api/no/such/route/123')).status).toBe(404);

    // The database is the truth the counters must match.
    const ledger = await ds.query(
      `SELECT t.type, t.amount_cents::int AS amount FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id
        WHERE w.user_id = $1 ORDER BY t.id`,
      [userId],
    );
    expect(ledger).toEqual([
      { type: 'topup', amount: 2500 },
      { type: 'server_charge', amount: -PRICE },
    ]);

    const after = await metrics();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('ozvps_stripe_webhook_events_total', { outcome: 'credited' })).toBe(1);
    expect(delta('ozvps_stripe_webhook_events_total', { outcome: 'duplicate' })).toBe(1);
    expect(delta('ozvps_stripe_webhook_events_total', { outcome: 'refused' })).toBe(1);
    expect(delta('ozvps_wallet_ledger_rows_total', { direction: 'credit', type: 'topup' })).toBe(1);
    expect(delta('ozvps_wallet_ledger_cents_total', { direction: 'credit', type: 'topup' })).toBe(2500);
    expect(delta('ozvps_wallet_ledger_rows_total', { direction: 'debit', type: 'server_charge' })).toBe(1);
    expect(delta('ozvps_wallet_ledger_cents_total', { direction: 'debit', type: 'server_charge' })).toBe(
      PRICE,
    );

    // HTTP by route template and status, never by raw path.
    const webhookRoute = { method: 'POST', route: '/api/stripe/webhook' };
    expect(delta('ozvps_http_requests_total', { ...webhookRoute, status: '200' })).toBe(2);
    expect(delta('ozvps_http_requests_total', { ...webhookRoute, status: '400' })).toBe(1);
    expect(delta('ozvps_http_request_duration_seconds_count', { ...webhookRoute, status: '200' })).toBe(2);
    expect(
      delta('ozvps_http_requests_total', { method: 'GET', route: '/api/servers/:id', status: '200' }),
    ).toBe(1);
    expect(delta('ozvps_http_requests_total', { method: 'GET', route: '(other)', status: '404' })).toBe(1);
    const routes = new Set(
      after.filter((s) => s.name === 'ozvps_http_requests_total').map((s) => s.labels.route),
    );
    expect([...routes].filter((r) => /\d/.test(r!))).toEqual([]);

    // VirtFusion calls by path template: the deploy's build is /servers/:id/build.
    const calls = after.filter((s) => s.name === 'ozvps_virtfusion_request_duration_seconds_count');
    expect(calls.map((s) => `${s.labels.method} ${s.labels.path} ${s.labels.outcome}`)).toEqual(
      expect.arrayContaining(['GET /packages ok', 'POST /servers ok', 'POST /servers/:id/build ok']),
    );
    expect(calls.every((s) => !/\d/.test(s.labels.path!))).toBe(true);
  });

  it('counts VirtFusion errors, job runs and their durations, and reads the outbox depth from the database', async () => {
    const { browser: customer } = await aCustomerBrowser(api, origin, 'vf-errors@example.test');
    // A plan of its own: templates are cached per package, and package 1's are by now.
    const planId = await aPlanOnSale(ds);
    const templates = { method: 'GET', path: '/media/templates/fromServerPackageSpec/:id', outcome: 'auth' };
    const before = await metrics();
    vf.failWith('401', 1);
    expect((await customer.request('GET', `/api/plans/${planId}/templates`)).status).toBeGreaterThanOrEqual(
      500,
    );
    const samples = await metrics();
    expect(
      valueOf(samples, 'ozvps_virtfusion_errors_total', templates) -
        valueOf(before, 'ozvps_virtfusion_errors_total', templates),
    ).toBe(1);

    // The plan sync ran on start and succeeded.
    expect(
      valueOf(samples, 'ozvps_job_runs_total', { job: 'plan-sync', outcome: 'succeeded' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(samples, 'ozvps_job_duration_seconds_count', { job: 'plan-sync', outcome: 'succeeded' }),
    ).toBe(valueOf(samples, 'ozvps_job_runs_total', { job: 'plan-sync', outcome: 'succeeded' }));

    // The outbox sender runs in every process, on start and every few seconds.
    expect(
      valueOf(samples, 'ozvps_job_runs_total', { job: 'mail-sender', outcome: 'succeeded' }),
    ).toBeGreaterThanOrEqual(1);

    await ds.query(
      `INSERT INTO outbox_messages (recipient, kind, subject, body_text, body_html, dedupe_key, status, next_attempt_at, give_up_at)
       SELECT 'x@example.test', 'welcome', 's', 't', 'h', 'metrics:' || g, 'pending', now() + interval '1 day', now() + interval '2 days'
         FROM generate_series(1, 3) g`,
    );
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM outbox_messages WHERE status = 'pending'`);
    expect(n).toBeGreaterThanOrEqual(3);
    expect(valueOf(await metrics(), 'ozvps_outbox_messages', { status: 'pending' })).toBe(n);
  });

  it('writes one JSON object per line, with the request id on every line of a request and no secret', async () => {
    // A sign-in with a password, a session cookie, an Authorization header and a webhook signature.
    const b = browser(api.baseUrl, origin);
    const signedIn = await b.request('POST', '/api/auth/login', {
      body: { email: 'metrics@example.test', password: PASSWORD },
    });
    expect(signedIn.status).toBe(200);
    const sessionToken = b.token!;
    expect(
      (await b.request('GET', '/api/wallet', { headers: { 'x-request-id': 'trace-42.a:b' } })).status,
    ).toBe(200);
    const wrongPassword = 'not-the-password-but-secret-too';
    await b.request('POST', '/api/auth/login', {
      body: { email: 'metrics@example.test', password: wrongPassword },
    });
    expect((await scrape(`Bearer ${METRICS_TOKEN}`)).status).toBe(200);
    const started = await b.request('POST', '/api/wallet/topups', { body: { amountCents: 1000 } });
    const event = stripe.complete((started.body as { sessionId: string }).sessionId);
    const webhook = await fetch(`${api.baseUrl}/api/stripe/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': (await import('stripe')).default.webhooks.generateTestHeaderString({
          payload: JSON.stringify(event),
          secret: keys.webhookSecret,
        }),
        'x-request-id': 'webhook-trace-1',
      },
      body: JSON.stringify(event),
    });
    expect(webhook.status).toBe(200);
    expect(webhook.headers.get('x-request-id')).toBe('webhook-trace-1');
    // An id that is not short and plain is replaced, never echoed.
    const unsafe = await fetch(`${api.baseUrl}/api/health`, { headers: { 'x-request-id': 'x'.repeat(65) } });
    const generated = unsafe.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    // A request's line is written as its answer finishes: wait for the last one to land.
    const lines = await eventually(async () => {
      const all = logLines();
      return all.some((l) => l.requestId === generated) ? all : undefined;
    });

    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(typeof line.level).toBe('number');
    const output = api.output();
    for (const secret of [
      PASSWORD,
      wrongPassword,
      sessionToken,
      METRICS_TOKEN,
      keys.webhookSecret,
      keys.secretKey,
      vf.token,
    ])
      expect(output.includes(secret)).toBe(false);
    expect(output).not.toMatch(/v1=[0-9a-f]{64}/);
    expect(output).not.toMatch(/ozvps_session=/);

    // Each request's own line, with its id (the caller's, when it is plain).
    const wallet = lines.find((l) => l.requestId === 'trace-42.a:b');
    expect(wallet).toMatchObject({ req: { method: 'GET', url: '/api/wallet' }, res: { statusCode: 200 } });
    // A line the webhook handling writes while the request runs carries the request's id too.
    const webhookLines = lines.filter((l) => l.requestId === 'webhook-trace-1');
    expect(webhookLines.length).toBeGreaterThanOrEqual(2);
    expect(webhookLines.some((l) => l.context === 'StripeWebhook' && String(l.msg).includes(event.id))).toBe(
      true,
    );
    expect(lines.some((l) => String(l.requestId ?? '').startsWith('xxxx'))).toBe(false);
  });

  it('answers 404 like any unknown route when METRICS_TOKEN is unset, and logs text by default', async () => {
    const plain = await startPanel(db.url, fakeServicesEnv(keys, stripe, vf));
    try {
      for (const authorization of [undefined, `Bearer ${METRICS_TOKEN}`]) {
        const r = await fetch(`${plain.api.baseUrl}/metrics`, {
          headers: authorization ? { authorization } : {},
        });
        expect(r.status).toBe(404);
        expect(r.headers.get('content-type')).toMatch(/application\/json/);
        // The same answer as a path that never existed, message aside (it names the path).
        const unknown = await fetch(`${plain.api.baseUrl}/nothing-here`, { method: 'POST' });
        const body = (await r.json()) as { error: { code: string; message: string } };
        const other = (await unknown.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe(other.error.code);
        expect(body.error.message.replace('GET /metrics', '')).toBe(
          other.error.message.replace('POST /nothing-here', ''),
        );
      }
      expect(plain.api.output()).toMatch(/OzVPS panel listening on/);
      expect(plain.api.output().split('\n')[0]).not.toMatch(/^\{/);
    } finally {
      await plain.api.stop();
    }
  });
});
