import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditTrail } from '@ozvps/core';
import { VirtFusionClient, VirtFusionPackage } from '@ozvps/virtfusion';
import { PlanSyncInProgressError, PlanSyncRefusedError } from './errors';
import { Plan, PlanChange, SyncTrigger } from './plan.entity';
import { PlansRepository, SyncedFields } from './plans.repository';

export interface SyncReport {
  runId: number;
  created: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
  /** Plan rows inserted or updated (0 when nothing changed). */
  rowsWritten: number;
  changes: PlanChange[];
}

const SYNCED_KEYS = [
  'name',
  'description',
  'vcpu',
  'memoryMb',
  'storageGb',
  'trafficGb',
  'networkSpeedInMbps',
  'networkSpeedOutMbps',
  'enabled',
  'present',
  'active',
] as const;

/**
 * Makes the plans table match VirtFusion's packages: upsert by package id, deactivate what
 * disappeared or was disabled (never delete), write only what changed. One sync at a time across
 * every process; VirtFusion is asked before any transaction opens, so a failing VirtFusion leaves
 * the table exactly as it was.
 */
@Injectable()
export class PlanSyncService {
  private readonly logger = new Logger('PlanSync');

  constructor(
    private readonly plans: PlansRepository,
    private readonly virtfusion: VirtFusionClient,
  ) {}

  /** Runs one sync now; PlanSyncInProgressError when another is running anywhere. */
  async sync(trigger: SyncTrigger, options: { force?: boolean; actor?: string } = {}): Promise<SyncReport> {
    const outcome = await this.plans.withSyncLock(() =>
      this.syncLocked(trigger, options.force ?? false, options.actor),
    );
    if (!outcome.ran) throw new PlanSyncInProgressError();
    return outcome.value;
  }

  private async syncLocked(trigger: SyncTrigger, force: boolean, actor?: string): Promise<SyncReport> {
    const run = await this.plans.startRun(trigger);
    try {
      const packages = await this.virtfusion.listPackages();
      const report = await this.apply(run.id, packages, force, actor);
      await this.plans.finishRun(run.id, {
        status: 'succeeded',
        created: report.created,
        updated: report.updated,
        deactivated: report.deactivated,
        reactivated: report.reactivated,
        unchanged: report.unchanged,
        changes: report.changes,
      });
      this.logger.log(
        `plan sync (${trigger}): ${report.created} created, ${report.updated} updated, ${report.deactivated} deactivated, ` +
          `${report.reactivated} reactivated, ${report.unchanged} unchanged`,
      );
      return report;
    } catch (err) {
      const refused = err instanceof PlanSyncRefusedError;
      await this.plans.finishRun(run.id, {
        status: refused ? 'refused' : 'failed',
        error: (err as Error).message.slice(0, 2000),
      });
      this.logger.warn(`plan sync (${trigger}) ${refused ? 'refused' : 'failed'}: ${(err as Error).message}`);
      throw err;
    }
  }

  private apply(
    runId: number,
    packages: VirtFusionPackage[],
    force: boolean,
    actor?: string,
  ): Promise<SyncReport> {
    return this.plans.transaction(async (em) => {
      const report = await this.applyIn(em, runId, packages, force);
      // A sync someone asked for is an admin action; the scheduled ones are the panel's own.
      if (actor)
        await AuditTrail.record(em, {
          actor,
          action: 'plans.sync',
          target: { type: 'plan', id: null },
          after: {
            runId,
            force,
            created: report.created,
            updated: report.updated,
            deactivated: report.deactivated,
            reactivated: report.reactivated,
            unchanged: report.unchanged,
          },
        });
      return report;
    });
  }

  private async applyIn(
    em: EntityManager,
    runId: number,
    packages: VirtFusionPackage[],
    force: boolean,
  ): Promise<SyncReport> {
    {
      const existing = await this.plans.all(em);
      const byPackage = new Map(existing.map((p) => [p.virtfusionPackageId, p]));
      const now = new Date();
      const report: SyncReport = {
        runId,
        created: 0,
        updated: 0,
        deactivated: 0,
        reactivated: 0,
        unchanged: 0,
        rowsWritten: 0,
        changes: [],
      };
      const inserts: SyncedFields[] = [];
      const updates: { plan: Plan; changes: Partial<SyncedFields> }[] = [];

      for (const pkg of packages) {
        const plan = byPackage.get(pkg.id);
        byPackage.delete(pkg.id);
        const target = fromPackage(pkg, plan?.priceMonthlyCents ?? null);
        if (!plan) {
          inserts.push(target);
          continue;
        }
        const changed = SYNCED_KEYS.filter((k) => plan[k] !== target[k]);
        if (changed.length === 0) {
          report.unchanged++;
          continue;
        }
        updates.push({
          plan,
          changes: Object.fromEntries(changed.map((k) => [k, target[k]])) as Partial<SyncedFields>,
        });
      }
      // Packages that disappeared: kept (servers refer to them), no longer present or offered.
      for (const plan of byPackage.values()) {
        if (!plan.present && !plan.active) {
          report.unchanged++;
          continue;
        }
        updates.push({ plan, changes: { present: false, active: false } });
      }

      const activeBefore = existing.filter((p) => p.active).length;
      const activeAfter =
        existing.filter((p) => p.active).length -
        updates.filter((u) => u.plan.active && u.changes.active === false).length +
        updates.filter((u) => !u.plan.active && u.changes.active === true).length;
      if (activeBefore > 0 && activeAfter === 0 && !force) {
        throw new PlanSyncRefusedError(
          `Refused: this sync would take all ${activeBefore} offered plan(s) off sale (VirtFusion listed ${packages.length} package(s)). ` +
            `If that is intended, run it with --force.`,
        );
      }

      const created = await this.plans.insertMany(em, inserts, now);
      for (const plan of created) {
        report.created++;
        report.changes.push({
          packageId: plan.virtfusionPackageId,
          planId: Number(plan.id),
          kind: 'created',
          fields: [],
        });
      }
      for (const { plan, changes } of updates) {
        await this.plans.updateSynced(em, plan.id, changes, now);
        const wasOffered = plan.enabled && plan.present;
        const isOffered = (changes.enabled ?? plan.enabled) && (changes.present ?? plan.present);
        const kind =
          wasOffered && !isOffered ? 'deactivated' : !wasOffered && isOffered ? 'reactivated' : 'updated';
        report[kind]++;
        report.changes.push({
          packageId: plan.virtfusionPackageId,
          planId: plan.id,
          kind,
          fields: Object.keys(changes),
        });
      }
      report.rowsWritten = inserts.length + updates.length;
      return report;
    }
  }
}

function fromPackage(pkg: VirtFusionPackage, priceMonthlyCents: number | null): SyncedFields {
  return {
    virtfusionPackageId: pkg.id,
    name: pkg.name,
    description: pkg.description,
    vcpu: pkg.cpuCores,
    memoryMb: pkg.memoryMb,
    storageGb: pkg.storageGb,
    trafficGb: pkg.trafficGb,
    networkSpeedInMbps: pkg.networkSpeedInMbps,
    networkSpeedOutMbps: pkg.networkSpeedOutMbps,
    enabled: pkg.enabled,
    present: true,
    active: pkg.enabled && priceMonthlyCents !== null,
  };
}
