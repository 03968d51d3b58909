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
import { ForecastService } from './forecast.service';
import { RenewalsService } from './renewals.service';
import { RepriceService } from './reprice.service';
import { ServerActionsRepository } from './server-actions.repository';
import { ServerActionsService } from './server-actions.service';
import { ServerCancellationService } from './server-cancellation.service';
import { ServerDetailsService } from './server-details.service';
import { ServerLedger } from './server-ledger';
import { ServerAdminService } from './server-admin.service';
import { ServerMail } from './server-mail';
import { ServerQueriesService } from './server-queries.service';
import { ServersRepository } from './servers.repository';
import { SshKeysRepository } from './ssh-keys.repository';
import { SshKeysService } from './ssh-keys.service';
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
    ForecastService,
    RepriceService,
    TemplatesService,
    VirtFusionAccountsService,
    // Server self-service (issue 16).
    ServerActionsRepository,
    ServerActionsService,
    ServerCancellationService,
    ServerDetailsService,
    SshKeysRepository,
    SshKeysService,
  ],
  exports: [
    DeployService,
    SweepService,
    ServerQueriesService,
    ServerAdminService,
    RenewalsService,
    ForecastService,
    RepriceService,
    TemplatesService,
    ServerActionsService,
    ServerCancellationService,
    ServerDetailsService,
    SshKeysService,
    CLOCK,
  ],
})
export class ServersModule {}
