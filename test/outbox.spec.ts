import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ValidationError } from '@ozvps/core';
import { MailAdminService, MailInput, Outbox } from '@ozvps/notifications';
import { aUser } from './helpers/builders';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { bootLibs } from './helpers/panel';

interface Row {
  kind: string;
  recipient: string;
  status: string;
  subject: string;
  body_text: string;
  body_html: string;
  user_id: string | null;
  last_error: string | null;
}

describe('Outbox.enqueue (real PostgreSQL)', () => {
  let db: TestDatabase;
  let held: INestApplicationContext;
  let smtp: INestApplicationContext;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    held = await bootLibs(db.url);
    // Enqueue never connects: an SMTP_URL nobody listens on only decides the status.
    smtp = await bootLibs(db.url, {
      env: { SMTP_URL: 'smtp://mailer:pw@127.0.0.1:9', PANEL_NAME: 'Test Cloud' },
    });
    ds = held.get(DataSource);
  });

  afterAll(async () => {
    await smtp.close();
    await held.close();
    await db.drop();
  });

  async function rowsFor(key: string): Promise<Row[]> {
    return ds.query(`SELECT * FROM outbox_messages WHERE dedupe_key = $1`, [key]);
  }

  function enqueue(app: INestApplicationContext, msg: MailInput): Promise<boolean> {
    return app.get(DataSource).transaction((em) => app.get(Outbox).enqueue(em, msg));
  }

  it('writes a rendered message once; the same dedupe key again is a no-op', async () => {
    const user = await aUser(held);
    const msg: MailInput = {
      kind: 'topup-received',
      to: user.email,
      userId: user.id,
      dedupeKey: `topup-received:cs_once_${user.id}`,
      data: { amountCents: 2500, balanceCents: 123456 },
    };
    expect(await enqueue(smtp, msg)).toBe(true);
    expect(await enqueue(smtp, { ...msg, data: { amountCents: 1, balanceCents: 1 } })).toBe(false);

    const rows = await rowsFor(msg.dedupeKey);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'topup-received',
      recipient: user.email,
      status: 'pending',
      user_id: String(user.id),
      subject: 'Top-up received: A$25.00',
    });
    expect(rows[0]!.body_text).toContain('New balance: A$1,234.56');
    expect(rows[0]!.body_text).toContain('Test Cloud');
    expect(rows[0]!.body_html).toContain('A$1,234.56');
    expect(rows[0]!.body_html).not.toMatch(/<img|<script|https?:\/\/(?!localhost:3000)/);
  });

  it('leaves no message when the transaction that wrote it rolls back', async () => {
    const user = await aUser(held);
    const key = `welcome:rolled-back:${user.id}`;
    await expect(
      ds.transaction(async (em) => {
        expect(
          await held.get(Outbox).enqueue(em, {
            kind: 'welcome',
            to: user.email,
            userId: user.id,
            dedupeKey: key,
            data: { name: user.name },
          }),
        ).toBe(true);
        throw new Error('the change that caused the message failed');
      }),
    ).rejects.toThrow('the change that caused the message failed');
    expect(await rowsFor(key)).toEqual([]);
  });

  it('holds messages, readable, when no SMTP_URL is configured', async () => {
    const user = await aUser(held);
    const key = `welcome:held:${user.id}`;
    expect(
      await enqueue(held, {
        kind: 'welcome',
        to: user.email,
        userId: user.id,
        dedupeKey: key,
        data: { name: 'Ann' },
      }),
    ).toBe(true);
    const [row] = await rowsFor(key);
    expect(row).toMatchObject({ status: 'held', subject: 'Welcome to OzVPS' });
    expect(row!.body_text).toContain('Hello Ann,');
  });

  it('skips a receipt for a user who switched receipts off, but still writes notices', async () => {
    const user = await aUser(held);
    await ds.query(`UPDATE users SET receipts_email = false WHERE id = $1`, [user.id]);
    const receipt = `topup-received:cs_off_${user.id}`;
    const notice = `refund-adjustment:re_off_${user.id}`;
    expect(
      await enqueue(held, {
        kind: 'topup-received',
        to: user.email,
        userId: user.id,
        dedupeKey: receipt,
        data: { amountCents: 500, balanceCents: 500 },
      }),
    ).toBe(false);
    expect(
      await enqueue(held, {
        kind: 'refund-adjustment',
        to: user.email,
        userId: user.id,
        dedupeKey: notice,
        data: { reason: 'refund', amountCents: 500, balanceCents: -200 },
      }),
    ).toBe(true);
    expect(await rowsFor(receipt)).toEqual([]);
    const [row] = await rowsFor(notice);
    expect(row!.subject).toBe('Wallet adjustment: A$5.00 taken back');
    expect(row!.body_text).toContain('New balance: -A$2.00');
  });

  it('escapes what a customer typed in the HTML body', async () => {
    const user = await aUser(held, { name: '<script>alert(1)</script> & "Co"' });
    const key = `welcome:escaped:${user.id}`;
    await enqueue(held, {
      kind: 'welcome',
      to: user.email,
      userId: user.id,
      dedupeKey: key,
      data: { name: user.name },
    });
    const [row] = await rowsFor(key);
    expect(row!.body_html).not.toContain('<script>');
    expect(row!.body_html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(row!.body_text).toContain('<script>alert(1)</script>');
  });

  it('keeps a message to an undeliverable address as dead instead of failing the caller', async () => {
    const key = 'admin-alert:bad-address';
    expect(
      await enqueue(smtp, {
        kind: 'admin-alert',
        to: 'not an address',
        dedupeKey: key,
        data: { title: 'Something', lines: ['one', 'two'] },
      }),
    ).toBe(true);
    const [row] = await rowsFor(key);
    expect(row).toMatchObject({
      status: 'dead',
      last_error: 'not a deliverable email address',
      user_id: null,
    });
  });

  it('alerts admins once when a message is written dead at enqueue for a bad address', async () => {
    const withAlerts = await bootLibs(db.url, {
      env: { ADMIN_ALERT_EMAIL: 'ops@example.test', SMTP_URL: 'smtp://mailer:pw@127.0.0.1:9' },
    });
    try {
      const user = await aUser(held);
      const msg: MailInput = {
        kind: 'welcome',
        to: '"x;y"@example.com',
        userId: user.id,
        dedupeKey: `welcome:quoted:${user.id}`,
        data: { name: 'X' },
      };
      expect(await enqueue(withAlerts, msg)).toBe(true);
      expect(await enqueue(withAlerts, msg)).toBe(false);
      expect(await rowsFor(msg.dedupeKey)).toMatchObject([{ status: 'dead' }]);
      const alerts: Row[] = await ds.query(
        `SELECT * FROM outbox_messages WHERE kind = 'admin-alert' AND body_text LIKE $1`,
        [`%"x;y"@example.com%`],
      );
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ recipient: 'ops@example.test', status: 'pending' });
      expect(alerts[0]!.body_text).toContain(`for user ${user.id}`);
    } finally {
      await withAlerts.close();
    }
  });

  it('writes one deliverable alert to every address of a comma-separated ADMIN_ALERT_EMAIL', async () => {
    const team = await bootLibs(db.url, {
      env: {
        ADMIN_ALERT_EMAIL: 'ops@example.test,oncall@example.test',
        SMTP_URL: 'smtp://mailer:pw@127.0.0.1:9',
      },
    });
    try {
      const alert = { dedupeKey: 'alert:team', title: 'A job failed', lines: ['renewals: boom'] };
      expect(await team.get(DataSource).transaction((em) => team.get(Outbox).alertAdmins(em, alert))).toBe(
        true,
      );
      expect(await rowsFor('alert:team')).toMatchObject([
        { recipient: 'ops@example.test, oncall@example.test', status: 'pending', last_error: null },
      ]);
    } finally {
      await team.close();
    }
  });

  it('writes admin alerts only when ADMIN_ALERT_EMAIL is set', async () => {
    const withAlerts = await bootLibs(db.url, { env: { ADMIN_ALERT_EMAIL: 'ops@example.test' } });
    try {
      const alert = { dedupeKey: 'alert:set', title: 'A job failed', lines: ['renewals: boom'] };
      expect(await held.get(DataSource).transaction((em) => held.get(Outbox).alertAdmins(em, alert))).toBe(
        false,
      );
      expect(
        await withAlerts.get(DataSource).transaction((em) => withAlerts.get(Outbox).alertAdmins(em, alert)),
      ).toBe(true);
      const [row] = await rowsFor('alert:set');
      expect(row).toMatchObject({
        recipient: 'ops@example.test',
        kind: 'admin-alert',
        subject: '[OzVPS alert] A job failed',
      });
    } finally {
      await withAlerts.close();
    }
  });

  it('lists messages newest first, filtered by status, kind and user, in keyset pages', async () => {
    const user = await aUser(held);
    for (const n of [1, 2, 3])
      await enqueue(held, {
        kind: 'welcome',
        to: user.email,
        userId: user.id,
        dedupeKey: `welcome:list:${user.id}:${n}`,
        data: { name: `N${n}` },
      });
    const mail = held.get(MailAdminService);
    const mine = await mail.list({ userId: user.id, kind: 'welcome', status: 'held' });
    expect(mine.map((m) => m.dedupeKey)).toEqual([3, 2, 1].map((n) => `welcome:list:${user.id}:${n}`));
    const page = await mail.list({ userId: user.id, limit: 2 });
    expect(page).toHaveLength(2);
    const rest = await mail.list({ userId: user.id, limit: 2, beforeId: page[1]!.id });
    expect(rest.map((m) => m.dedupeKey)).toEqual([`welcome:list:${user.id}:1`]);
    expect(await mail.list({ userId: user.id, status: 'sent' })).toEqual([]);
    await expect(mail.list({ status: 'lost' })).rejects.toThrow(ValidationError);
    await expect(mail.list({ limit: 0 })).rejects.toThrow(ValidationError);
  });
});
