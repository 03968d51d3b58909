import { INestApplicationContext } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CLOCK, ClusterModule, CoreConfigModule, DatabaseModule } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { NotificationsModule } from '@ozvps/notifications';
import { PlansModule } from '@ozvps/plans';
import { aPackage, FakeVirtFusion } from '../../../../test/fakes/virtfusion';
import { createTestDatabase, TestDatabase } from '../../../../test/helpers/database';
import { TestClock, testConfig } from '../../../../test/helpers/panel';
import { ClusterJobs } from '../jobs/cluster-jobs';
import { PLAN_SYNC_JOB, PlanSyncScheduler } from './plan-sync.scheduler';

describe('PlanSyncScheduler', () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    vf = await new FakeVirtFusion().start();
    vf.packages = [aPackage(1), aPackage(2)];
    const config = testConfig(db.url, {
      VIRTFUSION_URL: vf.url,
      VIRTFUSION_API_TOKEN: vf.token,
      PLAN_SYNC_CRON: '*/7 * * * *',
      ADMIN_ALERT_EMAIL: 'ops@example.test',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreConfigModule.forRoot(config),
        DatabaseModule.forRoot(SCHEMA),
        PlansModule,
        NotificationsModule,
        ClusterModule,
        ScheduleModule.forRoot(),
      ],
      providers: [ClusterJobs, PlanSyncScheduler],
    })
      // Alerts are keyed by the hour: a fixed clock keeps the two failures below in one.
      .overrideProvider(CLOCK)
      .useValue(new TestClock(new Date('2026-05-01T10:30:00Z')))
      .compile();
    app = await moduleRef.init();
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
    await vf.stop();
  });

  async function runs(): Promise<{ trigger: string; status: string }[]> {
    return app.get(DataSource).query(`SELECT trigger, status FROM plan_sync_runs ORDER BY id`);
  }

  /** Until `n` syncs are recorded and the job run around each has ended (a loaded machine is slow). */
  async function settled(n: number): Promise<void> {
    const ended = async () => {
      const [{ open }] = await app
        .get(DataSource)
        .query(`SELECT count(*)::int AS open FROM job_runs WHERE finished_at IS NULL`);
      return (await runs()).length >= n && open === 0;
    };
    for (let i = 0; i < 200 && !(await ended()); i++) await new Promise((r) => setTimeout(r, 50));
  }

  it('syncs once on start without holding up start-up, and registers the job on PLAN_SYNC_CRON', async () => {
    await settled(1);
    expect(await runs()).toEqual([{ trigger: 'startup', status: 'succeeded' }]);
    const job = app.get(SchedulerRegistry).getCronJob(PLAN_SYNC_JOB);
    expect(job.cronTime.source).toBe('*/7 * * * *');
    expect(job.isActive).toBe(true);
  });

  it('runs the same sync service, as a scheduled run, when the job fires', async () => {
    vf.packages = [aPackage(1, { name: 'Renamed' }), aPackage(2)];
    await app.get(SchedulerRegistry).getCronJob(PLAN_SYNC_JOB).fireOnTick();
    await settled(2);
    expect((await runs()).at(-1)).toEqual({ trigger: 'schedule', status: 'succeeded' });
    const [plan] = await app.get(DataSource).query(`SELECT name FROM plans WHERE virtfusion_package_id = 1`);
    expect(plan.name).toBe('Renamed');
  });

  it('a sync that fails is an admin alert, one per hour however often it fails', async () => {
    vf.failWith('401');
    try {
      // Two ticks of the job, each failing: recorded as failed runs, alerted once for the hour.
      const jobs = app.get(ClusterJobs);
      const sync = () => app.get(PlanSyncScheduler).run('schedule');
      expect(await jobs.tick(PLAN_SYNC_JOB, new Date('2026-05-01T10:07:00Z'), sync)).toBe('ran');
      expect(await jobs.tick(PLAN_SYNC_JOB, new Date('2026-05-01T10:14:00Z'), sync)).toBe('ran');
    } finally {
      vf.failWith('none');
    }
    const alerts: { key: string; subject: string; text: string }[] = await app
      .get(DataSource)
      .query(
        `SELECT dedupe_key AS key, subject, body_text AS text FROM outbox_messages WHERE kind = 'admin-alert' ORDER BY id`,
      );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.key).toBe('alert:job:plan-sync:2026-05-01T10');
    expect(alerts[0]!.subject).toBe('[OzVPS alert] Scheduled job failed: plan-sync');
    expect(alerts[0]!.text).toContain('VIRTFUSION_API_TOKEN');
    expect(alerts[0]!.text).not.toContain(vf.token);
  });
});
