import { Module } from '@nestjs/common';
import { VirtFusionModule } from '@ozvps/virtfusion';
import { PlanSyncService } from './plan-sync.service';
import { PlansRepository } from './plans.repository';
import { PlansService } from './plans.service';

@Module({
  imports: [VirtFusionModule],
  providers: [PlansRepository, PlansService, PlanSyncService],
  exports: [PlansService, PlanSyncService],
})
export class PlansModule {}
