import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { PlanSyncService } from './plan-sync.service';
import { PlansRepository } from './plans.repository';
import { PlansService } from './plans.service';
import { VirtFusionClient } from './virtfusion.client';

@Module({
  imports: [HttpModule],
  providers: [VirtFusionClient, PlansRepository, PlansService, PlanSyncService],
  exports: [PlansService, PlanSyncService, VirtFusionClient],
})
export class PlansModule {}
