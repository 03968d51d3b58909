import { Module } from '@nestjs/common';
import { BillingModule } from '@ozvps/billing';
import { CLOCK, systemClock } from '@ozvps/core';
import { PlansModule } from '@ozvps/plans';
import { UsersModule } from '@ozvps/users';
import { VirtFusionModule } from '@ozvps/virtfusion';
import { WalletModule } from '@ozvps/wallet';
import { RenewalsService } from './renewals.service';
import { RepriceService } from './reprice.service';
import { ServerLedger } from './server-ledger';
import { ServersRepository } from './servers.repository';
import { ServersService } from './servers.service';
import { TemplatesService } from './templates.service';
import { VirtFusionAccountsService } from './virtfusion-accounts.service';

@Module({
  imports: [UsersModule, WalletModule, PlansModule, BillingModule, VirtFusionModule],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    ServersRepository,
    ServerLedger,
    ServersService,
    RenewalsService,
    RepriceService,
    TemplatesService,
    VirtFusionAccountsService,
  ],
  exports: [ServersService, RenewalsService, RepriceService, TemplatesService, CLOCK],
})
export class ServersModule {}
