import { Client } from 'pg';
import { browser, Browser } from './http';
import { ozvpsctl, RunningApi } from './processes';

/** A password that passes the panel's policy. */
export const PASSWORD = 'correct horse battery staple';

/** An admin made the documented way (ozvpsctl, password on stdin), signed in to `api`. */
export async function anAdminBrowser(
  api: RunningApi,
  origin: string,
  databaseUrl: string,
  email = 'admin@example.test',
  env: NodeJS.ProcessEnv = {},
): Promise<Browser> {
  const created = await ozvpsctl(
    databaseUrl,
    ['users', 'create', email, '--admin', '--password-stdin'],
    env,
    `${PASSWORD}\n`,
  );
  if (created.code !== 0) throw new Error(`ozvpsctl users create failed: ${created.stderr}`);
  const admin = browser(api.baseUrl, origin);
  const login = await admin.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`admin sign-in answered ${login.status}`);
  return admin;
}

/**
 * A customer who signed up through the API and (unless `verified: false`) confirmed their email,
 * so they may top up and deploy; returns their browser and id. The confirmation is written
 * straight to the database: following the emailed link is what test/accounts.e2e.spec.ts tests.
 */
export async function aCustomerBrowser(
  api: RunningApi,
  origin: string,
  email: string,
  options: { verified?: boolean } = {},
): Promise<{ browser: Browser; id: number }> {
  const b = browser(api.baseUrl, origin);
  const r = await b.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
  if (r.status !== 201) throw new Error(`sign-up answered ${r.status}: ${JSON.stringify(r.body)}`);
  const id = (r.body as { user: { id: number } }).user.id;
  if (options.verified ?? true) {
    if (!api.databaseUrl) throw new Error('aCustomerBrowser needs a panel started with startPanel');
    await emailVerifiedDirectly(api.databaseUrl, id);
  }
  return { browser: b, id };
}

/** Marks a user's email verified in the database, as following their verification link would. */
export async function emailVerifiedDirectly(databaseUrl: string, userId: number): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`UPDATE users SET email_verified_at = now() WHERE id = $1`, [userId]);
  } finally {
    await client.end();
  }
}
