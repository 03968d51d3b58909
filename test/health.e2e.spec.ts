import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { backupFileName, CLOCK, CoreConfigModule, DatabaseModule, findFreePort } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { HealthReport, HealthService, OperationsModule } from '@ozvps/operations';
import { FakeStripe, testStripeKeys } from './fakes/stripe';
import { fakeServicesEnv } from './fakes/env';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { anAdminBrowser } from './helpers/accounts';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { testConfig, TestClock } from './helpers/panel';
import { ozvpsctl, RunningApi, startPanel } from './helpers/processes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ADMIN = 'ops@example.test';

/** Health as the libs compute it, on a real database, with the clock in the test's hand. */
describe('health: jobs, lateness, reachability, backups (real PostgreSQL, fakes at the network boundary)', () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let stripe: FakeStripe;
  let app: INestApplicationContext;
  let ds: DataSource;
  let health: HealthService;
  const clock = new TestClock(new Date('2026-06-01T12:00:30Z'));
  const backupDir = mkdtempSync(join(tmpdir(), 'ozvps-health-'));
  let closedPort: number;

  async function boot(env: NodeJS.ProcessEnv): Promise<void> {
    await app?.close();
    app = await (
      await Test.createTestingModule({
        imports: [
          CoreConfigModule.forRoot(testConfig(db.url, env)),
          DatabaseModule.forRoot(SCHEMA),
          EventEmitterModule.forRoot(),
          OperationsModule,
        ],
      })
        .overrideProvider(CLOCK)
        .useValue(clock)
        .compile()
    ).init();
    ds = app.get(DataSource);
    health = app.get(HealthService);
  }

  const keys = testStripeKeys();
  const servicesEnv = () => ({
    ...fakeServicesEnv(keys, stripe, vf),
    VIRTFUSION_TIMEOUT_MS: '1000',
    ADMIN_ALERT_EMAIL: ADMIN,
    BACKUP_DIR: backupDir,
    PLAN_SYNC_CRON: '*/10 * * * *',
  });

  /** Every scheduled job ran `ago` before the clock, and succeeded. */
  async function allJobsRan(ago: number): Promise<void> {
    const at = new Date(clock.now().getTime() - ago);
    for (const name of [
      'servers-sweep',
      'renewals',
      'server-actions-settle',
      'plan-sync',
      'prune',
      'health-watch',
    ])
      await ds.query(
        `INSERT INTO job_runs (name, tick, trigger, claimed_by, started_at, finished_at, outcome)
         VALUES ($1, $2, 'schedule', 'test:1', $2, $2, 'succeeded')`,
        [name, at],
      );
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    vf = await new FakeVirtFusion().start();
    stripe = await new FakeStripe().start();
    closedPort = await findFreePort();
    await boot(servicesEnv());
  });

  afterAll(async () => {
    await app?.close();
    await db.drop();
    await vf.stop();
    await stripe.stop();
    rmSync(backupDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await ds.query(`DELETE FROM job_runs`);
    await ds.query(`DELETE FROM outbox_messages`);
    vf.failWith('none', 0);
    // One dump from 3 hours ago: the backups check is fine unless a test changes that.
    rmSync(backupDir, { recursive: true, force: true });
    mkdirSync(backupDir);
    writeFileSync(join(backupDir, backupFileName(new Date(clock.now().getTime() - 3 * HOUR))), 'dump');
  });

  it('all well: every job on time, VirtFusion and Stripe answer (checked), ledger ok, a fresh backup', async () => {
    await allJobsRan(30_000);
    const before = vf.calls.length;
    const h = await health.report();
    expect(h.attention).toEqual([]);
    expect(h.ok).toBe(true);
    // Checked, not assumed: the call reached the fake.
    expect(vf.calls.slice(before).map((c) => c.path)).toContain('/api/v1/connect');
    expect(h.virtfusion).toMatchObject({ status: 'ok', configured: true, reachable: true });
    expect(h.stripe).toMatchObject({ status: 'ok', configured: true, reachable: true });
    expect(h.ledger).toMatchObject({ status: 'ok', drifted: 0 });
    expect(h.database.sizeBytes).toBeGreaterThan(0);
    expect(h.backups).toMatchObject({ status: 'ok', configured: true, ageHours: 3 });
    const renewals = h.jobs.find((j) => j.name === 'renewals')!;
    expect(renewals).toMatchObject({ cron: '0 * * * *', intervalMs: HOUR, late: false, status: 'ok' });
    expect(renewals.nextRunAt.toISOString()).toBe('2026-06-01T13:00:00.000Z');
    expect(h.jobs.map((j) => j.name).sort()).toEqual(
      ['health-watch', 'plan-sync', 'prune', 'renewals', 'server-actions-settle', 'servers-sweep'].sort(),
    );
  });

  it('a job not run for two intervals is flagged, and alerted once however often health looks', async () => {
    await allJobsRan(30_000);
    // The sweep runs every minute: last run 2 min 30 s ago is more than twice its interval.
    await ds.query(
      `UPDATE job_runs SET started_at = started_at - interval '2 minutes' WHERE name = 'servers-sweep'`,
    );
    // Renewals run hourly: 90 minutes is late by one interval only, not flagged.
    await ds.query(
      `UPDATE job_runs SET started_at = started_at - interval '89 minutes' WHERE name = 'renewals'`,
    );
    const h = await health.report();
    expect(h.jobs.find((j) => j.name === 'servers-sweep')).toMatchObject({ late: true, status: 'attention' });
    expect(h.jobs.find((j) => j.name === 'renewals')).toMatchObject({ late: false, status: 'ok' });
    expect(h.ok).toBe(false);
    expect(h.attention).toEqual([
      expect.stringMatching(/^job servers-sweep: not run since .* \(more than twice its interval\)$/),
    ]);

    expect(await health.alertLateJobs()).toEqual(['servers-sweep']);
    expect(await health.alertLateJobs()).toEqual([]);
    clock.advance(MINUTE);
    expect(await health.alertLateJobs()).toEqual([]);
    const alerts = await ds.query(
      `SELECT recipient, subject FROM outbox_messages WHERE kind = 'admin-alert'`,
    );
    expect(alerts).toEqual([{ recipient: ADMIN, subject: expect.stringContaining('servers-sweep') }]);
    clock.set(new Date('2026-06-01T12:00:30Z'));
  });

  it('a failed last run needs attention and shows its error; the last failure stays visible after a success', async () => {
    await allJobsRan(30_000);
    await ds.query(
      `INSERT INTO job_runs (name, tick, trigger, claimed_by, started_at, finished_at, outcome, error)
       VALUES ('plan-sync', NULL, 'startup', 'test:1', $1, $1, 'failed', 'VirtFusion GET /packages answered 500')`,
      [new Date(clock.now().getTime() - 10_000)],
    );
    let h = await health.report();
    expect(h.jobs.find((j) => j.name === 'plan-sync')).toMatchObject({
      status: 'attention',
      lastRun: { outcome: 'failed', error: 'VirtFusion GET /packages answered 500' },
    });
    expect(h.attention).toEqual([
      'job plan-sync: its last run failed: VirtFusion GET /packages answered 500',
    ]);
    await ds.query(
      `INSERT INTO job_runs (name, tick, trigger, claimed_by, started_at, finished_at, outcome)
       VALUES ('plan-sync', NULL, 'startup', 'test:1', $1, $1, 'succeeded')`,
      [new Date(clock.now().getTime() - 5_000)],
    );
    h = await health.report();
    expect(h.ok).toBe(true);
    expect(h.jobs.find((j) => j.name === 'plan-sync')!.lastFailure).toMatchObject({
      error: 'VirtFusion GET /packages answered 500',
    });
  });

  it('VirtFusion failing and Stripe unreachable are shown, each with its error', async () => {
    await allJobsRan(30_000);
    vf.failWith('500');
    await boot({ ...servicesEnv(), STRIPE_API_BASE: `http://127.0.0.1:${closedPort}` });
    try {
      const h = await health.report();
      expect(h.virtfusion).toMatchObject({ status: 'attention', reachable: false });
      expect(h.virtfusion.error).toMatch(/500/);
      expect(h.stripe).toMatchObject({ status: 'attention', reachable: false });
      expect(h.attention).toEqual([
        expect.stringMatching(/^VirtFusion unreachable: /),
        expect.stringMatching(/^Stripe unreachable: /),
      ]);
    } finally {
      await boot(servicesEnv());
    }
  });

  it('flags a newest backup older than 26 h, and no backup at all; not configured is off, not a fault', async () => {
    await allJobsRan(30_000);
    rmSync(backupDir, { recursive: true, force: true });
    let h = await health.report();
    expect(h.backups).toMatchObject({ status: 'attention', configured: true, newestAt: null });
    expect(h.attention).toEqual([`backups: none in ${backupDir}`]);

    mkdirSync(backupDir);
    writeFileSync(join(backupDir, backupFileName(new Date(clock.now().getTime() - 27 * HOUR))), 'dump');
    writeFileSync(join(backupDir, 'ozvps-half-written.dump.tmp'), 'dump');
    h = await health.report();
    expect(h.backups).toMatchObject({ status: 'attention', ageHours: 27, count: 1 });
    expect(h.attention).toEqual(['backups: the newest is 27 h old (more than 26 h)']);

    writeFileSync(join(backupDir, backupFileName(new Date(clock.now().getTime() - 25 * HOUR))), 'dump');
    h = await health.report();
    expect(h.backups).toMatchObject({ status: 'ok', ageHours: 25, count: 2 });
    expect(h.ok).toBe(true);

    await boot({ ...servicesEnv(), BACKUP_DIR: '' });
    try {
      h = await health.report();
      expect(h.backups).toMatchObject({ status: 'off', configured: false });
      expect(h.ok).toBe(true);
    } finally {
      await boot(servicesEnv());
    }
  });
});

/** The built panel and ozvpsctl, as an operator and a monitoring system use them. */
describe('ozvpsctl health and GET /api/admin/health against the running panel', () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let stripe: FakeStripe;
  let api: RunningApi;
  const keys = testStripeKeys();
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1)];
    stripe = await new FakeStripe().start();
    // VirtFusion down from the start: the plan sync on start fails.
    vf.failWith('500');
    env = { ...fakeServicesEnv(keys, stripe, vf), VIRTFUSION_TIMEOUT_MS: '500' };
    ({ api } = await startPanel(db.url, {
      ...env,
      NODE_ENV: 'test',
      OZVPS_TEST_JOBS_CRON: '*/2 * * * * *',
    }));
  });

  afterAll(async () => {
    await api?.stop();
    await vf.stop();
    await stripe.stop();
    await db.drop();
  });

  async function healthJson(): Promise<{ code: number | null; report: HealthReport; stderr: string }> {
    const r = await ozvpsctl(db.url, ['health', '--json'], env);
    return { code: r.code, report: JSON.parse(r.stdout) as HealthReport, stderr: r.stderr };
  }

  it('a failing job (VirtFusion down) shows in health and makes `ozvpsctl health` exit 1; recovered, exit 0', async () => {
    // Wait for the plan sync's failed run to be recorded (it runs on start and every 2 s here).
    let r = await healthJson();
    for (let i = 0; i < 50 && !r.report.jobs.find((j) => j.name === 'plan-sync')?.lastFailure; i++) {
      await new Promise((res) => setTimeout(res, 200));
      r = await healthJson();
    }
    expect(r.code).toBe(1);
    expect(r.report.ok).toBe(false);
    const planSync = r.report.jobs.find((j) => j.name === 'plan-sync')!;
    expect(planSync.lastFailure!.error).toMatch(/VirtFusion/);
    expect(r.report.virtfusion).toMatchObject({ status: 'attention', reachable: false });
    expect(r.report.attention).toContainEqual(expect.stringMatching(/^VirtFusion unreachable/));
    expect(r.stderr).toMatch(/need attention/);

    const text = await ozvpsctl(db.url, ['health'], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^ATTENTION/);
    expect(text.stdout).toMatch(/plan-sync/);
    expect(text.stdout).not.toContain(keys.secretKey);

    // VirtFusion back: the next plan sync succeeds and nothing needs attention.
    vf.failWith('none', 0);
    for (let i = 0; i < 100; i++) {
      r = await healthJson();
      if (r.code === 0) break;
      await new Promise((res) => setTimeout(res, 300));
    }
    expect(r.report.attention).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.stripe).toMatchObject({ status: 'ok', reachable: true });
  });

  it('GET /api/admin/health and /api/admin/forecast answer admins with the same report', async () => {
    const admin = await anAdminBrowser(api, api.baseUrl, db.url, 'health-admin@example.test', env);
    const h = await admin.request('GET', '/api/admin/health');
    expect(h.status).toBe(200);
    expect((h.body as { health: HealthReport }).health.jobs.map((j) => j.name)).toContain('renewals');
    const f = await admin.request('GET', '/api/admin/forecast?days=14');
    expect(f.status).toBe(200);
    expect((f.body as { forecast: { days: number } }).forecast.days).toBe(14);
    expect((await admin.request('GET', '/api/admin/forecast?days=0')).status).toBe(400);
    expect((await admin.request('GET', '/api/admin/forecast?nope=1')).status).toBe(400);
  });

  it('ozvpsctl forecast: --json and a table; a bad --days is a usage error (exit 2)', async () => {
    const json = await ozvpsctl(db.url, ['forecast', '--days', '3', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ days: 3, renewals: [], waitingDeploys: [] });
    const text = await ozvpsctl(db.url, ['forecast'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Next 7 day\(s\)/);
    expect((await ozvpsctl(db.url, ['forecast', '--days', '0'], env)).code).toBe(2);
  });
});
