import { Module } from '@nestjs/common';
import { BillingModule } from '@ozvps/billing';
import { CLOCK, systemClock } from '@ozvps/core';
import { NotificationsModule } from '@ozvps/notifications';
import { PlansModule } from '@ozvps/plans';
import { UsersModule } from '@ozvps/users';
import { VirtFusionModule } from '@ozvps/virtfusion';
import { WalletModule } from '@ozvps/wallet';
import { DeployService } from './deploy.service';
import { ProvisioningService } from './provisioning.service';
import { RenewalsService } from './renewals.service';
import { RepriceService } from './reprice.service';
import { ServerLedger } from './server-ledger';
import { ServerAdminService } from './server-admin.service';
import { ServerMail } from './server-mail';
import { ServerQueriesService } from './server-queries.service';
import { ServersRepository } from './servers.repository';
import { SweepService } from './sweep.service';
import { TemplatesService } from './templates.service';
import { VirtFusionAccountsService } from './virtfusion-accounts.service';

@Module({
  imports: [UsersModule, WalletModule, PlansModule, BillingModule, VirtFusionModule, NotificationsModule],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    ServersRepository,
    ServerLedger,
    ServerMail,
    ServerQueriesService,
    ProvisioningService,
    DeployService,
    SweepService,
    ServerAdminService,
    RenewalsService,
    RepriceService,
    TemplatesService,
    VirtFusionAccountsService,
  ],
  exports: [
    DeployService,
    SweepService,
    ServerQueriesService,
    ServerAdminService,
    RenewalsService,
    RepriceService,
    TemplatesService,
    CLOCK,
  ],
})
export class ServersModule {}
