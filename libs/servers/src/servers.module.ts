import { Module } from '@nestjs/common';
import { BillingModule } from '@ozvps/billing';
import { CLOCK, systemClock } from '@ozvps/core';
import { PlansModule } from '@ozvps/plans';
import { UsersModule } from '@ozvps/users';
import { VirtFusionModule } from '@ozvps/virtfusion';
import { WalletModule } from '@ozvps/wallet';
import { RenewalsService } from './renewals.service';
import { RepriceService } from './reprice.service';
import { ServerActionsRepository } from './server-actions.repository';
import { ServerActionsService } from './server-actions.service';
import { ServerCancellationService } from './server-cancellation.service';
import { ServerDetailsService } from './server-details.service';
import { ServerLedger } from './server-ledger';
import { ServersRepository } from './servers.repository';
import { ServersService } from './servers.service';
import { SshKeysRepository } from './ssh-keys.repository';
import { SshKeysService } from './ssh-keys.service';
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
    // Server self-service (issue 16).
    ServerActionsRepository,
    ServerActionsService,
    ServerCancellationService,
    ServerDetailsService,
    SshKeysRepository,
    SshKeysService,
  ],
  exports: [
    ServersService,
    RenewalsService,
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
