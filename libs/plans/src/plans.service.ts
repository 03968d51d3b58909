import { Injectable } from '@nestjs/common';
import { assertPositiveCents, AuditTrail } from '@ozvps/core';
import { PlanNotDeployableError, PlanNotFoundError } from './errors';
import { Plan, PlanSyncRun } from './plan.entity';
import { PlansRepository } from './plans.repository';

/** The largest monthly price a plan may have: A$100,000. */
export const MAX_PLAN_PRICE_CENTS = 10_000_000;

/** Plans as stored (VirtFusion's data + the panel's price). */
@Injectable()
export class PlansService {
  constructor(private readonly plans: PlansRepository) {}

  /** Plans on sale (enabled, present, priced), cheapest first. */
  listActive(): Promise<Plan[]> {
    return this.plans.active();
  }

  /** Every plan, including inactive and unpriced ones. */
  listAll(): Promise<Plan[]> {
    return this.plans.all();
  }

  lastSyncRun(): Promise<PlanSyncRun | null> {
    return this.plans.lastRun();
  }

  /** A plan by the panel's id, or by VirtFusion package id. */
  async get(reference: { planId: number } | { packageId: number }): Promise<Plan> {
    const plan =
      'planId' in reference
        ? await this.plans.findById(reference.planId)
        : await this.plans.findByPackageId(reference.packageId);
    if (!plan) {
      throw new PlanNotFoundError(
        'planId' in reference
          ? `with id ${reference.planId}`
          : `for VirtFusion package ${reference.packageId}`,
      );
    }
    return plan;
  }

  /** Sets the monthly price (the panel's own; syncs keep it). A priced, enabled, present plan goes on sale. */
  async setPrice(plan: Plan, priceMonthlyCents: number, actor?: string): Promise<Plan> {
    assertPositiveCents(priceMonthlyCents, MAX_PLAN_PRICE_CENTS, 'price');
    await this.plans.transaction(async (em) => {
      await this.plans.setPrice(plan.id, priceMonthlyCents, em);
      if (actor)
        await AuditTrail.record(em, {
          actor,
          action: 'plans.set-price',
          target: { type: 'plan', id: plan.id },
          before: { priceMonthlyCents: plan.priceMonthlyCents },
          after: { priceMonthlyCents },
        });
    });
    return (await this.plans.findById(plan.id))!;
  }

  /**
   * Takes a plan off sale: its price is cleared, so neither the pricing page nor a deploy offers it
   * and a sync does not put it back; setting a price puts it on sale again. Servers already on the
   * plan keep their own price.
   */
  async takeOffSale(plan: Plan): Promise<Plan> {
    return (await this.plans.clearPrice(plan.id))!;
  }

  /** For deploys: the plan exists, is on sale and points at a VirtFusion package. */
  async assertDeployable(planId: number): Promise<Plan> {
    const plan = await this.get({ planId });
    if (!plan.active || plan.priceMonthlyCents === null) {
      throw new PlanNotDeployableError(`Plan ${plan.name} is not on sale right now`);
    }
    if (!Number.isSafeInteger(plan.virtfusionPackageId) || plan.virtfusionPackageId <= 0) {
      throw new PlanNotDeployableError(`Plan ${plan.name} has no valid VirtFusion package`);
    }
    return plan;
  }
}
