import { createServer, Server, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { findFreePort } from '@ozvps/core';
import { aCustomerBrowser, anAdminBrowser, PASSWORD } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { browser, Browser } from './helpers/http';
import { RunningApi, startPanel } from './helpers/processes';
import { rawRequest } from './helpers/raw-http';

const WEB_ASSETS = join(__dirname, '..', 'dist', 'web', 'assets');

/** A TCP relay to PostgreSQL that the test can cut, as a database outage looks to the panel. */
async function aCuttableLink(databaseUrl: string): Promise<{ url: string; cut(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut: async () => {
      // Stop accepting first, so every reconnect is refused, then drop what is open.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

describe('security headers, compression and request bodies (the built API)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let api: RunningApi;
  let origin: string;
  let admin: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    ({ api, origin } = await startPanel(db.url));
    admin = await anAdminBrowser(api, origin, db.url, 'root@example.test');
  });

  afterAll(async () => {
    await api?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  it('sends nosniff, a referrer policy and no framing on every response; the SPA a self-only CSP', async () => {
    const asset = readdirSync(WEB_ASSETS).find((f) => f.endsWith('.js'))!;
    for (const path of ['/api/health', '/api/no-such-route', '/servers', '/', `/assets/${asset}`]) {
      const r = await rawRequest(api.baseUrl, 'GET', path);
      expect({ path, nosniff: r.headers['x-content-type-options'] }).toEqual({ path, nosniff: 'nosniff' });
      expect(r.headers['referrer-policy']).toBe('same-origin');
      expect(r.headers['x-frame-options']).toBe('DENY');
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      // Served over http: HSTS would pin nothing, and is left out.
      expect(r.headers['strict-transport-security']).toBeUndefined();
      expect(r.headers['x-powered-by']).toBeUndefined();
    }
    const spa = await rawRequest(api.baseUrl, 'GET', '/servers');
    expect(spa.status).toBe(200);
    expect(spa.body).toContain('<div id="root">');
    // The built page references its bundle and stylesheet by path only: nothing inline to allow.
    expect(spa.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(spa.body).not.toMatch(/<style\b/);
  });

  it('sends HSTS when APP_URL is https', async () => {
    const secure = await startPanel(db.url, { APP_URL: 'https://panel.example.test' });
    try {
      const r = await rawRequest(secure.api.baseUrl, 'GET', '/api/health');
      expect(r.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
    } finally {
      await secure.api.stop();
    }
  });

  it('compresses the bundle and JSON for a client that accepts gzip, and not for one that does not', async () => {
    const asset = readdirSync(WEB_ASSETS).find((f) => f.endsWith('.js'))!;
    const plain = await rawRequest(api.baseUrl, 'GET', `/assets/${asset}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await rawRequest(api.baseUrl, 'GET', `/assets/${asset}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);

    await ds.query(
      `INSERT INTO users (email, name) SELECT 'customer' || i || '@example.test', 'Customer ' || i FROM generate_series(1, 40) i`,
    );
    const headers = { cookie: `ozvps_session=${admin.token}`, 'accept-encoding': 'gzip' };
    const json = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      // rawRequest decodes to text; the gzip bytes are wanted here.
      void import('node:http').then(({ get }) =>
        get(`${api.baseUrl}/api/admin/users`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
          );
        }).on('error', reject),
      );
    });
    expect(json.encoding).toBe('gzip');
    const users = (JSON.parse(gunzipSync(json.body).toString('utf8')) as { users: unknown[] }).users;
    expect(users.length).toBeGreaterThanOrEqual(40);
  });

  it('answers a body over the limit with 413 and the usual JSON error, signed in or not, logging no stack', async () => {
    const { browser: customer } = await aCustomerBrowser(api, origin, 'big@example.test');
    const logBefore = api.output().length;
    const big = (bytes: number) => JSON.stringify({ email: 'x@example.test', password: 'x'.repeat(bytes) });
    for (const [who, token] of [
      ['anonymous', null],
      ['customer', customer.token],
    ] as const) {
      for (const [path, size] of [
        ['/api/auth/login', 70 * 1024],
        ['/api/auth/login', 2 * 1024 * 1024],
        ['/api/wallet/topups', 200 * 1024],
        ['/api/no-such-route', 200 * 1024],
      ] as const) {
        const headers: Record<string, string> = { origin, 'content-type': 'application/json' };
        if (token) headers.cookie = `ozvps_session=${token}`;
        const r = await rawRequest(api.baseUrl, 'POST', path, { headers, body: big(size) });
        expect({ who, path, size, status: r.status }).toEqual({ who, path, size, status: 413 });
        expect(JSON.parse(r.body)).toEqual({
          error: { code: 'payload_too_large', message: 'The request body is too large' },
        });
      }
    }
    const log = api.output().slice(logBefore);
    expect(log).not.toMatch(/PayloadTooLarge|too large|\n\s+at /i);
  });

  it('lets the Stripe webhook receive up to 1 MB, and no more', async () => {
    const event = (bytes: number) => JSON.stringify({ id: 'evt_big', padding: 'x'.repeat(bytes) });
    const headers = { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' };
    const near = await rawRequest(api.baseUrl, 'POST', '/api/stripe/webhook', {
      headers,
      body: event(900 * 1024),
    });
    // Past the parser: what answers is the webhook itself (here: Stripe is not configured).
    expect(near.status).toBe(503);
    expect(JSON.parse(near.body)).toMatchObject({ error: { code: 'stripe_not_configured' } });
    const over = await rawRequest(api.baseUrl, 'POST', '/api/stripe/webhook', {
      headers,
      body: event(1100 * 1024),
    });
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses JSON nested deeper than 32 levels with 400 before anything walks it, on every route, logging no stack', async () => {
    const { browser: customer } = await aCustomerBrowser(api, origin, 'deep@example.test');
    const logBefore = api.output().length;
    const deepObject = `{"email":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"password":"abcdefghijk"}`;
    const deepArray = `{"email":${'['.repeat(20_000)}${']'.repeat(20_000)},"password":"abcdefghijk"}`;
    const refused = {
      error: { code: 'bad_request', message: 'The request body is nested more than 32 levels deep' },
    };
    for (const [path, token, body] of [
      ['/api/auth/login', null, deepObject],
      ['/api/auth/login', null, deepArray],
      ['/api/auth/signup', null, deepObject],
      ['/api/wallet/topups', customer.token, deepArray],
      ['/api/stripe/webhook', null, deepObject],
    ] as const) {
      const headers: Record<string, string> = { origin, 'content-type': 'application/json' };
      if (token) headers.cookie = `ozvps_session=${token}`;
      if (path === '/api/stripe/webhook') headers['stripe-signature'] = 't=1,v1=00';
      const r = await rawRequest(api.baseUrl, 'POST', path, { headers, body });
      expect({ path, status: r.status, body: JSON.parse(r.body) }).toEqual({
        path,
        status: 400,
        body: refused,
      });
    }
    const log = api.output().slice(logBefore);
    expect(log).not.toMatch(/RangeError|call stack|\n\s+at /);

    // Up to the limit the body is parsed and validated as usual; brackets inside strings do not count.
    const at = (depth: number) => `${'['.repeat(depth - 1)}"x"${']'.repeat(depth - 1)}`;
    const ok = await rawRequest(api.baseUrl, 'POST', '/api/auth/login', {
      headers: { origin, 'content-type': 'application/json' },
      body: `{"email":${at(31)},"password":"abcdefghijk"}`,
    });
    expect(ok.status).toBe(400);
    expect(JSON.parse(ok.body).error.message).not.toMatch(/nested/);
    const inString = await rawRequest(api.baseUrl, 'POST', '/api/auth/login', {
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${'{['.repeat(5000)}@example.test`, password: 'abcdefghijk\\"[[' }),
    });
    expect(inString.status).toBe(400);
    expect(JSON.parse(inString.body).error.message).not.toMatch(/nested/);
  });

  it('answers 404 for a route that does not exist, whatever the method, body type or Origin; real routes keep the JSON and Origin check', async () => {
    for (const [method, path, headers] of [
      ['DELETE', '/api/admin/users', {}],
      ['POST', '/api/no-such-route', {}],
      ['PUT', '/api/wallet', { 'content-type': 'text/plain' }],
      ['PATCH', '/api/auth/login', { 'content-type': 'application/json', origin }],
      ['POST', '/api/auth/Login', { 'content-type': 'application/json', origin: 'https://evil.example' }],
      ['DELETE', '/api/admin/users/', { origin: 'https://evil.example' }],
    ] as const) {
      const r = await rawRequest(api.baseUrl, method, path, { headers });
      expect({ method, path, status: r.status }).toEqual({ method, path, status: 404 });
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'not_found' } });
    }
    const login = (headers: Record<string, string>) =>
      rawRequest(api.baseUrl, 'POST', '/api/auth/login', {
        headers,
        body: JSON.stringify({ email: 'x@example.test', password: 'abcdefghijk' }),
      });
    const form = await login({ origin, 'content-type': 'text/plain' });
    expect(form.status).toBe(415);
    const foreign = await login({ origin: 'https://evil.example', 'content-type': 'application/json' });
    expect(foreign.status).toBe(403);
    // A route with a parameter, signed in as an admin: still checked before the controller runs.
    const adjust = (headers: Record<string, string>) =>
      rawRequest(api.baseUrl, 'POST', '/api/admin/users/1/wallet/adjustments', {
        headers: { cookie: `ozvps_session=${admin.token}`, ...headers },
        body: JSON.stringify({ amountCents: 100, reason: 'test' }),
      });
    expect(
      (await adjust({ origin: 'https://evil.example', 'content-type': 'application/json' })).status,
    ).toBe(403);
    expect((await adjust({ origin, 'content-type': 'text/plain' })).status).toBe(415);
    expect(await ds.query(`SELECT count(*)::int AS n FROM wallet_transactions`)).toEqual([{ n: 0 }]);
  });

  it('answers a malformed JSON body with 400 and the usual JSON error', async () => {
    const r = await rawRequest(api.baseUrl, 'POST', '/api/auth/login', {
      headers: { origin, 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'bad_request' } });
  });
});

describe('database outage', () => {
  it('answers 503 JSON and logs one line per cause every few seconds, not a stack per request', async () => {
    const db = await createTestDatabase();
    const link = await aCuttableLink(db.url);
    const { api, origin } = await startPanel(link.url);
    try {
      const { browser: customer } = await aCustomerBrowser(api, origin, 'outage@example.test');
      await link.cut();
      const logBefore = api.output().length;
      const statuses = new Map<string, number>();
      const deadline = Date.now() + 3_000;
      let requests = 0;
      while (Date.now() < deadline) {
        const batch = await Promise.all([
          customer.request('GET', '/api/wallet'),
          browser(api.baseUrl, origin).request('GET', '/api/plans'),
          customer.request('GET', '/api/auth/me'),
          browser(api.baseUrl, origin).request('GET', '/api/health'),
        ]);
        requests += batch.length;
        for (const r of batch) {
          const code = (r.body as { error?: { code?: string } }).error?.code ?? 'none';
          statuses.set(`${r.status} ${code}`, (statuses.get(`${r.status} ${code}`) ?? 0) + 1);
        }
      }
      expect(requests).toBeGreaterThan(40);
      expect([...statuses.keys()].sort()).toEqual(['503 database_unavailable', '503 unavailable']);
      const lines = api
        .output()
        .slice(logBefore)
        .split('\n')
        .filter((l) => l.trim());
      // At most a few lines in 3 s of failing requests (the old panel wrote a stack for each).
      expect(lines.slice(6)).toEqual([]);
      expect(lines.join('\n')).not.toMatch(/\n\s+at /);
      expect(lines.join('\n')).toMatch(/Database unavailable: ECONNREFUSED/);
    } finally {
      await api.stop();
      await db.drop();
    }
  });
});

describe('sign-in attempts, counted per account and source', () => {
  let db: TestDatabase;
  let api: RunningApi;
  let origin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ api, origin } = await startPanel(db.url));
    const owner = browser(api.baseUrl, origin);
    const r = await owner.request('POST', '/api/auth/signup', {
      body: { email: 'owner@example.test', password: PASSWORD },
    });
    expect(r.status).toBe(201);
  });

  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  const loginFrom = (source: string, email: string, password: string) =>
    browser(api.baseUrl, origin).request('POST', '/api/auth/login', {
      body: { email, password },
      // The panel trusts X-Forwarded-For from loopback only, where its reverse proxy runs.
      headers: { 'x-forwarded-for': source },
    });

  it('does not lock the owner out after ten wrong passwords from another source', async () => {
    const attacker = '203.0.113.66';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await loginFrom(attacker, 'Owner@example.test', `guess ${i}`)).status);
    expect(statuses).toEqual(Array(10).fill(401));
    expect((await loginFrom(attacker, 'owner@example.test', PASSWORD)).status).toBe(429);
    const owner = await loginFrom('198.51.100.7', 'owner@example.test', PASSWORD);
    expect(owner.status).toBe(200);
    expect(owner.token).toBeTruthy();
  });

  it('still stops an attack on one account spread over many sources, at 100 attempts', async () => {
    const victim = 'spread@example.test';
    // 10 sources × 10 attempts: each source at its own limit, the account at its ceiling.
    const results = await Promise.all(
      Array.from({ length: 10 }, async (_, s) => {
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++)
          statuses.push((await loginFrom(`192.0.2.${s + 1}`, victim, `g${i}`)).status);
        return statuses;
      }),
    );
    expect(results.flat()).toEqual(Array(100).fill(401));
    const next = await loginFrom('192.0.2.200', victim, 'one more');
    expect(next.status).toBe(429);
    expect(next.body).toMatchObject({ error: { code: 'rate_limited' } });
  });
});

describe('TRUST_PROXY: whose X-Forwarded-For names the client', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('believes X-Forwarded-For only from the proxies it names: from anywhere else, every client is the one source it connects from', async () => {
    // The tests connect from loopback; a panel that trusts only another proxy ignores their header.
    const { api, origin } = await startPanel(db.url, { TRUST_PROXY: '192.0.2.250' });
    try {
      const loginFrom = (source: string, password: string) =>
        browser(api.baseUrl, origin).request('POST', '/api/auth/login', {
          body: { email: 'proxied@example.test', password },
          headers: { 'x-forwarded-for': source },
        });
      const signup = await browser(api.baseUrl, origin).request('POST', '/api/auth/signup', {
        body: { email: 'proxied@example.test', password: PASSWORD },
      });
      expect(signup.status).toBe(201);
      for (let i = 0; i < 10; i++) expect((await loginFrom('203.0.113.66', `guess ${i}`)).status).toBe(401);
      // Under the default (loopback) this "other source" would get in, as the test above shows.
      expect((await loginFrom('198.51.100.7', PASSWORD)).status).toBe(429);
    } finally {
      await api.stop();
    }
  });

  it('refuses to start with TRUST_PROXY=true, saying why', async () => {
    await expect(startPanel(db.url, { TRUST_PROXY: 'true' })).rejects.toThrow(
      /TRUST_PROXY must not be true: it would trust an X-Forwarded-For header sent by any client/,
    );
  });
});
