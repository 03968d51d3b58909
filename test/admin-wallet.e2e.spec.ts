import { DataSource } from 'typeorm';
import { aCustomerBrowser, anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { Browser } from './helpers/http';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

describe('admin wallet adjustments and the wallet summary (built API, real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let api: RunningApi;
  let admin: Browser;
  let carol: { browser: Browser; id: number };

  const ledger = async (userId: number) =>
    (await ds.query(
      `SELECT t.type, t.amount_cents::int AS amount, t.actor, t.reason FROM wallet_transactions t
         JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 ORDER BY t.id`,
      [userId],
    )) as { type: string; amount: number; actor: string; reason: string }[];
  const balance = async (userId: number) =>
    Number(
      (await ds.query(`SELECT balance_cents FROM wallets WHERE user_id = $1`, [userId]))[0]?.balance_cents ??
        0,
    );
  const adjust = (body: unknown, who: Browser = admin, id = carol.id) =>
    who.request('POST', `/api/admin/users/${id}/wallet/adjustments`, { body });

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    let origin: string;
    ({ api, origin } = await startPanel(db.url, { OZVPS_SANDBOX: '1' }));
    admin = await anAdminBrowser(api, origin, db.url, 'root@example.test');
    carol = await aCustomerBrowser(api, origin, 'carol@example.test');
  });

  afterAll(async () => {
    await api.stop();
    await ds.destroy();
    await db.drop();
  });

  it('tells the web app the currency, that this is the sandbox, and what the front page says, to anyone', async () => {
    const res = await fetch(`${api.baseUrl}/api/app`);
    expect(await res.json()).toEqual({
      currency: 'aud',
      sandbox: true,
      topupsEnabled: false,
      businessName: 'OzVPS',
      supportEmail: null,
      termsUrl: null,
      privacyUrl: null,
    });
  });

  it('credits with a reason and the admin as actor; the wallet shows it and zero totals, never blanks', async () => {
    const res = await adjust({ direction: 'credit', amountCents: 2500, reason: 'goodwill for the outage' });
    expect(res.status).toBe(201);
    expect(await ledger(carol.id)).toEqual([
      {
        type: 'admin_credit',
        amount: 2500,
        actor: expect.stringMatching(/^admin:\d+$/),
        reason: 'goodwill for the outage',
      },
    ]);
    const wallet = await carol.browser.request('GET', '/api/wallet');
    expect(wallet.body).toMatchObject({
      balanceCents: 2500,
      currency: 'aud',
      summary: { toppedUpCents: 0, spentCents: 0, activeServers: 0 },
    });
    const history = await admin.request('GET', `/api/admin/users/${carol.id}/transactions?limit=10`);
    expect(history.body).toMatchObject({
      transactions: [{ type: 'admin_credit', amountCents: 2500, balanceAfterCents: 2500 }],
    });
  });

  it('refuses a debit that is not confirmed, and bad input of every kind, writing nothing', async () => {
    const before = await ledger(carol.id);
    const cases: [unknown, number][] = [
      [{ direction: 'debit', amountCents: 100, reason: 'fee' }, 400],
      [{ direction: 'debit', amountCents: 100, reason: 'fee', confirm: false }, 400],
      [{ direction: 'credit', amountCents: 100 }, 400],
      [{ direction: 'credit', amountCents: 100, reason: '  ' }, 400],
      [{ direction: 'credit', amountCents: 0, reason: 'zero' }, 400],
      [{ direction: 'credit', amountCents: -5, reason: 'negative' }, 400],
      [{ direction: 'credit', amountCents: 1.5, reason: 'fraction' }, 400],
      [{ direction: 'credit', amountCents: '100', reason: 'string' }, 400],
      [{ direction: 'refund', amountCents: 100, reason: 'what' }, 400],
      [{ direction: 'credit', amountCents: 100, reason: 'extra', userId: 1 }, 400],
      [{ direction: 'credit', amountCents: 100, reason: 'short key', requestKey: 'abc' }, 400],
      [{ direction: 'credit', amountCents: 100, reason: 'bad key', requestKey: 'has spaces in it' }, 400],
    ];
    for (const [body, status] of cases) expect([body, (await adjust(body)).status]).toEqual([body, status]);
    expect(
      (await adjust({ direction: 'credit', amountCents: 100, reason: 'nobody' }, admin, 999999)).status,
    ).toBe(404);
    expect(
      (await adjust({ direction: 'credit', amountCents: 100, reason: 'self-service' }, carol.browser)).status,
    ).toBe(403);
    expect(await ledger(carol.id)).toEqual(before);
  });

  it('never deducts below zero, even with many confirmed debits at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        adjust({ direction: 'debit', amountCents: 1000, reason: 'fee', confirm: true }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 402 || r.status === 409)).toBe(
      true,
    );
    expect(await balance(carol.id)).toBe(500);
    expect((await ledger(carol.id)).filter((r) => r.type === 'admin_debit')).toHaveLength(2);
    const verify = await ozvpsctl(db.url, ['wallet', 'verify']);
    expect(verify.code).toBe(0);
  });

  it('applies a keyed adjustment once however often it is sent, one after another or at once', async () => {
    const before = await balance(carol.id);
    const rowsBefore = (await ledger(carol.id)).length;
    const credit = {
      direction: 'credit',
      amountCents: 700,
      reason: 'double click',
      requestKey: 'key-credit-0001',
    };
    const first = await adjust(credit);
    const again = await adjust(credit);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(first.body).toMatchObject({ duplicate: false });
    expect(again.body).toEqual({ ...(first.body as object), duplicate: true });

    const debit = {
      direction: 'debit',
      amountCents: 1000,
      reason: 'retried fee',
      confirm: true,
      requestKey: 'key-debit-0001',
    };
    const copies = await Promise.all(Array.from({ length: 8 }, () => adjust(debit)));
    expect(copies.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = new Set(copies.map((r) => (r.body as { transaction: { id: number } }).transaction.id));
    expect(ids.size).toBe(1);
    expect(copies.filter((r) => (r.body as { duplicate: boolean }).duplicate === false)).toHaveLength(1);

    expect(await balance(carol.id)).toBe(before + 700 - 1000);
    expect((await ledger(carol.id)).length).toBe(rowsBefore + 2);
    expect((await ozvpsctl(db.url, ['wallet', 'verify'])).code).toBe(0);
  });

  it('refuses a request key reused for a different change, writing nothing', async () => {
    const rows = await ledger(carol.id);
    const reused = await adjust({
      direction: 'credit',
      amountCents: 900,
      reason: 'other',
      requestKey: 'key-credit-0001',
    });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ error: { code: 'request_key_reused' } });
    expect(await ledger(carol.id)).toEqual(rows);
  });

  it('finds users by part of their email or name', async () => {
    const found = await admin.request('GET', '/api/admin/users?q=CAROL');
    expect((found.body as { users: { email: string }[] }).users.map((u) => u.email)).toEqual([
      'carol@example.test',
    ]);
    const none = await admin.request('GET', `/api/admin/users?q=${encodeURIComponent('%')}`);
    expect(none.body).toEqual({ users: [] });
  });
});
