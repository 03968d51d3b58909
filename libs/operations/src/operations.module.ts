import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@ozvps/core';
import { BillingModule } from '@ozvps/billing';
import { NotificationsModule } from '@ozvps/notifications';
import { VirtFusionModule } from '@ozvps/virtfusion';
import { WalletModule } from '@ozvps/wallet';
import { HealthRepository } from './health.repository';
import { HealthService } from './health.service';

/** Operations: whether the panel is healthy (jobs, webhooks, outside services, ledger, backups). */
@Module({
  imports: [WalletModule, BillingModule, VirtFusionModule, NotificationsModule],
  providers: [{ provide: CLOCK, useValue: systemClock }, HealthRepository, HealthService],
  exports: [HealthService],
})
export class OperationsModule {}
