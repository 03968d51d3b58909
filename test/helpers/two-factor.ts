import { Secret, TOTP } from 'otpauth';
import { PASSWORD } from './accounts';
import { browser, Browser } from './http';
import type { RunningApi } from './processes';

/**
 * The code an authenticator app shows for `secret`, `steps` 30-second steps from now (the panel
 * accepts one step either side, and each step once per account).
 */
export function totpCode(secret: string, steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: Date.now() + steps * 30_000,
  });
}

export interface TwoFactorEnrolled {
  secret: string;
  recoveryCodes: string[];
}

/**
 * Turns two-factor sign-in on for whoever `b` is signed in as, as the web page does: enrol, then
 * confirm with the current code (that step is then used: the next sign-in takes totpCode(secret, 1)).
 */
export async function enrolTwoFactor(b: Browser): Promise<TwoFactorEnrolled> {
  const enrol = await b.request('POST', '/api/account/2fa/enrol', { body: {} });
  if (enrol.status !== 200) throw new Error(`enrol answered ${enrol.status}: ${JSON.stringify(enrol.body)}`);
  const { secret } = enrol.body as { secret: string };
  const confirm = await b.request('POST', '/api/account/2fa/confirm', { body: { code: totpCode(secret) } });
  if (confirm.status !== 200)
    throw new Error(`confirm answered ${confirm.status}: ${JSON.stringify(confirm.body)}`);
  return { secret, recoveryCodes: (confirm.body as { recoveryCodes: string[] }).recoveryCodes };
}

/**
 * A browser whose requests come from `ip` (X-Forwarded-For, which the test panel trusts from
 * loopback), so each test counts against its own per-address limits.
 */
export function browserFrom(api: RunningApi, origin: string, ip: string): Browser {
  const inner = browser(api.baseUrl, origin);
  return {
    get token() {
      return inner.token;
    },
    set token(value) {
      inner.token = value;
    },
    request: (method, path, options = {}) =>
      inner.request(method, path, { ...options, headers: { 'x-forwarded-for': ip, ...options.headers } }),
  };
}

/** Signs in with the password only: for an account with 2FA, a session that still owes its code. */
export async function signInWithPassword(b: Browser, email: string, password = PASSWORD) {
  return b.request('POST', '/api/auth/login', { body: { email, password } });
}
