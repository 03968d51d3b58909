import { Module } from '@nestjs/common';
import { NotificationsModule } from '@ozvps/notifications';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { BillingRepository } from './billing.repository';
import { InstallationService } from './installation.service';
import { StripeAdminService } from './stripe-admin.service';
import { StripeClient } from './stripe.provider';
import { TopupsService } from './topups.service';
import { StripeWebhookService } from './webhook.service';

@Module({
  imports: [UsersModule, WalletModule, NotificationsModule],
  providers: [
    StripeClient,
    BillingRepository,
    InstallationService,
    TopupsService,
    StripeWebhookService,
    StripeAdminService,
  ],
  exports: [TopupsService, StripeWebhookService, StripeAdminService, InstallationService],
})
export class BillingModule {}
