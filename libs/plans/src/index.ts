export * from './errors';
export * from './plan.entity';
export * from './plan.view';
export * from './plans.module';
export { PlansService, MAX_PLAN_PRICE_CENTS } from './plans.service';
export { PlanSyncService } from './plan-sync.service';
export type { SyncReport } from './plan-sync.service';

import { Plan, PlanSyncRun } from './plan.entity';
export const PLANS_ENTITIES = [Plan, PlanSyncRun];
