import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  PlanNotDeployableError,
  PlanSyncInProgressError,
  PlanSyncRefusedError,
  PlanSyncService,
  PlansService,
} from '@ozvps/plans';
import {
  VirtFusionAuthError,
  VirtFusionBadResponseError,
  VirtFusionUnavailableError,
} from '@ozvps/virtfusion';
import { aPackage, FakeVirtFusion } from './fakes/virtfusion';
import { createTestDatabase, TestDatabase } from './helpers/database';
import { bootLibs } from './helpers/panel';

describe('plan sync from VirtFusion (real PostgreSQL, VirtFusion faked at the network boundary)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let vf: FakeVirtFusion;
  let sync: PlanSyncService;
  let plans: PlansService;
  let ds: DataSource;

  beforeEach(async () => {
    vf = await new FakeVirtFusion().start();
    db = await createTestDatabase();
    app = await bootLibs(db.url, {
      env: { VIRTFUSION_URL: vf.url, VIRTFUSION_API_TOKEN: vf.token, VIRTFUSION_TIMEOUT_MS: '500' },
    });
    sync = app.get(PlanSyncService);
    plans = app.get(PlansService);
    ds = app.get(DataSource);
  });

  afterEach(async () => {
    await app.close();
    await db.drop();
    await vf.stop();
  });

  const table = () =>
    ds.query(
      `SELECT virtfusion_package_id AS pkg, name, vcpu, memory_mb, enabled, present, active, price_monthly_cents AS price, updated_at
         FROM plans ORDER BY virtfusion_package_id`,
    );
  const runs = () =>
    ds.query(
      `SELECT trigger, status, error, created, updated, deactivated, reactivated, unchanged FROM plan_sync_runs ORDER BY id`,
    );

  it('creates plans from packages, unpriced and so not offered', async () => {
    vf.packages = [aPackage(1, { name: 'Small' }), aPackage(2, { name: 'Large', enabled: false })];
    const report = await sync.sync('cli');
    expect(report).toMatchObject({
      created: 2,
      updated: 0,
      deactivated: 0,
      reactivated: 0,
      unchanged: 0,
      rowsWritten: 2,
    });
    expect(await table()).toEqual([
      expect.objectContaining({
        pkg: 1,
        name: 'Small',
        vcpu: 1,
        memory_mb: 1024,
        enabled: true,
        present: true,
        active: false,
        price: null,
      }),
      expect.objectContaining({ pkg: 2, name: 'Large', enabled: false, active: false }),
    ]);
    expect(await plans.listActive()).toEqual([]);
    expect(await runs()).toEqual([
      expect.objectContaining({ trigger: 'cli', status: 'succeeded', created: 2 }),
    ]);
  });

  it('keeps the price across syncs and overwrites everything VirtFusion owns', async () => {
    vf.packages = [aPackage(1), aPackage(2)];
    await sync.sync('cli');
    const small = await plans.get({ packageId: 1 });
    await plans.setPrice(small, 1500);
    expect((await plans.listActive()).map((p) => p.virtfusionPackageId)).toEqual([1]);

    vf.packages = [aPackage(1, { name: 'Small v2', cpuCores: 2, memory: 4096 }), aPackage(2)];
    const report = await sync.sync('schedule');
    expect(report).toMatchObject({ updated: 1, unchanged: 1, rowsWritten: 1 });
    expect(report.changes).toEqual([
      { packageId: 1, planId: small.id, kind: 'updated', fields: ['name', 'vcpu', 'memoryMb'] },
    ]);
    const [row] = await table();
    expect(row).toMatchObject({ name: 'Small v2', vcpu: 2, memory_mb: 4096, price: '1500', active: true });
  });

  it('deactivates a disabled or vanished package, never deletes it, and brings it back when it returns', async () => {
    vf.packages = [aPackage(1), aPackage(2), aPackage(3)];
    await sync.sync('cli');
    for (const id of [1, 2, 3]) await plans.setPrice(await plans.get({ packageId: id }), 1000 * id);

    vf.packages = [aPackage(1), aPackage(2, { enabled: false })];
    const down = await sync.sync('cli');
    expect(down).toMatchObject({ deactivated: 2, unchanged: 1 });
    expect(
      (await table()).map((r: { pkg: number; active: boolean; present: boolean }) => [
        r.pkg,
        r.active,
        r.present,
      ]),
    ).toEqual([
      [1, true, true],
      [2, false, true],
      [3, false, false],
    ]);

    vf.packages = [aPackage(1), aPackage(2), aPackage(3)];
    const up = await sync.sync('cli');
    expect(up).toMatchObject({ reactivated: 2, unchanged: 1 });
    expect((await plans.listActive()).map((p) => [p.virtfusionPackageId, p.priceMonthlyCents])).toEqual([
      [1, 1000],
      [2, 2000],
      [3, 3000],
    ]);
  });

  it('writes nothing when nothing changed', async () => {
    vf.packages = [aPackage(1), aPackage(2)];
    await sync.sync('cli');
    const before = await table();
    const report = await sync.sync('cli');
    expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 2, rowsWritten: 0 });
    expect(await table()).toEqual(before); // updated_at included: no row was touched
  });

  it.each([
    ['401', VirtFusionAuthError, /VIRTFUSION_API_TOKEN is wrong/],
    ['500', VirtFusionUnavailableError, /answered 500/],
    ['timeout', VirtFusionUnavailableError, /timed out after 500 ms/],
    ['malformed', VirtFusionBadResponseError, /did not answer JSON|malformed/],
    ['wrong-shape', VirtFusionBadResponseError, /did not answer \{"data": \[\.\.\.\]\}/],
  ] as const)(
    'leaves the table exactly as it was when VirtFusion fails with %s, and records the error',
    async (kind, type, message) => {
      vf.packages = [aPackage(1)];
      await sync.sync('cli');
      await plans.setPrice(await plans.get({ packageId: 1 }), 900);
      const before = await table();
      vf.packages = [aPackage(1, { name: 'Renamed' }), aPackage(2)];
      vf.failWith(kind);
      const error = await sync.sync('admin').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect(await table()).toEqual(before);
      const last = (await runs()).at(-1);
      expect(last).toMatchObject({
        trigger: 'admin',
        status: 'failed',
        error: expect.stringMatching(message),
      });
    },
  );

  it('retries a GET that fails with 503 once, then succeeds', async () => {
    vf.packages = [aPackage(1)];
    vf.failWith('503', 1);
    await expect(sync.sync('cli')).resolves.toMatchObject({ created: 1 });
    expect(vf.requests).toBe(2);
  });

  it('does not retry a 401', async () => {
    vf.failWith('401');
    await expect(sync.sync('cli')).rejects.toBeInstanceOf(VirtFusionAuthError);
    expect(vf.requests).toBe(1);
  });

  it.each([
    ['a package without an id', [{ ...aPackage(1), id: undefined }]],
    ['a negative memory', [aPackage(1, { memory: -5 })]],
    ['a string cpu count', [{ ...aPackage(1), cpuCores: '2' }]],
    ['a package listed twice', [aPackage(1), aPackage(1)]],
  ])('refuses %s and changes nothing', async (_, packages) => {
    vf.packages = packages as never;
    await expect(sync.sync('cli')).rejects.toBeInstanceOf(VirtFusionBadResponseError);
    expect(await table()).toEqual([]);
  });

  it('refuses a sync that would take every offered plan off sale, unless forced', async () => {
    vf.packages = [aPackage(1), aPackage(2)];
    await sync.sync('cli');
    await plans.setPrice(await plans.get({ packageId: 1 }), 500);
    const before = await table();
    vf.packages = [];
    await expect(sync.sync('schedule')).rejects.toBeInstanceOf(PlanSyncRefusedError);
    expect(await table()).toEqual(before);
    expect((await runs()).at(-1)).toMatchObject({ status: 'refused' });
    await expect(sync.sync('cli', { force: true })).resolves.toMatchObject({ deactivated: 2 });
    expect(await plans.listActive()).toEqual([]);
  });

  it('runs one sync at a time: a concurrent second caller is told one is running', async () => {
    vf.packages = Array.from({ length: 50 }, (_, i) => aPackage(i + 1));
    vf.failWith('timeout', 1); // the first request hangs until the client's timeout, then a retry succeeds
    const results = await Promise.allSettled([
      sync.sync('cli'),
      new Promise((r) => setTimeout(r, 100)).then(() => sync.sync('admin')),
    ]);
    expect(results[0]).toMatchObject({
      status: 'fulfilled',
      value: expect.objectContaining({ created: 50 }),
    });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(PlanSyncInProgressError) });
    expect((await table()).length).toBe(50);
  });

  it('assertDeployable accepts only an active plan with a package', async () => {
    vf.packages = [aPackage(1), aPackage(2, { enabled: false })];
    await sync.sync('cli');
    const one = await plans.get({ packageId: 1 });
    const two = await plans.get({ packageId: 2 });
    await expect(plans.assertDeployable(one.id)).rejects.toBeInstanceOf(PlanNotDeployableError); // unpriced
    await plans.setPrice(one, 700);
    await plans.setPrice(two, 700);
    await expect(plans.assertDeployable(one.id)).resolves.toMatchObject({ virtfusionPackageId: 1 });
    await expect(plans.assertDeployable(two.id)).rejects.toBeInstanceOf(PlanNotDeployableError); // disabled
  });
});
