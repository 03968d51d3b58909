import { Module, OnModuleInit } from '@nestjs/common';
import { BillingModule, StripeWebhookService } from '@ozvps/billing';
import { CLOCK, systemClock } from '@ozvps/core';
import { PlansModule } from '@ozvps/plans';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { RenewalsService } from './renewals.service';
import { RepriceService } from './reprice.service';
import { ServerLedger } from './server-ledger';
import { ServersRepository } from './servers.repository';
import { ServersService } from './servers.service';
import { TemplatesService } from './templates.service';
import { VirtFusionAccountsService } from './virtfusion-accounts.service';

@Module({
  imports: [UsersModule, WalletModule, PlansModule, BillingModule],
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
export class ServersModule implements OnModuleInit {
  constructor(
    private readonly webhook: StripeWebhookService,
    private readonly servers: ServersService,
    private readonly renewals: RenewalsService,
  ) {}

  /** A credited top-up starts the user's waiting deploys and pays (and lifts) overdue renewals. */
  onModuleInit(): void {
    this.webhook.onCredited(async (userId) => {
      await this.servers.resumeWaiting(userId);
      await this.renewals.run(userId);
    });
  }
}
