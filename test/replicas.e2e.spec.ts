import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { fakeServicesEnv } from './fakes/env';
import { deliver, FakeStripe, testStripeKeys } from './fakes/stripe';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { PASSWORD } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { browser, Browser } from './helpers/http';
import { RunningApi, startPanel } from './helpers/processes';

/** What a load balancer in front of the replicas is, as browsers see it: one site. */
const SITE = 'http://panel.example.test';
/** Every scheduled job, in every replica, fires every two seconds (tests only). */
const TICK_CRON = '*/2 * * * * *';

/**
 * Issue 21: three built API processes on one PostgreSQL behave as one panel. Each process is a
 * replica behind a load balancer: requests below are spread over them round-robin.
 */
describe('three API replicas on one database (built API, real PostgreSQL, fakes at the network boundary)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let stripe: FakeStripe;
  let vf: FakeVirtFusion;
  let replicas: RunningApi[] = [];
  const keys = testStripeKeys();

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    stripe = await new FakeStripe().start();
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1), aPackage(2)];
    // Started together, as an orchestrator starts replicas: migrations and start-up jobs race too.
    replicas = await Promise.all(
      [1, 2, 3].map(() =>
        startPanel(db.url, {
          ...fakeServicesEnv(keys, stripe, vf),
          APP_URL: SITE,
          NODE_ENV: 'test',
          OZVPS_TEST_JOBS_CRON: TICK_CRON,
        }).then((p) => p.api),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await stripe.stop();
    await vf.stop();
    await ds.destroy();
    await db.drop();
  });

  /** A browser on replica `i`, optionally carrying another browser's session cookie. */
  function on(i: number, token: string | null = null): Browser {
    const b = browser(replicas[i % 3]!.baseUrl, SITE);
    b.token = token;
    return b;
  }

  async function signUp(email: string, source: string): Promise<{ token: string; id: number }> {
    const b = on(0);
    const r = await b.request('POST', '/api/auth/signup', {
      body: { email, password: PASSWORD },
      headers: { 'x-forwarded-for': source },
    });
    expect(r.status).toBe(201);
    const id = (r.body as { user: { id: number } }).user.id;
    await ds.query(`UPDATE users SET email_verified_at = now() WHERE id = $1`, [id]); // may top up
    return { token: b.token!, id };
  }

  it('takes a session made on one replica on the others, and a sign-out on one ends it on all', async () => {
    const { token } = await signUp('roaming@example.test', '203.0.113.10');
    for (const i of [1, 2]) {
      const me = await on(i, token).request('GET', '/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { email: 'roaming@example.test' } });
    }
    expect((await on(2, token).request('POST', '/api/auth/logout', { body: {} })).status).toBeLessThan(300);
    for (const i of [0, 1, 2]) expect((await on(i, token).request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('throttles 40 failed sign-ins on one account from one source spread over the three at 10 in total, not 30', async () => {
    await signUp('victim@example.test', '203.0.113.11');
    const attempt = (i: number, password: string) =>
      on(i).request('POST', '/api/auth/login', {
        body: { email: 'victim@example.test', password },
        headers: { 'x-forwarded-for': '198.51.100.20' },
      });
    const statuses = (await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(i, `guess ${i}`)))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    // The right password from that source is refused by every replica while the block lasts.
    for (const i of [0, 1, 2]) {
      const r = await attempt(i, PASSWORD);
      expect(r.status).toBe(429);
      expect(r.body).toMatchObject({ error: { code: 'rate_limited' } });
      expect(r.token).toBeNull();
    }
    // The owner, from their own address, still gets in, on any replica.
    const owner = await on(1).request('POST', '/api/auth/login', {
      body: { email: 'victim@example.test', password: PASSWORD },
      headers: { 'x-forwarded-for': '203.0.113.11' },
    });
    expect(owner.status).toBe(200);
    expect(
      await ds.query(
        `SELECT throttler, hits FROM rate_limit_hits WHERE throttler = 'auth-account-source' AND hits > 5`,
      ),
    ).toEqual([{ throttler: 'auth-account-source', hits: 11 }]);
  });

  it('credits a webhook storm spread over the three once per event: one event 30 times, ten events 3 times each', async () => {
    const a = await signUp('storm-a@example.test', '203.0.113.12');
    const b = await signUp('storm-b@example.test', '203.0.113.13');
    const topup = async (token: string, i: number, amountCents: number) => {
      const r = await on(i, token).request('POST', '/api/wallet/topups', { body: { amountCents } });
      expect(r.status).toBe(201);
      return (r.body as { sessionId: string }).sessionId;
    };
    const single = stripe.complete(await topup(a.token, 0, 2500));
    const sessions: string[] = [];
    for (let i = 0; i < 10; i++) sessions.push(await topup(b.token, i, 1000 + i));
    const distinct = sessions.map((s) => stripe.complete(s));
    const deliveries = [
      ...Array.from({ length: 30 }, () => single),
      ...distinct.flatMap((e) => [e, e, e]),
    ].map((event, i) => ({ event, replica: replicas[i % 3]! }));

    const first = await Promise.all(
      deliveries.map((d) => deliver(d.replica.baseUrl, d.event, keys.webhookSecret)),
    );
    expect(first.filter((r) => r.status >= 400 && r.status < 500)).toEqual([]);
    // A transient clash may answer 5xx; Stripe retries it (to any replica), and the retry is a 200.
    for (const [i, r] of first.entries())
      if (r.status >= 500)
        expect(
          (await deliver(replicas[(i + 1) % 3]!.baseUrl, deliveries[i]!.event, keys.webhookSecret)).status,
        ).toBe(200);
    expect(
      first.filter((r) => (r.body as { outcome?: string }).outcome === 'credited').length,
    ).toBeLessThanOrEqual(11);

    const wallet = async (userId: number) =>
      (
        await ds.query(
          `SELECT w.balance_cents::int AS balance,
                  (SELECT COALESCE(sum(amount_cents), 0) FROM wallet_transactions t WHERE t.wallet_id = w.id)::int AS ledger,
                  (SELECT count(*) FROM wallet_transactions t WHERE t.wallet_id = w.id)::int AS rows
             FROM wallets w WHERE w.user_id = $1`,
          [userId],
        )
      )[0];
    expect(await wallet(a.id)).toEqual({ balance: 2500, ledger: 2500, rows: 1 });
    const total = sessions.reduce((sum, _, i) => sum + 1000 + i, 0);
    expect(await wallet(b.id)).toEqual({ balance: total, ledger: total, rows: 10 });
    expect(
      await ds.query(
        `SELECT count(*)::int AS n, count(DISTINCT stripe_event_id)::int AS events FROM wallet_transactions
          WHERE stripe_event_id = ANY($1)`,
        [[single.id, ...distinct.map((e) => e.id)]],
      ),
    ).toEqual([{ n: 11, events: 11 }]);
  });

  it('runs each scheduled job once per tick across the three, in whichever replica claims it', async () => {
    const scheduled = async () =>
      (await ds.query(
        `SELECT name, count(*)::int AS runs, count(DISTINCT tick)::int AS ticks
           FROM job_runs WHERE trigger = 'schedule' GROUP BY name ORDER BY name`,
      )) as { name: string; runs: number; ticks: number }[];
    // Let every job see a few ticks (one every 2 s) with all three replicas racing for each.
    for (let i = 0; i < 100; i++) {
      const done = await scheduled();
      if (done.length === 4 && done.every((j) => j.ticks >= 4)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // Stopped as systemd or Kubernetes stops them (SIGTERM): each lets its running jobs finish.
    await Promise.all(replicas.map((r) => r.stop()));
    expect(
      await ds.query(`SELECT name FROM job_runs WHERE finished_at IS NULL OR outcome <> 'succeeded'`),
    ).toEqual([]);

    const jobs = await scheduled();
    expect(jobs.map((j) => j.name)).toEqual([
      'plan-sync',
      'prune',
      'renewals',
      'server-actions-settle',
      'servers-sweep',
    ]);
    for (const j of jobs) {
      expect(j.ticks).toBeGreaterThanOrEqual(4);
      expect(j.runs).toBe(j.ticks);
    }
    const pids = replicas.map((r) => String(r.child.pid));
    const claimers: { claimed_by: string }[] = await ds.query(`SELECT DISTINCT claimed_by FROM job_runs`);
    for (const c of claimers) expect(pids).toContain(c.claimed_by.split(':').pop());

    // The side effect of a plan-sync run is one GET /packages on VirtFusion: one per run, so one
    // per tick (plus the syncs on start, which each replica may make).
    const [syncs] = await ds.query(
      `SELECT count(*) FILTER (WHERE trigger = 'schedule')::int AS scheduled,
              count(*) FILTER (WHERE trigger = 'startup')::int AS startup
         FROM plan_sync_runs`,
    );
    // A scheduled sync that met a replica's start-up sync under the advisory lock stepped aside
    // ({"skipped": 1}) and called nothing.
    const [{ syncedTicks }] = await ds.query(
      `SELECT count(*)::int AS "syncedTicks" FROM job_runs
        WHERE name = 'plan-sync' AND trigger = 'schedule' AND NOT counts ? 'skipped'`,
    );
    expect(syncedTicks).toBeGreaterThanOrEqual(3);
    expect(syncs.scheduled).toBe(syncedTicks);
    expect(syncs.startup).toBeGreaterThanOrEqual(1);
    expect(syncs.startup).toBeLessThanOrEqual(3);
    const packageCalls = vf.calls.filter((c) => c.method === 'GET' && c.path.includes('/packages')).length;
    expect(packageCalls).toBe(syncs.scheduled + syncs.startup);
  });
});

/** A TCP relay to PostgreSQL that the test can cut and restore: the database "goes away". */
class DatabaseLink {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  async open(): Promise<this> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server!.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** `url` with its host and port replaced by this relay's. */
  via(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }
}

describe('sign-in limits when PostgreSQL stops answering (built API)', () => {
  let db: TestDatabase;
  let link: DatabaseLink;
  let api: RunningApi;

  beforeAll(async () => {
    db = await createTestDatabase();
    link = await new DatabaseLink(new URL(db.url)).open();
    ({ api } = await startPanel(link.via(db.url), { APP_URL: SITE }));
  });

  afterAll(async () => {
    await api.stop();
    await link.cut().catch(() => undefined);
    await db.drop();
  });

  const login = () =>
    browser(api.baseUrl, SITE).request('POST', '/api/auth/login', {
      body: { email: 'someone@example.test', password: 'not the password' },
    });

  it('refuses sign-ins it cannot count with 503 database_unavailable, never a 500, and other routes answer', async () => {
    expect((await login()).status).toBe(401);
    await link.cut();
    const refused = await Promise.all(Array.from({ length: 10 }, login));
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ error: { code: 'database_unavailable' } });
      expect(r.token).toBeNull();
    }
    // Routes that need no database are not held up by the limits.
    expect((await browser(api.baseUrl, SITE).request('GET', '/api/version')).status).toBe(200);
    expect((await browser(api.baseUrl, SITE).request('GET', '/api/health')).status).toBe(503);

    await link.open();
    expect((await login()).status).toBe(401);
  });
});
