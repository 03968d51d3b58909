import type { AdminPlan, PublicPlan } from '@ozvps/contracts';
import type { Plan } from './plan.entity';

/** A plan as scripts and admins see it. The field names are a contract (`ozvpsctl plans list --json`). */
export function toPlanView(p: Plan): Omit<AdminPlan, 'present' | 'lastSyncedAt'> {
  return {
    id: p.id,
    virtfusionPackageId: p.virtfusionPackageId,
    name: p.name,
    vcpu: p.vcpu,
    memoryMb: p.memoryMb,
    storageGb: p.storageGb,
    trafficGb: p.trafficGb,
    priceMonthlyCents: p.priceMonthlyCents,
    enabled: p.enabled,
    active: p.active,
  };
}

/** A plan as customers see it on the pricing and deploy pages. */
export function toPublicPlanView(p: Plan): PublicPlan {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    vcpu: p.vcpu,
    memoryMb: p.memoryMb,
    storageGb: p.storageGb,
    trafficGb: p.trafficGb,
    networkSpeedInMbps: p.networkSpeedInMbps,
    networkSpeedOutMbps: p.networkSpeedOutMbps,
    priceMonthlyCents: p.priceMonthlyCents!,
  };
}
