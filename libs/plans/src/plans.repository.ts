import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Plan, PlanSyncRun, SyncTrigger } from './plan.entity';

export type SyncedFields = Pick<
  Plan,
  | 'virtfusionPackageId'
  | 'name'
  | 'description'
  | 'vcpu'
  | 'memoryMb'
  | 'storageGb'
  | 'trafficGb'
  | 'networkSpeedInMbps'
  | 'networkSpeedOutMbps'
  | 'enabled'
  | 'present'
  | 'active'
>;

/** Arbitrary but fixed: every panel process agrees on it, so one plan sync runs at a time. */
const PLAN_SYNC_LOCK_KEY = 7_141_923_802;

/** The only code that speaks TypeORM for `plans` and `plan_sync_runs`. */
@Injectable()
export class PlansRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `fn` holding the cluster-wide plan-sync lock on a connection of its own; returns
   * undefined without running it when another process holds the lock.
   */
  async withSyncLock<T>(fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        PLAN_SYNC_LOCK_KEY,
      ]);
      if (!locked) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [PLAN_SYNC_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  all(em: EntityManager = this.dataSource.manager): Promise<Plan[]> {
    return em.getRepository(Plan).find({ order: { id: 'ASC' } });
  }

  findById(id: number): Promise<Plan | null> {
    return this.dataSource.getRepository(Plan).findOneBy({ id });
  }

  findByPackageId(packageId: number): Promise<Plan | null> {
    return this.dataSource.getRepository(Plan).findOneBy({ virtfusionPackageId: packageId });
  }

  /** Offered plans, cheapest first. */
  active(): Promise<Plan[]> {
    return this.dataSource
      .getRepository(Plan)
      .find({ where: { active: true }, order: { priceMonthlyCents: 'ASC', id: 'ASC' } });
  }

  async insertMany(em: EntityManager, rows: SyncedFields[], at: Date): Promise<Plan[]> {
    if (rows.length === 0) return [];
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(Plan)
      .values(rows.map((r) => ({ ...r, lastSyncedAt: at })))
      .returning('*')
      .execute();
    return result.generatedMaps as Plan[];
  }

  async updateSynced(em: EntityManager, id: number, changes: Partial<SyncedFields>, at: Date): Promise<void> {
    await em.getRepository(Plan).update({ id }, { ...changes, lastSyncedAt: at });
  }

  /** Sets the price and recomputes `active` in one statement. */
  async setPrice(
    id: number,
    priceMonthlyCents: number,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em.query(
      `UPDATE plans SET price_monthly_cents = $2, active = (enabled AND present), updated_at = now() WHERE id = $1`,
      [id, priceMonthlyCents],
    );
  }

  /** Clears the price, so the plan is not offered until an admin prices it again (syncs keep it off). */
  async clearPrice(id: number): Promise<Plan | null> {
    await this.dataSource.query(
      `UPDATE plans SET price_monthly_cents = NULL, active = false, updated_at = now() WHERE id = $1`,
      [id],
    );
    return this.findById(id);
  }

  startRun(trigger: SyncTrigger): Promise<PlanSyncRun> {
    const repo = this.dataSource.getRepository(PlanSyncRun);
    return repo.save(repo.create({ trigger, status: 'running', startedAt: new Date() }));
  }

  async finishRun(id: number, outcome: Partial<PlanSyncRun>): Promise<void> {
    await this.dataSource.getRepository(PlanSyncRun).update({ id }, { ...outcome, finishedAt: new Date() });
  }

  lastRun(): Promise<PlanSyncRun | null> {
    return this.dataSource.getRepository(PlanSyncRun).findOne({ where: {}, order: { id: 'DESC' } });
  }

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }
}
