import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from '@ozvps/core';
import { Plan } from '@ozvps/plans';
import { VirtFusionClient, VirtFusionTemplate } from '@ozvps/virtfusion';
import { TemplateNotOfferedError } from './errors';

/** How long a package's template list is reused before VirtFusion is asked again. */
const CACHE_MS = 5 * 60_000;

/** OS templates per VirtFusion package, from VirtFusion, cached briefly. */
@Injectable()
export class TemplatesService {
  private readonly cache = new Map<number, { at: number; templates: VirtFusionTemplate[] }>();

  constructor(
    private readonly virtfusion: VirtFusionClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async forPlan(plan: Plan): Promise<VirtFusionTemplate[]> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(plan.virtfusionPackageId);
    if (hit && now - hit.at < CACHE_MS) return hit.templates;
    const templates = await this.virtfusion.listTemplates(plan.virtfusionPackageId);
    this.cache.set(plan.virtfusionPackageId, { at: now, templates });
    return templates;
  }

  /** The template, if VirtFusion offers it for this plan's package; otherwise a clear refusal. */
  async assertOffered(plan: Plan, osTemplateId: number): Promise<VirtFusionTemplate> {
    const found = (await this.forPlan(plan)).find((t) => t.id === osTemplateId);
    if (!found)
      throw new TemplateNotOfferedError(
        `OS template ${osTemplateId} is not available for plan ${plan.name}; GET /api/plans/${plan.id}/templates lists those that are`,
      );
    return found;
  }
}
