import { DataSource } from 'typeorm';
import { findFreePort } from '@ozvps/core';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { PASSWORD } from './helpers/accounts';
import { browser } from './helpers/http';
import { enrolTwoFactor, totpCode } from './helpers/two-factor';
import { RunningApi, startApi } from './helpers/processes';
import { CookieJar, FakeOidcProvider, startFakeOidcProvider } from './fakes/oidc';

describe('sign-in with an OpenID provider (a real oidc-provider, the built API)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let api: RunningApi;
  let idp: FakeOidcProvider;
  let appUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    const [apiPort, idpPort] = [await findFreePort(), await findFreePort()];
    appUrl = `http://127.0.0.1:${apiPort}`;
    idp = await startFakeOidcProvider(idpPort, `${appUrl}/api/auth/oidc/callback`);
    api = await startApi({
      port: apiPort,
      env: {
        DATABASE_URL: db.url,
        OZVPS_ENV_FILE: '/dev/null',
        PORT: String(apiPort),
        APP_URL: appUrl,
        SIGNUP_CREDIT_CENTS: '300',
        OIDC_ISSUER_URL: idp.issuer,
        OIDC_CLIENT_ID: idp.clientId,
        OIDC_CLIENT_SECRET: idp.clientSecret,
        OIDC_PROVIDER_NAME: 'Auth0',
      },
    });
  });

  afterAll(async () => {
    await api?.stop();
    await idp?.stop();
    await ds.destroy();
    await db.drop();
  });

  /** Runs the browser side of the code flow; returns the callback URL the provider sends the browser to. */
  async function toProviderAndBack(jar: CookieJar): Promise<string> {
    const start = await jar.get302(`${appUrl}/api/auth/oidc/login`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    let url = start.location!;
    for (let hops = 0; hops < 10; hops++) {
      if (url.startsWith(`${appUrl}/api/auth/oidc/callback`)) return url;
      const step = await jar.get302(url);
      if (!step.location)
        throw new Error(`the provider stopped at ${url} with ${step.status}: ${await step.response.text()}`);
      url = step.location;
    }
    throw new Error('too many redirects');
  }

  async function signInThroughProvider(jar: CookieJar) {
    const callback = await jar.get302(await toProviderAndBack(jar));
    return {
      status: callback.status,
      location: callback.location,
      session: jar.get(appUrl, 'ozvps_session'),
    };
  }

  async function me(session: string | undefined) {
    const r = await fetch(`${appUrl}/api/auth/me`, {
      headers: session ? { cookie: `ozvps_session=${session}` } : {},
    });
    return { status: r.status, body: (await r.json()) as { user?: { id: number; email: string } } };
  }

  it('tells the sign-in page which provider is offered', async () => {
    const r = await fetch(`${appUrl}/api/auth/providers`);
    expect(await r.json()).toEqual({
      local: true,
      oidc: { name: 'Auth0', loginUrl: '/api/auth/oidc/login' },
    });
  });

  it('creates an account at first sign-in, with the sub stored and the sign-up credit once', async () => {
    await idp.nextLogin({
      sub: 'auth0|new-person',
      email: 'New.Person@example.test',
      email_verified: true,
      name: 'New Person',
    });
    const first = await signInThroughProvider(new CookieJar());
    expect(first.status).toBe(302);
    expect(first.location).toBe(`${appUrl}/`);
    const who = await me(first.session);
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({ email: 'new.person@example.test' });

    // A second sign-in is the same account, and no second credit.
    const second = await signInThroughProvider(new CookieJar());
    expect((await me(second.session)).body.user!.id).toBe(who.body.user!.id);
    const rows = await ds.query(
      `SELECT u.auth0_sub, u.password_hash, count(t.id)::int AS credits
         FROM users u LEFT JOIN wallets w ON w.user_id = u.id LEFT JOIN wallet_transactions t ON t.wallet_id = w.id
        WHERE u.email = 'new.person@example.test' GROUP BY u.id`,
    );
    expect(rows).toEqual([{ auth0_sub: 'auth0|new-person', password_hash: null, credits: 1 }]);
  });

  it('asks an account with two-factor sign-in for its code after the provider, too', async () => {
    const person = { sub: 'auth0|two-factor', email: 'two.factor@example.test', email_verified: true };
    await idp.nextLogin(person);
    const first = await signInThroughProvider(new CookieJar());
    const b = browser(api.baseUrl, appUrl);
    b.token = first.session!;
    const { secret } = await enrolTwoFactor(b);

    await idp.nextLogin(person);
    const second = await signInThroughProvider(new CookieJar());
    expect(second.location).toBe(`${appUrl}/`);
    const owed = await me(second.session);
    expect(owed.status).toBe(403);
    expect(owed.body).toMatchObject({ error: { code: 'two_factor_required' } });
    const c = browser(api.baseUrl, appUrl);
    c.token = second.session!;
    const verified = await c.request('POST', '/api/auth/2fa/verify', { body: { code: totpCode(secret, 1) } });
    expect(verified.status).toBe(200);
    expect((await me(c.token!)).body.user).toMatchObject({ email: 'two.factor@example.test' });
  });

  it('strips control characters from a name the provider sends, and still signs the person in', async () => {
    await idp.nextLogin({
      sub: 'auth0|escape-name',
      email: 'escape.name@example.test',
      email_verified: true,
      name: 'Eve\u001b[2J\u0007 Doe\u009b',
    });
    const signedIn = await signInThroughProvider(new CookieJar());
    expect(signedIn.status).toBe(302);
    const [row] = await ds.query(`SELECT name FROM users WHERE email = 'escape.name@example.test'`);
    expect(row).toEqual({ name: 'Eve[2J Doe' });
  });

  it('links an existing local account with the same verified email instead of duplicating it', async () => {
    const local = browser(appUrl, appUrl);
    await local.request('POST', '/api/auth/signup', {
      body: { email: 'linked@example.test', password: PASSWORD },
    });
    await idp.nextLogin({ sub: 'auth0|linked', email: 'LINKED@example.test', email_verified: true });
    const { session } = await signInThroughProvider(new CookieJar());
    expect((await me(session)).body.user!.email).toBe('linked@example.test');
    expect(await ds.query(`SELECT auth0_sub FROM users WHERE lower(email) = 'linked@example.test'`)).toEqual([
      { auth0_sub: 'auth0|linked' },
    ]);
    // The password still works too.
    expect(
      (
        await local.request('POST', '/api/auth/login', {
          body: { email: 'linked@example.test', password: PASSWORD },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses a disabled account at the provider callback: no session; enabled again, it signs in', async () => {
    await idp.nextLogin({
      sub: 'auth0|disabled-later',
      email: 'disabled.later@example.test',
      email_verified: true,
    });
    const first = await signInThroughProvider(new CookieJar());
    expect((await me(first.session)).status).toBe(200);
    await ds.query(`UPDATE users SET disabled_at = now() WHERE email = 'disabled.later@example.test'`);
    // The session it already had stops working too.
    expect((await me(first.session)).status).toBe(401);
    const refused = await signInThroughProvider(new CookieJar());
    expect(refused.location).toBe(`${appUrl}/signin?error=account_disabled`);
    expect(refused.session).toBeUndefined();
    await ds.query(`UPDATE users SET disabled_at = NULL WHERE email = 'disabled.later@example.test'`);
    const again = await signInThroughProvider(new CookieJar());
    expect((await me(again.session)).status).toBe(200);
  });

  it('refuses to link an existing account when the provider has not verified the email', async () => {
    await browser(appUrl, appUrl).request('POST', '/api/auth/signup', {
      body: { email: 'unverified@example.test', password: PASSWORD },
    });
    await idp.nextLogin({ sub: 'auth0|impostor', email: 'unverified@example.test', email_verified: false });
    const r = await signInThroughProvider(new CookieJar());
    expect(r.location).toBe(`${appUrl}/signin?error=conflict`);
    expect(r.session).toBeUndefined();
    expect(await ds.query(`SELECT auth0_sub FROM users WHERE email = 'unverified@example.test'`)).toEqual([
      { auth0_sub: null },
    ]);
  });

  it('refuses a callback whose state does not match, and one from a browser that did not start the flow', async () => {
    await idp.nextLogin({ sub: 'auth0|state-test', email: 'state@example.test', email_verified: true });
    const before = await ds.query(`SELECT count(*)::int AS n FROM users`);

    const jar = new CookieJar();
    const callback = new URL(await toProviderAndBack(jar));
    callback.searchParams.set('state', 'forged-state-value-0123456789');
    const forged = await jar.get302(callback.href);
    expect(forged.location).toBe(`${appUrl}/signin?error=oidc_failed`);
    expect(jar.get(appUrl, 'ozvps_session')).toBeUndefined();

    const other = new CookieJar();
    const stolen = await toProviderAndBack(jar);
    const elsewhere = await other.get302(stolen); // no attempt cookie in this browser
    expect(elsewhere.location).toBe(`${appUrl}/signin?error=oidc_failed`);
    expect(other.get(appUrl, 'ozvps_session')).toBeUndefined();

    expect(await ds.query(`SELECT count(*)::int AS n FROM users`)).toEqual(before);
  });

  it('refuses a callback whose nonce or PKCE verifier does not match the one the flow started with', async () => {
    await idp.nextLogin({ sub: 'auth0|nonce-test', email: 'nonce@example.test', email_verified: true });
    const jar = new CookieJar();
    const callback = await toProviderAndBack(jar);
    const attempt = JSON.parse(Buffer.from(jar.get(appUrl, 'ozvps_oidc')!, 'base64url').toString('utf8'));
    const tampered = {
      ...attempt,
      nonce: 'a-different-nonce-0123456789',
      codeVerifier: `${attempt.codeVerifier.slice(0, -4)}AAAA`,
    };
    jar.set(appUrl, 'ozvps_oidc', Buffer.from(JSON.stringify(tampered)).toString('base64url'));
    const r = await jar.get302(callback);
    expect(r.location).toBe(`${appUrl}/signin?error=oidc_failed`);
    expect(jar.get(appUrl, 'ozvps_session')).toBeUndefined();
    expect(await ds.query(`SELECT 1 FROM users WHERE email = 'nonce@example.test'`)).toEqual([]);
  });
});
