import { Module } from '@nestjs/common';
import { VirtFusionClient } from './virtfusion.client';

@Module({
  providers: [VirtFusionClient],
  exports: [VirtFusionClient],
})
export class VirtFusionModule {}
