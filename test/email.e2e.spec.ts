import { DataSource } from 'typeorm';
import { findFreePort } from '@ozvps/core';
import { deliver, FakeStripe, testStripeKeys } from './fakes/stripe';
import { fakeStripeEnv } from './fakes/env';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';
import { aCustomerBrowser, anAdminBrowser, PASSWORD } from './helpers/accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { browser, Browser } from './helpers/http';
import { API_MAIN, ozvpsctl, runNode, RunningApi, startPanel } from './helpers/processes';

interface MailRow {
  id: string;
  status: string;
  attempts: number;
  kind: string;
  recipient: string;
  last_error: string | null;
  dedupe_key: string;
}

describe('Email end to end (built API, real nodemailer against a real SMTP server, signed webhooks)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let stripe: FakeStripe;
  let smtp: FakeSmtp;
  let api: RunningApi;
  let second: RunningApi | undefined;
  let origin: string;
  let admin: Browser;
  let env: Record<string, string>;
  const keys = testStripeKeys();
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    stripe = await new FakeStripe().start();
    smtp = await startFakeSmtp();
    env = {
      ...fakeStripeEnv(keys, stripe),
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Test Cloud <billing@cloud.example>',
      ADMIN_ALERT_EMAIL: 'ops@cloud.example',
      PLAN_SYNC_CRON: 'off',
    };
    ({ api, origin } = await startPanel(db.url, env));
    admin = await anAdminBrowser(api, origin, db.url, 'admin@cloud.example', env);
  });

  afterAll(async () => {
    await second?.stop();
    await api?.stop();
    await smtp?.close();
    await stripe?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  const to = (address: string) => (m: { to: string[] }) => m.to.includes(address);

  async function mailRows(where: string, params: unknown[]): Promise<MailRow[]> {
    return ds.query(`SELECT * FROM outbox_messages WHERE ${where} ORDER BY id`, params);
  }

  /** Waits until the row satisfies `ready` (the API's sender runs every 5 s). */
  async function until(id: number | string, ready: (row: MailRow) => boolean): Promise<MailRow> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await mailRows('id = $1', [id]);
      if (row && ready(row)) return row;
      if (Date.now() > deadline) throw new Error(`message ${id} never got there: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const status = (s: string) => (row: MailRow) => row.status === s;

  /** Makes a pending message due now, as if its backoff had passed. */
  const dueNow = (id: number | string) =>
    ds.query(`UPDATE outbox_messages SET next_attempt_at = now() WHERE id = $1 AND status = 'pending'`, [id]);

  async function aCustomer(): Promise<{ customer: Browser; userId: number; email: string }> {
    const email = `customer${++n}@shop.example`;
    const { browser: customer, id: userId } = await aCustomerBrowser(api, origin, email);
    return { customer, userId, email };
  }

  async function aPaidTopup(customer: Browser, amountCents: number): Promise<string> {
    const r = await customer.request('POST', '/api/wallet/topups', { body: { amountCents } });
    expect(r.status).toBe(201);
    const { sessionId } = r.body as { sessionId: string };
    expect((await deliver(api.baseUrl, stripe.complete(sessionId), keys.webhookSecret)).body).toMatchObject({
      outcome: 'credited',
    });
    return sessionId;
  }

  it('welcomes a customer who signs up, once', async () => {
    const { email, userId } = await aCustomer();
    // With it, in the same sign-up: the link that confirms the address.
    const mails = await smtp.waitFor(2, to(email));
    expect(mails.map((m) => m.subject).sort()).toEqual([
      'Confirm your email address for OzVPS',
      'Welcome to OzVPS',
    ]);
    const mail = mails.find((m) => m.subject === 'Welcome to OzVPS');
    expect(mail!.from).toBe('"Test Cloud" <billing@cloud.example>');
    expect(mail!.text).toContain(`${origin}/wallet`);
    const rows = await mailRows('user_id = $1', [userId]);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['welcome', 'sent'],
      ['email-verification', 'sent'],
    ]);
  });

  it('refuses at sign-up, with a 400 and nothing written, a name with control characters or an address the outbox cannot deliver', async () => {
    const guest = browser(api.baseUrl, origin);
    const users = async () => (await ds.query(`SELECT count(*)::int AS n FROM users`))[0].n;
    const before = await users();
    for (const [email, name] of [
      ['ctl-name@shop.example', 'Eve\x1b[2J'],
      ['bel-name@shop.example', 'Eve\x07'],
      ['c1-name@shop.example', 'Eve\u009b31m'],
      ['"x;y"@example.com', 'Quoted'],
      ['"a\\"b"@example.com', 'Quoted'],
    ]) {
      const r = await guest.request('POST', '/api/auth/signup', {
        body: { email, password: PASSWORD, name },
      });
      expect([email, r.status]).toEqual([email, 400]);
      expect(JSON.stringify(r.body)).toMatch(/control characters|not a valid email address|email must be/);
    }
    expect(await users()).toBe(before);
    expect(await mailRows(`recipient LIKE '%"%'`, [])).toEqual([]);
  });

  it('welcomes a user made with `ozvpsctl users create`, once, in the same transaction as the user', async () => {
    const email = 'made-by-cli@shop.example';
    const made = await ozvpsctl(db.url, ['users', 'create', email, '--name', 'Cli Made', '--json'], env);
    expect(made.code).toBe(0);
    const { id } = JSON.parse(made.stdout) as { id: number };
    const [mail] = await smtp.waitFor(1, to(email));
    expect(mail!.subject).toBe('Welcome to OzVPS');
    expect(mail!.text).toContain('Hello Cli Made,');
    expect((await mailRows('user_id = $1', [id])).map((r) => [r.kind, r.dedupe_key])).toEqual([
      ['welcome', `welcome:${id}`],
    ]);
    // A refused user leaves neither a user nor a message.
    const refused = await ozvpsctl(db.url, ['users', 'create', email.toUpperCase()], env);
    expect(refused.code).not.toBe(0);
    expect(await mailRows('recipient = $1', [email])).toHaveLength(1);
  });

  it('sends exactly one receipt with the right amounts for a top-up, even when the webhook comes twice', async () => {
    const { customer, email, userId } = await aCustomer();
    const r = await customer.request('POST', '/api/wallet/topups', { body: { amountCents: 2500 } });
    const { sessionId } = r.body as { sessionId: string };
    const event = stripe.complete(sessionId);
    const [first, again] = await Promise.all([
      deliver(api.baseUrl, event, keys.webhookSecret),
      deliver(api.baseUrl, event, keys.webhookSecret),
    ]);
    expect([first.body, again.body].map((b) => (b as { outcome: string }).outcome).sort()).toEqual([
      'credited',
      'duplicate',
    ]);
    expect((await deliver(api.baseUrl, event, keys.webhookSecret)).body).toMatchObject({
      outcome: 'duplicate',
    });

    const rows = await mailRows(`user_id = $1 AND kind = 'topup-received'`, [userId]);
    expect(rows).toHaveLength(1);
    await until(rows[0]!.id, status('sent'));
    const receipts = smtp.received.filter((m) => to(email)(m) && m.subject.startsWith('Top-up received'));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.subject).toBe('Top-up received: A$25.00');
    expect(receipts[0]!.text).toContain('Amount: A$25.00');
    expect(receipts[0]!.text).toContain('New balance: A$25.00');
    expect(await ds.query(`SELECT dedupe_key FROM outbox_messages WHERE id = $1`, [rows[0]!.id])).toEqual([
      { dedupe_key: `topup-received:${sessionId}` },
    ]);
  });

  it('skips receipts for a customer who switched them off, but still sends the refund notice', async () => {
    const { customer, email, userId } = await aCustomer();
    expect((await customer.request('GET', '/api/account/preferences')).body).toEqual({ receiptsEmail: true });
    const refused = await customer.request('PUT', '/api/account/preferences', {
      body: { receiptsEmail: 'no' },
    });
    expect(refused.status).toBe(400);
    const off = await customer.request('PUT', '/api/account/preferences', { body: { receiptsEmail: false } });
    expect(off).toMatchObject({ status: 200, body: { receiptsEmail: false } });
    expect(await ds.query(`SELECT receipts_email FROM users WHERE id = $1`, [userId])).toEqual([
      { receipts_email: false },
    ]);

    const sessionId = await aPaidTopup(customer, 5000);
    expect(
      (await deliver(api.baseUrl, stripe.refund(sessionId, 2000), keys.webhookSecret)).body,
    ).toMatchObject({
      outcome: 'reversed',
    });
    const [notice] = await smtp.waitFor(1, (m) => to(email)(m) && m.subject.startsWith('Wallet adjustment'));
    expect(notice!.subject).toBe('Wallet adjustment: A$20.00 taken back');
    expect(notice!.text).toContain('New balance: A$30.00');
    const kinds = (await mailRows('user_id = $1', [userId])).map((r) => r.kind);
    expect(kinds).toEqual(['welcome', 'email-verification', 'refund-adjustment']);
  });

  it('retries a message the server deferred (4xx), then delivers it once', async () => {
    const email = `greylisted${++n}@shop.example`;
    smtp.setFor(email, { reply: 451, text: 'Greylisted, try later' });
    const { id: userId } = await aCustomerBrowser(api, origin, email);
    const [row] = await mailRows(`user_id = $1 AND kind = 'welcome'`, [userId]);
    const deferred = await until(row!.id, (r) => r.status === 'pending' && r.attempts === 1);
    expect(deferred.last_error).toMatch(/451 .*Greylisted/);

    smtp.setFor(email, undefined);
    await dueNow(row!.id);
    expect(await until(row!.id, status('sent'))).toMatchObject({ attempts: 2, last_error: null });
    // The welcome once (the sign-up's verification link is a message of its own).
    expect(smtp.received.filter((m) => to(email)(m) && m.subject === 'Welcome to OzVPS')).toHaveLength(1);
  });

  it('marks a message dead after 24 h of refusals (5xx): visible to admins and the CLI, one admin alert, retryable', async () => {
    const email = `bounces${++n}@shop.example`;
    smtp.setFor(email, { reply: 550, text: 'No such mailbox' });
    const { id: userId } = await aCustomerBrowser(api, origin, email);
    const [row] = await mailRows(`user_id = $1 AND kind = 'welcome'`, [userId]);
    const id = Number(row!.id);
    await until(id, (r) => r.status === 'pending' && r.attempts === 1);
    // 24 hours of backoff, skipped: the next attempt is the last one.
    await ds.query(`UPDATE outbox_messages SET give_up_at = now(), next_attempt_at = now() WHERE id = $1`, [
      id,
    ]);
    const dead = await until(id, status('dead'));
    expect(dead.last_error).toMatch(/550 .*No such mailbox/);

    const alerts = await mailRows('dedupe_key = $1', [`dead:${id}`]);
    expect(alerts).toHaveLength(1);
    const [alert] = await smtp.waitFor(1, to('ops@cloud.example'));
    expect(alert!.subject).toBe(`[OzVPS alert] Message ${id} could not be delivered`);
    expect(alert!.text).toContain(email);

    const listed = await admin.request('GET', '/api/admin/mail?status=dead');
    expect(listed.status).toBe(200);
    expect((listed.body as { messages: { id: number; status: string }[] }).messages).toContainEqual(
      expect.objectContaining({ id, status: 'dead', recipient: email, kind: 'welcome', attempts: 2 }),
    );
    const shown = await admin.request('GET', `/api/admin/mail/${id}`);
    const detail = (shown.body as { message: { bodyHtml: string; bodyText: string } }).message;
    expect(detail.bodyText).toContain('Your OzVPS account is ready');
    expect(detail.bodyHtml).toContain('<h1 style="font-size:18px;margin:0 0 16px">Welcome to OzVPS</h1>');

    const cli = await ozvpsctl(db.url, ['mail', 'list', '--status', 'dead', '--json'], env);
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as { id: number }[]).map((m) => m.id)).toContain(id);
    const table = await ozvpsctl(db.url, ['mail', 'list', '--status', 'dead', '--user', email], env);
    expect(table.stdout).toMatch(
      new RegExp(`^\\s*${id}\\s.*dead\\s+welcome\\s+${email.replace('.', '\\.')}`, 'm'),
    );
    const show = await ozvpsctl(db.url, ['mail', 'show', String(id)], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('No such mailbox');
    expect(show.stdout).toContain('Your OzVPS account is ready');

    // Retry: refused without --yes, then back to pending and delivered once the mailbox works.
    const unconfirmed = await ozvpsctl(db.url, ['mail', 'retry', String(id)], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect((await mailRows('id = $1', [id]))[0]!.status).toBe('dead');
    smtp.setFor(email, undefined);
    const retried = await ozvpsctl(db.url, ['mail', 'retry', String(id), '--yes'], env);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/audit .*action=mail\.retry .*message=/);
    expect(await until(id, status('sent'))).toMatchObject({ attempts: 1 });
    expect(smtp.received.filter(to(email))).toHaveLength(1);

    // A sent message is not retried: 409 from the API, a failure from the CLI.
    const again = await admin.request('POST', `/api/admin/mail/${id}/retry`, { body: {} });
    expect(again.status).toBe(409);
    expect((await ozvpsctl(db.url, ['mail', 'retry', String(id), '--yes'], env)).code).toBe(1);
    expect((await admin.request('GET', '/api/admin/mail/999999')).status).toBe(404);
  });

  it('answers 404 for an id too large for the database and 400 for a filter given as an array or object', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/mail/99999999999999999999'],
      ['POST', '/api/admin/mail/99999999999999999999/retry'],
      ['GET', '/api/admin/mail/0'],
    ] as const) {
      const res = await admin.request(method, path, { body: method === 'POST' ? {} : undefined });
      expect([path, res.status]).toEqual([path, 404]);
    }
    for (const query of [
      'status[]=held',
      'kind[]=x',
      'userId[]=3',
      'status[a]=held',
      'status=held&status=dead',
    ]) {
      const res = await admin.request('GET', `/api/admin/mail?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
    expect((await admin.request('GET', '/api/admin/mail?status=held')).status).toBe(200);
  });

  it('serves the HTML body of a message for the Outbox frame as its own document, under a CSP of its own that lets inline styles in and no script', async () => {
    const { customer, userId, email } = await aCustomer();
    await smtp.waitFor(1, to(email)); // sent, so it is not counted by the next test
    const [welcome] = await mailRows(`user_id = $1 AND kind = 'welcome'`, [userId]);
    const [row] = (await ds.query(`SELECT body_html FROM outbox_messages WHERE id = $1`, [welcome!.id])) as {
      body_html: string;
    }[];
    expect(row!.body_html).toMatch(/style="/);
    const res = await fetch(`${api.baseUrl}/api/admin/mail/${welcome!.id}/preview`, {
      headers: { cookie: `ozvps_session=${admin.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp.split(/;\s*/)).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        'img-src data:',
        'sandbox',
        "frame-ancestors 'self'",
      ]),
    );
    expect(csp).not.toMatch(/script-src|allow-scripts|allow-same-origin/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await res.text()).toBe(row!.body_html);

    // Admin only, and a bad id is a 404 like the other message routes.
    expect([401, 403, 404]).toContain(
      (await customer.request('GET', `/api/admin/mail/${welcome!.id}/preview`)).status,
    );
    expect((await admin.request('GET', '/api/admin/mail/99999999999999999999/preview')).status).toBe(404);
  });

  it('sends each of 20 messages once with two API processes on one database', async () => {
    ({ api: second } = await startPanel(db.url, env));
    const before = smtp.received.length;
    await ds.query(
      `INSERT INTO outbox_messages (recipient, kind, subject, body_text, body_html, dedupe_key, status, give_up_at)
       SELECT 'bulk' || i || '@shop.example', 'admin-alert', 'Bulk ' || i, 'text ' || i, '<p>html</p>',
              'bulk:' || i, 'pending', now() + interval '1 day'
         FROM generate_series(1, 20) AS i`,
    );
    const bulk = await smtp.waitFor(20, (m) => m.subject.startsWith('Bulk '));
    expect(bulk).toHaveLength(20);
    expect(new Set(bulk.map((m) => m.to[0])).size).toBe(20);
    const rows = (await ds.query(
      `SELECT status, attempts FROM outbox_messages WHERE dedupe_key LIKE 'bulk:%'`,
    )) as { status: string; attempts: number }[];
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect(smtp.received.length - before).toBe(20);
    await second.stop();
    second = undefined;
  });

  it('sends a test message now with `ozvpsctl mail test`, records it, and prints the server answer', async () => {
    const ok = await ozvpsctl(db.url, ['mail', 'test', 'postmaster@shop.example'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/server said:\s+250 OK: queued as fake/);
    const [mail] = await smtp.waitFor(1, to('postmaster@shop.example'));
    expect(mail!.subject).toBe('OzVPS test message');
    const json = await ozvpsctl(db.url, ['mail', 'test', 'postmaster@shop.example', '--json'], env);
    const { id } = JSON.parse(json.stdout) as { id: number };
    expect(await mailRows('id = $1', [id])).toEqual([
      expect.objectContaining({ kind: 'test', status: 'sent' }),
    ]);

    smtp.setFor('refuses@shop.example', { reply: 550, text: 'Relay denied' });
    const refused = await ozvpsctl(db.url, ['mail', 'test', 'refuses@shop.example'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/550 .*Relay denied/);

    const bad = await ozvpsctl(db.url, ['mail', 'test', 'not-an-address'], env);
    expect(bad.code).toBe(2);
    const noSmtp = await ozvpsctl(db.url, ['mail', 'test', 'postmaster@shop.example'], {
      ...env,
      SMTP_URL: '',
    });
    expect(noSmtp.code).toBe(1);
    expect(noSmtp.stderr).toMatch(/SMTP_URL is not set/);
    for (const r of [ok, json, refused, bad, noSmtp])
      expect(r.stdout + r.stderr).not.toContain(smtp.password);
  });

  it('refuses the outbox to customers, changing nothing', async () => {
    const { customer } = await aCustomer();
    const before = await ds.query(`SELECT id, status, attempts FROM outbox_messages ORDER BY id`);
    const [dead] = (await ds.query(`SELECT id FROM outbox_messages ORDER BY id LIMIT 1`)) as { id: string }[];
    for (const [method, path] of [
      ['GET', '/api/admin/mail'],
      ['GET', `/api/admin/mail/${dead!.id}`],
      ['POST', `/api/admin/mail/${dead!.id}/retry`],
    ] as const) {
      const r = await customer.request(method, path, method === 'POST' ? { body: {} } : {});
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
    }
    expect(await ds.query(`SELECT id, status, attempts FROM outbox_messages ORDER BY id`)).toEqual(before);
  });

  it('stops at start on a bad SMTP_URL, naming it and not the password', async () => {
    const port = await findFreePort();
    for (const bad of [
      'smtp://mailer:hunter2-secret@mail.example:99999',
      'imap://mailer:hunter2-secret@mail.example',
    ]) {
      const r = await runNode(
        API_MAIN,
        [],
        {
          OZVPS_ENV_FILE: '/dev/null',
          PORT: String(port),
          DATABASE_URL: db.url,
          SMTP_URL: bad,
          PATH: process.env.PATH,
        },
        undefined,
        { timeoutMs: 30_000 },
      );
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/SMTP_URL must/);
      expect(r.stdout + r.stderr).not.toContain('hunter2');
    }
  });

  it('never writes the SMTP password or a message body to the log', () => {
    const log = api.output();
    expect(log).toContain(
      `sending email through smtp://mailer@127.0.0.1:${smtp.port} as Test Cloud <billing@cloud.example>`,
    );
    expect(log).toMatch(/mail \d+ kind=welcome to=\*@shop\.example attempt=1 sent/);
    expect(log).not.toContain(smtp.password);
    expect(log).not.toContain('Your OzVPS account is ready');
    expect(log).not.toMatch(/customer\d+@shop\.example/);
  });
});
