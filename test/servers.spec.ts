import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ValidationError } from '@ozvps/core';
import { PlanNotDeployableError, PlanSyncService, PlansService } from '@ozvps/plans';
import {
  DeployKeyReusedError,
  RenewalsService,
  ServersService,
  TemplateNotOfferedError,
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
  let servers: ServersService;
  let renewals: RenewalsService;
  let wallet: WalletService;
  let ds: DataSource;
  let planId: number;
  let unpricedPlanId: number;
  let n = 0;

  const env = () => ({
    VIRTFUSION_URL: vf.url,
    VIRTFUSION_API_TOKEN: vf.token,
    VIRTFUSION_TIMEOUT_MS: '500',
    VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
  });

  beforeAll(async () => {
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1, { name: 'Starter' }), aPackage(2, { name: 'Unpriced' })];
    db = await createTestDatabase();
    clock = new TestClock();
    app = await bootLibs(db.url, { env: env(), servers: true, clock });
    servers = app.get(ServersService);
    renewals = app.get(RenewalsService);
    wallet = app.get(WalletService);
    ds = app.get(DataSource);
    await app.get(PlanSyncService).sync('cli');
    const plans = app.get(PlansService);
    planId = (await plans.setPrice(await plans.get({ packageId: 1 }), PRICE)).id;
    unpricedPlanId = (await plans.get({ packageId: 2 })).id;
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
    const { server, created } = await servers.deploy(user, deployInput({ hostname: 'Web1.Example.test' }));
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
    await servers.deploy(user, deployInput());
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
    const { server } = await servers.deploy(user, deployInput());
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
    await expect(servers.deploy(user, deployInput())).rejects.toThrow(VirtFusionEmailTakenError);
    await expect(servers.deploy(user, deployInput())).rejects.toThrow(/extRelationId to \d+/);
    expect(await serverRows(user.id)).toEqual([]);
    expect(await balance(user.id)).toBe(5000);
    expect(await ledger(user.id)).toHaveLength(1);
  });

  it('refuses an unpriced or unknown plan, an unoffered template and bad input; nothing charged or written', async () => {
    const user = await aUserWithBalance(app, 5000);
    const calls = vf.callsTo('POST /servers').length;
    await expect(servers.deploy(user, deployInput({ planId: unpricedPlanId }))).rejects.toThrow(
      PlanNotDeployableError,
    );
    await expect(servers.deploy(user, deployInput({ planId: 999999 }))).rejects.toThrow(/No plan/);
    await expect(servers.deploy(user, deployInput({ osTemplateId: 12345 }))).rejects.toThrow(
      TemplateNotOfferedError,
    );
    for (const bad of [
      { planId: '1' },
      { planId: 1.5 },
      { osTemplateId: -1 },
      { hostname: 'not a hostname' },
      { hostname: '-bad.example' },
      { hostname: `${'a'.repeat(64)}.example` },
      { hostname: 42 },
      { idempotencyKey: 'short' },
      { idempotencyKey: 'has spaces in it' },
      { idempotencyKey: undefined },
      { topUpIfShort: 'yes' },
    ]) {
      await expect(servers.deploy(user, deployInput(bad))).rejects.toThrow(ValidationError);
    }
    expect(await serverRows(user.id)).toEqual([]);
    expect(await ledger(user.id)).toHaveLength(1);
    expect(vf.callsTo('POST /servers').length).toBe(calls);
  });

  it('insufficient funds: refused with nothing written (no server row, no ledger row, nothing in VirtFusion)', async () => {
    const user = await aUserWithBalance(app, PRICE - 1);
    const calls = vf.callsTo('POST /servers').length;
    await expect(servers.deploy(user, deployInput())).rejects.toThrow(InsufficientFundsError);
    const poor = await aUser(app);
    await expect(servers.deploy(poor, deployInput())).rejects.toThrow(InsufficientFundsError);
    expect(await serverRows(user.id)).toEqual([]);
    expect(await serverRows(poor.id)).toEqual([]);
    expect(await balance(user.id)).toBe(PRICE - 1);
    expect(await ledger(poor.id)).toEqual([]);
    expect(vf.callsTo('POST /servers').length).toBe(calls);
  });

  it('VirtFusion refusing the create (422): the server fails with the reason and the charge is refunded', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers', '422');
    const { server } = await servers.deploy(user, deployInput());
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
    const { server } = await servers.deploy(user, deployInput());
    expect(server.status).toBe('failed');
    expect(await balance(user.id)).toBe(5000);
    expect(vfServersOf(user)).toEqual([]);
    expect(await eventsOf(server.id)).toEqual(['charged', 'create_requested', 'failed', 'refunded']);
  });

  it('VirtFusion failing at build: refunded, and the half-made server is deleted in VirtFusion', async () => {
    const user = await aUserWithBalance(app, 5000);
    vf.failCall('POST /servers/build', '500');
    const { server } = await servers.deploy(user, deployInput());
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
    const { server } = await servers.deploy(user, deployInput());
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
    const { server } = await servers.deploy(user, deployInput());
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
    const { server } = await servers.deploy(user, deployInput());
    expect(server).toMatchObject({ status: 'provisioning', step: 'creating' });
    expect(server.failureReason).toMatch(/waiting for VirtFusion/);
    expect(await balance(user.id)).toBe(5000 - PRICE);
    expect(await ledger(user.id)).toHaveLength(2); // charged, not refunded: the server may exist

    // Before the retry time nothing happens; after it, the sweep asks again and adopts the server.
    expect((await servers.sweep()).resumed).toBe(0);
    clock.advance(2 * 60_000);
    expect((await servers.sweep()).resumed).toBe(1);
    const after = await servers.get(server.id);
    expect(after.status).toBe('active');
    expect(vfServersOf(user)).toHaveLength(1);
    expect(await balance(user.id)).toBe(5000 - PRICE);
  });

  it('a double click (same idempotencyKey), one after the other and 6 at once: one server, one charge', async () => {
    const user = await aUserWithBalance(app, 5000);
    const input = deployInput();
    const first = await servers.deploy(user, input);
    const again = await servers.deploy(user, { ...input });
    expect(again).toMatchObject({ created: false });
    expect(again.server.id).toBe(first.server.id);
    await expect(servers.deploy(user, { ...input, hostname: 'other.example.test' })).rejects.toThrow(
      DeployKeyReusedError,
    );

    const burst = deployInput();
    const results = await Promise.all(Array.from({ length: 6 }, () => servers.deploy(user, { ...burst })));
    expect(new Set(results.map((r) => r.server.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await serverRows(user.id)).toHaveLength(2);
    expect((await ledger(user.id)).filter((r) => r.type === 'server_charge')).toHaveLength(2);
    expect(vfServersOf(user)).toHaveLength(2);
    expect(await balance(user.id)).toBe(5000 - 2 * PRICE);
  });

  it('renews on the anniversary once per period, even when the sweep runs twice or twice at once', async () => {
    const user = await aUserWithBalance(app, 5 * PRICE);
    const { server } = await servers.deploy(user, deployInput()); // 31 Jan → paid until 28 Feb
    clock.set(new Date('2026-02-28T08:59:59Z'));
    await renewals.run();
    expect(await balance(user.id)).toBe(4 * PRICE);

    clock.set(new Date('2026-02-28T10:00:00Z'));
    await Promise.all([renewals.run(), renewals.run()]);
    await renewals.run();
    let s = await servers.get(server.id);
    expect(s.periodsPaid).toBe(2);
    expect(s.paidUntil!.toISOString()).toBe('2026-03-31T09:00:00.000Z');
    expect(await balance(user.id)).toBe(3 * PRICE);

    // A panel that was off for two months charges both missed months on its next run.
    clock.set(new Date('2026-05-01T00:00:00Z'));
    await renewals.run();
    s = await servers.get(server.id);
    expect(s.periodsPaid).toBe(4);
    expect(s.paidUntil!.toISOString()).toBe('2026-05-31T09:00:00.000Z');
    expect((await ledger(user.id)).filter((r) => r.type === 'server_charge').map((r) => r.key)).toEqual(
      [1, 2, 3, 4].map((p) => `server-charge:${server.id}:${p}`),
    );
    expect(await balance(user.id)).toBe(PRICE);
  });

  it('unpaid: suspended after GRACE_HOURS, unsuspended when money covers it, terminated after TERMINATE_AFTER_DAYS', async () => {
    const user = await aUserWithBalance(app, PRICE);
    const { server } = await servers.deploy(user, deployInput());
    const vfId = server.virtfusionServerId!;

    clock.set(new Date('2026-02-28T09:00:00Z'));
    await renewals.run();
    let s = await servers.get(server.id);
    expect(s).toMatchObject({ status: 'active', periodsPaid: 1 });
    expect(s.overdueSince!.toISOString()).toBe('2026-02-28T09:00:00.000Z');

    clock.advance(23 * HOUR);
    await renewals.run();
    expect((await servers.get(server.id)).status).toBe('active');
    expect(vf.servers.find((v) => v.id === vfId)!.suspended).toBe(false);

    clock.advance(HOUR);
    await renewals.run();
    s = await servers.get(server.id);
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
    s = await servers.get(server.id);
    expect(s).toMatchObject({ status: 'active', periodsPaid: 2, overdueSince: null, suspendReason: null });
    expect(s.paidUntil!.toISOString()).toBe('2026-03-31T09:00:00.000Z');
    expect(vf.servers.find((v) => v.id === vfId)!.suspended).toBe(false);
    expect(await balance(user.id)).toBe(0);

    // Next month nobody pays: suspended after grace, terminated 14 days later, deleted in VirtFusion.
    clock.set(new Date('2026-03-31T09:00:00Z'));
    await renewals.run();
    clock.advance(24 * HOUR);
    await renewals.run();
    expect((await servers.get(server.id)).status).toBe('suspended');
    clock.advance(14 * DAY - HOUR);
    await renewals.run();
    expect((await servers.get(server.id)).status).toBe('suspended');
    clock.advance(HOUR);
    await renewals.run();
    s = await servers.get(server.id);
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
    const { server } = await servers.deploy(user, deployInput());
    clock.set(new Date('2026-03-01T10:00:00Z')); // past the due date and the grace
    vf.failCall('POST /servers/suspend', '503');
    const report = await renewals.run();
    expect(report.errors).toBe(1);
    expect((await servers.get(server.id)).status).toBe('active');
    await renewals.run();
    expect((await servers.get(server.id)).status).toBe('suspended');
  });

  it('the ledger invariant holds for every wallet after all of the above', async () => {
    const report = await wallet.verify();
    expect(report.drifted).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
