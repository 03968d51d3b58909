import { INestApplicationContext } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { StripeWebhookService } from '@ozvps/billing';
import { AdminAlerts, MailSender } from '@ozvps/notifications';
import { PlanSyncService, PlansService } from '@ozvps/plans';
import {
  DeployService,
  RenewalsService,
  SshKeysService,
  RepriceService,
  ServerAdminService,
  ServerQueriesService,
} from '@ozvps/servers';
import { VIRTFUSION_REACHABILITY, VirtFusionReachabilityEvent } from '@ozvps/virtfusion';
import { User } from '@ozvps/users';
import { FakeSmtp, startFakeSmtp } from './fakes/smtp';
import { testStripeKeys } from './fakes/stripe';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aUserWithBalance } from './helpers/builders';
import { anSshKey } from './helpers/ssh-keys';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { bootLibs, TestClock } from './helpers/panel';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PRICE = 1200;
const APP_URL = 'https://panel.example.test';
const ADMIN = 'ops@example.test';

/** An outbox row and the one email that arrived for it (subject and text as the SMTP server parsed them). */
interface Mail {
  id: number;
  kind: string;
  key: string;
  subject: string;
  text: string;
}

describe('email kinds, each from its real trigger, arriving exactly once (real PostgreSQL and SMTP, VirtFusion faked, injected time)', () => {
  let db: TestDatabase;
  let smtp: FakeSmtp;
  let vf: FakeVirtFusion;
  let app: INestApplicationContext;
  let clock: TestClock;
  let deploys: DeployService;
  let servers: ServerQueriesService;
  let serverAdmin: ServerAdminService;
  let renewals: RenewalsService;
  let reprice: RepriceService;
  let plans: PlansService;
  let ds: DataSource;
  let planId: number;
  let n = 0;

  beforeAll(async () => {
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter' }), aPackage(2, { name: 'Repriced' })];
    smtp = await startFakeSmtp();
    db = await createTestDatabase();
    clock = new TestClock();
    const keys = testStripeKeys();
    app = await bootLibs(db.url, {
      env: {
        VIRTFUSION_URL: vf.url,
        VIRTFUSION_API_TOKEN: vf.token,
        VIRTFUSION_TIMEOUT_MS: '500',
        VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
        APP_URL,
        ADMIN_ALERT_EMAIL: ADMIN,
        SMTP_URL: smtp.url,
        STRIPE_SECRET_KEY: keys.secretKey,
        STRIPE_WEBHOOK_SECRET: keys.webhookSecret,
        STRIPE_API_BASE: 'http://127.0.0.1:9',
      },
      servers: true,
      clock,
    });
    deploys = app.get(DeployService);
    servers = app.get(ServerQueriesService);
    serverAdmin = app.get(ServerAdminService);
    renewals = app.get(RenewalsService);
    reprice = app.get(RepriceService);
    plans = app.get(PlansService);
    ds = app.get(DataSource);
    await app.get(PlanSyncService).sync('cli');
    planId = (await plans.setPrice(await plans.get({ packageId: 1 }), PRICE)).id;
    await plans.setPrice(await plans.get({ packageId: 2 }), PRICE);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
    await vf.stop();
    await smtp.close();
  });

  beforeEach(() => {
    clock.set(new Date('2026-01-31T09:00:00Z'));
  });

  const deploy = async (user: User, overrides: Record<string, unknown> = {}) =>
    (
      await deploys.deploy(user, {
        planId,
        osTemplateId: 44,
        hostname: `web${++n}.example.test`,
        idempotencyKey: `email-kinds-${++n}-${Math.random().toString(36).slice(2, 8)}`,
        ...overrides,
      })
    ).server;

  /**
   * Delivers what is due through the panel's sender (nodemailer to the SMTP server), then what
   * `recipient` got, oldest first: every outbox row for them sent, and arrived exactly once.
   */
  const mailsTo = async (recipient: string): Promise<Mail[]> => {
    while ((await app.get(MailSender).runOnce()).sent > 0);
    const rows: { id: number; kind: string; key: string; status: string; created: Date }[] = await ds.query(
      `SELECT id::int, kind, dedupe_key AS key, status, created_at AS created
         FROM outbox_messages WHERE recipient = $1 ORDER BY id`,
      [recipient],
    );
    return rows.map((row) => {
      expect(row.status).toBe('sent');
      const arrived = smtp.received.filter((m) => m.messageId.startsWith(`<outbox-${row.id}.`));
      expect(arrived).toHaveLength(1);
      expect(arrived[0]!.to).toEqual([recipient]);
      return {
        id: row.id,
        kind: row.kind,
        key: row.key,
        subject: arrived[0]!.subject,
        text: arrived[0]!.text,
      };
    });
  };
  const kindsTo = async (recipient: string) => (await mailsTo(recipient)).map((m) => m.kind);
  const only = async (recipient: string, kind: string): Promise<Mail> => {
    const found = (await mailsTo(recipient)).filter((m) => m.kind === kind);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  /**
   * The renewals run for one customer's servers (the hourly run is the same code over everyone;
   * scoping it keeps one test's servers out of another's VirtFusion failures).
   */
  const run = (user: User) => renewals.run(user.id);
  const runTwiceAtOnce = async (user: User) => {
    await Promise.all([run(user), run(user)]);
    await run(user);
  };

  it('deploy -> one server-ready with hostname, IP, OS and the server page; no password', async () => {
    const user = await aUserWithBalance(app, PRICE);
    const server = await deploy(user);
    expect(server.status).toBe('active');
    const mail = await only(user.email, 'server-ready');
    expect(mail.key).toBe(`server-ready:${server.id}`);
    expect(mail.subject).toBe(`Your server ${server.hostname} is ready`);
    expect(mail.text).toContain(`Hostname: ${server.hostname}`);
    expect(mail.text).toContain(`IP address: ${server.ipAddress}`);
    expect(mail.text).toContain('Operating system: Debian 12 (Bookworm) Minimal');
    expect(mail.text).toContain(`ssh root@${server.ipAddress}`);
    expect(mail.text).toContain(`${APP_URL}/servers/${server.id}`);
    expect(mail.text).not.toMatch(/password:/i);
    // No key chosen and no password set at deploy: the email says how to get in.
    expect(mail.text).not.toMatch(/password or SSH key you chose/);
    expect(mail.text).toMatch(/"Reset root password" on the server's page/);
    expect(mail.text).toMatch(/open the Console there/);
  });

  it('deploy with SSH keys -> server-ready says to log in as root with those keys, by name', async () => {
    const user = await aUserWithBalance(app, PRICE);
    const keys = app.get(SshKeysService);
    const laptop = await keys.add(user.id, { name: 'laptop', publicKey: anSshKey('ed25519').publicKey });
    const desk = await keys.add(user.id, { name: 'desk', publicKey: anSshKey('ed25519').publicKey });
    const server = await deploy(user, { sshKeyIds: [laptop.id, desk.id] });
    expect(server.status).toBe('active');
    const mail = await only(user.email, 'server-ready');
    expect(mail.text).toContain(
      `Log in as root over SSH (ssh root@${server.ipAddress}) with the SSH keys you chose when you deployed: laptop, desk.`,
    );
    expect(mail.text).not.toMatch(/Reset root password" on the server's page, then/);
  });

  it('renewal within RENEWAL_REMINDER_DAYS the wallet will not cover -> one reminder with the shortfall, even run twice at once', async () => {
    const user = await aUserWithBalance(app, PRICE + 700);
    const server = await deploy(user); // paid until 28 Feb 09:00; A$7.00 left
    clock.set(new Date('2026-02-25T08:59:59Z')); // just over 3 days ahead
    await run(user);
    expect(await kindsTo(user.email)).toEqual(['server-ready']);

    clock.set(new Date('2026-02-25T09:00:00Z'));
    await runTwiceAtOnce(user);
    clock.advance(DAY);
    await run(user);
    const mail = await only(user.email, 'renewal-reminder');
    expect(mail.key).toBe(`renewal-reminder:${server.id}:2`);
    expect(mail.subject).toBe(`Top up A$5.00 before ${server.hostname} renews`);
    expect(mail.text).toContain('Renews: 28 Feb 2026, 09:00 UTC');
    expect(mail.text).toContain('Renewal price: A$12.00');
    expect(mail.text).toContain('Wallet balance: A$7.00');
    expect(mail.text).toContain('Short by: A$5.00');
    expect(mail.text).toContain(`${APP_URL}/wallet`);
  });

  it('a wallet that covers the renewal gets no reminder; three servers it covers one of get one reminder each for the other two', async () => {
    const covered = await aUserWithBalance(app, 2 * PRICE);
    await deploy(covered);
    const user = await aUserWithBalance(app, 3 * PRICE + PRICE + 300);
    const [a, b, c] = [await deploy(user), await deploy(user), await deploy(user)];
    clock.set(new Date('2026-02-26T00:00:00Z'));
    await runTwiceAtOnce(user);
    await runTwiceAtOnce(covered);
    expect(await kindsTo(covered.email)).toEqual(['server-ready']);
    const reminders = (await mailsTo(user.email)).filter((m) => m.kind === 'renewal-reminder');
    expect(reminders.map((m) => m.key)).toEqual([`renewal-reminder:${b.id}:2`, `renewal-reminder:${c.id}:2`]);
    expect(reminders[0]!.text).toContain('Short by: A$9.00'); // A$15.00 - A$12.00 for server a = A$3.00 left
    expect(reminders[1]!.text).toContain('Short by: A$12.00');
    // Short because the renewals due first take the balance: each reminder says so.
    expect(reminders[0]!.text).toContain('Your other renewals due first take A$12.00 of that balance.');
    expect(reminders[1]!.text).toContain('Your other renewals due first take A$24.00 of that balance.');
    expect(a.id).toBeLessThan(b.id);
  });

  it('renewal charged -> one receipt with amount, period and new balance, even run twice at once', async () => {
    const user = await aUserWithBalance(app, 3 * PRICE + 55);
    const server = await deploy(user);
    clock.set(new Date('2026-02-28T09:00:00Z'));
    await runTwiceAtOnce(user);
    const mail = await only(user.email, 'renewal-charged');
    expect(mail.key).toBe(`renewal-charged:${server.id}:2`);
    expect(mail.subject).toBe(`Receipt: ${server.hostname} renewed for A$12.00`);
    expect(mail.text).toContain('Amount: A$12.00');
    expect(mail.text).toContain('Period: 28 Feb 2026 to 31 Mar 2026');
    expect(mail.text).toContain('New balance: A$12.55');
  });

  it('a renewal found unpaid only after its grace has passed -> renewal-failed asks for a top-up now, naming no past time', async () => {
    const user = await aUserWithBalance(app, PRICE + 200);
    const server = await deploy(user); // renews 28 Feb 09:00; suspended 24 h later if unpaid
    clock.set(new Date('2026-03-02T10:00:00Z')); // the renewals job did not run for two days
    await run(user);
    const failed = await only(user.email, 'renewal-failed');
    expect(failed.key).toBe(`renewal-failed:${server.id}:2`);
    expect(failed.text).toContain('The time to top up has passed: top up at least A$10.00 now.');
    expect(failed.text).not.toMatch(/before 1 Mar 2026|Will be suspended at/);
  });

  it('unpaid: renewal-failed, suspended after grace, final warning FINAL_WARNING_DAYS before, terminated; each once, two runs at once', async () => {
    const user = await aUserWithBalance(app, PRICE + 200);
    const server = await deploy(user);

    clock.set(new Date('2026-02-28T09:00:00Z'));
    await runTwiceAtOnce(user);
    const failed = await only(user.email, 'renewal-failed');
    expect(failed.key).toBe(`renewal-failed:${server.id}:2`);
    expect(failed.subject).toBe(`Payment overdue: top up A$10.00 to keep ${server.hostname}`);
    expect(failed.text).toContain('Will be suspended at: 1 Mar 2026, 09:00 UTC'); // + GRACE_HOURS 24
    expect(failed.text).toContain('Top up at least A$10.00 before 1 Mar 2026, 09:00 UTC');
    expect(failed.text).toContain('Wallet balance: A$2.00');
    expect(failed.text).toContain(`${APP_URL}/wallet`);
    expect(await kindsTo(user.email)).not.toContain('suspended');

    clock.set(new Date('2026-03-01T09:00:00Z'));
    await runTwiceAtOnce(user);
    expect((await servers.get(server.id)).status).toBe('suspended');
    const suspendedAt = (await servers.get(server.id)).suspendedAt!;
    const suspended = await only(user.email, 'suspended');
    expect(suspended.key).toBe(`suspended:${server.id}:${suspendedAt.getTime()}`);
    expect(suspended.text).toContain('Top up at least A$10.00');
    expect(suspended.text).toContain('Deleted on: 15 Mar 2026, 09:00 UTC'); // + TERMINATE_AFTER_DAYS 14
    expect(suspended.text).not.toMatch(/contact/i);

    clock.set(new Date('2026-03-13T08:59:59Z')); // just before 2 days ahead of termination
    await run(user);
    expect(await kindsTo(user.email)).not.toContain('final-warning');
    clock.set(new Date('2026-03-13T09:00:00Z'));
    await runTwiceAtOnce(user);
    clock.advance(DAY);
    await run(user);
    const warning = await only(user.email, 'final-warning');
    expect(warning.key).toBe(`final-warning:${server.id}:${suspendedAt.getTime()}`);
    expect(warning.subject).toBe(
      `Final warning: ${server.hostname} will be deleted on 15 Mar 2026, 09:00 UTC`,
    );
    expect(await kindsTo(user.email)).not.toContain('terminated');

    clock.set(new Date('2026-03-15T09:00:00Z'));
    await runTwiceAtOnce(user);
    clock.advance(30 * DAY);
    await run(user);
    expect((await servers.get(server.id)).status).toBe('terminated');
    expect((await only(user.email, 'terminated')).key).toBe(`terminated:${server.id}`);
    expect(await kindsTo(user.email)).toEqual([
      'server-ready',
      'renewal-failed',
      'suspended',
      'final-warning',
      'terminated',
    ]);
    // the server's history agrees: suspended and terminated once each
    const events: { type: string }[] = await ds.query(
      `SELECT type FROM server_events WHERE server_id = $1 AND type IN ('suspended', 'terminated')`,
      [server.id],
    );
    expect(events.map((e) => e.type)).toEqual(['suspended', 'terminated']);
  });

  it('receipts switched off: no renewal-charged, but the notices still come', async () => {
    const user = await aUserWithBalance(app, 2 * PRICE);
    await ds.query(`UPDATE users SET receipts_email = false WHERE id = $1`, [user.id]);
    await deploy(user);
    clock.set(new Date('2026-02-28T09:00:00Z'));
    await run(user); // charged: no receipt
    clock.set(new Date('2026-03-28T09:00:00Z'));
    await run(user); // 3 days before the 31 Mar renewal, wallet empty: reminder
    clock.set(new Date('2026-03-31T09:00:00Z'));
    await run(user);
    expect(await kindsTo(user.email)).toEqual(['server-ready', 'renewal-reminder', 'renewal-failed']);
  });

  it('a VirtFusion failure during the suspend: no suspended message until the suspension really happened', async () => {
    const user = await aUserWithBalance(app, PRICE);
    const server = await deploy(user);
    clock.set(new Date('2026-03-01T10:00:00Z')); // past the due date and the grace
    vf.failCall('POST /servers/suspend', '503');
    expect((await run(user)).errors).toBe(1);
    expect((await servers.get(server.id)).status).toBe('active');
    expect(await kindsTo(user.email)).not.toContain('suspended');
    await run(user);
    expect((await servers.get(server.id)).status).toBe('suspended');
    expect((await only(user.email, 'suspended')).text).toContain('Top up at least A$12.00');
  });

  it('an admin suspends -> one suspended message that sends the customer to support', async () => {
    const user = await aUserWithBalance(app, PRICE);
    const server = await deploy(user);
    vf.failCall('POST /servers/suspend', '503');
    await expect(serverAdmin.suspendByAdmin(server.id, 'admin:1')).rejects.toThrow();
    expect(await kindsTo(user.email)).not.toContain('suspended');
    await serverAdmin.suspendByAdmin(server.id, 'admin:1');
    await serverAdmin.suspendByAdmin(server.id, 'admin:1'); // already suspended: nothing new
    const mail = await only(user.email, 'suspended');
    expect(mail.subject).toBe(`Your server ${server.hostname} is suspended`);
    expect(mail.text).toContain('contact OzVPS support');
    expect(mail.text).not.toMatch(/top up/i);
  });

  it('reprice -> one price-change (old, new, from); a scheduled price the wallet will not cover is what the reminder asks for', async () => {
    const repricedPlan = await plans.get({ packageId: 2 });
    const user = await aUserWithBalance(app, 3 * PRICE);
    const server = await deploy(user, { planId: repricedPlan.id }); // renews 28 Feb, 31 Mar
    await plans.setPrice(repricedPlan, 1500);
    const input = { planId: repricedPlan.id, fromDate: '2026-02-01', actor: 'admin:1', apply: true };
    await Promise.all([reprice.reprice(input), reprice.reprice(input)]);
    await reprice.reprice(input);
    const mail = await only(user.email, 'price-change');
    expect(mail.key).toBe(`price-change:${server.id}:2026-03-31:1500`);
    expect(mail.text).toContain('Current price: A$12.00 a month');
    expect(mail.text).toContain('New price: A$15.00 a month');
    expect(mail.text).toContain('From the renewal on: 31 Mar 2026');

    clock.set(new Date('2026-02-28T09:00:00Z'));
    await run(user); // A$12.00 charged, A$12.00 left
    clock.set(new Date('2026-03-29T09:00:00Z'));
    await run(user);
    const reminder = await only(user.email, 'renewal-reminder');
    expect(reminder.text).toContain('Renewal price: A$15.00');
    expect(reminder.text).toContain('Short by: A$3.00');
  });

  it('a reprice that cancels the scheduled change -> one cancellation notice per server and schedule, even run twice at once', async () => {
    const plan = await plans.get({ packageId: 2 });
    await plans.setPrice(plan, PRICE);
    const user = await aUserWithBalance(app, 3 * PRICE);
    const server = await deploy(user, { planId: plan.id }); // renews 28 Feb, 31 Mar
    await plans.setPrice(plan, 1500);
    await reprice.reprice({ planId: plan.id, fromDate: '2026-02-01', actor: 'admin:1', apply: true });
    expect((await only(user.email, 'price-change')).key).toBe(`price-change:${server.id}:2026-03-31:1500`);

    // The admin goes back to the old price: the schedule is cancelled, and the customer told so.
    await plans.setPrice(plan, PRICE);
    const back = { planId: plan.id, fromDate: '2026-02-01', actor: 'admin:1', apply: true };
    await Promise.all([reprice.reprice(back), reprice.reprice(back)]);
    await reprice.reprice(back);
    const mails = (await mailsTo(user.email)).filter((m) => m.kind === 'price-change');
    expect(mails.map((m) => m.key)).toEqual([
      `price-change:${server.id}:2026-03-31:1500`,
      `price-change-cancelled:${server.id}:2026-03-31:1500`,
    ]);
    expect(mails[1]!.subject).toBe(`Price change for ${server.hostname} on 31 Mar 2026 cancelled`);
    expect(mails[1]!.text).toContain(
      `The price change announced for 31 Mar 2026 is cancelled; you keep paying A$12.00 a month for your server ${server.hostname}.`,
    );
  });

  describe('admin alerts', () => {
    const alerts = () => app.get(AdminAlerts);

    it('a failed job: one alert per job per hour', async () => {
      clock.set(new Date('2026-04-01T10:05:00Z'));
      expect(await alerts().jobFailed('renewals', 'boom')).toBe(true);
      clock.set(new Date('2026-04-01T10:55:00Z'));
      expect(await alerts().jobFailed('renewals', 'boom again')).toBe(false);
      expect(await alerts().jobFailed('servers-sweep', 'other')).toBe(true);
      clock.set(new Date('2026-04-01T11:00:00Z'));
      expect(await alerts().jobFailed('renewals', 'still')).toBe(true);
      const keys = (await mailsTo(ADMIN)).map((m) => m.key).filter((k) => k.startsWith('alert:job:'));
      expect(keys).toEqual([
        'alert:job:renewals:2026-04-01T10',
        'alert:job:servers-sweep:2026-04-01T10',
        'alert:job:renewals:2026-04-01T11',
      ]);
      const first = (await mailsTo(ADMIN)).find((m) => m.key === keys[0])!;
      expect(first.subject).toBe('[OzVPS alert] Scheduled job failed: renewals');
      expect(first.text).toContain('boom');
    });

    it('VirtFusion unreachable: alerted once after 15 minutes of one outage; a new outage gets its own', async () => {
      const t0 = new Date('2026-04-02T10:00:00Z');
      clock.set(t0);
      expect(await alerts().serviceFailing('virtfusion', 'GET /packages timed out')).toBe(false);
      clock.advance(15 * MINUTE - 1000);
      expect(await alerts().serviceFailing('virtfusion', 'GET /packages timed out')).toBe(false);
      clock.advance(1000);
      expect(await alerts().serviceFailing('virtfusion', 'POST /servers/9/suspend unreachable')).toBe(true);
      clock.advance(30 * MINUTE);
      expect(await alerts().serviceFailing('virtfusion', 'still down')).toBe(false);
      await alerts().serviceReachable('virtfusion');
      clock.advance(MINUTE);
      expect(await alerts().serviceFailing('virtfusion', 'down again')).toBe(false);
      clock.advance(15 * MINUTE);
      expect(await alerts().serviceFailing('virtfusion', 'down again')).toBe(true);
      const down = (await mailsTo(ADMIN)).filter((m) => m.key.startsWith('alert:virtfusion-down:'));
      expect(down.map((m) => m.key)).toEqual([
        'alert:virtfusion-down:2026-04-02T10:00:00.000Z',
        'alert:virtfusion-down:2026-04-02T10:46:00.000Z',
      ]);
      expect(down[0]!.subject).toBe('[OzVPS alert] VirtFusion unreachable since 2026-04-02T10:00:00.000Z');
      expect(down[0]!.text).toContain('POST /servers/9/suspend unreachable');
    });

    it('the VirtFusion client says when VirtFusion stops and starts answering (what the API turns into the outage alert)', async () => {
      const seen: VirtFusionReachabilityEvent[] = [];
      const listener = (e: VirtFusionReachabilityEvent) => seen.push(e);
      const events = app.get(EventEmitter2);
      events.on(VIRTFUSION_REACHABILITY, listener);
      try {
        vf.failWith('503');
        await expect(app.get(PlanSyncService).sync('cli')).rejects.toThrow();
        vf.failWith('none');
        await app.get(PlanSyncService).sync('cli');
        await app.get(PlanSyncService).sync('cli'); // still up: said once
      } finally {
        vf.failWith('none');
        events.off(VIRTFUSION_REACHABILITY, listener);
      }
      expect(seen.map((e) => e.reachable)).toEqual([false, true]);
      expect(seen[0]!.detail).toMatch(/VirtFusion GET \/packages answered 503/);
      expect(seen[0]!.detail).not.toContain(vf.token);
    });

    it('Stripe webhook signature failures: one alert per hour; a post with no signature at all is not one', async () => {
      const webhook = app.get(StripeWebhookService);
      clock.set(new Date('2026-04-03T07:10:00Z'));
      const body = Buffer.from('{"id":"evt_1","object":"event"}');
      await expect(webhook.receive(body, undefined)).rejects.toThrow();
      expect((await mailsTo(ADMIN)).filter((m) => m.key.startsWith('alert:webhook-signature:'))).toEqual([]);
      for (let i = 0; i < 3; i++)
        await expect(webhook.receive(body, 't=1,v1=deadbeef')).rejects.toThrow(/signature/i);
      clock.set(new Date('2026-04-03T08:00:00Z'));
      await expect(webhook.receive(body, 't=1,v1=deadbeef')).rejects.toThrow(/signature/i);
      const sig = (await mailsTo(ADMIN)).filter((m) => m.key.startsWith('alert:webhook-signature:'));
      expect(sig.map((m) => m.key)).toEqual([
        'alert:webhook-signature:2026-04-03T07',
        'alert:webhook-signature:2026-04-03T08',
      ]);
      expect(sig[0]!.text).toContain('STRIPE_WEBHOOK_SECRET');
    });
  });
});
