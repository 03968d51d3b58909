import { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { anAdminBrowser, PASSWORD } from './helpers/accounts';
import { browser, Browser } from './helpers/http';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

async function counts(ds: DataSource) {
  const [row] = await ds.query(`SELECT
      (SELECT count(*)::int FROM users) AS users,
      (SELECT count(*)::int FROM sessions) AS sessions,
      (SELECT count(*)::int FROM sessions WHERE revoked_at IS NULL) AS live_sessions,
      (SELECT count(*)::int FROM wallet_transactions) AS ledger_rows`);
  return row as { users: number; sessions: number; live_sessions: number; ledger_rows: number };
}

const panel = (db: TestDatabase, extraEnv: NodeJS.ProcessEnv = {}) =>
  startPanel(db.url, extraEnv, 'localhost');

describe('accounts and access (the built API over HTTP, real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let api: RunningApi;
  let origin: string;
  const visit = () => browser(api.baseUrl, origin);

  let alice: Browser;
  let bob: Browser;
  let admin: Browser;
  let aliceId: number;
  let bobId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    ({ api, origin } = await panel(db, { SIGNUP_CREDIT_CENTS: '500' }));

    alice = visit();
    bob = visit();
    aliceId = (
      (
        await alice.request('POST', '/api/auth/signup', {
          body: { email: 'alice@example.test', password: PASSWORD, name: 'Alice' },
        })
      ).body as { user: { id: number } }
    ).user.id;
    bobId = (
      (
        await bob.request('POST', '/api/auth/signup', {
          body: { email: 'bob@example.test', password: PASSWORD },
        })
      ).body as { user: { id: number } }
    ).user.id;
    admin = await anAdminBrowser(api, origin, db.url, 'root@example.test');
  });

  afterAll(async () => {
    await api.stop();
    await ds.destroy();
    await db.drop();
  });

  describe('sign-up', () => {
    it('creates the user with an argon2id hash, a hashed session and the sign-up credit once', async () => {
      const [user] = await ds.query(`SELECT id, email, name, role, password_hash FROM users WHERE id = $1`, [
        aliceId,
      ]);
      expect(user).toMatchObject({ email: 'alice@example.test', name: 'Alice', role: 'user' });
      expect(user.password_hash).toMatch(/^\$argon2id\$/);
      const sessions = await ds.query(`SELECT token_hash FROM sessions WHERE user_id = $1`, [aliceId]);
      expect(sessions).toHaveLength(1);
      expect(sessions[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(sessions[0].token_hash).not.toBe(alice.token);
      const ledger = await ds.query(
        `SELECT t.type, t.amount_cents, t.idempotency_key FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1`,
        [aliceId],
      );
      expect(ledger).toEqual([
        { type: 'bonus', amount_cents: '500', idempotency_key: `signup-credit:${aliceId}` },
      ]);
    });

    it('sets an httpOnly, SameSite=Lax session cookie', async () => {
      const r = await visit().request('POST', '/api/auth/signup', {
        body: { email: 'cookie@example.test', password: PASSWORD },
      });
      expect(r.status).toBe(201);
      expect(r.setCookie).toMatch(
        /^ozvps_session=[A-Za-z0-9_-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/,
      );
    });

    it('gives one account and one credit to five concurrent sign-ups with one email', async () => {
      const before = await counts(ds);
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          visit().request('POST', '/api/auth/signup', {
            body: { email: 'Race@Example.test', password: PASSWORD },
          }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 400, 400, 400, 400]);
      const after = await counts(ds);
      expect(after.users).toBe(before.users + 1);
      expect(after.ledger_rows).toBe(before.ledger_rows + 1);
    });

    it.each([
      ['no email', { password: PASSWORD }, 400],
      ['a malformed email', { email: 'nope', password: PASSWORD }, 400],
      ['a short password', { email: 'short@example.test', password: 'abc123' }, 400],
      ['a common password', { email: 'common@example.test', password: 'password123' }, 400],
      [
        'the email as password',
        { email: 'sameasemail@example.test', password: 'sameasemail@example.test' },
        400,
      ],
      ['an unknown field', { email: 'extra@example.test', password: PASSWORD, role: 'admin' }, 400],
      ['a non-string password', { email: 'num@example.test', password: 12345678901 }, 400],
      ['an existing email in other letter case', { email: 'ALICE@example.test', password: PASSWORD }, 400],
    ])('refuses %s and writes nothing', async (_, body, status) => {
      const before = await counts(ds);
      const r = await visit().request('POST', '/api/auth/signup', { body });
      expect(r.status).toBe(status);
      expect(r.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      expect(r.token).toBeNull();
      expect(await counts(ds)).toEqual(before);
    });
  });

  describe('sign-in and sessions', () => {
    it('answers an unknown email and a wrong password with the same 401', async () => {
      const unknown = await visit().request('POST', '/api/auth/login', {
        body: { email: 'ghost@example.test', password: PASSWORD },
      });
      const wrong = await visit().request('POST', '/api/auth/login', {
        body: { email: 'bob@example.test', password: 'not the password at all' },
      });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
    });

    it('signs out: the session is revoked in the database and the cookie stops working', async () => {
      const b = visit();
      await b.request('POST', '/api/auth/login', { body: { email: 'bob@example.test', password: PASSWORD } });
      const token = b.token!;
      expect((await b.request('GET', '/api/auth/me')).status).toBe(200);
      const out = await b.request('POST', '/api/auth/logout', { body: {} });
      expect(out.status).toBe(204);
      b.token = token; // a stolen copy of the cookie
      expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
      const [row] = await ds.query(
        `SELECT revoked_at FROM sessions WHERE token_hash = encode(sha256($1::bytea), 'hex')`,
        [token],
      );
      expect(row.revoked_at).not.toBeNull();
    });

    it('issues a fresh token at sign-in and ends the session the browser carried (no fixation)', async () => {
      const b = visit();
      await b.request('POST', '/api/auth/login', { body: { email: 'bob@example.test', password: PASSWORD } });
      const planted = b.token!;
      const again = await b.request('POST', '/api/auth/login', {
        body: { email: 'bob@example.test', password: PASSWORD },
      });
      expect(again.token).not.toBe(planted);
      b.token = planted;
      expect((await b.request('GET', '/api/auth/me')).status).toBe(401);

      const withGarbage = visit();
      withGarbage.token = 'attacker-chosen-value';
      const r = await withGarbage.request('POST', '/api/auth/login', {
        body: { email: 'bob@example.test', password: PASSWORD },
      });
      expect(r.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(r.token).not.toBe('attacker-chosen-value');
    });

    it('refuses an expired session', async () => {
      const b = visit();
      await b.request('POST', '/api/auth/login', { body: { email: 'bob@example.test', password: PASSWORD } });
      await ds.query(
        `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1::bytea), 'hex')`,
        [b.token],
      );
      expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('refuses a tampered cookie', async () => {
      const b = visit();
      await b.request('POST', '/api/auth/login', { body: { email: 'bob@example.test', password: PASSWORD } });
      const t = b.token!;
      b.token = (t[0] === 'A' ? 'B' : 'A') + t.slice(1);
      expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
      b.token = `${t}x`;
      expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('refuses a cross-origin POST and a form-encoded POST, writing nothing', async () => {
      const before = await counts(ds);
      const cross = await visit().request('POST', '/api/auth/signup', {
        body: { email: 'cross@example.test', password: PASSWORD },
        headers: { origin: 'https://evil.example' },
      });
      expect(cross.status).toBe(403);
      const form = await visit().request('POST', '/api/auth/signup', {
        body: `email=form%40example.test&password=${encodeURIComponent(PASSWORD)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(form.status).toBe(415);
      const plain = await visit().request('POST', '/api/auth/login', {
        body: JSON.stringify({ email: 'bob@example.test', password: PASSWORD }),
        headers: { 'content-type': 'text/plain' },
      });
      expect(plain.status).toBe(415);
      expect(plain.token).toBeNull();
      expect(await counts(ds)).toEqual(before);
    });

    it('signs a user out everywhere when an admin sets their password with ozvpsctl', async () => {
      const b = visit();
      await b.request('POST', '/api/auth/login', { body: { email: 'bob@example.test', password: PASSWORD } });
      const r = await ozvpsctl(
        db.url,
        ['users', 'set-password', 'bob@example.test', '--password-stdin', '--json'],
        {},
        'a brand new passphrase\n',
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).sessionsRevoked).toBeGreaterThanOrEqual(1);
      expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
      expect(
        (
          await visit().request('POST', '/api/auth/login', {
            body: { email: 'bob@example.test', password: PASSWORD },
          })
        ).status,
      ).toBe(401);
      const fresh = visit();
      expect(
        (
          await fresh.request('POST', '/api/auth/login', {
            body: { email: 'bob@example.test', password: 'a brand new passphrase' },
          })
        ).status,
      ).toBe(200);
      bob = fresh;
    });
  });

  describe('every route, as anonymous, user, other user and admin', () => {
    // [method, path, body, anonymous, user, admin]
    const matrix: [string, string, unknown, number, number, number][] = [
      ['GET', '/api/health', undefined, 200, 200, 200],
      ['GET', '/api/version', undefined, 200, 200, 200],
      ['GET', '/api/auth/me', undefined, 401, 200, 200],
      ['GET', '/api/auth/providers', undefined, 200, 200, 200],
      // This panel has no OIDC_* configured: the OIDC routes say so to everyone.
      ['GET', '/api/auth/oidc/login', undefined, 302, 302, 302],
      ['GET', '/api/auth/oidc/callback?code=x&state=y', undefined, 302, 302, 302],
      ['GET', '/api/admin/users', undefined, 401, 403, 200],
      ['GET', '/api/admin/users?limit=abc', undefined, 401, 403, 400],
      ['GET', '/api/wallet', undefined, 401, 200, 200],
      ['GET', '/api/wallet/transactions?limit=2', undefined, 401, 200, 200],
      ['GET', '/api/wallet/transactions?before=x', undefined, 401, 400, 400],
      ['GET', '/api/admin/users/ALICE', undefined, 401, 403, 200],
      ['GET', '/api/admin/users/999999', undefined, 401, 403, 404],
      // A path no controller serves is a plain 404 for everyone: routing precedes the guard.
      ['GET', '/api/admin/not-built-yet', undefined, 404, 404, 404],
      ['POST', '/api/admin/not-built-yet', {}, 404, 404, 404],
      ['GET', '/api/no-such-route', undefined, 404, 404, 404],
    ];

    it.each(matrix)('%s %s', async (method, rawPath, body, asAnonymous, asUser, asAdmin) => {
      const path = rawPath.replace('ALICE', String(aliceId));
      const before = await counts(ds);
      expect((await visit().request(method, path, { body })).status).toBe(asAnonymous);
      expect((await bob.request(method, path, { body })).status).toBe(asUser);
      expect((await admin.request(method, path, { body })).status).toBe(asAdmin);
      expect(await counts(ds)).toEqual(before);
    });

    it('shows an admin any user with their wallet, and a user only themselves', async () => {
      const r = await admin.request('GET', `/api/admin/users/${aliceId}`);
      expect(r.body).toMatchObject({
        user: { id: aliceId, email: 'alice@example.test' },
        wallet: { balanceCents: 500, currency: 'aud' },
      });
      expect(((await bob.request('GET', '/api/auth/me')).body as { user: { id: number } }).user.id).toBe(
        bobId,
      );
    });

    it('applies a role change made with ozvpsctl on the next request', async () => {
      const refused = await ozvpsctl(db.url, ['users', 'set-role', 'alice@example.test', 'admin']);
      expect(refused.code).toBe(2);
      expect((await alice.request('GET', '/api/admin/users')).status).toBe(403);
      const ok = await ozvpsctl(db.url, ['users', 'set-role', 'alice@example.test', 'admin', '--yes']);
      expect(ok.code).toBe(0);
      expect((await alice.request('GET', '/api/admin/users')).status).toBe(200);
      await ozvpsctl(db.url, ['users', 'set-role', 'alice@example.test', 'user', '--yes']);
      expect((await alice.request('GET', '/api/admin/users')).status).toBe(403);
    });
  });
});

describe('brute force', () => {
  it('throttles the 11th sign-in attempt on one account from one source within the window, even with the right password', async () => {
    const db = await createTestDatabase();
    const { api, origin } = await panel(db);
    try {
      const victim = browser(api.baseUrl, origin);
      expect(
        (
          await victim.request('POST', '/api/auth/signup', {
            body: { email: 'victim@example.test', password: PASSWORD },
          })
        ).status,
      ).toBe(201);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        // Letter case and spaces do not make a new account for the limit.
        const email = i % 2 ? 'VICTIM@example.test' : ' victim@example.test';
        statuses.push(
          (
            await browser(api.baseUrl, origin).request('POST', '/api/auth/login', {
              body: { email, password: `wrong guess ${i}` },
            })
          ).status,
        );
      }
      expect(statuses).toEqual(Array(10).fill(401));
      const eleventh = await browser(api.baseUrl, origin).request('POST', '/api/auth/login', {
        body: { email: 'victim@example.test', password: PASSWORD },
      });
      expect(eleventh.status).toBe(429);
      expect(eleventh.body).toMatchObject({ error: { code: 'rate_limited' } });
      expect(eleventh.token).toBeNull();
      // Another account is not locked out by the attack on this one.
      expect(
        (
          await browser(api.baseUrl, origin).request('POST', '/api/auth/login', {
            body: { email: 'other@example.test', password: PASSWORD },
          })
        ).status,
      ).toBe(401);
    } finally {
      await api.stop();
      await db.drop();
    }
  });
});
