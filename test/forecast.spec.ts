import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ValidationError } from '@ozvps/core';
import { PlanSyncService, PlansService } from '@ozvps/plans';
import { DeployService, Forecast, ForecastService, RenewalsService } from '@ozvps/servers';
import { User } from '@ozvps/users';
import { WalletService } from '@ozvps/wallet';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aUser, aUserWithBalance } from './helpers/builders';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { bootLibs, TestClock } from './helpers/panel';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PRICE = 1200;
/** The forecast is made here; every renewal, suspension and termination falls on the hour. */
const T0 = new Date('2026-03-01T00:00:00Z');

describe('forecast: what the renewal runs will do, against a seeded clock and data set (real PostgreSQL)', () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let app: INestApplicationContext;
  let clock: TestClock;
  let deploys: DeployService;
  let renewals: RenewalsService;
  let forecasts: ForecastService;
  let wallet: WalletService;
  let ds: DataSource;
  let planId: number;
  let n = 0;

  beforeAll(async () => {
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter' })];
    db = await createTestDatabase();
    clock = new TestClock();
    app = await bootLibs(db.url, {
      env: {
        VIRTFUSION_URL: vf.url,
        VIRTFUSION_API_TOKEN: vf.token,
        VIRTFUSION_TIMEOUT_MS: '500',
        VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
        GRACE_HOURS: '24',
        TERMINATE_AFTER_DAYS: '5',
        FINAL_WARNING_DAYS: '2',
      },
      servers: true,
      clock,
    });
    deploys = app.get(DeployService);
    renewals = app.get(RenewalsService);
    forecasts = app.get(ForecastService);
    wallet = app.get(WalletService);
    ds = app.get(DataSource);
    await app.get(PlanSyncService).sync('cli');
    const plans = app.get(PlansService);
    planId = (await plans.setPrice(await plans.get({ packageId: 1 }), PRICE)).id;
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
    await vf.stop();
  });

  /** A server deployed at `at` (its renewal a month later), paid from a wallet topped up for it. */
  async function serverDeployedAt(user: User, at: string): Promise<number> {
    clock.set(new Date(at));
    await wallet.credit({
      userId: user.id,
      amountCents: PRICE,
      type: 'admin_credit',
      actor: 'test',
      reason: 'for the deploy',
    });
    const { server } = await deploys.deploy(user, {
      planId,
      osTemplateId: 44,
      hostname: `fc${++n}.example.test`,
      idempotencyKey: `forecast-${n}-${Math.random().toString(36).slice(2, 8)}`,
    });
    expect(server.status).toBe('active');
    return server.id;
  }

  const balance = async (userId: number) => (await wallet.balance(userId)).balanceCents;
  const at = (ms: number) => new Date(T0.getTime() + ms);

  it('equals what the hourly renewal runs then do over the horizon: charges, shortfalls, suspensions, terminations, balances', async () => {
    // A: two renewals in the week, the balance covers the first only (the second's shortfall counts it).
    const a = await aUser(app);
    const a1 = await serverDeployedAt(a, '2026-02-01T12:00:00Z'); // renews T0+12h
    const a2 = await serverDeployedAt(a, '2026-02-03T00:00:00Z'); // renews T0+2d
    await wallet.credit({
      userId: a.id,
      amountCents: 1500,
      type: 'admin_credit',
      actor: 'test',
      reason: 'seed',
    });
    // B: nothing in the wallet: unpaid at T0+1d, suspended after GRACE_HOURS, terminated 5 days later.
    const b = await aUser(app);
    const b1 = await serverDeployedAt(b, '2026-02-02T00:00:00Z');
    // C: cancelled at the end of its period (T0+3d): ended, never charged.
    const c = await aUserWithBalance(app, 5000);
    const c1 = await serverDeployedAt(c, '2026-02-04T00:00:00Z');
    await ds.query(`UPDATE servers SET cancel_at_period_end = TRUE WHERE id = $1`, [c1]);
    // D: renews after the horizon: not in the forecast, untouched by the week's runs.
    const d = await aUser(app);
    const d1 = await serverDeployedAt(d, '2026-02-20T00:00:00Z');
    // E: already unpaid and suspended before T0: terminated within the horizon, even after a top-up too small.
    const e = await aUser(app);
    const e1 = await serverDeployedAt(e, '2026-01-27T00:00:00Z'); // renewal 2026-02-27: unpaid
    for (const t of ['2026-02-27T00:00:00Z', '2026-02-28T00:00:00Z']) {
      clock.set(new Date(t));
      await renewals.run();
    }
    expect((await ds.query(`SELECT status FROM servers WHERE id = $1`, [e1]))[0].status).toBe('suspended');
    await wallet.credit({
      userId: e.id,
      amountCents: 100,
      type: 'admin_credit',
      actor: 'test',
      reason: 'too little',
    });

    clock.set(T0);
    const balancesBefore = new Map<number, number>();
    for (const u of [a, b, c, d, e]) balancesBefore.set(u.id, await balance(u.id));
    const forecast: Forecast = await forecasts.forecast(7);
    const mine = new Set([a1, a2, b1, c1, d1, e1]);
    const renewalsIn = forecast.renewals.filter((r) => mine.has(r.serverId));

    // What the forecast says, in the operator's terms.
    expect(
      renewalsIn.map((r) => [r.serverId, r.at.toISOString(), r.amountCents, r.covered, r.shortfallCents]),
    ).toEqual([
      [e1, T0.toISOString(), PRICE, false, PRICE - 100],
      [a1, at(12 * HOUR).toISOString(), PRICE, true, 0],
      [b1, at(DAY).toISOString(), PRICE, false, PRICE],
      [a2, at(2 * DAY).toISOString(), PRICE, false, PRICE - 300],
    ]);
    expect(renewalsIn.find((r) => r.serverId === a2)).toMatchObject({
      userId: a.id,
      email: a.email,
      balanceBeforeCents: 300,
      earlierRenewalsCents: PRICE,
    });
    expect(forecast.shortfalls.find((w) => w.userId === a.id)).toMatchObject({
      balanceCents: 1500,
      dueCents: PRICE,
      shortfallCents: 900,
      serverIds: [a2],
    });
    expect(
      forecast.suspensions.filter((s) => mine.has(s.serverId)).map((s) => [s.serverId, s.at.toISOString()]),
    ).toEqual([
      [b1, at(2 * DAY).toISOString()],
      [a2, at(3 * DAY).toISOString()],
    ]);
    expect(
      forecast.terminations
        .filter((s) => mine.has(s.serverId))
        .map((s) => [s.serverId, s.at.toISOString(), s.reason]),
    ).toEqual([
      [c1, at(3 * DAY).toISOString(), 'cancelled'],
      [e1, '2026-03-05T00:00:00.000Z', 'overdue'],
      [b1, at(7 * DAY).toISOString(), 'overdue'],
    ]);

    // What the hourly runs then do: every change seen at the run that made it.
    const charged: [number, string][] = [];
    const suspended: [number, string][] = [];
    const terminated: [number, string][] = [];
    const unpaid: [number, string][] = [];
    type Row = { id: number; status: string; periods: number; overdue: boolean };
    const state = async () =>
      new Map<number, Row>(
        (
          await ds.query(
            `SELECT id::int, status, periods_paid AS periods, overdue_since IS NOT NULL AS overdue FROM servers WHERE id = ANY($1)`,
            [[...mine]],
          )
        ).map((r: Row) => [r.id, r] as [number, Row]),
      );
    let before = await state();
    for (let t = T0.getTime(); t <= forecast.until.getTime(); t += HOUR) {
      clock.set(new Date(t));
      await renewals.run();
      const after = await state();
      const when = new Date(t).toISOString();
      for (const [id, s] of after) {
        const was = before.get(id)!;
        if (s.periods > was.periods) charged.push([id, when]);
        if (s.overdue && !was.overdue) unpaid.push([id, when]);
        if (s.status === 'suspended' && was.status !== 'suspended') suspended.push([id, when]);
        if (s.status === 'terminated' && was.status !== 'terminated') terminated.push([id, when]);
      }
      before = after;
    }

    const key = (x: [number, string]) => `${x[1]} #${x[0]}`;
    const sorted = (xs: [number, string][]) => xs.map(key).sort();
    expect(sorted(charged)).toEqual(
      sorted(renewalsIn.filter((r) => r.covered).map((r) => [r.serverId, r.at.toISOString()])),
    );
    // E was overdue before T0: the runs record only the new unpaid renewals.
    expect(sorted(unpaid)).toEqual(
      sorted(
        renewalsIn
          .filter((r) => !r.covered && r.serverId !== e1)
          .map((r) => [r.serverId, r.at.toISOString()]),
      ),
    );
    expect(sorted(suspended)).toEqual(
      sorted(
        forecast.suspensions.filter((s) => mine.has(s.serverId)).map((s) => [s.serverId, s.at.toISOString()]),
      ),
    );
    expect(sorted(terminated)).toEqual(
      sorted(
        forecast.terminations
          .filter((s) => mine.has(s.serverId))
          .map((s) => [s.serverId, s.at.toISOString()]),
      ),
    );
    // The wallets end where the forecast's covered renewals leave them.
    for (const u of [a, b, c, d, e]) {
      const spent = renewalsIn
        .filter((r) => r.userId === u.id && r.covered)
        .reduce((s, r) => s + r.amountCents, 0);
      expect(await balance(u.id)).toBe(balancesBefore.get(u.id)! - spent);
    }
    expect((await ds.query(`SELECT status FROM servers WHERE id = $1`, [d1]))[0].status).toBe('active');
  });

  it('lists deploys waiting for their top-up and provisioning that is stuck, with their users', async () => {
    clock.set(T0);
    const u = await aUser(app);
    const [{ id: waitingId }] = await ds.query(
      `INSERT INTO servers (user_id, plan_id, status, step, hostname, os_template_id, idempotency_key, price_monthly_cents, currency, created_at)
       VALUES ($1, $2, 'awaiting_funds', 'reserved', 'wait.example.test', 44, 'fc-wait', $3, 'aud', $4) RETURNING id::int`,
      [u.id, planId, PRICE, T0],
    );
    const [{ id: stuckId }] = await ds.query(
      `INSERT INTO servers (user_id, plan_id, status, step, hostname, os_template_id, idempotency_key, price_monthly_cents, currency, created_at, lease_until)
       VALUES ($1, $2, 'provisioning', 'creating', 'stuck.example.test', 44, 'fc-stuck', $3, 'aud', $4, $4) RETURNING id::int`,
      [u.id, planId, PRICE, new Date(T0.getTime() - HOUR)],
    );
    const f = await forecasts.forecast(7);
    expect(f.waitingDeploys.find((w) => w.serverId === waitingId)).toMatchObject({
      userId: u.id,
      email: u.email,
      hostname: 'wait.example.test',
      priceCents: PRICE,
    });
    expect(f.stuckProvisioning.map((s) => s.serverId)).toContain(stuckId);
    expect(f.stuckProvisioning.find((s) => s.serverId === stuckId)).toMatchObject({
      userId: u.id,
      step: 'creating',
    });
  });

  it('refuses a horizon that is not 1..90 whole days', async () => {
    for (const days of [0, -1, 91, 1.5, Number.NaN])
      await expect(forecasts.forecast(days)).rejects.toThrow(ValidationError);
  });
});
