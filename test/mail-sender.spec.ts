import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findFreePort } from '@ozvps/core';
import {
  MailAdminService,
  MailInput,
  MailSender,
  Outbox,
  SmtpNotConfiguredError,
} from '@ozvps/notifications';
import { aUser } from './helpers/builders';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { bootLibs, TestClock } from './helpers/panel';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Row {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  next_attempt_at: Date;
}

describe('MailSender against a real SMTP server (real PostgreSQL)', () => {
  let db: TestDatabase;
  let smtp: FakeSmtp;
  let clock: TestClock;
  let app: INestApplicationContext;
  let ds: DataSource;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startFakeSmtp();
    clock = new TestClock(new Date('2026-03-01T00:00:00Z'));
    app = await bootLibs(db.url, {
      clock,
      env: {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Test Cloud <billing@cloud.example>',
        ADMIN_ALERT_EMAIL: 'ops@cloud.example',
      },
    });
    ds = app.get(DataSource);
  });

  afterAll(async () => {
    await app.close();
    await smtp.close();
    await db.drop();
  });

  beforeEach(async () => {
    // Each test starts with nothing due, so one test's leftovers never meet another's SMTP plan.
    await ds.query(`UPDATE outbox_messages SET status = 'sent' WHERE status IN ('pending', 'sending')`);
    smtp.received.length = 0;
    smtp.setDefault('accept');
  });

  async function aWelcome(overrides: Partial<MailInput> = {}): Promise<number> {
    const user = await aUser(app);
    const key = `welcome:sender-test:${++seq}`;
    await ds.transaction((em) =>
      app.get(Outbox).enqueue(em, {
        kind: 'welcome',
        to: user.email,
        userId: user.id,
        dedupeKey: key,
        data: { name: 'Ann' },
        ...overrides,
      } as MailInput),
    );
    const [{ id }] = (await ds.query(`SELECT id FROM outbox_messages WHERE dedupe_key = $1`, [key])) as {
      id: string;
    }[];
    return Number(id);
  }

  async function row(id: number): Promise<Row> {
    const [r] = (await ds.query(`SELECT * FROM outbox_messages WHERE id = $1`, [id])) as Row[];
    return r!;
  }

  const send = () => app.get(MailSender).runOnce();

  it('sends a due message once, from MAIL_FROM, and marks it sent', async () => {
    const id = await aWelcome();
    expect(await send()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(await send()).toEqual({ sent: 0, retried: 0, dead: 0 });

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.from).toBe('"Test Cloud" <billing@cloud.example>');
    expect(mail.subject).toBe('Welcome to OzVPS');
    expect(mail.text).toContain('Hello Ann,');
    expect(mail.html).toContain('Hello Ann,');
    expect(mail.messageId).toMatch(new RegExp(`^<outbox-${id}\\.\\d+@cloud\\.example>$`));
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect((await row(id)).sent_at).toEqual(clock.now());
  });

  it('retries a message the server deferred (4xx), with backoff, and sends it once it is accepted', async () => {
    const id = await aWelcome();
    smtp.next({ reply: 451, text: 'Greylisted, come back later' });
    expect(await send()).toEqual({ sent: 0, retried: 1, dead: 0 });
    const deferred = await row(id);
    expect(deferred).toMatchObject({ status: 'pending', attempts: 1 });
    expect(deferred.last_error).toMatch(/451.*Greylisted/);
    expect(deferred.next_attempt_at).toEqual(new Date(clock.now().getTime() + MINUTE));

    // Not due yet: nothing happens.
    expect(await send()).toEqual({ sent: 0, retried: 0, dead: 0 });
    clock.advance(MINUTE);
    expect(await send()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
  });

  it('doubles the wait after each failure, up to an hour', async () => {
    const id = await aWelcome();
    smtp.setDefault({ reply: 421 });
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      await send();
      const r = await row(id);
      waits.push((r.next_attempt_at.getTime() - clock.now().getTime()) / MINUTE);
      clock.set(r.next_attempt_at);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('marks a message dead after 24 hours of refusals (5xx) and raises one admin alert', async () => {
    const id = await aWelcome();
    smtp.setDefault({ reply: 550, text: 'No such user here' });
    const start = clock.now().getTime();
    let tries = 0;
    while ((await row(id)).status === 'pending' && tries++ < 100) {
      clock.set((await row(id)).next_attempt_at);
      await send();
    }
    const dead = await row(id);
    expect(dead.status).toBe('dead');
    expect(dead.last_error).toMatch(/550.*No such user here/);
    // The last attempt is made at the 24-hour mark, not before.
    expect(clock.now().getTime() - start).toBe(24 * HOUR);

    const alerts = (await ds.query(
      `SELECT recipient, status, subject, body_text FROM outbox_messages WHERE dedupe_key = $1`,
      [`dead:${id}`],
    )) as { recipient: string; status: string; subject: string; body_text: string }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      recipient: 'ops@cloud.example',
      subject: `[OzVPS alert] Message ${id} could not be delivered`,
    });
    expect(alerts[0]!.body_text).toContain(`ozvpsctl mail retry ${id} --yes`);

    // The alert went out in the same run and was refused too; it is delivered once the server
    // accepts mail again, like any other message.
    expect(alerts[0]!.status).toBe('pending');
    smtp.setDefault('accept');
    clock.advance(MINUTE);
    await send();
    expect(smtp.received.map((m) => m.to)).toEqual([['ops@cloud.example']]);
  });

  it('retries when the server drops the connection or never answers (timeout)', async () => {
    const dropped = await aWelcome();
    smtp.next('close');
    await send();
    expect(await row(dropped)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await row(dropped)).last_error).toBeTruthy();

    // A short timeout, on a sender of its own: the server never answers, however long one waits.
    const hasty = await bootLibs(db.url, { clock, env: { SMTP_URL: smtp.url, SMTP_TIMEOUT_MS: '300' } });
    try {
      const hung = await aWelcome();
      smtp.next('hang');
      expect(await hasty.get(MailSender).runOnce()).toEqual({ sent: 0, retried: 1, dead: 0 });
      expect(await row(hung)).toMatchObject({ status: 'pending', attempts: 1 });
      expect((await row(hung)).last_error).toMatch(/timeout|timed out/i);
    } finally {
      await hasty.close();
    }

    clock.advance(MINUTE);
    expect(await send()).toEqual({ sent: 2, retried: 0, dead: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it('never stores the SMTP password, even when the server echoes it in its refusal', async () => {
    const id = await aWelcome();
    smtp.next({ reply: 535, text: `credentials mailer/${smtp.password} refused` });
    await send();
    const r = await row(id);
    expect(r.last_error).toBe('535 credentials mailer/*** refused');
  });

  it('retries when nothing listens at SMTP_URL (connection refused)', async () => {
    const port = await findFreePort();
    const refused = await bootLibs(db.url, { clock, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const id = await aWelcome();
      expect(await refused.get(MailSender).runOnce()).toEqual({ sent: 0, retried: 1, dead: 0 });
      expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1 });
      expect((await row(id)).last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
    } finally {
      await refused.close();
    }
  });

  it('says a test message could not connect, not that the server refused it, when nothing listens', async () => {
    const port = await findFreePort();
    const refused = await bootLibs(db.url, {
      clock,
      env: { SMTP_URL: `smtp://mailer:pw@127.0.0.1:${port}` },
    });
    try {
      const failure = refused.get(MailAdminService).sendTest('ops@cloud.example', 'test');
      await expect(failure).rejects.toThrow(
        new RegExp(
          `^Could not connect to the SMTP server smtp://mailer@127\\.0\\.0\\.1:${port} \\(recorded as \\d+\\)`,
        ),
      );
      await expect(failure).rejects.not.toThrow(/refused the test message/);
      await expect(failure).rejects.not.toThrow(/:pw@/);
    } finally {
      await refused.close();
    }
    smtp.next({ reply: 550, text: 'No such user here' });
    await expect(app.get(MailAdminService).sendTest('ops@cloud.example', 'test')).rejects.toThrow(
      /^The SMTP server refused the test message \(recorded as \d+\): 550 No such user here/,
    );
  });

  it('takes over a message whose sender died mid-send once its lease lapses', async () => {
    const id = await aWelcome();
    await ds.query(
      `UPDATE outbox_messages SET status = 'sending', attempts = 1, lease_until = $2 WHERE id = $1`,
      [id, new Date(clock.now().getTime() + 5 * MINUTE)],
    );
    expect(await send()).toEqual({ sent: 0, retried: 0, dead: 0 });
    clock.advance(5 * MINUTE);
    expect(await send()).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('leaves the row to the sender that holds the claim now: a stale sender neither marks it sent nor retries it', async () => {
    const other = await bootLibs(db.url, { clock, env: { SMTP_URL: smtp.url } });
    const gate = (): {
      open: () => void;
      holdUntil: Promise<void>;
      arrived: () => void;
      in: Promise<void>;
    } => {
      let open!: () => void;
      let arrived!: () => void;
      const holdUntil = new Promise<void>((r) => (open = r));
      const arrival = new Promise<void>((r) => (arrived = r));
      return { open, holdUntil, arrived, in: arrival };
    };
    try {
      const id = await aWelcome();
      const slow = gate();
      const taker = gate();
      smtp.next(
        { holdUntil: slow.holdUntil, arrived: slow.arrived },
        { holdUntil: taker.holdUntil, arrived: taker.arrived },
      );
      const first = send();
      await slow.in;
      expect(await row(id)).toMatchObject({ status: 'sending', attempts: 1 });
      // The first send outlives its lease: another sender claims the message and starts again.
      clock.advance(HOUR);
      const second = other.get(MailSender).runOnce();
      await taker.in;
      expect(await row(id)).toMatchObject({ status: 'sending', attempts: 2 });

      slow.open();
      await first;
      // The first sender's mark finds a claim that is not its own: the row stays with the second.
      expect(await row(id)).toMatchObject({ status: 'sending', attempts: 2, sent_at: null });

      taker.open();
      expect(await second).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      await other.close();
    }
  });

  it('keeps a claim for longer than every SMTP_TIMEOUT_MS wait of one send together', async () => {
    const patient = await bootLibs(db.url, { clock, env: { SMTP_URL: smtp.url, SMTP_TIMEOUT_MS: '60000' } });
    try {
      const id = await aWelcome();
      let arrived!: () => void;
      let open!: () => void;
      const inFlight = new Promise<void>((r) => (arrived = r));
      smtp.next({ holdUntil: new Promise<void>((r) => (open = r)), arrived });
      const run = patient.get(MailSender).runOnce();
      await inFlight;
      const [{ lease_until }] = (await ds.query(`SELECT lease_until FROM outbox_messages WHERE id = $1`, [
        id,
      ])) as { lease_until: Date }[];
      // Connect, greeting and each answer may each take 60 s: 15 waits and a margin.
      expect(lease_until.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(15 * MINUTE);
      open();
      expect(await run).toEqual({ sent: 1, retried: 0, dead: 0 });
    } finally {
      await patient.close();
    }
  });

  it('sends each of 20 messages once when two senders run at the same time', async () => {
    const other = await bootLibs(db.url, { clock, env: { SMTP_URL: smtp.url } });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) ids.push(await aWelcome());
      const [a, b] = await Promise.all([app.get(MailSender).runOnce(), other.get(MailSender).runOnce()]);
      expect(a.sent + b.sent).toBe(20);
      expect(smtp.received).toHaveLength(20);
      expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(20);
      const rows = (await ds.query(`SELECT status, attempts FROM outbox_messages WHERE id = ANY($1)`, [
        ids,
      ])) as { status: string; attempts: number }[];
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('does nothing with held messages, nor at all without SMTP_URL', async () => {
    const held = await bootLibs(db.url, { clock });
    try {
      const user = await aUser(held);
      await held.get(DataSource).transaction((em) =>
        held.get(Outbox).enqueue(em, {
          kind: 'welcome',
          to: user.email,
          userId: user.id,
          dedupeKey: `welcome:held-sender:${user.id}`,
          data: { name: 'Held' },
        }),
      );
      expect(await held.get(MailSender).runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(await send()).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(smtp.received).toHaveLength(0);

      // Retrying it there would only make it look queued: refused until SMTP_URL is set.
      const [{ id }] = (await ds.query(`SELECT id FROM outbox_messages WHERE dedupe_key = $1`, [
        `welcome:held-sender:${user.id}`,
      ])) as { id: string }[];
      await expect(held.get(MailAdminService).retry(Number(id))).rejects.toThrow(SmtpNotConfiguredError);
      expect(await row(Number(id))).toMatchObject({ status: 'held', attempts: 0 });
      // With SMTP configured, the held message goes back to the queue and out.
      expect(await app.get(MailAdminService).retry(Number(id))).toMatchObject({ status: 'pending' });
      expect(await send()).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect(smtp.received.map((m) => m.subject)).toEqual(['Welcome to OzVPS']);
    } finally {
      await held.close();
    }
  });
});
