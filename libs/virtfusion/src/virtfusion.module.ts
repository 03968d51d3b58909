import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { VirtFusionClient } from './virtfusion.client';

@Module({
  imports: [HttpModule],
  providers: [VirtFusionClient],
  exports: [VirtFusionClient],
})
export class VirtFusionModule {}
