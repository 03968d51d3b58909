import { INestApplicationContext } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CLOCK, ClusterModule, CoreConfigModule, DatabaseModule } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { NotificationsModule } from '@ozvps/notifications';
import { PlanSyncService, PlansModule, PlansService } from '@ozvps/plans';
import { DeployService, ServersModule } from '@ozvps/servers';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { aPackage, FakeVirtFusion } from '../../../../test/fakes/virtfusion';
import { aUserWithBalance } from '../../../../test/helpers/builders';
import { createTestDatabase, TestDatabase } from '../../../../test/helpers/database';
import { TestClock, testConfig } from '../../../../test/helpers/panel';
import { ClusterJobs } from '../jobs/cluster-jobs';
import { ServersScheduler } from './servers.scheduler';

describe('ServersScheduler', () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let app: INestApplicationContext;
  const clock = new TestClock(new Date('2026-01-31T09:00:00Z'));

  beforeAll(async () => {
    db = await createTestDatabase();
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1)];
    const config = testConfig(db.url, {
      VIRTFUSION_URL: vf.url,
      VIRTFUSION_API_TOKEN: vf.token,
      VIRTFUSION_HYPERVISOR_GROUP_ID: '3',
      ADMIN_ALERT_EMAIL: 'ops@example.test',
    });
    app = await (
      await Test.createTestingModule({
        imports: [
          CoreConfigModule.forRoot(config),
          DatabaseModule.forRoot(SCHEMA),
          EventEmitterModule.forRoot(),
          UsersModule,
          WalletModule,
          PlansModule,
          NotificationsModule,
          ServersModule,
          ClusterModule,
          ScheduleModule.forRoot(),
        ],
        providers: [ClusterJobs, ServersScheduler],
      })
        .overrideProvider(CLOCK)
        .useValue(clock)
        .compile()
    ).init();
    await app.get(PlanSyncService).sync('cli');
    const plans = app.get(PlansService);
    await plans.setPrice(await plans.get({ packageId: 1 }), 1200);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
    await vf.stop();
  });

  it('a renewals run with a failed step is an admin alert, one per hour however many runs fail', async () => {
    const plans = app.get(PlansService);
    const user = await aUserWithBalance(app, 1200);
    await app.get(DeployService).deploy(user, {
      planId: (await plans.get({ packageId: 1 })).id,
      osTemplateId: 44,
      hostname: 'alerted.example.test',
      idempotencyKey: 'scheduler-alert-1',
    });
    clock.set(new Date('2026-03-01T10:00:00Z')); // unpaid and past the grace: the run suspends it
    vf.failCall('POST /servers/suspend', '503', 2);
    await app.get(ServersScheduler).renew();
    clock.set(new Date('2026-03-01T10:59:00Z'));
    await app.get(ServersScheduler).renew();
    const alerts: { key: string; subject: string; text: string }[] = await app
      .get(DataSource)
      .query(
        `SELECT dedupe_key AS key, subject, body_text AS text FROM outbox_messages WHERE kind = 'admin-alert' ORDER BY id`,
      );
    expect(alerts.map((a) => a.key)).toEqual(['alert:job:renewals:2026-03-01T10']);
    expect(alerts[0]!.subject).toBe('[OzVPS alert] Scheduled job failed: renewals');
    expect(alerts[0]!.text).toContain('1 step failed');
  });
});
