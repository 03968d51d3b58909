import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { fakeStripeEnv } from './fakes/env';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';
import { FakeStripe, testStripeKeys } from './fakes/stripe';
import { PASSWORD } from './helpers/accounts';
import { aPlanOnSale } from './helpers/builders';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { browser, Browser, HttpResult } from './helpers/http';
import { RunningApi, startPanel } from './helpers/processes';

const NEW_PASSWORD = 'a much better passphrase';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** The token of a link to `page` in a message's text (it rides in the fragment). */
function tokenIn(text: string, page: 'verify-email' | 'reset-password'): string {
  const match = text.match(new RegExp(`/${page}#token=([A-Za-z0-9_-]{43})`));
  if (!match) throw new Error(`no ${page} link in: ${text}`);
  return match[1]!;
}

describe('Accounts end to end: verify email, reset and change password, change email, sessions (built API, SMTP)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let smtp: FakeSmtp;
  let stripe: FakeStripe;
  let api: RunningApi;
  let origin: string;
  let planId: number;
  const keys = testStripeKeys();
  let n = 0;
  /** Every emailed token seen, to prove none of them reached the log. */
  const tokensSeen = new Set<string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    smtp = await startFakeSmtp();
    stripe = await new FakeStripe().start();
    ({ api, origin } = await startPanel(db.url, {
      ...fakeStripeEnv(keys, stripe),
      SMTP_URL: smtp.url,
      MAIL_FROM: 'OzVPS <help@ozvps.example>',
      PLAN_SYNC_CRON: 'off',
    }));
    planId = await aPlanOnSale(ds);
  });

  afterAll(async () => {
    await api?.stop();
    await smtp?.close();
    await stripe?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  /**
   * A browser at its own client address (the panel trusts X-Forwarded-For from loopback), so each
   * test counts toward its own rate limits.
   */
  function visitor(userAgent = FIREFOX, source = `198.51.100.${++n}`): Browser {
    const b = browser(api.baseUrl, origin);
    const request: Browser['request'] = (method, path, options = {}) =>
      b.request(method, path, {
        ...options,
        headers: { 'x-forwarded-for': source, 'user-agent': userAgent, ...options.headers },
      });
    return {
      get token() {
        return b.token;
      },
      set token(value) {
        b.token = value;
      },
      request,
    };
  }

  async function signUp(
    email = `acct${++n}@example.test`,
  ): Promise<{ b: Browser; id: number; email: string }> {
    const b = visitor();
    const r = await b.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ user: { emailVerified: false } });
    return { b, id: (r.body as { user: { id: number } }).user.id, email };
  }

  /** The newest message of this kind to this user, from the outbox (no wait for the sender). */
  async function newestMail(userId: number, kind: string): Promise<{ recipient: string; body_text: string }> {
    const [row] = (await ds.query(
      `SELECT recipient, body_text FROM outbox_messages WHERE user_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`,
      [userId, kind],
    )) as { recipient: string; body_text: string }[];
    if (!row) throw new Error(`no ${kind} message for user ${userId}`);
    return row;
  }

  async function linkToken(userId: number, kind: string, page: 'verify-email' | 'reset-password') {
    const token = tokenIn((await newestMail(userId, kind)).body_text, page);
    tokensSeen.add(token);
    return token;
  }

  const verifiedAt = async (id: number) =>
    (
      (await ds.query(`SELECT email_verified_at FROM users WHERE id = $1`, [id])) as {
        email_verified_at: Date | null;
      }[]
    )[0]!.email_verified_at;

  const errorCode = (r: HttpResult) => (r.body as { error?: { code?: string } }).error?.code;

  describe('email verification', () => {
    it('signs a customer up unverified and emails a link that verifies them, once', async () => {
      const { b, id, email } = await signUp();
      expect((await b.request('GET', '/api/auth/me')).body).toMatchObject({ user: { emailVerified: false } });
      const [mail] = await smtp.waitFor(1, (m) => m.to.includes(email) && m.subject.startsWith('Confirm'));
      const token = tokenIn(mail!.text, 'verify-email');
      tokensSeen.add(token);
      expect(mail!.text).toContain(`${origin}/verify-email#token=`);

      const r = await b.request('POST', '/api/auth/verify-email', { body: { token } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ purpose: 'verify-email', email, emailVerified: true });
      expect(await verifiedAt(id)).not.toBeNull();
      expect((await b.request('GET', '/api/auth/me')).body).toMatchObject({ user: { emailVerified: true } });

      const again = await b.request('POST', '/api/auth/verify-email', { body: { token } });
      expect([again.status, errorCode(again)]).toEqual([400, 'token_used']);
    });

    it('works from a browser that is not signed in, and stores only a hash of the token, valid for 24 hours', async () => {
      const { id } = await signUp();
      const token = await linkToken(id, 'email-verification', 'verify-email');
      const rows = await ds.query(
        `SELECT token_hash, extract(epoch FROM expires_at - created_at)::int AS ttl FROM account_tokens WHERE user_id = $1`,
        [id],
      );
      expect(rows).toEqual([{ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/), ttl: 24 * 3600 }]);
      expect(JSON.stringify(rows)).not.toContain(token);
      expect((await visitor().request('POST', '/api/auth/verify-email', { body: { token } })).status).toBe(
        200,
      );
      expect(await verifiedAt(id)).not.toBeNull();
    });

    it('refuses an expired link and leaves the user unverified', async () => {
      const { b, id } = await signUp();
      const token = await linkToken(id, 'email-verification', 'verify-email');
      await ds.query(
        `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [id],
      );
      const r = await b.request('POST', '/api/auth/verify-email', { body: { token } });
      expect([r.status, errorCode(r)]).toEqual([400, 'token_expired']);
      expect(await verifiedAt(id)).toBeNull();
    });

    it("refuses another user's link to a signed-in user, verifies neither, and the link still works for its owner", async () => {
      const alice = await signUp();
      const mallory = await signUp();
      const token = await linkToken(alice.id, 'email-verification', 'verify-email');
      const r = await mallory.b.request('POST', '/api/auth/verify-email', { body: { token } });
      expect([r.status, errorCode(r)]).toEqual([400, 'token_other_account']);
      expect(await verifiedAt(alice.id)).toBeNull();
      expect(await verifiedAt(mallory.id)).toBeNull();
      expect((await alice.b.request('POST', '/api/auth/verify-email', { body: { token } })).status).toBe(200);
      expect(await verifiedAt(mallory.id)).toBeNull();
    });

    it('refuses unknown, malformed and missing tokens with a clear error, changing nothing', async () => {
      const { b, id } = await signUp();
      for (const body of [
        { token: randomBytes(32).toString('base64url') },
        { token: 'short' },
        { token: 42 },
        {},
      ]) {
        const r = await b.request('POST', '/api/auth/verify-email', { body });
        expect(r.status).toBe(400);
        expect(typeof (r.body as { error: { message: string } }).error.message).toBe('string');
      }
      expect(await verifiedAt(id)).toBeNull();
    });

    it('re-sends a fresh link (the old one stops working) and sends nothing once verified', async () => {
      const { b, id } = await signUp();
      const first = await linkToken(id, 'email-verification', 'verify-email');
      expect((await b.request('POST', '/api/auth/verify-email/resend', { body: {} })).body).toEqual({
        sent: true,
      });
      const second = await linkToken(id, 'email-verification', 'verify-email');
      expect(second).not.toBe(first);
      const old = await b.request('POST', '/api/auth/verify-email', { body: { token: first } });
      expect(errorCode(old)).toBe('token_used');
      expect((await b.request('POST', '/api/auth/verify-email', { body: { token: second } })).status).toBe(
        200,
      );
      const count = async () =>
        (await ds.query(`SELECT count(*)::int AS n FROM outbox_messages WHERE user_id = $1`, [id]))[0].n;
      const before = await count();
      expect((await b.request('POST', '/api/auth/verify-email/resend', { body: {} })).body).toEqual({
        sent: false,
      });
      expect(await count()).toBe(before);
    });

    it('refuses an unverified customer top-up and deploy (403 email_unverified, nothing written), and allows the top-up once verified', async () => {
      const { b, id } = await signUp();
      const counts = async () =>
        (
          await ds.query(
            `SELECT (SELECT count(*)::int FROM topups WHERE user_id = $1) AS topups,
                    (SELECT count(*)::int FROM servers WHERE user_id = $1) AS servers,
                    (SELECT count(*)::int FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1) AS ledger,
                    (SELECT stripe_customer_id FROM users WHERE id = $1) AS customer`,
            [id],
          )
        )[0];
      const before = await counts();
      const topup = await b.request('POST', '/api/wallet/topups', { body: { amountCents: 2500 } });
      const deploy = await b.request('POST', '/api/servers', {
        body: {
          planId,
          osTemplateId: 1,
          hostname: 'web1.example.test',
          idempotencyKey: 'deploy-unverified-1',
        },
      });
      for (const r of [topup, deploy]) {
        expect(r.status).toBe(403);
        expect(r.body).toEqual({
          error: { code: 'email_unverified', message: expect.stringContaining('Confirm your email address') },
        });
      }
      expect(await counts()).toEqual(before);

      const token = await linkToken(id, 'email-verification', 'verify-email');
      expect((await b.request('POST', '/api/auth/verify-email', { body: { token } })).status).toBe(200);
      const paid = await b.request('POST', '/api/wallet/topups', { body: { amountCents: 2500 } });
      expect(paid.status).toBe(201);
      expect((await counts()).topups).toBe(before.topups + 1);
    });
  });

  describe('password reset', () => {
    it('answers an unknown address exactly as a known one, and emails only the known one', async () => {
      const { id, email } = await signUp();
      const unknown = `nobody${++n}@example.test`;
      const known = await visitor().request('POST', '/api/auth/forgot-password', { body: { email } });
      const stranger = await visitor().request('POST', '/api/auth/forgot-password', {
        body: { email: unknown },
      });
      expect(known.status).toBe(202);
      expect([stranger.status, stranger.body, stranger.setCookie]).toEqual([
        known.status,
        known.body,
        known.setCookie,
      ]);
      expect((await newestMail(id, 'password-reset')).recipient).toBe(email);
      expect(await ds.query(`SELECT 1 FROM outbox_messages WHERE recipient = $1`, [unknown])).toEqual([]);
      expect(await ds.query(`SELECT 1 FROM users WHERE email = $1`, [unknown])).toEqual([]);
    });

    it('sets a new password once from the emailed link, ends every session, and sends a notice', async () => {
      const { b: first, id, email } = await signUp();
      const second = visitor(CHROME_MAC);
      expect(
        (await second.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
      ).toBe(200);

      expect((await visitor().request('POST', '/api/auth/forgot-password', { body: { email } })).status).toBe(
        202,
      );
      const [mail] = await smtp.waitFor(1, (m) => m.to.includes(email) && m.subject.startsWith('Reset your'));
      const token = tokenIn(mail!.text, 'reset-password');
      tokensSeen.add(token);
      const [{ ttl }] = await ds.query(
        `SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM account_tokens WHERE user_id = $1 AND purpose = 'reset-password'`,
        [id],
      );
      expect(ttl).toBe(3600);

      const page = visitor();
      // The sign-up policy applies, and a refused password leaves the link usable.
      const weak = await page.request('POST', '/api/auth/reset-password', {
        body: { token, password: '1234567890' },
      });
      expect([weak.status, errorCode(weak)]).toEqual([400, 'validation_failed']);
      const [{ hash: oldHash }] = await ds.query(`SELECT password_hash AS hash FROM users WHERE id = $1`, [
        id,
      ]);

      const done = await page.request('POST', '/api/auth/reset-password', {
        body: { token, password: NEW_PASSWORD },
      });
      expect(done.status).toBe(200);
      const [{ hash: newHash }] = await ds.query(`SELECT password_hash AS hash FROM users WHERE id = $1`, [
        id,
      ]);
      expect(newHash).not.toBe(oldHash);
      for (const b of [first, second]) expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
      expect(
        await ds.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [
          id,
        ]),
      ).toEqual([{ n: 0 }]);

      const reuse = await page.request('POST', '/api/auth/reset-password', {
        body: { token, password: 'yet another passphrase' },
      });
      expect([reuse.status, errorCode(reuse)]).toEqual([400, 'token_used']);
      const old = await visitor().request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
      expect(old.status).toBe(401);
      const fresh = await visitor().request('POST', '/api/auth/login', {
        body: { email, password: NEW_PASSWORD },
      });
      expect(fresh.status).toBe(200);
      // Following the link proved the mailbox too.
      expect(await verifiedAt(id)).not.toBeNull();
      const [notice] = await smtp.waitFor(
        1,
        (m) => m.to.includes(email) && m.subject.includes('password was changed'),
      );
      expect(notice!.text).toContain('Every session was signed out');
    });

    it('refuses an expired reset link and keeps the old password', async () => {
      const { id, email } = await signUp();
      await visitor().request('POST', '/api/auth/forgot-password', { body: { email } });
      const token = await linkToken(id, 'password-reset', 'reset-password');
      await ds.query(
        `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [id],
      );
      const r = await visitor().request('POST', '/api/auth/reset-password', {
        body: { token, password: NEW_PASSWORD },
      });
      expect([r.status, errorCode(r)]).toEqual([400, 'token_expired']);
      expect(
        (await visitor().request('POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
      ).toBe(200);
    });

    it('does not take a verification link as a reset link', async () => {
      const { id } = await signUp();
      const token = await linkToken(id, 'email-verification', 'verify-email');
      const r = await visitor().request('POST', '/api/auth/reset-password', {
        body: { token, password: NEW_PASSWORD },
      });
      expect([r.status, errorCode(r)]).toEqual([400, 'token_invalid']);
    });
  });

  describe('change password and email (signed in)', () => {
    it('changes the password only with the current one, keeps this session and signs out the others', async () => {
      const { b, id, email } = await signUp();
      const other = visitor(CHROME_MAC);
      await other.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
      const hash = async () =>
        (await ds.query(`SELECT password_hash AS h FROM users WHERE id = $1`, [id]))[0].h;
      const before = await hash();

      const wrong = await b.request('POST', '/api/account/password', {
        body: { currentPassword: 'not my password', newPassword: NEW_PASSWORD },
      });
      expect([wrong.status, errorCode(wrong)]).toEqual([400, 'wrong_password']);
      const weak = await b.request('POST', '/api/account/password', {
        body: { currentPassword: PASSWORD, newPassword: 'short' },
      });
      expect(weak.status).toBe(400);
      expect(await hash()).toBe(before);
      expect((await other.request('GET', '/api/auth/me')).status).toBe(200);

      const ok = await b.request('POST', '/api/account/password', {
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect([ok.status, ok.body]).toEqual([200, { signedOutSessions: 1 }]);
      expect((await b.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await other.request('GET', '/api/auth/me')).status).toBe(401);
      expect(
        (await visitor().request('POST', '/api/auth/login', { body: { email, password: NEW_PASSWORD } }))
          .status,
      ).toBe(200);
      expect((await newestMail(id, 'password-changed')).recipient).toBe(email);
    });

    it('changes the email only when the new address confirms, refuses one of another account, and tells the old address', async () => {
      const { b, id, email } = await signUp();
      const taken = (await signUp()).email;
      const next = `moved${++n}@example.test`;

      const wrong = await b.request('POST', '/api/account/email', {
        body: { currentPassword: 'nope nope nope', newEmail: next },
      });
      expect([wrong.status, errorCode(wrong)]).toEqual([400, 'wrong_password']);
      const clash = await b.request('POST', '/api/account/email', {
        body: { currentPassword: PASSWORD, newEmail: taken.toUpperCase() },
      });
      expect([clash.status, errorCode(clash)]).toEqual([409, 'email_taken']);
      const bad = await b.request('POST', '/api/account/email', {
        body: { currentPassword: PASSWORD, newEmail: 'not-an-address' },
      });
      expect(bad.status).toBe(400);
      expect(
        await ds.query(`SELECT 1 FROM outbox_messages WHERE user_id = $1 AND kind LIKE 'email-change%'`, [
          id,
        ]),
      ).toEqual([]);

      const asked = await b.request('POST', '/api/account/email', {
        body: { currentPassword: PASSWORD, newEmail: next },
      });
      expect([asked.status, asked.body]).toEqual([202, { pendingEmail: next }]);
      expect((await ds.query(`SELECT email FROM users WHERE id = $1`, [id]))[0].email).toBe(email);
      const notice = await newestMail(id, 'email-change-notice');
      expect(notice.recipient).toBe(email);
      expect(notice.body_text).toContain(next);
      expect(notice.body_text).not.toMatch(/#token=/);
      const link = await newestMail(id, 'email-change');
      expect(link.recipient).toBe(next);
      const token = tokenIn(link.body_text, 'verify-email');
      tokensSeen.add(token);

      const done = await b.request('POST', '/api/auth/verify-email', { body: { token } });
      expect([done.status, done.body]).toEqual([
        200,
        { purpose: 'change-email', email: next, emailVerified: true },
      ]);
      const [row] = await ds.query(`SELECT email, email_verified_at FROM users WHERE id = $1`, [id]);
      expect(row.email).toBe(next);
      expect(row.email_verified_at).not.toBeNull();
      expect(
        (await visitor().request('POST', '/api/auth/login', { body: { email: next, password: PASSWORD } }))
          .status,
      ).toBe(200);
      expect(
        (await visitor().request('POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
      ).toBe(401);
    });
  });

  describe('sessions', () => {
    it('lists the live sessions (browser, IP, this one) and signs out one, or all the others', async () => {
      const { b, id, email } = await signUp();
      const mac = visitor(CHROME_MAC, '203.0.113.77');
      await mac.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
      const third = visitor(FIREFOX, '203.0.113.78');
      await third.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });

      const list = await b.request('GET', '/api/account/sessions');
      expect(list.status).toBe(200);
      const sessions = (
        list.body as { sessions: { id: number; browser: string; ip: string; current: boolean }[] }
      ).sessions;
      expect(sessions).toHaveLength(3);
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      expect(sessions.find((s) => s.ip === '203.0.113.77')).toMatchObject({
        browser: 'Chrome on macOS',
        current: false,
      });
      expect(sessions.find((s) => s.current)).toMatchObject({ browser: 'Firefox on Linux' });
      for (const s of sessions) {
        expect(s).toEqual({
          id: expect.any(Number),
          createdAt: expect.any(String),
          lastSeenAt: expect.any(String),
          browser: expect.any(String),
          ip: expect.any(String),
          current: expect.any(Boolean),
        });
      }

      const macId = sessions.find((s) => s.ip === '203.0.113.77')!.id;
      expect((await b.request('DELETE', `/api/account/sessions/${macId}`, { body: {} })).status).toBe(204);
      expect((await mac.request('GET', '/api/auth/me')).status).toBe(401);
      expect((await third.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await b.request('DELETE', `/api/account/sessions/${macId}`, { body: {} })).status).toBe(404);

      const others = await b.request('POST', '/api/account/sessions/revoke-others', { body: {} });
      expect([others.status, others.body]).toEqual([200, { signedOut: 1 }]);
      expect((await third.request('GET', '/api/auth/me')).status).toBe(401);
      expect((await b.request('GET', '/api/auth/me')).status).toBe(200);
      expect(
        await ds.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [
          id,
        ]),
      ).toEqual([{ n: 1 }]);
    });

    it("cannot sign out another user's session (404, it stays live)", async () => {
      const victim = await signUp();
      const attacker = await signUp();
      const [{ sid }] = await ds.query(`SELECT id::int AS sid FROM sessions WHERE user_id = $1`, [victim.id]);
      for (const path of [
        `/api/account/sessions/${sid}`,
        '/api/account/sessions/abc',
        '/api/account/sessions/0',
      ]) {
        const r = await attacker.b.request('DELETE', path, { body: {} });
        expect([path, r.status]).toEqual([path, 404]);
      }
      expect((await victim.b.request('GET', '/api/auth/me')).status).toBe(200);
    });

    it('stamps last seen at most once a minute per session, not on every request', async () => {
      const { b, id } = await signUp();
      const lastSeen = async () =>
        (
          (await ds.query(`SELECT last_seen_at FROM sessions WHERE user_id = $1`, [id])) as {
            last_seen_at: Date | null;
          }[]
        )[0]!.last_seen_at;
      await b.request('GET', '/api/auth/me');
      const first = await lastSeen();
      expect(first).not.toBeNull();
      for (let i = 0; i < 3; i++) await b.request('GET', '/api/auth/me');
      expect(await lastSeen()).toEqual(first);
      await ds.query(`UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE user_id = $1`, [
        id,
      ]);
      const backdated = await lastSeen();
      await b.request('GET', '/api/auth/me');
      expect((await lastSeen())!.getTime()).toBeGreaterThan(backdated!.getTime());
    });
  });

  describe('rate limits', () => {
    /** Sends `attempt` until refused; returns how many passed the limiter and the refusal. */
    async function untilLimited(attempt: () => Promise<HttpResult>, max = 40): Promise<[number, HttpResult]> {
      for (let i = 0; i < max; i++) {
        const r = await attempt();
        if (r.status === 429) return [i, r];
      }
      throw new Error(`never limited after ${max} attempts`);
    }

    it('limits guesses at every token and password endpoint to 20 per address in 15 minutes', async () => {
      const signedIn = await signUp();
      const guess = () => randomBytes(32).toString('base64url');
      const verify = visitor(FIREFOX, '192.0.2.10');
      const reset = visitor(FIREFOX, '192.0.2.12');
      const endpoints: [string, () => Promise<HttpResult>][] = [
        [
          'verify-email',
          () => verify.request('POST', '/api/auth/verify-email', { body: { token: guess() } }),
        ],
        [
          'reset-password',
          () =>
            reset.request('POST', '/api/auth/reset-password', {
              body: { token: guess(), password: NEW_PASSWORD },
            }),
        ],
      ];
      for (const [name, attempt] of endpoints) {
        const [passed, refused] = await untilLimited(attempt);
        expect([name, passed, errorCode(refused)]).toEqual([name, 20, 'rate_limited']);
      }
      // Signed in: the current password cannot be guessed either (each source has its own budget).
      const password = visitor(FIREFOX, '192.0.2.11');
      password.token = signedIn.b.token;
      const [passed] = await untilLimited(() =>
        password.request('POST', '/api/account/password', {
          body: { currentPassword: 'guess guess', newPassword: NEW_PASSWORD },
        }),
      );
      expect(passed).toBe(20);
    });

    it('sends at most 5 emails an hour to one address or session (forgot password, re-send, change of email)', async () => {
      const { b, email } = await signUp();
      const [forgot] = await untilLimited(() =>
        visitor().request('POST', '/api/auth/forgot-password', { body: { email } }),
      );
      expect(forgot).toBe(5);
      const unknown = `ghost${++n}@example.test`;
      const [forgotUnknown, refused] = await untilLimited(() =>
        visitor().request('POST', '/api/auth/forgot-password', { body: { email: unknown } }),
      );
      expect([forgotUnknown, errorCode(refused)]).toEqual([5, 'rate_limited']);
      const [resend] = await untilLimited(() =>
        b.request('POST', '/api/auth/verify-email/resend', { body: {} }),
      );
      expect(resend).toBe(5);
      const other = await signUp();
      const [change] = await untilLimited(() =>
        other.b.request('POST', '/api/account/email', {
          body: { currentPassword: PASSWORD, newEmail: `elsewhere${++n}@example.test` },
        }),
      );
      expect(change).toBe(5);
    });
  });

  describe('logs (last: after every other test here)', () => {
    it('writes no emailed token to the log', async () => {
      const rows = (await ds.query(
        `SELECT body_text FROM outbox_messages WHERE body_text LIKE '%#token=%'`,
      )) as { body_text: string }[];
      for (const row of rows)
        for (const m of row.body_text.matchAll(/#token=([A-Za-z0-9_-]{43})/g)) tokensSeen.add(m[1]!);
      expect(tokensSeen.size).toBeGreaterThan(10);
      const log = api.output();
      expect(log.length).toBeGreaterThan(0);
      for (const token of tokensSeen) expect(log.includes(token)).toBe(false);
      expect(log).not.toMatch(/#token=/);
    });
  });
});
