import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ValidationError } from '@ozvps/core';
import { PlanNotDeployableError, PlanSyncService, PlansService } from '@ozvps/plans';
import { MIGRATIONS } from '@ozvps/migrations';
import {
  DeployKeyReusedError,
  DeployService,
  RenewalsService,
  RepriceService,
  scheduledPricesDifferNote,
  ServerQueriesService,
  SweepService,
  TemplateNotOfferedError,
  toServerView,
  VirtFusionEmailTakenError,
} from '@ozvps/servers';
import { User } from '@ozvps/users';
import { InsufficientFundsError, WalletService } from '@ozvps/wallet';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { aUser, aUserWithBalance } from './helpers/builders';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { bootLibs, TestClock } from './helpers/panel';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PRICE = 1200;

describe('deploys and renewals (real PostgreSQL, VirtFusion faked at the network boundary, injected time)', () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let app: INestApplicationContext;
  let clock: TestClock;
  let deploys: DeployService;
  let sweeper: SweepService;
  let queries: ServerQueriesService;
  let renewals: RenewalsService;
  let wallet: WalletService;
  let ds: DataSource;
  let planId: number;
  let unpricedPlanId: number;
  /** A plan whose price the price tests change (the others keep PRICE). */
  let ownPlanId: number;
  /** A plan only the reprice-edge tests use, so counts over its servers are exact. */
  let edgePlanId: number;
  let plans: PlansService;
  let reprice: RepriceService;
  let n = 0;

  const env = () => ({
    VIRTFUSION_URL: vf.url,
    VIRTFUSION_API_TOKEN: vf.token,
    VIRTFUSION_TIMEOUT_MS: '500',
    VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
  });

  beforeAll(async () => {
    vf = await new FakeVirtFusion().start();
    vf.packages = [
      aPackage(1, { name: 'Starter' }),
      aPackage(2, { name: 'Unpriced' }),
      aPackage(3, { name: 'Repriced' }),
      aPackage(4, { name: 'Rescheduled' }),
    ];
    db = await createTestDatabase();
    clock = new TestClock();
    app = await bootLibs(db.url, { env: env(), servers: true, clock });
    deploys = app.get(DeployService);
    sweeper = app.get(SweepService);
    queries = app.get(ServerQueriesService);
    renewals = app.get(RenewalsService);
    wallet = app.get(WalletService);
    ds = app.get(DataSource);
    await app.get(PlanSyncService).sync('cli');
    plans = app.get(PlansService);
    reprice = app.get(RepriceService);
    planId = (await plans.setPrice(await plans.get({ packageId: 1 }), PRICE)).id;
    unpricedPlanId = (await plans.get({ packageId: 2 })).id;
    ownPlanId = (await plans.setPrice(await plans.get({ packageId: 3 }), PRICE)).id;
    edgePlanId = (await plans.setPrice(await plans.get({ packageId: 4 }), PRICE)).id;
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
    await vf.stop();
  });

  beforeEach(() => {
    clock.set(new Date('2026-01-31T09:00:00Z'));
  });

  const key = () => `deploy-key-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  const deployInput = (overrides: Record<string, unknown> = {}) => ({
    planId,
    osTemplateId: 44,
    hostname: `web${++n}.example.test`,
    idempotencyKey: key(),
    ...overrides,
  });

  async function ledger(userId: number) {
    const rows: { type: string; amount: number; key: string | null }[] = await ds.query(
      `SELECT t.type, t.amount_cents::int AS amount, t.idempotency_key AS key FROM wallet_transactions t
         JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1 ORDER BY t.id`,
      [userId],
    );
    return rows;
  }
  const balance = async (userId: number) => (await wallet.balance(userId)).balanceCents;
  const serverRows = (userId: number) =>
    ds.query(
      `SELECT id::int, status, step, virtfusion_server_id AS vf, ip_address AS ip, periods_paid AS periods, failure_reason AS reason
         FROM servers WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
  const eventsOf = async (serverId: number) =>
    (await ds.query(`SELECT type FROM server_events WHERE server_id = $1 ORDER BY id`, [serverId])).map(
      (r: { type: string }) => r.type,
    );
  const vfServersOf = (user: User) => {
    const vfUser = vf.users.find((u) => u.extRelationId === user.id);
    return vfUser ? vf.servers.filter((s) => s.ownerId === vfUser.id) : [];
  };

  it('deploys: VirtFusion user by extRelationId, server created and built, first month charged once', async () => {
    const user = await aUserWithBalance(app, 5000);
    const { server, created } = await deploys.deploy(user, deployInput({ hostname: 'Web1.Example.test' }));
    expect(created).toBe(true);
    expect(server).toMatchObject({
      status: 'active',
      step: 'done',
      hostname: 'web1.example.test',
      periodsPaid: 1,
    });
    expect(server.ipAddress).toMatch(/^203\.0\.113\./);
    expect(server.paidUntil!.toISOString()).toBe('2026-02-28T09:00:00.000Z');

    const vfUser = vf.users.find((u) => u.extRelationId === user.id)!;
    expect(vfUser.email).toBe(user.email);
    const [built] = vfServersOf(user);
    expect(built).toMatchObject({
      id: server.virtfusionServerId,
      packageId: 1,
      hypervisorId: 3,
      hostname: 'web1.example.test',
      osTemplateId: 44,
    });

    expect(await ledger(user.id)).toEqual([
      { type: 'admin_credit', amount: 5000, key: null },
      { type: 'server_charge', amount: -PRICE, key: `server-charge:${server.id}:1` },
    ]);
    expect(await balance(user.id)).toBe(5000 - PRICE);
    expect(await eventsOf(server.id)).toEqual([
      'charged',
      'create_requested',
      'created',
      'build_requested',
      'active',
    ]);

    // A second deploy reuses the stored VirtFusion user (no second POST /users).
    const usersCreated = vf.callsTo('POST /users').length;
    await deploys.deploy(user, deployInput());
    expect(vf.callsTo('POST /users').length).toBe(usersCreated);
    expect(await balance(user.id)).toBe(5000 - 2 * PRICE);
  });

  it('links a VirtFusion user that already has the panel id as extRelationId', async () => {
    const user = await aUserWithBalance(app, PRICE);
    vf.users.push({
      id: 9000 + user.id,
      extRelationId: user.id,
      name: 'x',
      email: 'other@example.test',
      admin: false,
      suspended: false,
      created: '',
    });
    const before = vf.callsTo('POST /users').length;
    const { server } = await deploys.deploy(user, deployInput());
    expect(server.status).toBe('active');
    expect(vf.callsTo('POST /users').length).toBe(before);
    expect(vf.servers.find((s) => s.id === server.virtfusionServerId)!.ownerId).toBe(9000 + user.id);
  });

  it('an email VirtFusion already holds for someone else: a clear error, nothing charged, no server', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.users.push({
      id: 7000 + user.id,
      extRelationId: null,
      name: 'y',
      email: user.email,
      admin: false,
      suspended: false,
      created: '',
    });
    await expect(deploys.deploy(user, deployInput())).rejects.toThrow(VirtFusionEmailTakenError);
    await expect(deploys.deploy(user, deployInput())).rejects.toThrow(/extRelationId to \d+/);
    expect(await serverRows(user.id)).toEqual([]);
    expect(await balance(user.id)).toBe(5000);
    expect(await ledger(user.id)).toHaveLength(1);
  });

  it('refuses an unpriced or unknown plan and an unoffered template; nothing charged or written', async () => {
    const user = await aUserWithBalance(app, 5000);
    const calls = vf.callsTo('POST /servers').length;
    await expect(deploys.deploy(user, deployInput({ planId: unpricedPlanId }))).rejects.toThrow(
      PlanNotDeployableError,
    );
    await expect(deploys.deploy(user, deployInput({ planId: 999999 }))).rejects.toThrow(/No plan/);
    await expect(deploys.deploy(user, deployInput({ osTemplateId: 12345 }))).rejects.toThrow(
      TemplateNotOfferedError,
    );
    // Bad shapes are refused at the API's edge (DeployDto): test/servers.e2e.spec.ts.
    expect(await serverRows(user.id)).toEqual([]);
    expect(await ledger(user.id)).toHaveLength(1);
    expect(vf.callsTo('POST /servers').length).toBe(calls);
  });

  it('insufficient funds: refused with nothing written (no server row, no ledger row, nothing in VirtFusion)', async () => {
    const user = await aUserWithBalance(app, PRICE - 1);
    const calls = vf.callsTo('POST /servers').length;
    await expect(deploys.deploy(user, deployInput())).rejects.toThrow(InsufficientFundsError);
    const poor = await aUser(app);
    await expect(deploys.deploy(poor, deployInput())).rejects.toThrow(InsufficientFundsError);
    expect(await serverRows(user.id)).toEqual([]);
    expect(await serverRows(poor.id)).toEqual([]);
    expect(await balance(user.id)).toBe(PRICE - 1);
    expect(await ledger(poor.id)).toEqual([]);
    expect(vf.callsTo('POST /servers').length).toBe(calls);
  });

  it('VirtFusion refusing the create (422): the server fails with the reason and the charge is refunded', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers', '422');
    const { server } = await deploys.deploy(user, deployInput());
    expect(server.status).toBe('failed');
    expect(server.failureReason).toMatch(/refused to create/);
    expect(await ledger(user.id)).toEqual([
      { type: 'admin_credit', amount: 5000, key: null },
      { type: 'server_charge', amount: -PRICE, key: `server-charge:${server.id}:1` },
      { type: 'server_refund', amount: PRICE, key: `server-refund:${server.id}:1` },
    ]);
    expect(await balance(user.id)).toBe(5000);
    expect(vfServersOf(user)).toEqual([]);
  });

  it('VirtFusion answering 500 to the create without creating: asked, nothing there, refunded', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers', '500');
    const { server } = await deploys.deploy(user, deployInput());
    expect(server.status).toBe('failed');
    expect(await balance(user.id)).toBe(5000);
    expect(vfServersOf(user)).toEqual([]);
    expect(await eventsOf(server.id)).toEqual(['charged', 'create_requested', 'failed', 'refunded']);
  });

  it('VirtFusion failing at build: refunded, and the half-made server is deleted in VirtFusion', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers/build', '500');
    const { server } = await deploys.deploy(user, deployInput());
    expect(server.status).toBe('failed');
    expect(server.failureReason).toMatch(/did not start the build/);
    expect(server.virtfusionServerId).not.toBeNull();
    expect(vfServersOf(user)).toEqual([]);
    expect(await balance(user.id)).toBe(5000);
    expect((await eventsOf(server.id)).slice(-3)).toEqual(['failed', 'refunded', 'deleted']);
  });

  it('a create that times out after VirtFusion created the server: found by asking, no duplicate, charged once', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers', 'timeout-after');
    const { server } = await deploys.deploy(user, deployInput());
    expect(server.status).toBe('active');
    expect(vfServersOf(user)).toHaveLength(1);
    expect(vfServersOf(user)[0]!.id).toBe(server.virtfusionServerId);
    expect(
      vf
        .callsTo('POST /servers')
        .filter((c) => (c.body as { userId: number }).userId === server.virtfusionUserId),
    ).toHaveLength(1);
    expect(await eventsOf(server.id)).toContain('adopted');
    expect((await ledger(user.id)).filter((r) => r.type === 'server_charge')).toHaveLength(1);
    expect(await balance(user.id)).toBe(5000 - PRICE);
  });

  it('a build that times out after VirtFusion queued it: active, built once', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers/build', 'timeout-after');
    const { server } = await deploys.deploy(user, deployInput());
    expect(server.status).toBe('active');
    expect(
      vf
        .callsTo('POST /servers/build')
        .filter((c) => c.path.includes(`/servers/${server.virtfusionServerId}/`)),
    ).toHaveLength(1);
    expect(await balance(user.id)).toBe(5000 - PRICE);
  });

  it('VirtFusion unable to say what a lost create did: the money is held, nothing guessed; the sweep settles it later', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers', 'timeout-after');
    vf.failCall('GET /servers/user', 'pass'); // the list taken before the create answers
    vf.failCall('GET /servers/user', '503', 3); // the check after the lost answer fails, retries too
    const { server } = await deploys.deploy(user, deployInput());
    expect(server).toMatchObject({ status: 'provisioning', step: 'creating' });
    expect(server.failureReason).toMatch(/waiting for VirtFusion/);
    expect(await balance(user.id)).toBe(5000 - PRICE);
    expect(await ledger(user.id)).toHaveLength(2); // charged, not refunded: the server may exist

    // Before the retry time nothing happens; after it, the sweep asks again and adopts the server.
    expect((await sweeper.sweep()).resumed).toBe(0);
    clock.advance(2 * 60_000);
    expect((await sweeper.sweep()).resumed).toBe(1);
    const after = await queries.get(server.id);
    expect(after.status).toBe('active');
    expect(vfServersOf(user)).toHaveLength(1);
    expect(await balance(user.id)).toBe(5000 - PRICE);
  });

  it('a double click (same idempotencyKey), one after the other and 6 at once: one server, one charge', async () => {
    const user = await aUserWithBalance(app, 5000);
    const input = deployInput();
    const first = await deploys.deploy(user, input);
    const again = await deploys.deploy(user, { ...input });
    expect(again).toMatchObject({ created: false });
    expect(again.server.id).toBe(first.server.id);
    await expect(deploys.deploy(user, { ...input, hostname: 'other.example.test' })).rejects.toThrow(
      DeployKeyReusedError,
    );

    const burst = deployInput();
    const results = await Promise.all(Array.from({ length: 6 }, () => deploys.deploy(user, { ...burst })));
    expect(new Set(results.map((r) => r.server.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await serverRows(user.id)).toHaveLength(2);
    expect((await ledger(user.id)).filter((r) => r.type === 'server_charge')).toHaveLength(2);
    expect(vfServersOf(user)).toHaveLength(2);
    expect(await balance(user.id)).toBe(5000 - 2 * PRICE);
  });

  it('renews on the anniversary once per period, even when the sweep runs twice or twice at once', async () => {
    const user = await aUserWithBalance(app, 5 * PRICE);
    const { server } = await deploys.deploy(user, deployInput()); // 31 Jan → paid until 28 Feb
    clock.set(new Date('2026-02-28T08:59:59Z'));
    await renewals.run();
    expect(await balance(user.id)).toBe(4 * PRICE);

    clock.set(new Date('2026-02-28T10:00:00Z'));
    await Promise.all([renewals.run(), renewals.run()]);
    await renewals.run();
    let s = await queries.get(server.id);
    expect(s.periodsPaid).toBe(2);
    expect(s.paidUntil!.toISOString()).toBe('2026-03-31T09:00:00.000Z');
    expect(await balance(user.id)).toBe(3 * PRICE);

    // A panel that was off for two months charges both missed months on its next run.
    clock.set(new Date('2026-05-01T00:00:00Z'));
    await renewals.run();
    s = await queries.get(server.id);
    expect(s.periodsPaid).toBe(4);
    expect(s.paidUntil!.toISOString()).toBe('2026-05-31T09:00:00.000Z');
    expect((await ledger(user.id)).filter((r) => r.type === 'server_charge').map((r) => r.key)).toEqual(
      [1, 2, 3, 4].map((p) => `server-charge:${server.id}:${p}`),
    );
    expect(await balance(user.id)).toBe(PRICE);
  });

  it('unpaid: suspended after GRACE_HOURS, unsuspended when money covers it, terminated after TERMINATE_AFTER_DAYS', async () => {
    const user = await aUserWithBalance(app, PRICE);
    const { server } = await deploys.deploy(user, deployInput());
    const vfId = server.virtfusionServerId!;

    clock.set(new Date('2026-02-28T09:00:00Z'));
    await renewals.run();
    let s = await queries.get(server.id);
    expect(s).toMatchObject({ status: 'active', periodsPaid: 1 });
    expect(s.overdueSince!.toISOString()).toBe('2026-02-28T09:00:00.000Z');

    clock.advance(23 * HOUR);
    await renewals.run();
    expect((await queries.get(server.id)).status).toBe('active');
    expect(vf.servers.find((v) => v.id === vfId)!.suspended).toBe(false);

    clock.advance(HOUR);
    await renewals.run();
    s = await queries.get(server.id);
    expect(s).toMatchObject({ status: 'suspended', suspendReason: 'overdue' });
    expect(vf.servers.find((v) => v.id === vfId)!.suspended).toBe(true);

    // A top-up that covers the renewal: charged, unsuspended (what a credited webhook triggers).
    clock.advance(2 * DAY);
    await wallet.credit({
      userId: user.id,
      amountCents: PRICE,
      type: 'topup',
      actor: 'test',
      reason: 'top-up',
    });
    await renewals.run(user.id);
    s = await queries.get(server.id);
    expect(s).toMatchObject({ status: 'active', periodsPaid: 2, overdueSince: null, suspendReason: null });
    expect(s.paidUntil!.toISOString()).toBe('2026-03-31T09:00:00.000Z');
    expect(vf.servers.find((v) => v.id === vfId)!.suspended).toBe(false);
    expect(await balance(user.id)).toBe(0);

    // Next month nobody pays: suspended after grace, terminated 14 days later, deleted in VirtFusion.
    clock.set(new Date('2026-03-31T09:00:00Z'));
    await renewals.run();
    clock.advance(24 * HOUR);
    await renewals.run();
    expect((await queries.get(server.id)).status).toBe('suspended');
    clock.advance(14 * DAY - HOUR);
    await renewals.run();
    expect((await queries.get(server.id)).status).toBe('suspended');
    clock.advance(HOUR);
    await renewals.run();
    s = await queries.get(server.id);
    expect(s.status).toBe('terminated');
    expect(vf.servers.find((v) => v.id === vfId)).toBeUndefined();
    expect(await eventsOf(server.id)).toEqual([
      'charged',
      'create_requested',
      'created',
      'build_requested',
      'active',
      'renewal_unpaid',
      'suspended',
      'renewal_charged',
      'unsuspended',
      'renewal_unpaid',
      'suspended',
      'terminated',
    ]);
    expect(await balance(user.id)).toBe(0);
    // Terminated servers are never charged again.
    clock.advance(60 * DAY);
    await renewals.run();
    expect((await ledger(user.id)).filter((r) => r.type === 'server_charge')).toHaveLength(2);
  });

  it('a suspend VirtFusion refuses is retried on the next run; nothing is recorded as suspended before it happens', async () => {
    const user = await aUserWithBalance(app, PRICE);
    const { server } = await deploys.deploy(user, deployInput());
    clock.set(new Date('2026-03-01T10:00:00Z')); // past the due date and the grace
    vf.failCall('POST /servers/suspend', '503');
    const report = await renewals.run();
    expect(report.errors).toBe(1);
    expect((await queries.get(server.id)).status).toBe('active');
    await renewals.run();
    expect((await queries.get(server.id)).status).toBe('suspended');
  });

  const setOwnPlanPrice = async (cents: number) =>
    plans.setPrice(await plans.get({ planId: ownPlanId }), cents);
  const chargeOf = async (userId: number, serverId: number, period: number) =>
    (await ledger(userId)).find((r) => r.key === `server-charge:${serverId}:${period}`)?.amount;

  it("renews at the server's own price, not the plan's new one; a plan's new price is for new deploys", async () => {
    await setOwnPlanPrice(PRICE);
    const user = await aUserWithBalance(app, 10 * PRICE);
    const { server } = await deploys.deploy(user, deployInput({ planId: ownPlanId }));
    await setOwnPlanPrice(2000);
    const later = await deploys.deploy(user, deployInput({ planId: ownPlanId }));
    expect(later.server.priceMonthlyCents).toBe(2000);

    clock.set(new Date('2026-02-28T09:00:00Z'));
    await renewals.run();
    expect(await chargeOf(user.id, server.id, 2)).toBe(-PRICE);
    expect(await chargeOf(user.id, later.server.id, 2)).toBe(-2000);
    expect(toServerView(await queries.get(server.id))).toMatchObject({
      priceMonthlyCents: PRICE,
      currency: 'aud',
      scheduledPrice: null,
    });
    expect(await balance(user.id)).toBe(10 * PRICE - 2 * PRICE - 2 * 2000);
  });

  it('a reprice applies from the first renewal at least REPRICE_NOTICE_DAYS ahead, shows at once, is recorded, once', async () => {
    await setOwnPlanPrice(PRICE);
    const user = await aUserWithBalance(app, 10 * PRICE);
    const { server } = await deploys.deploy(user, deployInput({ planId: ownPlanId })); // 31 Jan, renews 28 Feb, 31 Mar, …
    await setOwnPlanPrice(1500);
    const input = { planId: ownPlanId, fromDate: '2026-02-01', actor: 'admin:1' };

    // 31 Jan + 30 days = 2 Mar: the 28 Feb renewal is too soon, the 31 Mar one is the first.
    const preview = await reprice.reprice({ ...input, apply: false });
    expect(preview).toMatchObject({ applied: false, priceCents: 1500, noticeDays: 30 });
    expect(preview.earliest.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    const mine = preview.changes.find((c) => c.serverId === server.id)!;
    expect(mine).toMatchObject({ fromCents: PRICE, toCents: 1500 });
    expect(mine.effectiveAt.toISOString()).toBe('2026-03-31T09:00:00.000Z');
    expect(toServerView(await queries.get(server.id)).scheduledPrice).toBeNull(); // a preview writes nothing
    expect(await eventsOf(server.id)).not.toContain('reprice_scheduled');

    // Two admins confirming at once: scheduled once, recorded once.
    const [a, b] = await Promise.all([
      reprice.reprice({ ...input, apply: true }),
      reprice.reprice({ ...input, apply: true }),
    ]);
    expect([a, b].filter((r) => r.changes.some((c) => c.serverId === server.id))).toHaveLength(1);
    expect((await eventsOf(server.id)).filter((e: string) => e === 'reprice_scheduled')).toHaveLength(1);
    expect(toServerView(await queries.get(server.id)).scheduledPrice).toEqual({
      amountCents: 1500,
      fromDate: '2026-03-31T09:00:00.000Z',
    });
    const again = await reprice.reprice({ ...input, apply: true });
    expect(again.changes.find((c) => c.serverId === server.id)).toBeUndefined();

    clock.set(new Date('2026-02-28T09:00:00Z'));
    await renewals.run();
    expect(await chargeOf(user.id, server.id, 2)).toBe(-PRICE);
    clock.set(new Date('2026-03-31T09:00:00Z'));
    await renewals.run();
    expect(await chargeOf(user.id, server.id, 3)).toBe(-1500);
    const s = await queries.get(server.id);
    expect(s).toMatchObject({ priceMonthlyCents: 1500, nextPriceCents: null, nextPriceFrom: null });
    expect((await eventsOf(server.id)).slice(-3)).toEqual(['renewal_charged', 'repriced', 'renewal_charged']);
    expect(await balance(user.id)).toBe(10 * PRICE - 2 * PRICE - 1500);
  });

  it('a reprice from a later date waits for the renewal on or after it; bad dates and unpriced plans are refused', async () => {
    await setOwnPlanPrice(PRICE);
    const user = await aUserWithBalance(app, PRICE);
    const { server } = await deploys.deploy(user, deployInput({ planId: ownPlanId }));
    await setOwnPlanPrice(900);
    const r = await reprice.reprice({
      planId: ownPlanId,
      fromDate: '2026-06-15',
      actor: 'admin:1',
      apply: false,
    });
    expect(r.changes.find((c) => c.serverId === server.id)!.effectiveAt.toISOString()).toBe(
      '2026-06-30T09:00:00.000Z',
    );
    for (const fromDate of ['2026-02-30', '15/06/2026', '2026-6-1', 20260615, '', undefined])
      await expect(
        reprice.reprice({ planId: ownPlanId, fromDate, actor: 'admin:1', apply: true }),
      ).rejects.toThrow(ValidationError);
    await expect(
      reprice.reprice({ planId: unpricedPlanId, fromDate: '2026-06-15', actor: 'admin:1', apply: true }),
    ).rejects.toThrow(ValidationError);
    expect(toServerView(await queries.get(server.id)).scheduledPrice).toBeNull();
  });

  const setEdgePrice = async (cents: number) =>
    plans.setPrice(await plans.get({ planId: edgePlanId }), cents);
  const eventDetails = async (serverId: number, type: string) =>
    (
      await ds.query(`SELECT detail FROM server_events WHERE server_id = $1 AND type = $2 ORDER BY id`, [
        serverId,
        type,
      ])
    ).map((r: { detail: string }) => r.detail);
  const nextPrices = async (ids: number[]) =>
    (
      await ds.query(
        `SELECT next_price_cents::int AS cents, next_price_from AS "from" FROM servers WHERE id = ANY($1) ORDER BY id`,
        [ids],
      )
    ).map((r: { cents: number | null; from: Date | null }) => [r.cents, r.from?.toISOString() ?? null]);

  it("a reprice back to the server's price cancels its scheduled price (recorded once); with nothing scheduled it writes nothing; set-price says when scheduled prices differ", async () => {
    await setEdgePrice(PRICE);
    const user = await aUserWithBalance(app, 10 * PRICE);
    const a = (await deploys.deploy(user, deployInput({ planId: edgePlanId }))).server; // renews 28 Feb, 31 Mar
    const b = (await deploys.deploy(user, deployInput({ planId: edgePlanId }))).server;
    const ids = [a.id, b.id];
    const input = { planId: edgePlanId, fromDate: '2026-02-01', actor: 'admin:1' };

    // Nothing scheduled and already at the price: nothing to do, nothing written.
    const idle = await reprice.reprice({ ...input, apply: true });
    expect(idle).toMatchObject({ changes: [], unchanged: 2, skipped: [] });
    expect(await eventDetails(a.id, 'reprice_cancelled')).toEqual([]);
    expect(await nextPrices(ids)).toEqual([
      [null, null],
      [null, null],
    ]);

    await setEdgePrice(900);
    await reprice.reprice({ ...input, apply: true });
    const march = '2026-03-31T09:00:00.000Z';
    expect(await nextPrices(ids)).toEqual([
      [900, march],
      [900, march],
    ]);
    // The history writes dates as the rest of it does, not as ISO.
    expect(await eventDetails(a.id, 'reprice_scheduled')).toEqual([
      'A$12.00 → A$9.00 a month from the renewal on 31 Mar 2026',
    ]);

    // The plan lowered below the scheduled price: said, and the schedule left as it is.
    await setEdgePrice(750);
    const differ = await reprice.scheduledPricesDiffer(edgePlanId, 750);
    expect(differ).toEqual({ count: 2, amountsCents: [900], currency: 'aud' });
    expect(scheduledPricesDifferNote(differ)).toBe(
      '2 servers have a scheduled price of A$9.00; run servers reprice to change it',
    );
    expect(await nextPrices(ids)).toEqual([
      [900, march],
      [900, march],
    ]);
    expect((await reprice.scheduledPricesDiffer(edgePlanId, 900)).count).toBe(0);
    expect(scheduledPricesDifferNote(await reprice.scheduledPricesDiffer(edgePlanId, 900))).toBeNull();

    // Back to the price they pay: the preview shows current → scheduled → new and writes nothing.
    await setEdgePrice(PRICE);
    const preview = await reprice.reprice({ ...input, apply: false });
    expect(preview.changes).toHaveLength(2);
    for (const c of preview.changes) {
      expect(c).toMatchObject({ fromCents: PRICE, toCents: PRICE, cancelsScheduled: true });
      expect(c.scheduled).toEqual({ amountCents: 900, fromDate: new Date(march) });
    }
    expect(await nextPrices(ids)).toEqual([
      [900, march],
      [900, march],
    ]);

    // Two admins confirming at once: each schedule cleared once, recorded once.
    const [x, y] = await Promise.all([
      reprice.reprice({ ...input, apply: true }),
      reprice.reprice({ ...input, apply: true }),
    ]);
    expect(x.changes.length + y.changes.length).toBe(2);
    expect(await nextPrices(ids)).toEqual([
      [null, null],
      [null, null],
    ]);
    for (const id of ids) {
      expect(await eventDetails(id, 'reprice_cancelled')).toEqual([
        'scheduled price change cancelled: stays A$12.00 a month (was to be A$9.00 from the renewal on 31 Mar 2026)',
      ]);
      expect(await eventDetails(id, 'reprice_scheduled')).toHaveLength(1); // no "A$12.00 → A$12.00"
    }
    const again = await reprice.reprice({ ...input, apply: true });
    expect(again).toMatchObject({ changes: [], unchanged: 2 });
    expect(await eventDetails(a.id, 'reprice_cancelled')).toHaveLength(1);

    // The renewal the cancelled price was for charges the price the server kept.
    clock.set(new Date('2026-02-28T09:00:00Z'));
    await renewals.run();
    clock.set(new Date(march));
    await renewals.run();
    expect(await chargeOf(user.id, a.id, 3)).toBe(-PRICE);
    expect(await chargeOf(user.id, b.id, 3)).toBe(-PRICE);
    expect(await eventsOf(a.id)).not.toContain('repriced');
    expect(await balance(user.id)).toBe(10 * PRICE - 6 * PRICE);
  });

  it('deploys waiting for payment or provisioning keep the price they were sold at, and the preview and the result list them as skipped', async () => {
    await setEdgePrice(PRICE);
    const user = await aUser(app);
    const rows: { id: number }[] = [];
    for (const status of ['awaiting_funds', 'provisioning'])
      rows.push(
        (
          await ds.query(
            `INSERT INTO servers (user_id, plan_id, status, hostname, os_template_id, idempotency_key, price_monthly_cents, currency)
             VALUES ($1, $2, $3, $4, 44, $5, $6, 'aud') RETURNING id::int`,
            [user.id, edgePlanId, status, `${status.replace('_', '-')}.example.test`, key(), PRICE],
          )
        )[0],
      );
    try {
      await setEdgePrice(2500);
      const input = { planId: edgePlanId, fromDate: '2026-02-01', actor: 'admin:1' };
      for (const apply of [false, true]) {
        const r = await reprice.reprice({ ...input, apply });
        expect(r.skipped).toEqual([
          {
            serverId: rows[0]!.id,
            userId: user.id,
            hostname: 'awaiting-funds.example.test',
            status: 'awaiting_funds',
            soldAtCents: PRICE,
            currency: 'aud',
          },
          {
            serverId: rows[1]!.id,
            userId: user.id,
            hostname: 'provisioning.example.test',
            status: 'provisioning',
            soldAtCents: PRICE,
            currency: 'aud',
          },
        ]);
        expect(r.changes.map((c) => c.serverId)).not.toEqual(expect.arrayContaining([rows[0]!.id]));
      }
      const after = await ds.query(
        `SELECT price_monthly_cents::int AS price, next_price_cents AS next FROM servers WHERE id = ANY($1) ORDER BY id`,
        [rows.map((r) => r.id)],
      );
      expect(after).toEqual([
        { price: PRICE, next: null },
        { price: PRICE, next: null },
      ]);
      for (const r of rows) expect(await eventsOf(r.id)).toEqual([]);
      // One sold at the plan's price needs no later reprice: not listed.
      await setEdgePrice(PRICE);
      expect((await reprice.reprice({ ...input, apply: false })).skipped).toEqual([]);
    } finally {
      await ds.query(`UPDATE servers SET status = 'cancelled' WHERE id = ANY($1)`, [rows.map((r) => r.id)]);
    }
  });

  it('a deploy waiting for its top-up is charged the price it was offered at, even after the plan price changed', async () => {
    await setOwnPlanPrice(PRICE);
    const user = await aUserWithBalance(app, 5 * PRICE);
    const [waiting] = await ds.query(
      `INSERT INTO servers (user_id, plan_id, status, hostname, os_template_id, idempotency_key, price_monthly_cents, currency, topup_session_id)
       VALUES ($1, $2, 'awaiting_funds', 'offered.example.test', 44, $3, $4, 'aud', $5) RETURNING id::int`,
      [user.id, ownPlanId, key(), PRICE, `cs_test_offered_${key()}`],
    );
    await setOwnPlanPrice(2500);
    const [{ session }] = await ds.query(`SELECT topup_session_id AS session FROM servers WHERE id = $1`, [
      waiting.id,
    ]);
    const started = await sweeper.startForTopup(session);
    expect(started).toMatchObject({ id: waiting.id, status: 'active', priceMonthlyCents: PRICE });
    expect(await chargeOf(user.id, waiting.id, 1)).toBe(-PRICE);
    expect(await balance(user.id)).toBe(4 * PRICE);
  });

  it('migration 1763800000009: a server takes the price of its last charge; one never charged keeps its offered price', async () => {
    const user = await aUserWithBalance(app, 10 * PRICE);
    const { server } = await deploys.deploy(user, deployInput());
    // What the old renewals did: period 2 charged at the plan's price of the day.
    await wallet.debit({
      userId: user.id,
      amountCents: 1700,
      type: 'server_charge',
      actor: 'system',
      reason: 'renewal at the old code',
      idempotencyKey: `server-charge:${server.id}:2`,
    });
    const [waiting] = await ds.query(
      `INSERT INTO servers (user_id, plan_id, status, hostname, os_template_id, idempotency_key, price_monthly_cents, currency)
       VALUES ($1, $2, 'awaiting_funds', 'waiting.example.test', 44, $3, 999, 'aud') RETURNING id::int`,
      [user.id, planId, key()],
    );
    const migration = MIGRATIONS.find((m) => m.name === 'ServerOwnPrice1763800000009')!;
    const runner = ds.createQueryRunner();
    try {
      await new migration().up(runner);
      await new migration().up(runner); // safe to run twice
    } finally {
      await runner.release();
    }
    expect((await queries.get(server.id)).priceMonthlyCents).toBe(1700);
    expect((await queries.get(waiting.id)).priceMonthlyCents).toBe(999);
    await ds.query(`UPDATE servers SET status = 'cancelled' WHERE id = $1`, [waiting.id]);
  });

  it('the database failing after VirtFusion created the server: no refund, nothing blamed on VirtFusion; the sweep adopts it', async () => {
    const user = await aUserWithBalance(app, PRICE);
    // Recording "created" fails once, as a lost connection or a full pool would make it fail.
    await ds.query(`
      CREATE OR REPLACE FUNCTION test_fail_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: the database went away'; END $$`);
    await ds.query(`
      CREATE TRIGGER test_fail_created BEFORE UPDATE ON servers FOR EACH ROW
      WHEN (NEW.step = 'created' AND OLD.step = 'creating') EXECUTE FUNCTION test_fail_created()`);
    let result;
    try {
      result = await deploys.deploy(user, deployInput());
    } finally {
      await ds.query(`DROP TRIGGER test_fail_created ON servers`);
    }
    const s = result.server;
    expect(s).toMatchObject({ status: 'provisioning', step: 'creating', periodsPaid: 1 });
    expect(s.failureReason).toMatch(/^waiting for the panel's database: .*test: the database went away/);
    expect(s.failureReason).not.toMatch(/VirtFusion/);
    expect(await ledger(user.id)).toHaveLength(2); // the credit and the charge: no refund
    expect(vfServersOf(user)).toHaveLength(1); // VirtFusion did its part; nothing deleted

    clock.advance(2 * 60_000);
    await sweeper.sweep();
    const after = await queries.get(s.id);
    expect(after).toMatchObject({ status: 'active', virtfusionServerId: vfServersOf(user)[0]!.id });
    expect(await eventsOf(s.id)).toContain('adopted');
    expect(vfServersOf(user)).toHaveLength(1);
    expect(await balance(user.id)).toBe(0);
  });

  it('the ledger invariant holds for every wallet after all of the above', async () => {
    const report = await wallet.verify();
    expect(report.drifted).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
