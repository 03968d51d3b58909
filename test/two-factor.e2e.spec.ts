import { DataSource } from 'typeorm';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';
import { anAdminBrowser, PASSWORD } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { Browser } from './helpers/http';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';
import { browserFrom, enrolTwoFactor, signInWithPassword, totpCode } from './helpers/two-factor';

type ErrorBody = { error: { code: string; message: string } };
const codeOf = (body: unknown) => (body as ErrorBody).error?.code;

describe('Two-factor sign-in (built API, ADMIN_REQUIRE_2FA=true, real SMTP server)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let smtp: FakeSmtp;
  let api: RunningApi;
  let origin: string;
  let env: Record<string, string>;
  /** Every secret and code the tests saw: none may appear in any output. */
  const secrets: string[] = [];
  let ipCount = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    smtp = await startFakeSmtp();
    env = {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Test Cloud <help@cloud.example>',
      PANEL_NAME: 'Test Cloud',
      PLAN_SYNC_CRON: 'off',
      ADMIN_REQUIRE_2FA: 'true',
    };
    ({ api, origin } = await startPanel(db.url, env));
  });

  afterAll(async () => {
    await api?.stop();
    await smtp?.close();
    await ds?.destroy();
    await db?.drop();
  });

  /** A browser from an address of its own (X-Forwarded-For): the per-address limits stay per test. */
  const aBrowser = () => browserFrom(api, origin, `198.51.100.${++ipCount}`);

  async function aCustomer(email: string, from = aBrowser()): Promise<{ b: Browser; id: number }> {
    const r = await from.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    expect(r.status).toBe(201);
    return { b: from, id: (r.body as { user: { id: number } }).user.id };
  }

  async function aCustomerWithTwoFactor(email: string) {
    const { b, id } = await aCustomer(email);
    const enrolled = await enrolTwoFactor(b);
    secrets.push(enrolled.secret, ...enrolled.recoveryCodes);
    return { b, id, ...enrolled };
  }

  async function twoFactorRows(userId: number) {
    const [row] = (await ds.query(
      `SELECT (SELECT enabled_at IS NOT NULL FROM user_two_factor WHERE user_id = $1) AS enabled,
              (SELECT count(*)::int FROM user_two_factor WHERE user_id = $1) AS secrets,
              (SELECT count(*)::int FROM user_recovery_codes WHERE user_id = $1) AS codes,
              (SELECT count(*)::int FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL) AS unused,
              (SELECT count(*)::int FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()) AS live_sessions`,
      [userId],
    )) as {
      enabled: boolean | null;
      secrets: number;
      codes: number;
      unused: number;
      live_sessions: number;
    }[];
    return row!;
  }

  it('enrols with a code from the app: a QR image and the secret once, then 10 recovery codes shown once', async () => {
    const { b, id } = await aCustomer('enrol@example.test');
    expect((await b.request('GET', '/api/account/2fa')).body).toEqual({
      enabled: false,
      recoveryCodesLeft: 0,
    });

    const enrol = await b.request('POST', '/api/account/2fa/enrol', { body: {} });
    expect(enrol.status).toBe(200);
    const { secret, otpauthUrl, qrCode } = enrol.body as Record<string, string>;
    secrets.push(secret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(qrCode).toMatch(/^data:image\/png;base64,/);
    const url = new URL(otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('issuer')).toBe('Test Cloud');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(await twoFactorRows(id)).toMatchObject({ enabled: false, secrets: 1, codes: 0 });

    const wrong = await b.request('POST', '/api/account/2fa/confirm', {
      body: { code: totpCode(secret, 5) },
    });
    expect(wrong.status).toBe(401);
    expect(codeOf(wrong.body)).toBe('invalid_two_factor_code');
    const malformed = await b.request('POST', '/api/account/2fa/confirm', { body: { code: '12345' } });
    expect(malformed.status).toBe(400);
    expect(await twoFactorRows(id)).toMatchObject({ enabled: false, codes: 0 });

    const confirm = await b.request('POST', '/api/account/2fa/confirm', { body: { code: totpCode(secret) } });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = confirm.body as { recoveryCodes: string[] };
    secrets.push(...recoveryCodes);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(await twoFactorRows(id)).toMatchObject({ enabled: true, codes: 10, unused: 10 });
    const stored = (await ds.query(`SELECT code_hash FROM user_recovery_codes WHERE user_id = $1`, [id])) as {
      code_hash: string;
    }[];
    for (const { code_hash } of stored) expect(recoveryCodes.some((c) => code_hash.includes(c))).toBe(false);

    const status = await b.request('GET', '/api/account/2fa');
    expect(status.body).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect(JSON.stringify(status.body)).not.toContain(secret);
    const again = await b.request('POST', '/api/account/2fa/enrol', { body: {} });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).not.toContain(secret);
    expect((await b.request('GET', '/api/auth/me')).body).toMatchObject({
      twoFactor: { enabled: true, enrolmentRequired: false },
    });
  });

  it('signs in in two steps: the password gives a session that reaches nothing but the code step', async () => {
    const { secret, id } = await aCustomerWithTwoFactor('twostep@example.test');
    const b = aBrowser();
    const login = await signInWithPassword(b, 'twostep@example.test');
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ twoFactorRequired: true });
    const pendingToken = b.token!;
    expect(pendingToken).toBeTruthy();
    const [pending] = (await ds.query(
      `SELECT second_factor_pending, expires_at - created_at < interval '11 minutes' AS short
         FROM sessions WHERE user_id = $1 ORDER BY id DESC LIMIT 1`,
      [id],
    )) as { second_factor_pending: boolean; short: boolean }[];
    expect(pending).toEqual({ second_factor_pending: true, short: true });

    for (const [method, path, body] of [
      ['GET', '/api/auth/me', undefined],
      ['GET', '/api/wallet', undefined],
      ['GET', '/api/account/2fa', undefined],
      ['POST', '/api/account/2fa/enrol', {}],
      ['POST', '/api/account/2fa/disable', { password: PASSWORD, code: totpCode(secret) }],
      ['GET', '/api/account/preferences', undefined],
      ['GET', '/api/servers', undefined],
      ['GET', '/api/admin/users', undefined],
    ] as const) {
      const r = await b.request(method, path, body === undefined ? {} : { body });
      expect({ path, status: r.status, code: codeOf(r.body) }).toEqual({
        path,
        status: 403,
        code: 'two_factor_required',
      });
    }
    expect(await twoFactorRows(id)).toMatchObject({ enabled: true });

    const wrong = await b.request('POST', '/api/auth/2fa/verify', { body: { code: totpCode(secret, 4) } });
    expect(wrong.status).toBe(401);
    expect(codeOf(wrong.body)).toBe('invalid_two_factor_code');
    const both = await b.request('POST', '/api/auth/2fa/verify', {
      body: { code: totpCode(secret, 1), recoveryCode: 'abcde-fghjk' },
    });
    expect(both.status).toBe(400);

    const ok = await b.request('POST', '/api/auth/2fa/verify', { body: { code: totpCode(secret, 1) } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ user: { id, email: 'twostep@example.test' } });
    expect(b.token).not.toBe(pendingToken);
    expect((await b.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await b.request('GET', '/api/wallet')).status).toBe(200);
    const old = await b.request('GET', '/api/auth/me', {
      headers: { cookie: `ozvps_session=${pendingToken}` },
    });
    expect(old.status).toBe(401);
    const again = await b.request('POST', '/api/auth/2fa/verify', { body: { code: totpCode(secret, 1) } });
    expect(again.status).toBe(409);
    expect(codeOf(again.body)).toBe('no_pending_sign_in');
  });

  it('GET /api/auth/session: a pending sign-in learns only that a code is owed; then the user with the 2FA state', async () => {
    const { secret, id } = await aCustomerWithTwoFactor('sessionstate@example.test');
    const b = aBrowser();
    expect((await b.request('GET', '/api/auth/session')).body).toEqual({ user: null });
    await signInWithPassword(b, 'sessionstate@example.test');
    const pending = await b.request('GET', '/api/auth/session');
    expect(pending.status).toBe(200);
    // Nothing about the account (not even its id or address) reaches a browser with the password alone.
    expect(pending.body).toEqual({ user: null, twoFactorRequired: true });
    expect(JSON.stringify(pending.body)).not.toContain('sessionstate');

    const verified = await b.request('POST', '/api/auth/2fa/verify', { body: { code: totpCode(secret, 1) } });
    expect(verified.status).toBe(200);
    const full = await b.request('GET', '/api/auth/session');
    expect(full.body).toEqual({
      user: {
        id,
        email: 'sessionstate@example.test',
        name: expect.any(String),
        role: 'user',
        createdAt: expect.any(String),
        emailVerified: expect.any(Boolean),
      },
      twoFactor: { enabled: true, enrolmentRequired: false },
    });
    expect(full.body).toEqual((await b.request('GET', '/api/auth/me')).body);
  });

  it('refuses a code already used, even when two sign-ins send it at the same time', async () => {
    const { secret, id } = await aCustomerWithTwoFactor('replay@example.test');
    const used = totpCode(secret); // the step enrolment just used
    const b = aBrowser();
    await signInWithPassword(b, 'replay@example.test');
    const replayed = await b.request('POST', '/api/auth/2fa/verify', { body: { code: used } });
    expect(replayed.status).toBe(401);
    expect(codeOf(replayed.body)).toBe('invalid_two_factor_code');

    const racers = Array.from({ length: 4 }, () => aBrowser());
    for (const r of racers) expect((await signInWithPassword(r, 'replay@example.test')).status).toBe(200);
    const next = totpCode(secret, 1);
    const answers = await Promise.all(
      racers.map((r) => r.request('POST', '/api/auth/2fa/verify', { body: { code: next } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
    const [full] = (await ds.query(
      `SELECT count(*)::int AS n FROM sessions
        WHERE user_id = $1 AND NOT second_factor_pending AND revoked_at IS NULL`,
      [id],
    )) as { n: number }[];
    expect(full!.n).toBe(2); // the sign-up's session and the one winner
  });

  it('takes a recovery code once (in any letter case, with or without its dash); a new set kills the old one', async () => {
    const { secret, recoveryCodes, id } = await aCustomerWithTwoFactor('recovery@example.test');
    const b = aBrowser();
    await signInWithPassword(b, 'recovery@example.test');
    const first = await b.request('POST', '/api/auth/2fa/verify', {
      body: { recoveryCode: recoveryCodes[0] },
    });
    expect(first.status).toBe(200);
    expect(await twoFactorRows(id)).toMatchObject({ codes: 10, unused: 9 });

    const c = aBrowser();
    await signInWithPassword(c, 'recovery@example.test');
    const reused = await c.request('POST', '/api/auth/2fa/verify', {
      body: { recoveryCode: recoveryCodes[0] },
    });
    expect(reused.status).toBe(401);
    const shouted = recoveryCodes[1]!.toUpperCase().replace('-', '');
    const second = await c.request('POST', '/api/auth/2fa/verify', { body: { recoveryCode: shouted } });
    expect(second.status).toBe(200);
    expect((await c.request('GET', '/api/account/2fa')).body).toEqual({
      enabled: true,
      recoveryCodesLeft: 8,
    });

    const fresh = await c.request('POST', '/api/account/2fa/recovery-codes', {
      body: { code: totpCode(secret, 1) },
    });
    expect(fresh.status).toBe(200);
    const newCodes = (fresh.body as { recoveryCodes: string[] }).recoveryCodes;
    secrets.push(...newCodes);
    expect(newCodes).toHaveLength(10);
    expect(await twoFactorRows(id)).toMatchObject({ codes: 10, unused: 10 });

    const d = aBrowser();
    await signInWithPassword(d, 'recovery@example.test');
    const old = await d.request('POST', '/api/auth/2fa/verify', { body: { recoveryCode: recoveryCodes[2] } });
    expect(old.status).toBe(401);
    const ok = await d.request('POST', '/api/auth/2fa/verify', { body: { recoveryCode: newCodes[0] } });
    expect(ok.status).toBe(200);
  });

  it('turns 2FA off only with the password and a current code', async () => {
    const { b, secret, id } = await aCustomerWithTwoFactor('disable@example.test');
    const wrongPassword = await b.request('POST', '/api/account/2fa/disable', {
      body: { password: 'not the password at all', code: totpCode(secret, 1) },
    });
    expect(wrongPassword.status).toBe(401);
    const wrongCode = await b.request('POST', '/api/account/2fa/disable', {
      body: { password: PASSWORD, code: totpCode(secret, 6) },
    });
    expect(wrongCode.status).toBe(401);
    expect(await twoFactorRows(id)).toMatchObject({ enabled: true, codes: 10 });

    const off = await b.request('POST', '/api/account/2fa/disable', {
      body: { password: PASSWORD, code: totpCode(secret, 1) },
    });
    expect(off.status).toBe(200);
    expect(await twoFactorRows(id)).toMatchObject({ enabled: null, secrets: 0, codes: 0 });
    const c = aBrowser();
    const login = await signInWithPassword(c, 'disable@example.test');
    expect(login.body).toMatchObject({ user: { id } });
  });

  it('confines an admin without 2FA to enrolment (every other route 403), then gives full access once enrolled', async () => {
    const admin = await anAdminBrowser(api, origin, db.url, 'boss@example.test', env);
    const me = await admin.request('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { email: 'boss@example.test', role: 'admin' },
      twoFactor: { enabled: false, enrolmentRequired: true },
    });
    // The web app asks /api/auth/session: it says the same, so the app sends the admin to enrolment.
    expect((await admin.request('GET', '/api/auth/session')).body).toEqual(me.body);
    const { id: customerId } = await aCustomer('bystander@example.test');
    const before = await ds.query(`SELECT count(*)::int AS n FROM wallet_transactions`);
    const refused: [string, string, unknown?][] = [
      ['GET', '/api/admin/users'],
      ['GET', `/api/admin/users/${customerId}`],
      [
        'POST',
        `/api/admin/users/${customerId}/wallet/adjustments`,
        {
          direction: 'credit',
          amountCents: 1000,
          reason: 'test',
          confirm: true,
        },
      ],
      ['GET', '/api/admin/servers'],
      ['GET', '/api/admin/mail'],
      ['POST', '/api/admin/plans/sync', {}],
      ['GET', '/api/billing/stripe/status'],
      ['GET', '/api/wallet'],
      ['GET', '/api/servers'],
      ['GET', '/api/account/preferences'],
    ];
    for (const [method, path, body] of refused) {
      const r = await admin.request(method, path, body === undefined ? {} : { body });
      expect({ path, status: r.status, code: codeOf(r.body) }).toEqual({
        path,
        status: 403,
        code: 'two_factor_enrolment_required',
      });
    }
    expect(await ds.query(`SELECT count(*)::int AS n FROM wallet_transactions`)).toEqual(before);

    const enrolled = await enrolTwoFactor(admin);
    secrets.push(enrolled.secret, ...enrolled.recoveryCodes);
    expect((await admin.request('GET', '/api/auth/me')).body).toMatchObject({
      twoFactor: { enabled: true, enrolmentRequired: false },
    });
    expect((await admin.request('GET', '/api/admin/users')).status).toBe(200);
    const keep = await admin.request('POST', '/api/account/2fa/disable', {
      body: { password: PASSWORD, code: totpCode(enrolled.secret, 1) },
    });
    expect(keep.status).toBe(409);
    expect(codeOf(keep.body)).toBe('two_factor_required_for_admins');

    const next = aBrowser();
    expect((await signInWithPassword(next, 'boss@example.test')).body).toEqual({ twoFactorRequired: true });
    expect((await next.request('GET', '/api/admin/users')).status).toBe(403);
    const ok = await next.request('POST', '/api/auth/2fa/verify', {
      body: { code: totpCode(enrolled.secret, 1) },
    });
    expect(ok.status).toBe(200);
    expect((await next.request('GET', '/api/admin/users')).status).toBe(200);
  });

  it('ends a sign-in past 10 code attempts for the account, and counts 30 per address across accounts', async () => {
    const { secret, id } = await aCustomerWithTwoFactor('guessed@example.test');
    const b = aBrowser();
    await signInWithPassword(b, 'guessed@example.test');
    const pendingToken = b.token!;
    // Ten attempts per account: the code that confirmed the enrolment was the first.
    for (let i = 0; i < 9; i++) {
      const r = await b.request('POST', '/api/auth/2fa/verify', { body: { code: '000000' } });
      expect(r.status).toBe(401);
    }
    const blocked = await b.request('POST', '/api/auth/2fa/verify', { body: { code: totpCode(secret, 1) } });
    expect(blocked.status).toBe(429);
    expect(codeOf(blocked.body)).toBe('too_many_two_factor_attempts');
    const [session] = (await ds.query(
      `SELECT revoked_at IS NOT NULL AS revoked FROM sessions WHERE user_id = $1 AND second_factor_pending ORDER BY id DESC LIMIT 1`,
      [id],
    )) as { revoked: boolean }[];
    expect(session!.revoked).toBe(true);
    const dead = await b.request('POST', '/api/auth/2fa/verify', {
      body: { code: totpCode(secret, 1) },
      headers: { cookie: `ozvps_session=${pendingToken}` },
    });
    expect(dead.status).toBe(401);
    // A new sign-in from elsewhere is still held off until the window is over.
    const c = aBrowser();
    await signInWithPassword(c, 'guessed@example.test');
    expect(
      (await c.request('POST', '/api/auth/2fa/verify', { body: { code: totpCode(secret, 1) } })).status,
    ).toBe(429);

    // Per address: 30 attempts from one address, spread over four accounts (each under its own
    // limit of 10, the enrolment's code being one), then the 31st is refused.
    const shared = aBrowser();
    const victims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((x) => aCustomerWithTwoFactor(`spray-${x}@example.test`)),
    );
    const guesser = () => browserFrom(api, origin, '203.0.113.77');
    const tries = [9, 9, 9, 3];
    let last: Browser | undefined;
    for (const [i, v] of victims.entries()) {
      last = guesser();
      await signInWithPassword(last, `spray-${'abcd'[i]}@example.test`);
      for (let t = 0; t < tries[i]!; t++) {
        const r = await last.request('POST', '/api/auth/2fa/verify', { body: { code: '111111' } });
        expect({ account: v.id, status: r.status }).toEqual({ account: v.id, status: 401 });
      }
    }
    const limited = await last!.request('POST', '/api/auth/2fa/verify', {
      body: { code: totpCode(victims[3]!.secret, 1) },
    });
    expect(limited.status).toBe(429);
    expect(codeOf(limited.body)).toBe('rate_limited');
    // The owner, from their own address, is not locked out by someone else's guessing.
    await signInWithPassword(shared, 'spray-d@example.test');
    const owner = await shared.request('POST', '/api/auth/2fa/verify', {
      body: { code: totpCode(victims[3]!.secret, 1) },
    });
    expect(owner.status).toBe(200);
  });

  it('ozvpsctl users reset-2fa: refused without --yes; with it 2FA and recovery codes cleared, sessions revoked, the user emailed', async () => {
    const { b, id } = await aCustomerWithTwoFactor('lostphone@example.test');
    const refused = await ozvpsctl(db.url, ['users', 'reset-2fa', 'lostphone@example.test'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await twoFactorRows(id)).toMatchObject({ enabled: true, codes: 10, live_sessions: 1 });

    const reset = await ozvpsctl(db.url, ['users', 'reset-2fa', 'LostPhone@example.test', '--yes'], env);
    expect(reset.code).toBe(0);
    const audit = reset.stdout.split('\n').filter((l) => l.startsWith('audit '));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatch(
      new RegExp(
        `actor=cli:tester action=users\\.reset-2fa user=${id}:lostphone@example\\.test two_factor=on->off sessions_revoked=1`,
      ),
    );
    expect(await twoFactorRows(id)).toEqual({
      enabled: null,
      secrets: 0,
      codes: 0,
      unused: 0,
      live_sessions: 0,
    });
    expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
    // One row in the audit trail, written with the change (the --yes-less attempt wrote none).
    const trail: unknown = await ds.query(
      `SELECT actor, action, target_id, before, after FROM audit_events WHERE action = 'users.reset-2fa'`,
    );
    expect(trail).toEqual([
      {
        actor: 'cli:tester',
        action: 'users.reset-2fa',
        target_id: String(id),
        before: { twoFactor: true },
        after: { twoFactor: false, sessionsRevoked: 1 },
      },
    ]);

    const [mail] = await smtp.waitFor(
      1,
      (m) => m.to.includes('lostphone@example.test') && m.subject.includes('Two-factor'),
    );
    expect(mail!.subject).toBe('Two-factor sign-in was turned off on your Test Cloud account');
    expect(mail!.text).toContain('help@cloud.example');

    const json = await ozvpsctl(db.url, ['users', 'reset-2fa', String(id), '--yes', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      userId: id,
      email: 'lostphone@example.test',
      hadTwoFactor: false,
      sessionsRevoked: 0,
    });
    const login = await signInWithPassword(aBrowser(), 'lostphone@example.test');
    expect(login.body).toMatchObject({ user: { id } });
    for (const out of [refused, reset, json])
      for (const s of secrets) expect(out.stdout + out.stderr).not.toContain(s);
  });

  it('writes no secret, code or recovery code to its output', () => {
    expect(secrets.length).toBeGreaterThan(20);
    const output = api.output();
    for (const s of secrets) expect(output).not.toContain(s);
  });
});
